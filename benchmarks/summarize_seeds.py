"""Mean and standard deviation over seeds of ``rl4real evaluate`` results.

Each argument is ``LABEL=DIR1,DIR2,...``: evaluation output directories (their
``summary.csv``) of one setting, one per seed. Prints, per setting, the policy's geomean
of (cost+1)/(greedy+1) and its total cost relative to greedy's, as mean ± sample std.

    python benchmarks/summarize_seeds.py "BC only=eval/warm-start/x86-bc-ppo-s0-bc-only,..."
"""

from __future__ import annotations

import argparse
import csv
import statistics
from pathlib import Path


def policy_figures(directory: Path) -> tuple[float, float, int, str]:
    """(geomean, total cost / greedy's total, functions, W/T/L) of the policy row."""
    with open(directory / "summary.csv", newline="") as f:
        rows = {r["allocator"]: r for r in csv.DictReader(f)}
    policy, greedy = rows["policy"], rows["greedy"]
    wtl = f"{policy['wins']}/{policy['ties']}/{policy['losses']}"
    total = float(policy["total_cost"]) / float(greedy["total_cost"])
    return float(policy["geomean_ratio"]), total, int(policy["functions"]), wtl


def mean_std(values: list[float]) -> str:
    std = statistics.stdev(values) if len(values) > 1 else float("nan")
    return f"{statistics.mean(values):.4f} ± {std:.4f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("settings", nargs="+", help="LABEL=DIR1,DIR2,...")
    args = ap.parse_args()
    print("| setting | seeds | functions | geomean vs greedy | total cost / greedy's | W/T/L per seed |")
    print("|---|---:|---:|---:|---:|---|")
    for setting in args.settings:
        label, dirs = setting.split("=", 1)
        figures = [policy_figures(Path(d)) for d in dirs.split(",") if d]
        geo, total = [f[0] for f in figures], [f[1] for f in figures]
        wtl = ", ".join(f[3] for f in figures)
        print(f"| {label} | {len(figures)} | {figures[0][2]} | {mean_std(geo)} | {mean_std(total)} | {wtl} |")


if __name__ == "__main__":
    main()
