"""Allocate one LLVM IR module with the rl4real plugin driven by a simple policy, under
-verify-machineinstrs, and print its per-function cost next to LLVM's greedy, basic, fast
and pbqp allocators (block-frequency-weighted reloads x4 + spills x1 + copies x0.2), with
the callee-saved save/restore cost after PEI in its own column (measured for LLVM's
allocators; "-" for the driven rl4real allocation, which runs in llc, where it is not).

An LLVM allocator that crashes, hangs or fails the verifier on the module is named with
the reason after the table, and the others are still shown (exit status 0); a failure
of the rl4real allocation is an error.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rl4real_gym.targets import TARGETS

if TYPE_CHECKING:
    from rl4real_gym.baselines import BaselineFailure
    from rl4real_gym.driver.state import AllocationFigures

HELP = "allocate one IR module with a simple policy and compare with LLVM's allocators"
HEADER = (f"{'allocator':<20} {'function':<28} {'cost':>12} {'reloads':>8} {'spills':>7} {'copies':>7} {'splits':>7}"
          f" {'csr':>9}")  # fmt: skip


def add_arguments(p: argparse.ArgumentParser) -> None:
    from rl4real_gym.baselines import LLC_TIMEOUT

    p.add_argument("module", help="an LLVM IR file (.ll or .bc)")
    p.add_argument("--target", default="x86", help=f"{', '.join(TARGETS)} (default: x86)")
    p.add_argument("--policy", choices=["heuristic", "random"], default="heuristic")
    p.add_argument("--seed", type=int, default=0, help="seed of the random policy")
    p.add_argument("-o", "--output", help="write the generated assembly here")
    p.add_argument("--baseline-timeout", type=float, default=LLC_TIMEOUT, metavar="SEC",
                   help=f"time limit of each llc run of LLVM's allocators (default: {LLC_TIMEOUT:g})")  # fmt: skip


def figure_lines(name: str, figures: Mapping[str, AllocationFigures]) -> list[str]:
    """One table line per function of one allocator."""
    return [
        f"{name:<20} {fn[:28]:<28} {f.weighted_cost:>12.2f} {f.reloads + f.folded_reloads:>8} "
        f"{f.spills + f.folded_spills:>7} {f.copies:>7} {f.splits:>7} "
        f"{f'{f.csr_cost:.2f}' if f.csr_measured else '-':>9}"
        for fn, f in sorted(figures.items())
    ]


def run(args: argparse.Namespace) -> int:
    from rl4real_gym.baselines import LLVM_ALLOCATORS, baseline_results
    from rl4real_gym.driver.policies import HeuristicPolicy, RandomPolicy, drive
    from rl4real_gym.driver.session import LlcSession

    if args.baseline_timeout <= 0:
        from rl4real_gym.errors import RL4ReAlError

        raise RL4ReAlError("--baseline-timeout must be a positive number of seconds")
    policy = HeuristicPolicy() if args.policy == "heuristic" else RandomPolicy(seed=args.seed)
    with LlcSession(args.module, args.target, output=args.output, verify=True) as session:
        ours = drive(session, policy).figures
    results = baseline_results(args.module, args.target, LLVM_ALLOCATORS, timeout=args.baseline_timeout)
    lines = [HEADER, *figure_lines(f"rl4real/{args.policy}", ours)]
    for name, result in results.items():
        lines += figure_lines(name, result.figures) if result.ok else failure_lines(name, result.failure)
    print("\n".join(lines))
    return 0


def failure_lines(name: str, failure: BaselineFailure | None) -> list[str]:
    """The table line of an allocator that failed on the module, and why."""
    kind = failure.kind if failure else "unknown"
    lines = [f"{name:<20} failed: {kind}, so no figures (the other rows are complete)"]
    return lines + ([f"{'':<20} {failure.reason}"] if failure else [])
