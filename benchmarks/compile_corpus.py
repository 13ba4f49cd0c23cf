"""Build the bundled C programs with a trained policy allocating registers, run them, and
compare with greedy's build: output (must equal the corpus's ``.expected``) and cost.

    .venv/bin/python benchmarks/compile_corpus.py --model models/main-x86/model.zip
    .venv/bin/python benchmarks/compile_corpus.py --model M --programs 10 --out compile.csv

Every program is built twice from the same IR (clang-19 -O2): with ``-regalloc=greedy``
and with ``-regalloc=rl4real`` under the policy (``rl4real compile``'s flow), both under
``-verify-machineinstrs``; AArch64 programs run under qemu-user. Prints one row per
program (output equal?, policy decisions, weighted cost of the policy's build and of
greedy's) and the totals; exit status 1 if any output differs or a build fails. A program
whose greedy figures cannot be measured (LLVM's greedy crashed, hung or failed the
verifier) gets no greedy cost, its row says why, and the cost totals leave it out.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "programs"


@dataclass(frozen=True)
class ProgramRow:
    program: str
    same_output: bool
    decisions: int
    cost: float
    greedy_cost: float
    detail: str = ""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="trained model (.zip/.pt/.onnx)")
    p.add_argument("--programs", type=int, default=None, help="only the first N corpus programs")
    p.add_argument("--out", type=Path, default=None, help="also write the rows as CSV")
    return p.parse_args(argv)


def greedy_cost(ir: Path, target: str) -> tuple[float, str]:
    """Greedy's total weighted cost of ``ir``, or NaN and why it could not be measured."""
    from rl4real_gym.baselines import baseline_result

    result = baseline_result(ir, target, "greedy")
    if result.failure is not None:
        return math.nan, result.failure.summary()[:200]
    return sum(f.weighted_cost for f in result.figures.values()), ""


def check(program: Path, policy, target: str, work: Path) -> ProgramRow:
    from rl4real_gym.errors import RL4ReAlError
    from rl4real_gym.programs import build_program, run

    exe = work / program.stem
    try:
        figures = build_program(program, target, exe, regalloc="rl4real", policy=policy)
    except RL4ReAlError as err:
        return ProgramRow(program.stem, False, 0, float("nan"), float("nan"), str(err).splitlines()[0][:200])
    result = run(exe, target, timeout=120)
    expected = program.with_suffix(".expected").read_text()
    same = result.returncode == 0 and not result.timed_out and result.stdout == expected
    decisions = sum(f.agent_decisions for f in figures.values())
    cost = sum(f.weighted_cost for f in figures.values())
    detail = "" if same else f"exit {result.returncode}, timed out: {result.timed_out}"
    greedy, greedy_failure = greedy_cost(work / f"{exe.name}.ll", target)
    detail = "; ".join(d for d in (detail, greedy_failure and f"greedy: {greedy_failure}") if d)
    return ProgramRow(program.stem, same, decisions, cost, greedy, detail)


def cost_totals(rows: Sequence[ProgramRow]) -> tuple[float, float, int]:
    """(policy cost, greedy cost) over the programs both were measured on, and how many
    programs are left out because one of them was not."""
    both = [r for r in rows if not math.isnan(r.cost) and not math.isnan(r.greedy_cost)]
    return sum(r.cost for r in both), sum(r.greedy_cost for r in both), len(rows) - len(both)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from agents.inference import load_policy

    policy = load_policy(args.model, None)
    target = policy.meta.target
    programs = sorted(p for p in CORPUS.glob("*.c") if p.with_suffix(".expected").exists())[: args.programs]
    rows = []
    with tempfile.TemporaryDirectory(prefix="rl4real-compile-corpus-") as tmp:
        for program in tqdm(programs, desc=f"compile {target}", unit="prog", file=sys.stderr):
            rows.append(check(program, policy, target, Path(tmp)))
    print(f"{'program':<24}{'same output':>12}{'decisions':>11}{'policy cost':>14}{'greedy cost':>14}")
    for r in rows:
        print(f"{r.program:<24}{'yes' if r.same_output else 'NO':>12}{r.decisions:>11}{r.cost:>14.1f}"
              f"{r.greedy_cost:>14.1f}  {r.detail}")  # fmt: skip
    same = sum(r.same_output for r in rows)
    total, greedy, unmeasured = cost_totals(rows)
    decisions = sum(r.decisions for r in rows)
    left_out = f" ({unmeasured} program(s) without both costs left out)" if unmeasured else ""
    print(f"{target}: {same}/{len(rows)} programs print their expected output with the policy's allocation; "
          f"{decisions} policy decisions; weighted cost {total:.1f} vs greedy {greedy:.1f}{left_out}")  # fmt: skip
    if args.out:
        with open(args.out, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(asdict(rows[0])))
            writer.writeheader()
            writer.writerows(asdict(r) for r in rows)
    return 0 if same == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
