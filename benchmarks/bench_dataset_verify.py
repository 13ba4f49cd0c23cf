"""Allocates every function of a dataset with the plugin driven by the heuristic policy,
under -verify-machineinstrs, and compares the total cost with LLVM greedy's.

    .venv/bin/python benchmarks/bench_dataset_verify.py --target x86 [--limit N] [--jobs N]

Prints how many functions allocated cleanly, the failures (llc errors, verifier errors,
rejected actions) and sum(rl4real heuristic weighted cost) / sum(greedy weighted cost).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rl4real_gym.dataset.builder import parallel_map
from rl4real_gym.dataset.loading import load_dataset
from rl4real_gym.dataset.manifest import Dataset, FunctionEntry
from rl4real_gym.targets import TARGETS


@dataclass(frozen=True)
class Outcome:
    id: str
    ours: float  # rl4real heuristic weighted cost
    greedy: float
    error: str = ""


@functools.lru_cache(maxsize=4)
def cached_dataset(target: str, data: str) -> Dataset:
    return load_dataset(target, data)


def allocate(args: tuple[FunctionEntry, str, str, int]) -> Outcome:
    """Allocates one function with the heuristic policy (verified); never raises."""
    from rl4real_gym.driver import LlcSession, SessionLimits
    from rl4real_gym.driver.policies import HeuristicPolicy, drive

    entry, target, data, max_nodes = args
    try:
        module = cached_dataset(target, data).module_path(entry)
        limits = SessionLimits(max_nodes=max_nodes, max_edges=max(30000, 50 * max_nodes))
        with LlcSession(module, target, verify=True, limits=limits) as session:
            figures = drive(session, HeuristicPolicy()).figures
        if entry.function not in figures:
            return Outcome(entry.id, 0.0, entry.greedy_cost, "no figures reported for the function")
        return Outcome(entry.id, figures[entry.function].weighted_cost, entry.greedy_cost)
    except Exception as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        return Outcome(entry.id, 0.0, entry.greedy_cost, f"{type(err).__name__}: {first}")


def spread(items: list[FunctionEntry], limit: int | None) -> list[FunctionEntry]:
    """At most ``limit`` items, evenly spaced (all of them without a limit)."""
    if limit is None or limit >= len(items):
        return items
    return [items[i * len(items) // limit] for i in range(max(limit, 0))]


def summarize(outcomes: list[Outcome]) -> str:
    """ok/failure counts, the cost ratio, and the failures."""
    ok = [o for o in outcomes if not o.error]
    failed = sorted((o for o in outcomes if o.error), key=lambda o: o.id)
    ours = sum(o.ours for o in ok)
    greedy = sum(o.greedy for o in ok)
    better = sum(o.ours < o.greedy - 1e-9 for o in ok)
    worse = sum(o.ours > o.greedy + 1e-9 for o in ok)
    ratio = f"{ours / greedy:.3f}" if greedy > 0 else "n/a"
    lines = [
        f"functions: {len(outcomes)}  ok: {len(ok)}  failures: {len(failed)}",
        f"total weighted cost: rl4real heuristic {ours:.1f}, greedy {greedy:.1f}, ratio {ratio}",
        f"per function: heuristic cheaper in {better}, dearer in {worse}, equal in {len(ok) - better - worse}",
    ]
    lines += [f"  FAILED {o.id}: {o.error}" for o in failed[:50]]
    if len(failed) > 50:
        lines.append(f"  ... and {len(failed) - 50} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", default="x86", choices=list(TARGETS))
    p.add_argument("--data", type=Path, default=None, help="dataset directory (default: DATA_DIR or envs_data)")
    p.add_argument("--limit", type=int, default=None,
                   help="at most N functions, evenly spread over the dataset (sorted by id)")  # fmt: skip
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--max-nodes", type=int, default=600,
                   help="nodes the policy decides (the plugin's heuristic does the rest; default 600)")  # fmt: skip
    args = p.parse_args(argv)

    from tqdm import tqdm

    dataset = load_dataset(args.target, args.data)
    entries = spread(sorted(dataset.entries, key=lambda e: e.id), args.limit)
    data = str(dataset.root)
    work = [(e, args.target, data, args.max_nodes) for e in entries]
    results = parallel_map(allocate, work, args.jobs, method="spawn")  # allocate lives in __main__
    outcomes = list(tqdm(results, total=len(work), desc="allocating", unit="fn"))
    print(f"dataset: {dataset.root}")
    print(summarize(outcomes))
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
