"""``rl4real allocate``: one module, one simple policy, compared with LLVM's allocators."""

from __future__ import annotations

import argparse

from rl4real_gym.baselines import LLVM_ALLOCATORS, llvm_figures
from rl4real_gym.driver.policies import HeuristicPolicy, RandomPolicy, drive
from rl4real_gym.driver.session import LlcSession


def run(args: argparse.Namespace) -> int:
    policy = HeuristicPolicy() if args.policy == "heuristic" else RandomPolicy(seed=args.seed)
    with LlcSession(args.module, args.target, output=args.output, verify=True) as session:
        ours = drive(session, policy).figures
    rows = {f"rl4real/{args.policy}": ours}
    for allocator in LLVM_ALLOCATORS:
        rows[allocator] = llvm_figures(args.module, args.target, allocator)
    print(f"{'allocator':<20} {'function':<28} {'cost':>12} {'reloads':>8} {'spills':>7} {'copies':>7} {'splits':>7}")
    for name, figures in rows.items():
        for fn, f in sorted(figures.items()):
            print(
                f"{name:<20} {fn[:28]:<28} {f.weighted_cost:>12.2f} {f.reloads + f.folded_reloads:>8} "
                f"{f.spills + f.folded_spills:>7} {f.copies:>7} {f.splits:>7}"
            )
    return 0
