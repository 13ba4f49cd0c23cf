"""Rollout search over ``env.fork()``, guided by the hint-aware heuristic (issue 14, part 3).

How far below LLVM's greedy can the env's action space go? :class:`SearchAgent` answers
with a budget: at each decision of the episode it forks the env once per candidate action
(the ``width`` best by the heuristic's own order), takes the candidate in the copy and
finishes the copy's episode with the heuristic (a rollout). It keeps the whole action
sequence of the cheapest rollout seen so far (the incumbent plan) and plays the plan's
next action. This is the pilot method with the incumbent kept:

* The first rollout is the heuristic's own episode, and a plan is only replaced by a
  strictly cheaper one. The same actions give the same figures (``fork()``'s contract),
  so following the plan ends at its cost: the search never does worse than its guide.
* Nothing is random and candidates are tried in a fixed order, so with a rollout budget
  (and no time limit) an episode is a function of the function alone. ``seconds`` caps
  the search's time per function as well; then the result depends on the machine.

Candidates per phase (in the guide's preference order, at most ``width``):

* select node: the heaviest legal nodes (the guide takes the heaviest);
* select task: colour-or-spill, then split (when legal);
* colour: the free registers in hint-aware order (copy weight removed, hint, allocation
  order) and spilling the node instead, which frees its register for the nodes after it;
* split: the middle legal point (the guide's) and points spread around it.

Budget: ``max_rollouts`` per function (a rollout is one ``fork()`` and one episode
finished by the heuristic), spent from the first decision on; once it is spent the agent
plays out the plan. Every copy is closed as soon as its rollout ends.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.algorithms.simple import HeuristicAgent
from rl4real_gym.driver.policies import copy_value
from rl4real_gym.envs.spaces import Layout
from rl4real_gym.schema import NODE_FEATURES, REGISTER_FEATURES

TIE = 1e-9


@dataclass
class SearchStats:
    """What the search spent and found on one function."""

    function: str
    rollouts: int = 0
    improvements: int = 0
    guide_cost: float = math.nan  # the heuristic's own episode (the first rollout)
    cost: float = math.nan  # the plan's cost, which the episode ends at
    seconds: float = 0.0


@dataclass
class _Episode:
    function: str
    step: int  # the env's step count at which the plan's first action is due
    plan: list[int] = field(default_factory=list)
    cost: float = math.inf
    stats: SearchStats | None = None
    started: float = 0.0


def _env_step(env: Any) -> int:
    return int(env._steps)


def _env_function(env: Any) -> str:
    return str(env._entry.id) if env._entry is not None else ""


class SearchAgent:
    """Rollout search from the env it plays in (``env``: the env whose ``step`` the caller
    drives, or its ``unwrapped``); ``predict(obs, action_masks)`` like the other agents.

    ``width`` candidates per decision, ``max_rollouts`` rollouts per function and
    optionally ``seconds`` of search per function. ``stats`` has a :class:`SearchStats`
    per finished or running episode.
    """

    def __init__(
        self,
        env: Any,
        layout: Layout | None = None,
        *,
        width: int = 3,
        max_rollouts: int = 128,
        seconds: float | None = None,
        seed: int = 0,
    ) -> None:
        if width < 1:
            raise ValueError("width must be at least 1")
        if max_rollouts < 1:
            raise ValueError("max_rollouts must be at least 1 (the heuristic's own rollout)")
        self.env = env.unwrapped
        self.layout = layout or self.env.layout
        self.width = width
        self.max_rollouts = max_rollouts
        self.seconds = seconds
        self.seed = seed  # no random choice is made; kept for the agents' common interface
        self.guide = HeuristicAgent(self.layout)
        self.stats: list[SearchStats] = []
        self._episode: _Episode | None = None

    @property
    def budget(self) -> str:
        cap = f", at most {self.seconds:g} s" if self.seconds else ""
        return f"width {self.width}, {self.max_rollouts} rollouts per function{cap}"

    # -- the agent -----------------------------------------------------------
    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True):
        env = self.env
        ep = self._episode
        if ep is None or ep.function != _env_function(env) or ep.step != _env_step(env) or not ep.plan:
            ep = self._start(obs, action_masks)
        if ep.stats is not None and not self._spent(ep):
            self._improve(ep, obs, action_masks)
        action = ep.plan.pop(0)
        ep.step += 1
        if ep.stats is not None:
            ep.stats.seconds = time.perf_counter() - ep.started
        return int(action), None

    def candidates(self, obs: dict[str, Any], mask: np.ndarray) -> list[int]:
        """The actions worth a rollout here, best first by the guide's order."""
        lay = self.layout
        legal = np.flatnonzero(mask)
        phase = int(np.asarray(obs["phase"]).reshape(-1)[0])
        k = self.width
        if phase == 0:
            nodes = legal[legal < lay.max_nodes]
            weights = np.asarray(obs["node_features"])[nodes, NODE_FEATURES["log_spill_weight"]]
            order = np.lexsort((nodes, -weights))
            return [int(n) for n in nodes[order][:k]]
        if phase == 1:
            return [int(a) for a in (lay.task_start, lay.task_start + 1) if mask[a]][:k]
        if phase == 2:
            spill = lay.colour_start + lay.num_colours
            free = legal[legal < spill] - lay.colour_start
            if not free.size:
                return [int(spill)] if mask[spill] else []
            rows = np.asarray(obs["register_features"])[free]
            rank = rows[:, REGISTER_FEATURES["order_rank"]]
            rank = np.where(rank > 0, rank, np.inf)
            order = np.lexsort((free, rank, -rows[:, REGISTER_FEATURES["hint"]], -copy_value(rows)))
            out = [int(lay.colour_start + c) for c in free[order][: max(1, k - 1)]]
            if k > 1 and mask[spill]:
                out.append(int(spill))
            return out
        # split: the middle legal point, then alternately after and before it
        mid = len(legal) // 2
        picks = [mid]
        for d in range(1, len(legal)):
            picks += [i for i in (mid + d, mid - d) if 0 <= i < len(legal)]
        return [int(legal[i]) for i in picks[:k]]

    def rollout_costs(self, actions: list[int]) -> dict[int, float]:
        """The cost of taking each of ``actions`` in the env's current state and finishing
        the episode with the guide (one ``fork()`` and rollout each; inf when a copy's
        episode fails). Nothing of the agent's own episode or budget changes: this is the
        one-step lookahead that expert iteration labels states with."""
        out: dict[int, float] = {}
        for action in dict.fromkeys(int(a) for a in actions):
            out[action] = self._rollout(self.env, action, None)[0]
        return out

    # -- helpers ---------------------------------------------------------------
    def _start(self, obs: dict[str, Any], mask: np.ndarray) -> _Episode:
        """A new episode (or one the agent lost track of): the guide's own rollout is the plan."""
        env = self.env
        ep = _Episode(_env_function(env), _env_step(env), started=time.perf_counter())
        ep.stats = SearchStats(ep.function)
        self.stats.append(ep.stats)
        self._episode = ep
        first, _ = self.guide.predict(obs, action_masks=mask)
        ep.cost, ep.plan = self._rollout(env, int(first), ep)
        ep.stats.guide_cost = ep.stats.cost = ep.cost
        if not ep.plan:  # the copy failed: play the guide from here without search
            ep.plan = [int(first)]
            ep.stats = None
        return ep

    def _improve(self, ep: _Episode, obs: dict[str, Any], mask: np.ndarray) -> None:
        """Rolls out this decision's candidates (at most its share of the budget left)
        and keeps the cheapest plan. A split is tried at each candidate split point."""
        assert ep.stats is not None
        # Spread what is left over the decisions left (the plan's length), twice the even share.
        allowance = math.ceil(2 * (self.max_rollouts - ep.stats.rollouts) / max(1, len(ep.plan)))
        limit = ep.stats.rollouts + allowance
        incumbent = ep.plan[0]
        split_task = self.layout.task_start + 1
        for action in self.candidates(obs, mask):
            if self._spent(ep) or ep.stats.rollouts >= limit:
                break
            if action == split_task and incumbent != split_task:
                self._try_splits(ep, limit)
            elif action != incumbent:
                self._keep(ep, *self._rollout(self.env, action, ep))

    def _try_splits(self, ep: _Episode, limit: int) -> None:
        """Splitting the node, at each candidate point (one copy at the split phase)."""
        assert ep.stats is not None
        split_task = self.layout.task_start + 1
        twin = self.env.fork()
        try:
            obs, _, terminated, truncated, _ = twin.step(split_task)
            if terminated or truncated:
                return
            for point in self.candidates(obs, twin.action_masks()):
                if self._spent(ep) or ep.stats.rollouts >= limit:
                    break
                self._keep(ep, *self._rollout(twin, point, ep, prefix=[split_task]))
        finally:
            twin.close()

    def _keep(self, ep: _Episode, cost: float, plan: list[int]) -> None:
        assert ep.stats is not None
        if plan and cost < ep.cost * (1 - TIE) - TIE:
            ep.cost, ep.plan = cost, plan
            ep.stats.improvements += 1
            ep.stats.cost = cost

    def _spent(self, ep: _Episode) -> bool:
        assert ep.stats is not None
        if ep.cost <= TIE:  # nothing left to gain
            return True
        if ep.stats.rollouts >= self.max_rollouts:
            return True
        return self.seconds is not None and time.perf_counter() - ep.started >= self.seconds

    def _rollout(
        self, source: Any, action: int, ep: _Episode | None, prefix: list[int] | None = None
    ) -> tuple[float, list[int]]:
        """Forks ``source`` (the env, or a copy that took ``prefix`` from the env's state),
        takes ``action`` and finishes with the guide: (cost, the actions from the env's
        state). A copy whose episode fails costs inf. The rollout counts against ``ep``'s
        budget when given."""
        if ep is not None:
            assert ep.stats is not None
            ep.stats.rollouts += 1
        twin = source.fork()
        plan = [*(prefix or []), action]
        info: dict[str, Any] = {}
        try:
            obs, _, terminated, truncated, info = twin.step(action)
            while not (terminated or truncated):
                a, _ = self.guide.predict(obs, action_masks=twin.action_masks())
                plan.append(int(a))
                obs, _, terminated, truncated, info = twin.step(int(a))
        finally:
            twin.close()
        if "cost" not in info or "llc failed" in str(info.get("truncated_reason", "")):
            return math.inf, []
        return float(info["cost"]), plan


__all__ = ["SearchAgent", "SearchStats"]
