"""Simple policies that drive an :class:`LlcSession` with legal actions only.

A policy is any callable ``(DecisionState) -> int`` returning an index into
``state.mask`` (the current phase's choices). Used by tests, fuzzing, benchmarks and
as baselines; trained agents plug in the same way (:mod:`rl4real_gym.policy` adapts a
model's ``predict(obs, action_masks)`` to it, and these rules to the env's observation).
A policy that handles only bounded graphs (a trained model: its padded layout) says so
with a ``limits`` attribute (a SessionLimits); sessions started for it use those sizes
(see :func:`policy_limits`).

The random and heuristic rules decide from a :class:`Decision` (phase, the phase's legal
choices, node weights, register features), which both a DecisionState and the env's
observation give, so the same rules serve the driver, the fuzzer and ``rl4real evaluate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from rl4real_gym.driver.session import LlcSession, ModuleResult, SessionLimits
from rl4real_gym.driver.state import PHASE_ACTION, ActionKind, DecisionState, Phase
from rl4real_gym.schema import NODE_FEATURES, REGISTER_FEATURES, SPLIT_FEATURES


@runtime_checkable
class Policy(Protocol):
    """Observation (a DecisionState) in, the phase's choice out. Optional attributes:
    ``limits`` (the SessionLimits it needs) and ``plan(state)`` (several decisions)."""

    def __call__(self, state: DecisionState) -> int: ...


NO_SPLIT_FEATURES = np.zeros((0, len(SPLIT_FEATURES)), np.float32)
NO_SPLIT_FEATURES.flags.writeable = False


@dataclass(frozen=True)
class Decision:
    """What the rules below decide from: the phase, its legal choices (``mask``), per
    node a weight ordering them (heaviest first), in the colour phase the register
    features (schema ``register_features`` columns; may be empty), whether the current
    node has no register of its class free (``blocked``; read in the task phase only, the
    one it decides), and in the split phase the split points' features (schema
    ``split_features`` columns; may be empty)."""

    phase: Phase
    mask: np.ndarray
    weights: np.ndarray
    register_features: np.ndarray
    blocked: bool = False
    split_features: np.ndarray = field(default_factory=lambda: NO_SPLIT_FEATURES)

    @classmethod
    def of_state(cls, state: DecisionState) -> Decision:
        mask = state.mask
        weights = state.graph.weight[: len(mask)] if state.phase == Phase.SELECT_NODE else np.zeros(0)
        node = state.current_node
        # Only the task phase uses it: reading the features elsewhere would build the lazily
        # decoded array at every decision for policies that never look at it.
        blocked = (state.phase == Phase.SELECT_TASK and 0 <= node < state.graph.num_nodes
                   and node_blocked(state.graph.features[node]))  # fmt: skip
        split = state.split_features if state.phase == Phase.SPLIT else NO_SPLIT_FEATURES
        return cls(Phase(state.phase), mask, weights, state.register_features, blocked, split)


def node_blocked(features: np.ndarray) -> bool:
    """Whether a node (its ``node_features`` row) has no register of its class free now."""
    return bool(features[NODE_FEATURES["log_free_registers"]] <= 0.0)


def coldest_split_point(legal: np.ndarray, split_features: np.ndarray) -> int:
    """Among the ``legal`` split points (indices into ``split_features``' rows), the one in
    the least frequently executed block, then the one nearest the middle of the interval,
    then the first: the copy a split inserts costs its block's frequency."""
    rows = split_features[legal]
    middle = np.abs(rows[:, SPLIT_FEATURES["position"]] - 0.5)
    return int(legal[np.lexsort((legal, middle, rows[:, SPLIT_FEATURES["log_block_freq"]]))[0]])


def policy_limits(policy: Policy | None) -> SessionLimits | None:
    """The session limits ``policy`` needs (its ``limits`` attribute), or None for any size."""
    limits = getattr(policy, "limits", None)
    return limits if isinstance(limits, SessionLimits) else None


def policy_plan(policy: Policy, state: DecisionState) -> list[tuple[ActionKind, int]]:
    """``policy``'s decisions from ``state``: its ``plan`` method's (see
    :meth:`HeuristicPolicy.plan`), or the one decision it takes."""
    plan = getattr(policy, "plan", None)
    return plan(state) if callable(plan) else [(PHASE_ACTION[state.phase], policy(state))]


@dataclass
class RandomPolicy:
    """Uniform over legal choices; in SELECT_TASK splits with ``split_prob`` when legal
    (``split_prob=None``: uniform there too, as ``rl4real evaluate``'s random agent)."""

    seed: int = 0
    split_prob: float | None = 0.3
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)

    def __call__(self, state: DecisionState) -> int:
        return self.choose(Decision(Phase(state.phase), state.mask, np.zeros(0), state.register_features))

    def choose(self, decision: Decision) -> int:
        mask = decision.mask
        legal = np.flatnonzero(mask)
        biased = self.split_prob is not None and decision.phase == Phase.SELECT_TASK
        if biased and len(mask) > 1 and mask[1]:
            if not mask[0] or self.rng.random() < self.split_prob:  # type: ignore[operator]
                return 1
            return 0
        return int(self.rng.choice(legal))


