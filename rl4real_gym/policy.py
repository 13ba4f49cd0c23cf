"""The policy abstraction every consumer of ``rl4real_gym`` shares.

- A *policy* (:class:`rl4real_gym.driver.policies.Policy`) takes a DecisionState (the
  driver's observation) and returns the phase's choice; the graph sizes it handles are
  data: its ``limits`` attribute. ``rl4real compile``, the fuzzer and ``rl4real evaluate
  --programs`` drive llc with one.
- A *predictor* (:class:`Predictor`) is what learning code has: ``predict(obs,
  action_masks, deterministic)`` on the env's flat observation and action space (SB3's
  convention). :class:`PredictorPolicy` turns one into a policy for a given layout.
- :class:`RuleAgent` goes the other way for the random and heuristic rules, so that the
  env (and ``rl4real evaluate``) runs exactly the rules the driver runs.
- A *policy factory* gives the policy for one program from its seed (the fuzzer's
  unit); :class:`BuiltinPolicies` is the one for ``random`` and ``heuristic``. Whoever
  loads trained models (the command layer, ``agents``) passes its own factory down.

Nothing here knows how a model is stored or trained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from rl4real_gym.driver.policies import (
    NO_SPLIT_FEATURES,
    Decision,
    HeuristicPolicy,
    Policy,
    RandomPolicy,
    drive,
    node_blocked,
    policy_limits,
    policy_plan,
)
from rl4real_gym.driver.session import SessionLimits
from rl4real_gym.driver.state import DecisionState, Phase
from rl4real_gym.envs.spaces import Layout, build_observation, flat_mask
from rl4real_gym.errors import ModelError
from rl4real_gym.schema import NODE_FEATURES

__all__ = [
    "BUILTIN_POLICIES",
    "BuiltinPolicies",
    "Decision",
    "HeuristicPolicy",
    "Policy",
    "PolicyFactory",
    "Predictor",
    "PredictorPolicy",
    "RandomPolicy",
    "RuleAgent",
    "builtin_policy",
    "drive",
    "policy_limits",
    "policy_plan",
]

BUILTIN_POLICIES = ("random", "heuristic")

PolicyFactory = Callable[[int], Policy]


class Predictor(Protocol):
    """SB3's inference convention: the flat action (an int or a 1-element array) and a
    state (unused here) for one observation of the env."""

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True) -> tuple[Any, Any]:
        """The action for ``obs`` among ``action_masks``' legal ones."""
        ...


class PredictorPolicy:
    """A predictor as a policy: the state padded to ``layout`` (the one it was trained
    with), the action mapped back into the phase's choices. ``limits`` (default: the
    layout's sizes) keeps the plugin from offering more than the layout holds."""

    def __init__(self, predictor: Predictor, layout: Layout, limits: SessionLimits | None = None) -> None:
        self.predictor = predictor
        self.layout = layout
        self.limits = limits or SessionLimits(
            max_nodes=layout.max_nodes, max_edges=layout.max_edges, max_split_points=layout.max_split_points
        )

    def __call__(self, state: DecisionState) -> int:
        mask = flat_mask(state, self.layout)
        obs = build_observation(state, self.layout, mask)
        action, _ = self.predictor.predict(obs, action_masks=mask, deterministic=True)
        action = int(np.asarray(action).reshape(-1)[0])
        if not 0 <= action < mask.size or not mask[action]:  # a masked predict never does; never send it on
            action = int(np.flatnonzero(mask)[0])
        return action - self.layout.segment_start(Phase(state.phase))


SEGMENT_PHASES = (Phase.SELECT_NODE, Phase.SELECT_TASK, Phase.COLOUR, Phase.SPLIT)


class RuleAgent:
    """A rule policy (anything with ``choose(Decision) -> int``: :class:`HeuristicPolicy`,
    :class:`RandomPolicy`) as a predictor on the env's observation and flat mask."""

    def __init__(self, rules: HeuristicPolicy | RandomPolicy, layout: Layout) -> None:
        self.rules = rules
        self.layout = layout

    def decision(self, obs: dict[str, Any], action_masks: np.ndarray) -> Decision:
        lay = self.layout
        phase = SEGMENT_PHASES[int(np.asarray(obs["phase"]).reshape(-1)[0])]
        start, size = lay.segments[phase]
        mask = np.asarray(action_masks, dtype=bool)[start : start + size]
        weights = np.zeros(0)
        if phase == Phase.SELECT_NODE:
            weights = np.asarray(obs["node_features"])[:, NODE_FEATURES["log_spill_weight"]]
        registers = np.asarray(obs["register_features"]) if phase == Phase.COLOUR else np.zeros((0, 0))
        blocked = False
        if phase == Phase.SELECT_TASK:  # the one phase that reads it (Decision.of_state's rule)
            node = int(np.asarray(obs["current_node"]).reshape(-1)[0])
            features = np.asarray(obs["node_features"])
            blocked = 0 <= node < features.shape[0] and node_blocked(features[node])
        split = np.asarray(obs["split_features"]) if phase == Phase.SPLIT else NO_SPLIT_FEATURES
        return Decision(phase, mask, weights, registers, blocked, split)

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True) -> tuple[int, None]:
        decision = self.decision(obs, action_masks)
        return self.layout.segment_start(decision.phase) + self.rules.choose(decision), None


def builtin_policy(name: str, seed: int = 0) -> Policy:
    """``random`` (seeded) or ``heuristic``; a ModelError naming both otherwise."""
    if name == "random":
        return RandomPolicy(seed=seed)
    if name == "heuristic":
        return HeuristicPolicy()
    raise ModelError(f"unknown built-in policy {name!r}: use {' or '.join(BUILTIN_POLICIES)}")


@dataclass(frozen=True)
class BuiltinPolicies:
    """The policy factory of a built-in policy (picklable, for worker processes)."""

    name: str

    def __call__(self, seed: int) -> Policy:
        return builtin_policy(self.name, seed)
