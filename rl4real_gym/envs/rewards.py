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
* ``cost``: dense and on the scale of the real cost, in log space so that one hot
  function does not drown all others. Spilling a node earns -log1p(4 x uses x hottest
  use's block frequency) (what its reloads would cost if every use reloaded in its
  hottest block), splitting earns -log1p(2 x 0.2 x the split point's block frequency)
  (the copies it adds), colouring 0. On top, potential-based shaping (Ng et al., 1999)
  with the potential minus the spill estimates of the *doomed* nodes (pending,
  spillable, no register free): the step that takes the last register a hot node could
  have had pays for its spill at once, and the spill itself then nets zero. At the
  end, log1p(greedy cost) - log1p(cost), so the return also says how the whole
  allocation compares with greedy.
"""

from __future__ import annotations

import math

import numpy as np

from rl4real_gym.driver.state import ActionKind, DecisionState
from rl4real_gym.schema import NODE_FEATURES, SPLIT_FEATURES

REWARD_KINDS = ("rl4real", "spill_cost", "vs_greedy", "cost")
WEIGHT_CLIP = 1.0e4
EPISODE_BONUS = 10.0


def _weight(weight: float) -> float:
    """Clipped spill weight; unspillable (infinite) weights count as 0."""
    if not math.isfinite(weight):
        return 0.0
    return min(max(weight, 0.0), WEIGHT_CLIP)


# Columns of the node and split-point features that the ``cost`` reward reads.
SPILLABLE_FEATURE = NODE_FEATURES["spillable"]
USES_FEATURE = NODE_FEATURES["log_num_instrs"]
MAX_FREQ_FEATURE = NODE_FEATURES["log_max_block_freq"]
PENDING_FEATURE = NODE_FEATURES["pending"]
FREE_REGISTERS_FEATURE = NODE_FEATURES["log_free_registers"]
SPLIT_FREQ_FEATURE = SPLIT_FEATURES["log_block_freq"]
RELOAD_WEIGHT, COPY_WEIGHT = 4.0, 0.2  # MLGO's weights, as in the measured cost


def spill_estimates(node_features: np.ndarray) -> np.ndarray:
    """Per node (rows of ``node_features``), an upper estimate of what spilling it costs:
    every use reloads in its hottest block."""
    uses = np.expm1(node_features[:, USES_FEATURE].astype(np.float64)).clip(min=0.0)
    freq = np.expm1(node_features[:, MAX_FREQ_FEATURE].astype(np.float64)).clip(min=0.0)
    return RELOAD_WEIGHT * uses * freq


def split_estimate(split_features: np.ndarray) -> float:
    """What a split's two copies cost at the split point's block frequency."""
    return 2 * COPY_WEIGHT * max(math.expm1(float(split_features[SPLIT_FREQ_FEATURE])), 0.0)


def doomed_potential(state: DecisionState) -> float:
    """Minus the spill estimates of the pending spillable nodes that no register is free
    for (0 once the function is done)."""
    if state.done or state.graph.num_nodes == 0:
        return 0.0
    f = state.graph.features
    doomed = (f[:, PENDING_FEATURE] > 0.5) & (f[:, SPILLABLE_FEATURE] > 0.5) & (f[:, FREE_REGISTERS_FEATURE] <= 0.0)
    return -float(np.log1p(spill_estimates(f[doomed])).sum()) if doomed.any() else 0.0


def cost_step_reward(action: ActionKind, value: int, num_colours: int, before: DecisionState) -> float:
    """The ``cost`` reward of one decision, from the state it was taken in."""
    node = before.current_node
    if action == ActionKind.COLOUR and value == num_colours and 0 <= node < before.graph.num_nodes:
        return -math.log1p(float(spill_estimates(before.graph.features[node : node + 1])[0]))
    if action == ActionKind.SPLIT and 0 <= value < len(before.split_features):
        return -math.log1p(split_estimate(before.split_features[value]))
    return 0.0


def step_reward(
    kind: str, action: ActionKind, value: int, num_colours: int, after: DecisionState,
    before: DecisionState | None = None,
) -> float:  # fmt: skip
    """Reward for one applied decision (before any terminal bonus); ``before`` is the
    state the decision was taken in (needed by the ``cost`` reward)."""
    if kind == "cost":
        if before is None:
            raise ValueError("the cost reward needs the state the decision was taken in (before=...)")
        shaping = doomed_potential(after) - doomed_potential(before)
        return cost_step_reward(action, value, num_colours, before) + shaping
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
    if kind == "cost":
        return math.log1p(max(greedy_cost, 0.0)) - math.log1p(max(cost, 0.0))
    return EPISODE_BONUS if cost <= best_cost + 1e-9 else -EPISODE_BONUS
