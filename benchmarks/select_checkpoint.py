"""Picks each training run's checkpoint on the validation split (never the test split).

The candidates of a run directory are its ``bc_model.zip`` (the behaviour-cloned policy
before PPO, with ``--warm-start``), ``checkpoints/*.zip`` and ``model.zip``. Each plays
one deterministic episode per validation function (the first ``--limit`` of them, the
same ones for every candidate); the lowest geomean of (cost+1)/(greedy+1) wins. Writes
``selection.csv`` in the run directory and prints the chosen path last, for

    python benchmarks/select_checkpoint.py models/RUN --limit 80
    rl4real evaluate --model <chosen> --split test --agents "" --llvm greedy
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from agents.evaluation import make_eval_env, run_agent, summarize
from agents.inference import load_agent


def candidates(run_dir: Path) -> list[Path]:
    found = [run_dir / "bc_model.zip"] if (run_dir / "bc_model.zip").exists() else []
    checkpoints = sorted(run_dir.glob("checkpoints/*.zip"), key=lambda p: int(p.stem.split("_")[-1]))
    return [*found, *checkpoints, run_dir / "model.zip"]


def select(run_dir: Path, split: str, limit: int | None) -> Path:
    rows = []
    env = None
    try:
        for path in candidates(run_dir):
            agent, meta = load_agent(path)
            if env is None:
                env = make_eval_env(meta.target, meta.layout, None, split)
            entries = env.unwrapped.candidates[:limit] if limit else env.unwrapped.candidates
            start = time.perf_counter()
            summary = summarize(run_agent(env, agent, entries, path.name, progress=False))[0]
            seconds = round(time.perf_counter() - start, 1)
            rows.append({"candidate": str(path), "functions": summary.functions, "geomean": summary.geomean_ratio,
                         "total_cost": summary.total_cost, "seconds": seconds})  # fmt: skip
            print(f"  {path}: geomean {summary.geomean_ratio:.4f} on {summary.functions} {split} functions")
    finally:
        if env is not None:
            env.close()
    with open(run_dir / "selection.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return Path(min(rows, key=lambda r: r["geomean"])["candidate"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", type=Path, help="run directories (MODEL_DIR/<run name>)")
    ap.add_argument("--split", default="validation")
    ap.add_argument("--limit", type=int, default=None, help="the first N functions of the split")
    args = ap.parse_args()
    for run_dir in args.runs:
        print(f"{run_dir}:")
        print(select(run_dir, args.split, args.limit))


if __name__ == "__main__":
    main()
