"""Merges ``rl4real evaluate --programs`` outputs into one per-program table and plot.

The corpus can be run in chunks (``--programs a,b,c`` each, so that a long run leaves its
finished part on disk) and with a subset of the allocators; this reads every given
``programs.csv`` (the first file's row wins for a (program, allocator)), and writes the
merged ``programs.csv``, ``programs_summary.csv`` and ``programs_vs_greedy.png`` to
``--out``, and prints the summary and a Markdown per-program table (instructions over the
greedy build's; ``*`` = held out: all the program's functions are outside the training
split).

``--check-greedy FILE`` compares the greedy rows with another run's: cachegrind's counts
are deterministic, so equal greedy counts say the two runs' builds are comparable (used to
put rows of an earlier run beside new ones).

    python benchmarks/programs_tables.py docs/results/programs-x86-policy/chunk*/programs.csv \\
        docs/results/programs-x86/programs.csv --check-greedy docs/results/programs-x86/programs.csv \\
        --out docs/results/programs-x86-policy
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
from pathlib import Path

from agents.evaluation import write_csv
from agents.programs_eval import (
    REFERENCE,
    ProgramRow,
    format_programs_summary,
    plot_programs,
    ratios,
    summarize_programs,
)

ORDER = ("greedy", "basic", "plugin-heuristic", "heuristic", "policy")


def read(path: Path) -> list[ProgramRow]:
    types = {f.name: f.type for f in dataclasses.fields(ProgramRow)}
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            values = {}
            for name, value in r.items():
                kind = types[name]
                if kind in ("int", int):
                    values[name] = int(value)
                elif kind in ("bool", bool):
                    values[name] = value == "True"
                else:
                    values[name] = value
            rows.append(ProgramRow(**values))
    return rows


def merge(paths: list[Path]) -> list[ProgramRow]:
    seen: dict[tuple[str, str], ProgramRow] = {}
    for path in paths:
        for r in read(path):
            seen.setdefault((r.program, r.allocator), r)
    rank = {n: i for i, n in enumerate(ORDER)}
    return sorted(seen.values(), key=lambda r: (r.program, rank.get(r.allocator, len(ORDER))))


def markdown(rows: list[ProgramRow]) -> str:
    names = [n for n in ORDER if any(r.allocator == n for r in rows)]
    ins = ratios(rows, "instructions")
    cell = {(r.program, r.allocator): r for r in rows}
    lines = ["| program | " + " | ".join(f"{n} Ir" if n == REFERENCE else f"{n} / greedy" for n in names) + " |",
             "|---|" + "---:|" * len(names)]  # fmt: skip
    for program in dict.fromkeys(r.program for r in rows):
        held = any(r.held_out for r in rows if r.program == program)
        parts = []
        for n in names:
            r = cell.get((program, n))
            if r is None:
                parts.append("-")
            elif not r.output_ok:
                parts.append(f"WRONG ({r.detail})")
            elif n == REFERENCE:
                parts.append(f"{r.instructions:,}" if r.instructions >= 0 else "ok")
            else:
                parts.append(f"{ins[(program, n)]:.4f}" if (program, n) in ins else "ok")
        lines.append(f"| {program}{' *' if held else ''} | " + " | ".join(parts) + " |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", nargs="+", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--check-greedy", type=Path, default=None)
    args = p.parse_args()
    rows = merge(args.csv)
    if args.check_greedy:
        check = args.check_greedy.resolve()
        mine = {r.program: r.instructions for path in args.csv if path.resolve() != check
                for r in read(path) if r.allocator == REFERENCE}  # fmt: skip
        other = {r.program: r.instructions for r in read(check) if r.allocator == REFERENCE}
        both = sorted(set(mine) & set(other))
        same = sum(mine[name] == other[name] for name in both)
        print(f"greedy instructions equal to {args.check_greedy}'s on {same} of {len(both)} programs")
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "programs.csv", rows)
    summaries = summarize_programs(rows)
    write_csv(args.out / "programs_summary.csv", summaries)
    plot_programs(rows, args.out / "programs_vs_greedy.png")
    print(format_programs_summary(summaries, rows[0].target))
    print()
    print(markdown(rows))


if __name__ == "__main__":
    main()
