"""Agents without learning, on the env's observation and mask: random and heuristic.

They share the ``predict(obs, action_masks=..., deterministic=...)`` interface of SB3
models so that evaluation treats every agent alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rl4real_gym.envs.spaces import Layout


class RandomAgent:
    """Uniform over legal actions."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = False):
        return int(self.rng.choice(np.flatnonzero(action_masks))), None


class HeuristicAgent:
    """LLVM-like: heaviest legal node first, colour-or-spill (never split), the first free
    register in allocation order, spill only when no register is free."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True):
        lay = self.layout
        phase = int(np.asarray(obs["phase"]).reshape(-1)[0])
        legal = np.flatnonzero(action_masks)
        if phase == 0:  # select node: largest log spill weight (feature 0)
            weights = np.asarray(obs["node_features"])[:, 0]
            nodes = legal[legal < lay.max_nodes]
            return int(nodes[np.argmax(weights[nodes])]), None
        if phase == 1:
            return int(lay.task_start if action_masks[lay.task_start] else lay.task_start + 1), None
        if phase == 2:
            spill = lay.colour_start + lay.num_colours
            colours = legal[legal < spill]
            return int(colours[0] if colours.size else spill), None
        return int(legal[len(legal) // 2]), None
