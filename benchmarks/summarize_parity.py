"""The table of docs/scaling.md from what ``benchmarks/parity_rllib_sb3.sh`` wrote.

    python benchmarks/summarize_parity.py OUT_DIR [OUT_DIR ...]

Per target and backend (``bc``: the warm start's clone before PPO): the seeds, the
held-out geomean of (cost+1)/(greedy+1) as mean +- sd and per seed, the mean total cost
and greedy's, steps/s (8192 / wall time of the whole train command) and the load
averages seen; and, from each run's ``episodes.csv`` (written by both backends), the
geomean cost ratio of the training episodes (sampled actions) in the first and last
quarter of the run.
"""

from __future__ import annotations

import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from agents.episode_log import cost_ratio, geomean


def training_quarters(episodes: Path) -> tuple[float, float] | None:
    """Geomean cost ratio of the episodes in the first and the last quarter of the steps."""
    if not episodes.is_file():
        return None
    with open(episodes) as f:
        rows = [r for r in csv.DictReader(f) if r["cost"] not in ("", "None")]
    if not rows:
        return None
    last = max(int(r["timestep"]) for r in rows)
    ratios = [(int(r["timestep"]), cost_ratio(float(r["cost"]), float(r["greedy_cost"] or 0))) for r in rows]
    first = geomean([x for t, x in ratios if t <= last / 4])
    final = geomean([x for t, x in ratios if t > 3 * last / 4])
    return first, final


def fmt(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.4f}"
    return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}"


def main(out_dirs: list[str]) -> int:
    runs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for out in map(Path, out_dirs):
        for line in (out / "parity.tsv").read_text().splitlines():
            target, backend, seed, _steps, wall, rate, geo, total, greedy, load = line.split("\t")
            name = f"{backend}-{target}-s{seed}"
            quarters = training_quarters(out / "models" / name / "episodes.csv") if backend != "bc" else None
            runs[target, backend].append({"seed": int(seed), "wall": float(wall), "rate": float(rate),
                                          "geo": float(geo), "total": float(total), "greedy": float(greedy),
                                          "load": float(load), "quarters": quarters})  # fmt: skip
    print("| target | run | seeds | geomean cost / greedy, test (mean ± sd; per seed) | total cost (mean) "
          "| greedy total | steps/s incl. start-up | train wall s | training episodes' geomean, first -> last "
          "quarter | load |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (target, backend), rows in sorted(runs.items(), key=lambda kv: (kv[0][0], "bc sb3 rllib".find(kv[0][1]))):
        rows.sort(key=lambda r: r["seed"])
        per_seed = ", ".join(f"{r['geo']:.4f}" for r in rows)
        rate = "-" if backend == "bc" else f"{statistics.mean(r['rate'] for r in rows):.1f}"
        quarters = [r["quarters"] for r in rows if r["quarters"]]
        curve = ", ".join(f"{a:.3f} -> {b:.3f}" for a, b in quarters) or "-"
        loads = f"{min(r['load'] for r in rows):.1f}-{max(r['load'] for r in rows):.1f}"
        walls = ", ".join(f"{r['wall']:.0f}" for r in rows)
        print(f"| {target} | {backend} | {', '.join(str(r['seed']) for r in rows)} | {fmt([r['geo'] for r in rows])} "
              f"({per_seed}) | {statistics.mean(r['total'] for r in rows):.0f} | {rows[0]['greedy']:.0f} | {rate} "
              f"| {walls} | {curve} | {loads} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
