"""Agents without learning, on the env's observation and mask: random and heuristic.

They share the ``predict(obs, action_masks=..., deterministic=...)`` interface of SB3
models so that evaluation treats every agent alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rl4real_gym.driver.policies import hint_aware_choice
from rl4real_gym.envs.spaces import Layout
from rl4real_gym.schema import NODE_FEATURES


class RandomAgent:
    """Uniform over legal actions."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = False):
        return int(self.rng.choice(np.flatnonzero(action_masks))), None


class HeuristicAgent:
    """LLVM-like: heaviest legal node first, colour-or-spill (never split); among the free
    registers the one that removes the most copy weight (the hint first), then the first in
    the class's allocation order (the ``register_features`` observation); spill only when
    no register is free. With ``hints=False``: the first free register by colour index,
    the agent before the observation described registers (``first-free``)."""

    def __init__(self, layout: Layout, hints: bool = True) -> None:
        self.layout = layout
        self.hints = hints

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True):
        lay = self.layout
        phase = int(np.asarray(obs["phase"]).reshape(-1)[0])
        legal = np.flatnonzero(action_masks)
        if phase == 0:  # select node: largest (clipped) spill weight
            weights = np.asarray(obs["node_features"])[:, NODE_FEATURES["log_spill_weight"]]
            nodes = legal[legal < lay.max_nodes]
            return int(nodes[np.argmax(weights[nodes])]), None
        if phase == 1:
            return int(lay.task_start if action_masks[lay.task_start] else lay.task_start + 1), None
        if phase == 2:
            spill = lay.colour_start + lay.num_colours
            colours = legal[legal < spill]
            if not colours.size:
                return int(spill), None
            if not self.hints:
                return int(colours[0]), None
            choice = hint_aware_choice(colours - lay.colour_start, np.asarray(obs["register_features"]))
            return int(lay.colour_start + choice), None
        return int(legal[len(legal) // 2]), None
