"""Rule variants of the hint-aware heuristic agent, on the env, against LLVM's greedy.

Which cheap rule changes move the heuristic toward greedy, and do they hold on every
split? Each variant plays every function of ``--split`` (those within the env's sizes; a
seeded sample of ``--limit`` of them), and the table gives the geomean of
(cost+1)/(greedy+1), W/T/L against greedy and the total cost, with the cost reward's
figures (``info["cost"]``, ``info["greedy_cost"]``), as ``rl4real evaluate`` measures them.

Variants (``--variants``, comma list):

* ``heuristic``: the env's hint-aware heuristic agent (heaviest node first, the register
  settling most copy weight, then the hint, then allocation order; spill when blocked).
* ``no-lookahead``: the same, but a register's copy weight is only what it removes now,
  not less what it takes from pending neighbours (env v1's heuristic).
* ``split-blocked``: the same, but a node no register is free for is split at its
  coldest legal point instead of spilled (``HeuristicPolicy(split_when_blocked=True)``).
* ``hottest-first``: nodes by the highest block frequency of their uses, then weight.
* ``constrained-first``: nodes that may run out of registers (free registers at most
  their undecided neighbours) first, then by hottest block, then weight.
* ``constrained-first+split``: that order with ``split-blocked``'s splits.

The orders are experiments kept here; only ``split-blocked`` is a library rule.

    python benchmarks/heuristic_variants.py --split validation
    python benchmarks/heuristic_variants.py --split train --limit 500
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

import rl4real_gym  # noqa: F401  (registers the environments)
from agents.algorithms.simple import HeuristicAgent
from agents.envs import env_id
from agents.episode_log import cost_ratio, geomean
from agents.evaluation import fits, play, split_entries
from rl4real_gym.driver.state import Phase
from rl4real_gym.envs.spaces import Layout
from rl4real_gym.schema import NODE_FEATURES

NodeKey = Callable[[np.ndarray], np.ndarray]
F = NODE_FEATURES


def hottest_first(f: np.ndarray) -> np.ndarray:
    return f[:, F["log_max_block_freq"]] + 1e-3 * f[:, F["log_spill_weight"]]


def constrained_first(f: np.ndarray) -> np.ndarray:
    free = np.expm1(f[:, F["log_free_registers"]])
    undecided = np.expm1(f[:, F["log_degree"]]) - np.expm1(f[:, F["log_assigned_neighbours"]])
    return 100.0 * (free <= undecided + 1e-6) + hottest_first(f)


class OrderedHeuristic:
    """The heuristic agent with another node order (``key`` over the node features)."""

    def __init__(self, layout: Layout, key: NodeKey, split_when_blocked: bool) -> None:
        self.base = HeuristicAgent(layout, split_when_blocked=split_when_blocked)
        self.layout, self.key = layout, key

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True) -> tuple[int, None]:
        if int(np.asarray(obs["phase"]).reshape(-1)[0]) == Phase.SELECT_NODE:
            start, size = self.layout.segments[Phase.SELECT_NODE]
            mask = np.asarray(action_masks, bool)[start : start + size]
            key = self.key(np.asarray(obs["node_features"])[:size])
            return start + int(np.argmax(np.where(mask, key, -np.inf))), None
        return self.base.predict(obs, action_masks)


VARIANTS: dict[str, Callable[[Layout], Any]] = {
    "heuristic": lambda lay: HeuristicAgent(lay),
    "split-blocked": lambda lay: HeuristicAgent(lay, split_when_blocked=True),
    "no-lookahead": lambda lay: HeuristicAgent(lay, lookahead=False),
    "hottest-first": lambda lay: OrderedHeuristic(lay, hottest_first, False),
    "constrained-first": lambda lay: OrderedHeuristic(lay, constrained_first, False),
    "constrained-first+split": lambda lay: OrderedHeuristic(lay, constrained_first, True),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="x86")
    ap.add_argument("--split", default="validation")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--limit", type=int, default=None, help="a seeded sample of this many functions")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-nodes", type=int, default=128)
    ap.add_argument("--max-edges", type=int, default=2048)
    ap.add_argument("--max-split-points", type=int, default=32)
    args = ap.parse_args()
    env = gym.make(env_id(args.target), split=args.split, reward="cost", max_nodes=args.max_nodes,
                   max_edges=args.max_edges, max_split_points=args.max_split_points).unwrapped  # fmt: skip
    try:
        entries = [e for e in split_entries(env, args.split) if fits(e, env.layout)]
        if args.limit is not None and args.limit < len(entries):
            chosen = sorted(np.random.default_rng(args.seed).permutation(len(entries))[: args.limit])
            entries = [entries[i] for i in chosen]
        print(f"{args.target} {args.split}: {len(entries)} functions (at most {args.max_nodes} nodes, "
              f"{args.max_edges} edges)")  # fmt: skip
        print(f"{'variant':<26}{'geomean':>9}{'W/T/L':>14}{'total':>14}{'greedy total':>14}{'seconds':>9}")
        for name in args.variants.split(","):
            agent = VARIANTS[name](env.layout)
            started = time.perf_counter()
            results = [(float(i["cost"]), float(i["greedy_cost"])) for i in (play(env, agent, e) for e in entries)]
            ratios = [cost_ratio(c, g) for c, g in results]
            logs = [math.log(r) for r in ratios]
            wins, losses = sum(x < -1e-9 for x in logs), sum(x > 1e-9 for x in logs)
            wtl = f"{wins}/{len(logs) - wins - losses}/{losses}"
            print(f"{name:<26}{geomean(ratios):>9.4f}{wtl:>14}{sum(c for c, _ in results):>14.1f}"
                  f"{sum(g for _, g in results):>14.1f}{time.perf_counter() - started:>9.0f}", flush=True)  # fmt: skip
    finally:
        env.close()


if __name__ == "__main__":
    main()
