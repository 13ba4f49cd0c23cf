"""Reward functions: pure functions of a step's outcome (selectable at make time).

* ``rl4real``: RL4ReAl's per-step shaping. Colouring a node earns +w/10000, spilling it
  -w/10000 (w its spill weight, clipped at 10000), splitting it (w - sum of the parts'
  weights)/10000; at the end, +10 if the function's cost is no worse than the best seen
  so far for it (initially greedy's), else -10. Unspillable intervals (infinite weight)
  count as weight 0, so the per-step rewards of an episode add up to (weight coloured -
  weight spilled) whatever is split: splitting cannot be farmed, and only the terminal
  cost comparison judges whether a split paid off.
* ``spill_cost``: 0 per step; at the end, minus the block-frequency-weighted cost
  (4 x reloads + 1 x spills + 0.2 x copies, MLGO's weights).
* ``vs_greedy``: 0 per step; at the end, (greedy cost - cost) / max(greedy cost, 1):
  positive when better than LLVM's greedy allocator on the same function.
"""

from __future__ import annotations

import math

from rl4real_gym.driver.state import ActionKind, DecisionState

REWARD_KINDS = ("rl4real", "spill_cost", "vs_greedy")
WEIGHT_CLIP = 1.0e4
EPISODE_BONUS = 10.0


def _weight(weight: float) -> float:
    """Clipped spill weight; unspillable (infinite) weights count as 0."""
    if not math.isfinite(weight):
        return 0.0
    return min(max(weight, 0.0), WEIGHT_CLIP)


def step_reward(kind: str, action: ActionKind, value: int, num_colours: int, after: DecisionState) -> float:
    """Reward for one applied decision (before any terminal bonus)."""
    if kind != "rl4real":
        return 0.0
    if action == ActionKind.COLOUR:
        w = _weight(after.last_weight) / WEIGHT_CLIP
        return -w if value == num_colours else w
    if action == ActionKind.SPLIT:
        return (_weight(after.last_weight) - _weight(after.last_split_weight)) / WEIGHT_CLIP
    return 0.0


def terminal_reward(kind: str, cost: float, greedy_cost: float, best_cost: float) -> float:
    """Reward added when the function's allocation is complete."""
    if kind == "spill_cost":
        return -cost
    if kind == "vs_greedy":
        return (greedy_cost - cost) / max(greedy_cost, 1.0)
    return EPISODE_BONUS if cost <= best_cost + 1e-9 else -EPISODE_BONUS
