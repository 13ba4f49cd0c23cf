"""Long differential-fuzzing campaigns: csmith programs per target and policy.

    .venv/bin/python benchmarks/fuzz_campaign.py --programs 1000 --jobs 2 --out fuzz-campaign

runs seeds S..S+N-1 for every (target, policy) pair, round-robin in chunks so that a
campaign stopped early still covers every pair evenly. Each outcome is appended to
``<out>/outcomes-<target>-<policy>.jsonl`` as it comes, so a campaign that is interrupted
resumes where it stopped when started again with the same arguments. Reproducers go to
``<out>/findings``; the summary table goes to stdout and ``<out>/summary.{md,json}``.
The same work for one pair is ``rl4real fuzz --target T --policy P --programs N``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from agents.inference import ModelPolicies
from rl4real_gym.fuzzing import FuzzConfig, Kind, ProgramOutcome, Summary, format_table, run_campaign
from rl4real_gym.fuzzing.policy import check_policy_spec, policy_label
from rl4real_gym.policy import BUILTIN_POLICIES
from rl4real_gym.targets import TARGETS


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--targets", nargs="+", default=["x86", "aarch64"], choices=list(TARGETS))
    p.add_argument("--policies", nargs="+", default=["random", "heuristic"], help="random, heuristic or model paths")
    p.add_argument("--programs", type=int, default=1000, help="csmith programs per target and policy")
    p.add_argument("--seed-start", type=int, default=1)
    p.add_argument("--chunk", type=int, default=25, help="programs per pair before moving to the next pair")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--timeout", type=float, default=10.0, help="time limit of each program run (s)")
    p.add_argument("--out", type=Path, default=Path("fuzz-campaign"))
    return p.parse_args(argv)


def outcomes_file(out: Path, target: str, policy: str) -> Path:
    return out / f"outcomes-{target}-{policy_label(policy)}.jsonl"


def load_outcomes(path: Path) -> list[ProgramOutcome]:
    """Outcomes recorded by an earlier (interrupted) run."""
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [ProgramOutcome(**{**row, "kind": Kind(row["kind"])}) for row in rows]


def append_outcome(path: Path, outcome: ProgramOutcome) -> None:
    with path.open("a") as f:
        f.write(json.dumps({**asdict(outcome), "kind": outcome.kind.value}) + "\n")


def summarise(out: Path, target: str, policy: str) -> Summary:
    summary = Summary(target, policy)
    for outcome in load_outcomes(outcomes_file(out, target, policy)):
        summary.add(outcome)
    return summary


def model_policies(policy: str, target: str) -> ModelPolicies | None:
    """A trained model's policy factory (None for the built-in policies)."""
    return None if policy in BUILTIN_POLICIES else ModelPolicies(str(Path(policy).resolve()), target)


def chunks(seeds: Sequence[int], size: int) -> list[Sequence[int]]:
    return [seeds[i : i + size] for i in range(0, len(seeds), size)]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for policy in args.policies:
        check_policy_spec(policy)
    args.out.mkdir(parents=True, exist_ok=True)
    pairs = [(t, p) for t in args.targets for p in args.policies]
    seeds = list(range(args.seed_start, args.seed_start + args.programs))
    started = time.monotonic()
    for part in chunks(seeds, args.chunk):
        for target, policy in pairs:
            path = outcomes_file(args.out, target, policy)
            done = {o.seed for o in load_outcomes(path)}
            todo = [s for s in part if s not in done]
            if not todo:
                continue
            config = FuzzConfig(target, policy, args.out / "findings", timeout=args.timeout,
                                policies=model_policies(policy, target))  # fmt: skip
            run_campaign(
                config, todo, jobs=args.jobs, progress=False, on_outcome=lambda o, p=path: append_outcome(p, o)
            )
            s = summarise(args.out, target, policy)
            minutes = (time.monotonic() - started) / 60
            print(f"[{minutes:6.1f} min] {target}/{policy_label(policy)}: {s.programs} programs, "
                  f"{s.num_findings} findings", flush=True)  # fmt: skip
    summaries = [summarise(args.out, t, p) for t, p in pairs]
    table = format_table(summaries)
    print(table)
    (args.out / "summary.md").write_text(f"```\n{table}\n```\n")
    (args.out / "summary.json").write_text(json.dumps([s.to_dict() for s in summaries], indent=1) + "\n")
    return 1 if any(s.num_findings for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
