"""Issue 14's tables from ``rl4real evaluate`` outputs: every held-out function, every
allocator, cost without and with the callee-saved save/restore cost.

Reads one or more ``functions.csv`` (for example the shipped policy's run and the
baseline agents' run, made as separate processes), keeps one row per (function,
allocator) and prints Markdown tables:

1. every function of the split: functions, how many the hint-aware heuristic played for
   the allocator (above its size), geomean (cost+1)/(greedy+1), W/T/L against greedy,
   total cost and its ratio to greedy's, each without and with the callee-saved cost;
2. the same on the functions of at most ``--max-nodes`` nodes and ``--max-edges`` edges
   (the policy's own size; no fallback there), comparable with the earlier <=128 tables;
3. on the functions the exact optimum solved: every allocator's geomean against greedy
   and its gap to the optimum, geomean (cost+1)/(optimum+1), without and with the
   callee-saved cost, and W/T/L against the optimum.

    python benchmarks/eval_tables.py --target x86 \\
        docs/results/eval-x86-policy/functions.csv docs/results/eval-x86-agents/functions.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from agents.evaluation import ResultRow, Summary, summarize

ORDER = ("greedy", "basic", "plugin-heuristic", "heuristic", "search", "policy", "optimum")
DATA = Path(__file__).resolve().parents[1] / "envs_data"


def read_rows(paths: Sequence[Path]) -> list[ResultRow]:
    """The rows of every file, one per (function, allocator): the first file's wins."""
    seen: set[tuple[str, str]] = set()
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                key = (r["function"], r["allocator"])
                if key in seen:
                    continue
                seen.add(key)
                rows.append(ResultRow(r["function"], r["allocator"], float(r["cost"] or "nan"),
                                      float(r["greedy_cost"]), int(r["spills"]), int(r["reloads"]), int(r["splits"]),
                                      r["failure"], float(r["csr_cost"] or "nan"), float(r["greedy_csr_cost"] or "nan"),
                                      r.get("fallback", "")))  # fmt: skip
    return rows


def ordered(summaries: list[Summary]) -> list[Summary]:
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(summaries, key=lambda s: (rank.get(s.allocator, len(ORDER)), s.allocator))


def summary_table(rows: list[ResultRow]) -> str:
    greedy = {r.function: r for r in rows if r.allocator == "greedy" and r.completed}
    g_total = sum(r.cost for r in greedy.values())
    g_total_csr = sum(r.cost + r.csr_cost for r in greedy.values() if r.has_csr)
    lines = ["| allocator | functions | by heuristic | geomean vs greedy | W/T/L vs greedy | total cost | "
             "total / greedy's | geomean +CSR | total +CSR | total +CSR / greedy's |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for s in ordered(summarize(rows)):
        if s.allocator == "optimum":
            continue  # its own table: it covers only the functions it solved
        done = {r.function for r in rows if r.allocator == s.allocator and r.completed}
        g = sum(greedy[f].cost for f in done if f in greedy)
        g_csr = sum(greedy[f].cost + greedy[f].csr_cost for f in done if f in greedy and greedy[f].has_csr)
        failed = f" ({s.failed} failed)" if s.failed else ""
        lines.append(f"| {s.allocator} | {s.functions}{failed} | {s.fallback} | {s.geomean_ratio:.4f} | "
                     f"{s.wins}/{s.ties}/{s.losses} | {s.total_cost:,.0f} | {s.total_cost / g:.4f} | "
                     f"{s.geomean_ratio_with_csr:.4f} | {s.total_cost_with_csr:,.0f} | "
                     f"{s.total_cost_with_csr / g_csr:.4f} |")  # fmt: skip
    assert g_total > 0 and g_total_csr > 0
    return "\n".join(lines)


def _geo(values: list[float]) -> float:
    return math.exp(sum(map(math.log, values)) / len(values)) if values else math.nan


def floor_table(rows: list[ResultRow]) -> str:
    """On the functions the optimum solved: geomean vs greedy and vs the optimum."""
    opt = {r.function: r for r in rows if r.allocator == "optimum" and r.completed}
    if not opt:
        return "(no function solved by the optimum)"
    lines = [f"{len(opt)} functions solved by the optimum.", "",
             "| allocator | geomean vs greedy | gap to optimum | W/T/L vs optimum | geomean vs greedy +CSR | "
             "gap to optimum +CSR |", "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    names = [n for n in ORDER if any(r.allocator == n for r in rows)]
    for name in names:
        mine = {r.function: r for r in rows if r.allocator == name and r.completed and r.function in opt}
        fs = sorted(mine)
        if not fs:
            continue
        o = opt
        g = _geo([(mine[f].cost + 1) / (mine[f].greedy_cost + 1) for f in fs])
        gap = _geo([(mine[f].cost + 1) / (o[f].cost + 1) for f in fs])
        w = sum(mine[f].cost < o[f].cost * (1 - 1e-6) - 1e-6 for f in fs)
        loss = sum(mine[f].cost > o[f].cost * (1 + 1e-6) + 1e-6 for f in fs)
        cs = [f for f in fs if mine[f].has_csr and o[f].has_csr]
        g_csr = _geo([(mine[f].cost + mine[f].csr_cost + 1) / (mine[f].greedy_cost + mine[f].greedy_csr_cost + 1)
                      for f in cs])  # fmt: skip
        gap_csr = _geo([(mine[f].cost + mine[f].csr_cost + 1) / (o[f].cost + o[f].csr_cost + 1) for f in cs])
        lines.append(f"| {name} | {g:.4f} | {gap:.4f} | {w}/{len(fs) - w - loss}/{loss} | {g_csr:.4f} | "
                     f"{gap_csr:.4f} |")  # fmt: skip
    return "\n".join(lines)


def sizes(target: str) -> dict[str, tuple[int, int]]:
    out = {}
    for line in (DATA / target / "manifest.jsonl").read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            out[r["id"]] = (int(r["num_nodes"]), int(r["num_edges"]))
    return out


def subset(rows: list[ResultRow], keep: Callable[[str], bool]) -> list[ResultRow]:
    return [r for r in rows if keep(r.function)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", nargs="+", type=Path, help="functions.csv files (the first file's row wins)")
    p.add_argument("--target", required=True)
    p.add_argument("--max-nodes", type=int, default=128)
    p.add_argument("--max-edges", type=int, default=2048)
    args = p.parse_args()
    rows = read_rows(args.csv)
    size = sizes(args.target)
    functions = {r.function for r in rows}
    small = {f for f in functions if size[f][0] <= args.max_nodes and size[f][1] <= args.max_edges}
    print(f"## {args.target}: every function ({len(functions)})\n")
    print(summary_table(rows))
    print(f"\n## {args.target}: the {len(small)} functions of at most {args.max_nodes} nodes and "
          f"{args.max_edges} edges\n")  # fmt: skip
    print(summary_table(subset(rows, small.__contains__)))
    print(f"\n## {args.target}: the exact optimum's functions\n")
    print(floor_table(rows))


if __name__ == "__main__":
    main()
