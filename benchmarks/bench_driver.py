"""Driver cost: whole driven allocations of the largest functions vs llc's greedy.

For each module (bundled dataset functions, the largest first): wall time of
``llc -O2 -regalloc=greedy`` and of the plugin's standalone heuristic, then a session
driven by the env's heuristic policy over the protocol, twice:

* a decision per round trip (what the env does: the policy sees every state);
* with plans: the policy sends the decisions it can take ahead in one message
  (``Session.step(..., then=...)``; see ``HeuristicPolicy.plan``), so most nodes cost one
  round trip instead of three. Both make the same allocation (checked here).

Each driven run is the session's whole life: the episode's start (parsing, codegen up to
the allocator), every decision, the rest of codegen. Prints the ratios to greedy's whole
llc run on the same module, all measured in this one run, and the median round trip.

    python benchmarks/bench_driver.py --target x86 --modules 8
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from dataclasses import dataclass

from tqdm import tqdm

from rl4real_gym.dataset import load_dataset
from rl4real_gym.driver import ActionKind, Phase, ServerSession, SessionLimits
from rl4real_gym.driver.policies import HeuristicPolicy, policy_plan
from rl4real_gym.driver.state import PHASE_ACTION, AllocationFigures
from rl4real_gym.plugin import plugin_path
from rl4real_gym.targets import get_target
from rl4real_gym.tools import tool

ANY_SIZE = SessionLimits(max_nodes=100000, max_edges=10**7)


def time_llc(module: str, llc_args: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([tool("llc"), "-O2", *llc_args, module, "-o", "/dev/null"], check=True)
        best = min(best, time.perf_counter() - start)
    return best


@dataclass
class Driven:
    seconds: float
    trips: list[float]  # seconds per round trip
    decisions: int
    figures: dict[str, AllocationFigures]


def driven(module: str, target: str, planned: bool) -> Driven:
    policy = HeuristicPolicy()
    trips: list[float] = []
    decisions = 0
    start = time.perf_counter()
    with ServerSession(module, target, limits=ANY_SIZE) as s:
        state = s.start()
        while state.phase != Phase.MODULE_DONE:
            if state.phase == Phase.FUNCTION_DONE:
                state = s.step(ActionKind.NEXT)
                continue
            plan = policy_plan(policy, state) if planned else [(PHASE_ACTION[state.phase], policy(state))]
            t0 = time.perf_counter()
            state = s.step(*plan[0], then=plan[1:])
            trips.append(time.perf_counter() - t0)
            decisions += state.applied
        s.finish()
    return Driven(time.perf_counter() - start, trips, decisions, s.figures)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="x86")
    ap.add_argument("--modules", type=int, default=20, help="how many functions (largest first)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each (best of)")
    args = ap.parse_args()
    tgt = get_target(args.target)
    ds = load_dataset(tgt)
    entries = sorted(ds.entries, key=lambda e: -e.num_nodes)[: args.modules]
    plugin = str(plugin_path())
    rows = []
    trips: dict[bool, list[float]] = {False: [], True: []}
    for e in tqdm(entries, desc="modules"):
        module = str(ds.module_path(e))
        greedy = time_llc(module, [*tgt.llc_args, "-regalloc=greedy"], args.repeat)
        heur = time_llc(module, [*tgt.llc_args, "-load", plugin, "-regalloc=rl4real"], args.repeat)
        best: dict[bool, Driven] = {}
        for planned in (False, True):
            runs = [driven(module, tgt.name, planned) for _ in range(args.repeat)]
            best[planned] = min(runs, key=lambda r: r.seconds)
            trips[planned] += best[planned].trips
        if best[True].figures != best[False].figures:
            raise SystemExit(f"{e.id}: the plans made another allocation than decision by decision")
        rows.append((e.id, e.num_nodes, best[False].decisions, len(best[True].trips), greedy, heur,
                     best[False].seconds, best[True].seconds))  # fmt: skip
    print(f"\n{'function':<28}{'nodes':>6}{'decisions':>10}{'plans':>7}{'greedy s':>10}"
          f"{'heur/greedy':>12}{'driven/greedy':>14}{'planned/greedy':>15}")  # fmt: skip
    for fid, nodes, steps, plans, greedy, heur, single, planned in rows:
        print(f"{fid[:28]:<28}{nodes:>6}{steps:>10}{plans:>7}{greedy:>10.3f}{heur / greedy:>12.2f}"
              f"{single / greedy:>14.2f}{planned / greedy:>15.2f}")  # fmt: skip
    for planned, label in ((False, "a decision per round trip"), (True, "with plans")):
        us = sorted(t * 1e6 for t in trips[planned])
        print(f"round trip, {label}: median {statistics.median(us):.0f} us, p90 {us[int(0.9 * len(us))]:.0f} us "
              f"over {len(us)} round trips")  # fmt: skip
    print(f"median ratio to llc -regalloc=greedy (whole llc run), best of {args.repeat}: standalone heuristic "
          f"{statistics.median(r[5] / r[4] for r in rows):.2f}x, driven a decision per round trip "
          f"{statistics.median(r[6] / r[4] for r in rows):.2f}x, driven with plans "
          f"{statistics.median(r[7] / r[4] for r in rows):.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
