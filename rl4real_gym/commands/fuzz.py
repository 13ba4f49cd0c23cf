"""Differential fuzzing with csmith: every program is built with LLVM's greedy allocator
and with the rl4real plugin driven by a policy, both under -verify-machineinstrs; both
executables run with a time limit (AArch64 under qemu) and must print the same.
Mismatches, verifier failures, crashes and hangs are kept in the findings directory as
reproducers (IR, csmith seed, policy, action trace, README); replay one with
`rl4real fuzz --replay DIR`. Exit status: 0 without findings, 1 with findings or errors."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rl4real_gym.targets import TARGETS

if TYPE_CHECKING:
    from rl4real_gym.policy import PolicyFactory

HELP = "differential fuzzing of the rl4real allocator with csmith programs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", choices=list(TARGETS), default="x86", help="target (default: x86)")
    p.add_argument("--programs", type=int, default=10, metavar="N", help="number of csmith programs (default: 10)")
    p.add_argument(
        "--policy", default="random", metavar="random|heuristic|MODEL",
        help="policy driving the plugin: random, heuristic, or the path of a trained model (default: random)",
    )  # fmt: skip
    p.add_argument("--seed-start", type=int, default=1, metavar="S", help="first csmith seed (default: 1)")
    p.add_argument("--findings", default="fuzz-findings", metavar="DIR", help="where reproducers go")
    p.add_argument("--jobs", type=int, default=1, metavar="J", help="programs tested in parallel (default: 1)")
    p.add_argument(
        "--timeout", type=float, default=10.0, metavar="SEC", help="time limit of each program run (default: 10)"
    )
    p.add_argument("--json", metavar="FILE", help="also write the summary as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--replay", metavar="DIR", nargs="+", help="replay finding directories instead of fuzzing")


def check_arguments(args: argparse.Namespace) -> None:
    """Rejects impossible values with a clear error before any work starts."""
    from rl4real_gym.errors import RL4ReAlError
    from rl4real_gym.fuzzing.policy import check_policy_spec

    if args.programs < 1 or args.jobs < 1 or args.timeout <= 0:
        raise RL4ReAlError("--programs and --jobs must be at least 1 and --timeout positive")
    check_policy_spec(args.policy)


def replay(args: argparse.Namespace) -> int:
    """Replays finding directories; 0 when each still reproduces."""
    from rl4real_gym.fuzzing.reproduce import replay_finding

    results = [replay_finding(Path(d), timeout=args.timeout) for d in args.replay]
    for result in results:
        print(result.report())
    return 0 if all(r.reproduced for r in results) else 1


def run(args: argparse.Namespace, model_policies: Callable[[str, str], PolicyFactory] | None = None) -> int:
    """Fuzzes (or replays). ``model_policies(path, target)`` gives the policy factory of a
    trained model: the command layer that knows models (``agents.commands.fuzz``) passes
    it; without it only the built-in policies exist."""
    if args.replay:
        return replay(args)
    check_arguments(args)
    from rl4real_gym.fuzzing.campaign import format_table, run_campaign
    from rl4real_gym.fuzzing.differential import FuzzConfig
    from rl4real_gym.fuzzing.policy import builtin_factory
    from rl4real_gym.policy import BUILTIN_POLICIES

    if args.policy in BUILTIN_POLICIES or model_policies is None:
        policies = builtin_factory(args.policy)
    else:
        policies = model_policies(str(Path(args.policy).resolve()), args.target)
        policies(0)  # load the model now: errors before the first program
    config = FuzzConfig(args.target, args.policy, Path(args.findings), timeout=args.timeout, policies=policies)
    seeds = range(args.seed_start, args.seed_start + args.programs)
    summary = run_campaign(config, seeds, jobs=args.jobs, progress=not args.no_progress)
    print(format_table([summary]))
    for finding in summary.findings:
        print(f"finding: {finding}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary.to_dict(), indent=1) + "\n")
    return 1 if summary.num_findings else 0
