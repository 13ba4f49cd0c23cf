"""Allocate one LLVM IR module with the rl4real plugin driven by a simple policy, under
-verify-machineinstrs, and print its per-function cost next to LLVM's greedy, basic, fast
and pbqp allocators (block-frequency-weighted reloads x4 + spills x1 + copies x0.2)."""

from __future__ import annotations

import argparse

HELP = "allocate one IR module with a simple policy and compare with LLVM's allocators"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("module", help="an LLVM IR file (.ll or .bc)")
    p.add_argument("--target", default="x86", help="x86 or aarch64 (default: x86)")
    p.add_argument("--policy", choices=["heuristic", "random"], default="heuristic")
    p.add_argument("--seed", type=int, default=0, help="seed of the random policy")
    p.add_argument("-o", "--output", help="write the generated assembly here")


def run(args: argparse.Namespace) -> int:
    from rl4real_gym.baselines import LLVM_ALLOCATORS, llvm_figures
    from rl4real_gym.driver.policies import HeuristicPolicy, RandomPolicy, drive
    from rl4real_gym.driver.session import LlcSession

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