def copy_value(register_features: np.ndarray) -> np.ndarray:
    """Per register row, the copy weight its choice settles: what it removes now
    (``log_copy_weight``) minus what it takes from pending interfering nodes that could
    still remove copies with it (``log_neighbour_copy_weight``); both columns are log1p of
    block-frequency sums. (Adding ``log_pending_copy_weight``, what stays removable with
    pending partners, made the heuristic worse on x86's validation split:
    docs/colouring.md.)"""
    removed = np.exp(register_features[:, REGISTER_FEATURES["log_copy_weight"]])
    taken = np.exp(register_features[:, REGISTER_FEATURES["log_neighbour_copy_weight"]])
    return removed - taken  # the -1s cancel: the same key as the policy's (ONNX has no expm1)


def hint_aware_choice(free: np.ndarray, register_features: np.ndarray, lookahead: bool = True) -> int:
    """Among the ``free`` colours, the one of most :func:`copy_value` (with ``lookahead``;
    else the most copy weight removed now), then the node's hint, then the first in the
    class's allocation order (``register_features``: the colour phase's rows, schema
    ``register_features`` columns)."""
    rows = register_features[free]
    value = copy_value(rows) if lookahead else rows[:, REGISTER_FEATURES["log_copy_weight"]]
    hint = rows[:, REGISTER_FEATURES["hint"]]
    rank = rows[:, REGISTER_FEATURES["order_rank"]]
    # Registers outside the order (rank 0) never are free; rank them last all the same.
    rank = np.where(rank > 0, rank, np.inf)
    return int(free[np.lexsort((rank, -hint, -value))[0]])


