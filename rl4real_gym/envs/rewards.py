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
  function does not drown all others. Every decision is charged what it commits to:

  - spilling a node: -log1p(4 x uses x hottest use's block frequency) (what its reloads
    would cost if every use reloaded in its hottest block);
  - colouring a node with register r: -log1p(0.2 x the copy weight r does not remove +
    (1 + 4) x the entry frequency if r is a callee-saved register nothing used yet).
    The copy weight at stake is the block-frequency sum of the node's copies whose other
    end already has its register (node feature ``log_fixed_copy_weight``); r removes
    those whose other end is r (register feature ``log_copy_weight``). A copy between
    two nodes is charged once, when the second of them is coloured. The first use of a
    callee-saved register costs a save in the prologue and a restore in the epilogue
    (MLGO's spill and reload weights; entry frequency 1 relative to the entry block):
    without this a policy could trade copies for callee-saved registers the measured
    cost does not see;
  - splitting: 0 (its copies are charged when the parts are coloured apart, or not at all
    when they get the same register).

  On top, potential-based shaping (Ng et al., 1999) with the potential minus the spill
  estimates of the *doomed* nodes (pending, spillable, no register free): the step that
  takes the last register a hot node could have had pays for its spill at once, and the
  spill itself then nets zero. At the end, log1p(greedy cost) - log1p(cost), so the
  return also says how the whole allocation compares with greedy.
"""

from __future__ import annotations

import math

import numpy as np

from rl4real_gym.driver.state import ActionKind, DecisionState
from rl4real_gym.schema import NODE_FEATURES, REGISTER_FEATURES

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
FIXED_COPIES_FEATURE = NODE_FEATURES["log_fixed_copy_weight"]
REMOVED_COPIES_FEATURE = REGISTER_FEATURES["log_copy_weight"]
CALLEE_SAVED_FEATURE = REGISTER_FEATURES["callee_saved_unused"]
RELOAD_WEIGHT, SPILL_WEIGHT, COPY_WEIGHT = 4.0, 1.0, 0.2  # MLGO's weights, as in the measured cost
ENTRY_FREQUENCY = 1.0  # block frequencies are relative to the entry block
CALLEE_SAVED_COST = (SPILL_WEIGHT + RELOAD_WEIGHT) * ENTRY_FREQUENCY  # a save and a restore


def spill_estimates(node_features: np.ndarray) -> np.ndarray:
    """Per node (rows of ``node_features``), an upper estimate of what spilling it costs:
    every use reloads in its hottest block."""
    uses = np.expm1(node_features[:, USES_FEATURE].astype(np.float64)).clip(min=0.0)
    freq = np.expm1(node_features[:, MAX_FREQ_FEATURE].astype(np.float64)).clip(min=0.0)
    return RELOAD_WEIGHT * uses * freq


def colour_cost(node_features: np.ndarray, register_features: np.ndarray) -> float:
    """What colouring a node (its ``node_features`` row) with a register (its row of the
    colour phase's ``register_features``) commits to, in the measured cost's units: the
    copies to already-allocated registers it keeps, and a callee-saved register's save and
    restore if it is the first use."""
    fixed = math.expm1(float(node_features[FIXED_COPIES_FEATURE]))
    removed = math.expm1(float(register_features[REMOVED_COPIES_FEATURE]))
    copies = COPY_WEIGHT * max(fixed - removed, 0.0)
    callee_saved = CALLEE_SAVED_COST if register_features[CALLEE_SAVED_FEATURE] > 0.5 else 0.0
    return copies + callee_saved


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
    if action != ActionKind.COLOUR or not 0 <= node < before.graph.num_nodes:
        return 0.0  # selections, and splits (their copies are charged when the parts are coloured)
    if value == num_colours:
        return -math.log1p(float(spill_estimates(before.graph.features[node : node + 1])[0]))
    registers = before.register_features
    if registers.shape[0] != num_colours + 1:
        raise ValueError(
            f"the cost reward needs the colour phase's register features ({num_colours + 1} rows, got "
            f"{registers.shape[0]})"
        )
    return -math.log1p(colour_cost(before.graph.features[node], registers[value]))


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
