"""The register-allocation environment."""

from __future__ import annotations

import copy
import math
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from rl4real_gym.baselines import llvm_figures
from rl4real_gym.dataset import Dataset, FunctionEntry, load_dataset
from rl4real_gym.driver import ActionKind, DecisionState, NodeStatus, ServerSession, SessionLimits
from rl4real_gym.driver.state import NODE_FEATURE_NAMES, REGISTER_FEATURE_NAMES
from rl4real_gym.envs.rewards import REWARD_KINDS, step_reward, terminal_reward
from rl4real_gym.envs.spaces import Layout, build_observation, flat_mask, observation_space
from rl4real_gym.errors import DatasetError, InvalidActionError, LlcError
from rl4real_gym.schema import ENV_LIMITS, PLUGIN_LIMITS
from rl4real_gym.targets import get_target

ILLEGAL_ACTION_MODES = ("penalize", "raise")

PREFETCH_MAX_AGE = PLUGIN_LIMITS["client_timeout"] / 2
"""Seconds a prefetched episode may wait for its reset: the plugin gives up on a client
after ``client_timeout`` and finishes alone, so an older one is started again."""


class RegAllocEnv(gym.Env[dict[str, Any], int]):
    """
    ## Description

    Register allocation of one LLVM 19 machine function per episode, decided step by step
    as in RL4ReAl (Venkatakeerthy et al., CC 2023). LLVM's real allocator pipeline runs
    in an allocation process forked for the episode by the long-lived ``rl4real-server``
    (the rl4real allocator, the same pass as ``llc-19 -regalloc=rl4real``); every step
    is one decision sent to it. ``env.unwrapped.fork()`` copies the episode at the
    current decision (copy-on-write, in about a millisecond) for search. A decision is
    hierarchical: select a virtual register (a node of the interference graph), then
    choose to colour-or-spill it or to split it, then pick a physical register (or
    spill) or a split point. Whatever the agent
    does, the result is a correct allocation (``-verify-machineinstrs``-clean, same
    program behaviour); the plugin's heuristic allocates what the agent is not asked
    about (other register classes, the small intervals the spiller creates).

    ## Action Space

    ``Discrete(N + 2 + C + 1 + U)``, one contiguous segment per decision kind; only the
    current phase's segment has legal actions (``action_masks()``):

    | segment | actions                 | meaning                                  |
    |---------|-------------------------|------------------------------------------|
    | node    | ``[0, N)``              | select node ``i``                        |
    | task    | ``[N, N+2)``            | ``0`` colour or spill, ``1`` split       |
    | colour  | ``[N+2, N+2+C)``        | assign physical register ``c``           |
    | spill   | ``N+2+C``               | spill the node                           |
    | split   | ``[N+3+C, N+3+C+U)``    | split before the node's ``j``-th use     |

    ``N`` = ``max_nodes``, ``U`` = ``max_split_points``, ``C`` = the target's colour
    table (x86: 165 registers, AArch64: 224; ``env.unwrapped.colours`` names them).

    ## Observation Space

    A ``Dict`` with fixed, padded shapes:

    | key               | shape    | dtype   | content                                      |
    |-------------------|----------|---------|----------------------------------------------|
    | node_features     | (N, 20)  | float32 | per node, see ``NODE_FEATURE_NAMES``         |
    | node_mask         | (N,)     | int8    | 1 for existing nodes                         |
    | edge_index        | (E, 2)   | int32   | interference edges ``i < j``, zero padded    |
    | num_edges         | (1,)     | int32   | number of valid rows of ``edge_index``       |
    | phase             | ()       | int64   | 0 node, 1 task, 2 colour, 3 split            |
    | current_node      | (1,)     | int32   | node being decided, or -1                    |
    | split_features    | (U, 5)   | float32 | in the split phase: per split point features |
    | register_features | (C+1, 7) | float32 | colour phase: per register (below); else 0   |
    | action_mask       | (A,)     | int8    | same as ``action_masks()``                   |

    ``register_features`` row ``c`` describes colour ``c`` as a choice for the current
    node (columns ``REGISTER_FEATURE_NAMES``, docs in ``rl4real_gym.schema.FEATURE_DOCS``):
    ``log_copy_weight`` (log1p of the block-frequency-weighted copies it removes: copies
    in either direction whose other end is this register or a node already assigned to
    it), ``hint`` (1 for the node's allocation hint), ``callee_saved_unused`` (1 if its
    first use costs a save and a restore), ``order_rank`` ((position + 1) / length of
    the class's allocation order, 0 outside it) and ``log_pending_neighbours``
    (log1p of the pending interfering nodes that could still take it or an overlapping
    register); since v2, ``log_pending_copy_weight`` (copies to pending partners that
    stay removable if the node takes it) and ``log_neighbour_copy_weight`` (copies that
    pending interfering nodes could remove with it, taken from them if the node takes
    it). The last row (spill) is zeros. Node feature ``log_fixed_copy_weight`` is the
    copy weight at stake when a node is coloured.

    ## Rewards

    ``reward="rl4real"`` (default): +w/10000 for colouring a node of spill weight w,
    -w/10000 for spilling it, (w - weights of the parts)/10000 for splitting it, and
    +-10 at the end against the best cost seen so far for the function.
    ``"spill_cost"``: at the end only, minus the block-frequency-weighted cost
    (4 x reloads + spills + 0.2 x copies). ``"vs_greedy"``: at the end only,
    (greedy cost - cost) / max(greedy cost, 1). ``"cost"``: dense, in log space:
    -log1p(estimated reload cost) for a spill; for a colour, -log1p(0.2 x the copy
    weight the register does not remove + 5 if it is the first use of a callee-saved
    register: its save and restore); 0 for a split (its copies are charged when the
    parts are coloured apart); and log1p(greedy cost) - log1p(cost) at the end (see
    ``rl4real_gym.envs.rewards``). An illegal action earns
    ``illegal_action_penalty`` and changes nothing.

    ## Starting State

    A function sampled uniformly (with the env's seeded generator) from the dataset's
    split, among those with ``min_nodes``..``max_nodes`` nodes and at most ``max_edges``
    edges (``env.unwrapped.selection_report`` tells what was skipped and why), or the
    one named by ``reset(options={"function": name_or_id})``; phase: select node.

    With ``prefetch`` (the default), each random reset also draws the function of the
    next random reset, and the env starts that episode's allocation process during the
    first step, so that it runs LLVM's pipeline up to the first decision while the agent
    decides; the next reset then only reads its first state. The draws are the ones the
    env makes without prefetching (same functions, same order). A reset with a new seed
    or a named function does not use a prefetched episode unless it is for the same
    function; a failed prefetch costs nothing (the reset starts the episode itself and
    reports what went wrong). An env holds at most two allocation processes.

    ## Episode End

    Terminated when every node is decided (or the plugin's own decision limit is hit).
    Truncated after ``max_steps`` steps (the plugin's heuristic then finishes the
    allocation so the figures are complete) or if llc crashes or hangs
    (``info["truncated_reason"]``). At the end ``info`` has ``cost``, ``spills``,
    ``reloads``, ``splits``, ``copies``, ``figures`` and ``greedy_cost``/``greedy``, and
    ``csr_cost``: the callee-saved save/restore cost of the allocation (1 x saves + 4 x
    restores, block-frequency weighted, measured after prologue/epilogue insertion; not in
    ``cost``; ``figures`` has its parts). Greedy's is in ``rl4real_gym.baselines``'s figures.

    ## Arguments

    ``gymnasium.make("RL4ReAl-x86-v2", **kwargs)``, ``"RL4ReAl-aarch64-v2"`` or ``"RL4ReAl-riscv64-v2"``:

    * ``data``: dataset directory (default: ``DATA_DIR`` or the bundled ``envs_data``)
    * ``split``: ``"train"`` (default), ``"validation"``, ``"test"`` or ``None`` (all)
    * ``functions``: explicit list of function names/ids to sample from
    * ``min_nodes`` (1), ``max_nodes``, ``max_edges``, ``max_split_points`` (defaults:
      ``rl4real_gym.schema.ENV_LIMITS``; RL4ReAl used 600 / 30000 / 200)
    * ``reward``: ``"rl4real"``, ``"spill_cost"``, ``"vs_greedy"`` or ``"cost"``
    * ``illegal_action``: ``"penalize"`` (no-op, ``info["invalid_action"]``) or ``"raise"``
    * ``illegal_action_penalty`` (-1.0)
    * ``max_steps`` (None): truncate after this many steps, the plugin finishing the
      allocation (so ``info`` has the final figures). Gymnasium's own
      ``gym.make(..., max_episode_steps=K)`` also works but cuts the episode without them.
    * ``verify``: run ``-verify-machineinstrs`` and let llc finish each episode (slower)
    * ``render_mode``: ``None`` or ``"ansi"``; ``step_timeout``: seconds per llc reply
    * ``prefetch`` (True): start the next random episode's process ahead (Starting State)

    ## Examples

    >>> import gymnasium as gym, numpy as np, rl4real_gym
    >>> env = gym.make("RL4ReAl-x86-v2")
    >>> obs, info = env.reset(seed=0)
    >>> while True:
    ...     action = np.flatnonzero(env.unwrapped.action_masks())[0]
    ...     obs, reward, terminated, truncated, info = env.step(action)
    ...     if terminated or truncated:
    ...         break
    >>> env.close()
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(
        self,
        target: str = "x86",
        *,
        data: str | Path | None = None,
        split: str | None = "train",
        functions: list[str] | None = None,
        min_nodes: int = 1,
        max_nodes: int = ENV_LIMITS["max_nodes"],
        max_edges: int = ENV_LIMITS["max_edges"],
        max_split_points: int = ENV_LIMITS["max_split_points"],
        reward: str = "rl4real",
        illegal_action: str = "penalize",
        illegal_action_penalty: float = -1.0,
        max_steps: int | None = None,
        verify: bool = False,
        step_timeout: float = 120.0,
        render_mode: str | None = None,
        prefetch: bool = True,
    ) -> None:
        if reward not in REWARD_KINDS:
            raise ValueError(f"reward must be one of {REWARD_KINDS}, not {reward!r}")
        if illegal_action not in ILLEGAL_ACTION_MODES:
            raise ValueError(f"illegal_action must be one of {ILLEGAL_ACTION_MODES}, not {illegal_action!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or 'ansi', not {render_mode!r}")
        self.target = get_target(target)
        self.layout = Layout(max_nodes, max_edges, self.target.num_colours, max_split_points)
        self.action_space = spaces.Discrete(self.layout.num_actions)
        self.observation_space = observation_space(self.layout)
        self.reward_kind = reward
        self.illegal_action = illegal_action
        self.illegal_action_penalty = float(illegal_action_penalty)
        self.max_steps = max_steps
        self.verify = verify
        self.render_mode = render_mode
        self.prefetch = prefetch
        self.limits = SessionLimits(
            max_nodes=max_nodes,
            max_edges=max_edges,
            max_split_points=max_split_points,
            step_timeout=step_timeout,
        )
        self.dataset: Dataset = load_dataset(self.target, data)
        if functions:
            self.candidates = [self.dataset.get(name) for name in functions]
            _, self.selection_report = self.dataset.select(split=None)
        else:
            self.candidates, self.selection_report = self.dataset.select(
                split=split, min_nodes=min_nodes, max_nodes=max_nodes, max_edges=max_edges
            )
        if not self.candidates:
            raise DatasetError(
                f"no function of {self.dataset.root} fits (split={split!r}, nodes {min_nodes}..{max_nodes}, "
                f"edges <= {max_edges}): {self.selection_report}"
            )
        self.colours: tuple[str, ...] = ()
        self._session: ServerSession | None = None
        self._state: DecisionState | None = None
        self._mask = np.zeros(self.layout.num_actions, dtype=bool)
        self._obs: dict[str, Any] | None = None
        self._entry: FunctionEntry | None = None
        self._steps = 0
        self._episode_return = 0.0
        self._invalid_actions = 0
        self._best_cost: dict[str, float] = {}
        self._greedy_cache: dict[str, dict[str, Any]] = {}
        self._modules: dict[str, Path] = {}  # entry id -> module file the allocator reads
        self._pending: tuple[int, ActionKind, int] | None = None  # an action sent, not yet answered
        self._next_entry: FunctionEntry | None = None  # drawn for the next random reset
        self._prefetch_due = False  # start the next entry's episode at the next step
        self._prefetched: tuple[str, float, ServerSession] | None = None  # (entry id, started, session)
        self._from_prefetch = False  # the current session was prefetched

    # -- Gymnasium API -----------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._begin_reset(seed=seed, options=options)
        return self._end_reset()

    def step(self, action: int):
        answered = self._begin_step(action)
        return answered if answered is not None else self._end_step()

    # The halves of reset and step: the vector env starts every sub-env's allocation
    # before waiting for any, so that their processes compute at once.
    def _begin_reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        super().reset(seed=seed)
        self._close_session()
        options = options or {}
        if "function" in options:
            entry = self.dataset.get(str(options["function"]))
        else:
            # The draws are those of an env without prefetching: the one for this reset
            # was made at the last random reset, unless the generator was seeded since.
            entry = self._next_entry if seed is None and self._next_entry is not None else self._draw()
            self._next_entry = self._draw() if self.prefetch else None
            self._prefetch_due = self.prefetch
        self._entry = entry
        self._steps = 0
        self._episode_return = 0.0
        self._invalid_actions = 0
        self._session = self._take_prefetched(entry)
        self._from_prefetch = self._session is not None
        if self._session is None:
            self._session = self._new_session(entry)
        if self._prefetched is not None and (self._next_entry is None or self._prefetched[0] != self._next_entry.id):
            self._drop_prefetched()  # for a function no reset will draw now

    def _draw(self) -> FunctionEntry:
        return self.candidates[int(self.np_random.integers(len(self.candidates)))]

    def _new_session(self, entry: FunctionEntry) -> ServerSession:
        module = self._modules.get(entry.id)
        if module is None:
            module = self._modules[entry.id] = self.dataset.module_path(entry)
        return ServerSession(module, self.target, verify=self.verify, limits=self.limits)

    def _take_prefetched(self, entry: FunctionEntry) -> ServerSession | None:
        """The prefetched episode if it is for ``entry`` and young enough, else None."""
        if self._prefetched is None:
            return None
        entry_id, started, session = self._prefetched
        if entry_id != entry.id or time.monotonic() - started > PREFETCH_MAX_AGE:
            return None
        self._prefetched = None
        return session

    def _start_prefetch(self) -> None:
        """Starts the next random reset's episode, which computes while the agent decides."""
        self._prefetch_due = False
        entry = self._next_entry
        if entry is None or self._prefetched is not None:
            return
        try:
            self._prefetched = (entry.id, time.monotonic(), self._new_session(entry))
        except Exception:  # the reset that needs it starts it again and reports why
            self._prefetched = None

    def _drop_prefetched(self) -> None:
        if self._prefetched is not None:
            self._prefetched[2].close()
            self._prefetched = None

    def _end_reset(self) -> tuple[dict[str, Any], dict[str, Any]]:
        assert self._session is not None and self._entry is not None
        try:
            try:
                state = self._session.start()
            except LlcError:
                if not self._from_prefetch:
                    raise
                # A prefetched process can be lost while it waits (its server stopped):
                # the episode starts again, and only that attempt's failure counts.
                self._close_session()
                self._from_prefetch = False
                self._session = self._new_session(self._entry)
                state = self._session.start()
        except BaseException:
            self._close_session()
            raise
        self.colours = self._session.colours or self.colours
        if state.done:
            self._close_session()
            raise DatasetError(
                f"function {self._entry.id} has nothing for the agent to decide; rebuild the dataset manifest"
            )
        self._state = None  # a new episode: nothing to reuse
        self._set_state(state)
        return self._observation(), self._info(invalid=False)

    def _begin_step(self, action: int) -> tuple[Any, ...] | None:
        """Sends the action; returns the step's result if it needs no answer (an illegal
        action, a lost process), else None and :meth:`_end_step` completes it."""
        if self._session is None or self._state is None:
            raise RuntimeError("call reset() before step()")
        action = int(action)
        if not (0 <= action < self.layout.num_actions and self._mask[action]):
            return self._illegal(action)
        kind, value = self.layout.decode(action)
        self._steps += 1
        try:
            self._session.send_step(kind, value)
        except LlcError as err:
            return self._truncate(f"llc failed: {err}")
        self._pending = (action, kind, value)
        if self._prefetch_due:  # while the allocation process computes this step
            self._start_prefetch()
        return None

    def _end_step(self) -> tuple[Any, ...]:
        assert self._session is not None and self._pending is not None
        action, kind, value = self._pending
        self._pending = None
        try:
            state = self._session.receive_step()
        except LlcError as err:
            return self._truncate(f"llc failed: {err}")
        if state.error:  # the plugin disagreed with the mask: a bug, never silent
            self._close_session()
            raise RuntimeError(f"plugin rejected a legal action {action} ({kind.name} {value}): {state.error}")
        reward = step_reward(self.reward_kind, kind, value, self.layout.num_colours, state, before=self._state)
        truncated = False
        if not state.done and self.max_steps is not None and self._steps >= self.max_steps:
            try:
                state = self._session.step(ActionKind.FINISH)
            except LlcError as err:
                return self._truncate(f"llc failed: {err}")
            truncated = True
        self._set_state(state)
        info: dict[str, Any]
        if state.done:
            reward += self._finish_episode(state)
            info = self._final_info(state, truncated)
            terminated = not truncated
        else:
            info = self._info(invalid=False)
            terminated = False
        self._episode_return += reward
        return self._observation(), float(reward), terminated, truncated, info

    def action_masks(self) -> np.ndarray:
        """Legal actions of the current state (sb3-contrib's MaskablePPO convention)."""
        return self._mask.copy()

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        return self._render_text()

    def close(self) -> None:
        self._close_session()
        self._drop_prefetched()
        super().close()

    def fork(self) -> RegAllocEnv:
        """An independent env at the current decision: same function, state, step count
        and random state, and the same future under the same actions. It survives this
        env's later reset or close, and must be closed like any env.

        The allocation process is copied with fork(2) (copy-on-write), so a fork costs
        about a millisecond whatever the function's size: tree search can afford it.
        """
        if self._session is None or self._state is None:
            raise RuntimeError("fork() needs an episode in progress: call reset() first")
        twin = copy.copy(self)
        twin._session = self._session.fork()
        twin._prefetched = None  # the original's; the twin starts its next episode itself
        twin._prefetch_due = False
        twin._np_random = copy.deepcopy(self._np_random)
        twin._best_cost = dict(self._best_cost)
        twin._greedy_cache = dict(self._greedy_cache)
        twin._mask = self._mask.copy()
        twin._obs = self._observation()
        return twin

    # -- helpers -----------------------------------------------------------
    def _set_state(self, state: DecisionState) -> None:
        previous = (self._state, self._obs) if self._state is not None and self._obs is not None else None
        self._state = state
        self._mask = flat_mask(state, self.layout)
        self._obs = build_observation(state, self.layout, self._mask, previous)

    # Set by a vector env that steps this env with others: it batches observations into
    # arrays of its own, so copies would be copied again.
    _batched = False

    def _observation(self) -> dict[str, Any]:
        """A fresh copy: callers may keep or modify what they are given. (The arrays kept
        in ``_obs`` are never modified: a new state makes new ones.)"""
        assert self._obs is not None
        if self._batched:
            return dict(self._obs)
        return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in self._obs.items()}

    def _close_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _info(self, invalid: bool) -> dict[str, Any]:
        state = self._state
        assert state is not None and self._entry is not None
        return {
            "function": self._entry.id,
            "phase": state.phase.name,
            "invalid_action": invalid,
            "step": self._steps,
        }

    def _illegal(self, action: int):
        if self.illegal_action == "raise":
            phase = self._state.phase.name if self._state else "?"
            legal = np.flatnonzero(self._mask)
            raise InvalidActionError(
                f"action {action} is not legal in phase {phase}; legal actions: "
                f"{legal[:10].tolist()}{'...' if legal.size > 10 else ''} (use env.action_masks())"
            )
        self._invalid_actions += 1
        self._episode_return += self.illegal_action_penalty
        return self._observation(), self.illegal_action_penalty, False, False, self._info(invalid=True)

    def greedy_figures(self, entry: FunctionEntry) -> dict[str, Any]:
        """Greedy's figures for the entry's function (manifest, else measured and cached)."""
        if entry.greedy:
            return entry.greedy
        if entry.id not in self._greedy_cache:
            figures = llvm_figures(self.dataset.module_path(entry), self.target, "greedy")
            fig = figures.get(entry.function)
            self._greedy_cache[entry.id] = fig.as_dict() if fig else {}
        return self._greedy_cache[entry.id]

    def _finish_episode(self, state: DecisionState) -> float:
        assert self._entry is not None and self._session is not None
        figures = self._session.figures.get(state.function, state.figures)
        self._final_figures = figures
        self._llc_error = ""
        if self.verify:
            try:
                self._session.finish()
            except LlcError as err:
                self._llc_error = str(err)
        self._close_session()
        greedy_cost = float(self.greedy_figures(self._entry).get("weighted_cost", 0.0))
        best = self._best_cost.get(self._entry.id, greedy_cost)
        reward = terminal_reward(self.reward_kind, figures.weighted_cost, greedy_cost, best)
        self._best_cost[self._entry.id] = min(best, figures.weighted_cost)
        return reward

    def _final_info(self, state: DecisionState, truncated: bool) -> dict[str, Any]:
        assert self._entry is not None
        f = self._final_figures
        greedy = self.greedy_figures(self._entry)
        info = self._info(invalid=False)
        info.update(
            cost=f.weighted_cost,
            spills=f.spills + f.folded_spills,
            reloads=f.reloads + f.folded_reloads,
            splits=f.splits,
            copies=f.copies,
            csr_cost=f.csr_cost if f.csr_measured else math.nan,
            figures=f.as_dict(),
            greedy=greedy,
            greedy_cost=float(greedy.get("weighted_cost", 0.0)),
            invalid_actions=self._invalid_actions,
            episode_length=self._steps,
        )
        if truncated:
            info["truncated_reason"] = f"max_steps={self.max_steps} reached"
        if self._llc_error:
            info["llc_error"] = self._llc_error
        return info

    def _truncate(self, reason: str):
        self._close_session()
        self._mask = np.zeros(self.layout.num_actions, dtype=bool)
        if self._obs is not None:
            self._obs = {**self._obs, "action_mask": self._mask.astype(np.int8)}
        info = self._info(invalid=False)
        info["truncated_reason"] = reason
        return self._observation(), 0.0, False, True, info

    def _render_text(self) -> str:
        state = self._state
        if state is None or self._entry is None:
            return "(no episode: call reset())"
        g = state.graph
        lines = [
            f"{self.target.name} {self._entry.id}  phase={state.phase.name}  node={state.current_node}  "
            f"step={self._steps}  return={self._episode_return:.3f}",
            f"nodes={g.num_nodes} edges={g.num_edges} splits={state.figures.splits} "
            f"spilled={state.figures.spilled_vregs} legal={int(self._mask.sum())}",
            f"{'node':>5} {'status':<9} {'register':<9} {'weight':>10} {'degree':>6}",
        ]
        degree = np.bincount(g.edges.ravel(), minlength=g.num_nodes) if g.num_edges else np.zeros(g.num_nodes, int)
        for i in range(g.num_nodes):
            status = NodeStatus(int(g.status[i])).name.lower()
            colour = int(g.colour[i])
            reg = self.colours[colour] if 0 <= colour < len(self.colours) else "-"
            mark = "*" if i == state.current_node else " "
            lines.append(f"{mark}{i:>4} {status:<9} {reg:<9} {float(g.weight[i]):>10.3g} {int(degree[i]):>6}")
        return "\n".join(lines)


__all__ = ["NODE_FEATURE_NAMES", "REGISTER_FEATURE_NAMES", "RegAllocEnv"]
