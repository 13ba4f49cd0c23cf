"""Driver cost: one decision round trip, and a whole driven allocation vs llc's greedy.

For each module (bundled dataset functions, the largest first): wall time of
``llc -O2 -regalloc=greedy`` and of the plugin's standalone heuristic, then a session
driven by the heuristic policy over the protocol (every decision one round trip),
timing each round trip. Prints the median round trip and the ratios to greedy's
whole llc run on the same module, all measured in this one run.

    python benchmarks/bench_driver.py --target x86 --modules 20
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from tqdm import tqdm

from rl4real_gym.dataset import load_dataset
from rl4real_gym.driver import ActionKind, Phase, ServerSession, SessionLimits
from rl4real_gym.driver.policies import HeuristicPolicy
from rl4real_gym.driver.state import PHASE_ACTION
from rl4real_gym.plugin import plugin_path
from rl4real_gym.targets import get_target
from rl4real_gym.tools import tool


def time_llc(module: str, llc_args: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([tool("llc"), "-O2", *llc_args, module, "-o", "/dev/null"], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def driven(module: str, target: str) -> tuple[float, list[float]]:
    policy = HeuristicPolicy()
    trips: list[float] = []
    start = time.perf_counter()
    with ServerSession(module, target, limits=SessionLimits(max_nodes=100000, max_edges=10**7)) as s:
        state = s.start()
        while state.phase != Phase.MODULE_DONE:
            kind = ActionKind.NEXT if state.phase == Phase.FUNCTION_DONE else PHASE_ACTION[state.phase]
            choice = 0 if kind == ActionKind.NEXT else policy(state)
            t0 = time.perf_counter()
            state = s.step(kind, choice)
            trips.append(time.perf_counter() - t0)
        s.finish()
    return time.perf_counter() - start, trips


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="x86")
    ap.add_argument("--modules", type=int, default=20, help="how many functions (largest first)")
    ap.add_argument("--repeat", type=int, default=3, help="llc runs per module (best of)")
    args = ap.parse_args()
    tgt = get_target(args.target)
    ds = load_dataset(tgt)
    entries = sorted(ds.entries, key=lambda e: -e.num_nodes)[: args.modules]
    plugin = str(plugin_path())
    rows = []
    all_trips: list[float] = []
    for e in tqdm(entries, desc="modules"):
        module = str(ds.module_path(e))
        greedy = time_llc(module, [*tgt.llc_args, "-regalloc=greedy"], args.repeat)
        heur = time_llc(module, [*tgt.llc_args, "-load", plugin, "-regalloc=rl4real"], args.repeat)
        total, trips = driven(module, tgt.name)
        all_trips += trips
        rows.append((e.id, e.num_nodes, len(trips), greedy, heur, total))
    print(f"\n{'function':<40}{'nodes':>6}{'steps':>7}{'greedy s':>10}{'heur/greedy':>13}{'driven/greedy':>15}")
    for fid, nodes, steps, greedy, heur, total in rows:
        print(f"{fid[:40]:<40}{nodes:>6}{steps:>7}{greedy:>10.3f}{heur / greedy:>13.2f}{total / greedy:>15.2f}")
    trips_us = sorted(t * 1e6 for t in all_trips)
    print(f"\nround trip: median {statistics.median(trips_us):.0f} us, p90 {trips_us[int(0.9 * len(trips_us))]:.0f} us "
          f"over {len(trips_us)} decisions")
    print(f"median ratio to llc -regalloc=greedy (whole llc run): standalone heuristic "
          f"{statistics.median(r[4] / r[3] for r in rows):.2f}x, driven over the protocol "
          f"{statistics.median(r[5] / r[3] for r in rows):.2f}x")


if __name__ == "__main__":
    main()