@dataclass
class HeuristicPolicy:
    """LLVM-like: heaviest node first; colour it with the free register that settles the
    most copy weight (:func:`copy_value`: removed now, less what it takes from pending
    neighbours), then its hint, then the first free one in allocation order (the
    plugin's own heuristic: hint, then order); spill only when no register is free.
    ``lookahead=False`` leaves the neighbours out (env v1's heuristic).

    With ``hints=False``, the first free register by colour index instead (the policy
    before the colour phase described its registers; kept as a baseline). With
    ``split_when_blocked``, a node that no register is free for is split instead of
    spilled when it can be, at its coldest legal point (:func:`coldest_split_point`); its
    parts are then decided like any node (and split again while blocked, up to the
    plugin's limit of splits per node).
    """

    split_when_blocked: bool = False
    hints: bool = True
    lookahead: bool = True
    # What plan() knows of the function beyond the current state: the last select-node
    # state's mask and weights, the nodes chosen since, and the step it expects next.
    _selectable: np.ndarray | None = field(default=None, init=False, repr=False)
    _weights: np.ndarray | None = field(default=None, init=False, repr=False)
    _expected_step: int = field(default=-1, init=False, repr=False)

    def plan(self, state: DecisionState) -> list[tuple[ActionKind, int]]:
        """This state's decision, then the ones the policy takes next whatever the states
        in between: one round trip for them all (:meth:`Session.step`'s ``then``).

        After a select-node decision, the task (colour) when the node is spillable:
        colouring or spilling is then always legal, and the policy takes it. After a
        colour (not a spill), the next node and its task: an assignment only takes
        registers, so nodes can only leave the select-node mask and no weight changes;
        the heaviest node of the last select-node mask not chosen since is what the policy
        would choose, if it is still selectable. If it is not, the plugin rejects it and
        the next state asks again. Spills, splits and the heuristic's evictions change
        the graph: nothing is planned past them.
        """
        choice = self(state)
        steps = [(PHASE_ACTION[state.phase], choice)]
        if self.split_when_blocked:
            return steps
        if state.step != self._expected_step:
            self._selectable = None  # another function, or a plan that did not apply whole
        node = -1
        if state.phase == Phase.SELECT_NODE:
            self._selectable = state.mask.copy()
            self._weights = state.graph.weight[: len(state.mask)]
            node = choice
        elif state.phase == Phase.SELECT_TASK:
            if choice != 0:
                self._selectable = None
        elif state.phase == Phase.COLOUR and choice != len(state.mask) - 1:
            if self._selectable is not None and self._selectable.any():
                assert self._weights is not None
                node = int(np.argmax(np.where(self._selectable, self._weights, -np.inf)))
                steps.append((ActionKind.SELECT_NODE, node))
        else:
            self._selectable = None
        if node >= 0:
            assert self._selectable is not None and self._weights is not None
            self._selectable[node] = False
            if np.isfinite(self._weights[node]):  # spillable (the weight of an unspillable node is inf)
                steps.append((ActionKind.SELECT_TASK, 0))
        self._expected_step = state.step + len(steps)
        return steps

    def __call__(self, state: DecisionState) -> int:
        return self.choose(Decision.of_state(state))

    def choose(self, decision: Decision) -> int:
        mask = decision.mask
        if decision.phase == Phase.SELECT_NODE:
            return int(np.argmax(np.where(mask, decision.weights, -np.inf)))
        if decision.phase == Phase.SELECT_TASK:
            split = self.split_when_blocked and decision.blocked and len(mask) > 1 and mask[1]
            return 0 if mask[0] and not split else 1
        if decision.phase == Phase.COLOUR:
            free = np.flatnonzero(mask[:-1])
            if not free.size:
                return len(mask) - 1
            if self.hints and decision.register_features.shape[0] == len(mask):
                return hint_aware_choice(free, decision.register_features, self.lookahead)
            return int(free[0])
        legal = np.flatnonzero(mask)
        if self.split_when_blocked and decision.split_features.shape[0] >= len(mask):
            return coldest_split_point(legal, decision.split_features)
        return int(legal[len(legal) // 2])


def drive(session: LlcSession, policy: Policy, *, max_steps: int | None = None) -> ModuleResult:
    """Runs ``policy`` over every function of the session's module and finishes llc."""
    state = session.start()
    steps = 0
    while state.phase != Phase.MODULE_DONE:
        if state.phase == Phase.FUNCTION_DONE:
            state = session.step(ActionKind.NEXT)
            continue
        if max_steps is not None and steps >= max_steps:
            break
        if not state.mask.any():
            raise AssertionError(f"empty mask in phase {state.phase.name} of {state.function}")
        plan = policy_plan(policy, state)
        state = session.step(*plan[0], then=plan[1:])
        if state.error and state.applied == 0:
            raise AssertionError(f"plugin rejected a masked action: {state.error}")
        steps += max(state.applied, 1)
    return session.finish()
