"""Where does a policy lose to greedy, and where does the rollout search gain? (issue 14, part 4)

On the first ``--limit`` functions of a split, plays the hint-aware heuristic, a policy
(default: the shipped one) and the rollout search (``--width``, ``--budget``), and
splits each one's cost against greedy's into reloads, spill stores and copies (MLGO's
weights; the callee-saved save/restore cost beside it). Along each agent's own episode it
asks the heuristic what it would do at the same state and counts, per phase, the
decisions that differ (in the colour phase: a spill while a register was free, or another
register). Writes ``--out``/diagnosis.csv (one row per function and agent) and prints the
tables of docs/expert-iteration.md:

    python benchmarks/expert_iteration_diagnose.py --split validation --limit 60
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from agents.algorithms.search import SearchAgent
from agents.algorithms.simple import HeuristicAgent
from agents.inference import load_agent, resolve_model
from rl4real_gym.envs.regalloc_env import RegAllocEnv

PHASES = ("node", "task", "colour", "split")
COMPONENTS = ("reload_cost", "spill_cost", "copy_cost")


def deviation_kind(layout: Any, phase: int, action: int, guide: int, mask: np.ndarray) -> str:
    """What a decision that differs from the heuristic's is."""
    if phase != 2:
        return PHASES[phase]
    spill = layout.colour_start + layout.num_colours
    if action == spill:
        return "colour: spill while a register was free"
    if guide == spill:
        return "colour: register where the heuristic spills"
    return "colour: another register"


def play(env: RegAllocEnv, agent: Any, function: str, guide: HeuristicAgent) -> tuple[dict[str, Any], Counter, int]:
    obs, _ = env.reset(options={"function": function})
    differs: Counter = Counter()
    steps = 0
    while True:
        mask = env.action_masks()
        phase = int(np.asarray(obs["phase"]).reshape(-1)[0])
        ref, _ = guide.predict(obs, action_masks=mask)
        action, _ = agent.predict(obs, action_masks=mask, deterministic=True)
        if int(action) != int(ref):
            differs[deviation_kind(env.layout, phase, int(action), int(ref), mask)] += 1
        obs, _, terminated, truncated, info = env.step(int(action))
        steps += 1
        if terminated or truncated:
            return info, differs, steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="x86")
    ap.add_argument("--split", default="validation")
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--model", default=None, help="a policy (default: the shipped one)")
    ap.add_argument("--width", type=int, default=8)
    ap.add_argument("--budget", type=int, default=128)
    ap.add_argument("--out", type=Path, default=Path("eval/expert-iteration"))
    args = ap.parse_args()
    model = resolve_model(args.model, args.target)
    assert model is not None, "no model given and none shipped"
    policy, meta = load_agent(model, args.target)
    env = RegAllocEnv(
        args.target,
        split=args.split,
        max_nodes=meta.max_nodes,
        max_edges=meta.max_edges,
        max_split_points=meta.max_split_points,
    )
    guide = HeuristicAgent(env.layout)
    agents = {"heuristic": guide, "policy": policy,
              "search": SearchAgent(env, env.layout, width=args.width, max_rollouts=args.budget)}  # fmt: skip
    rows = []
    differs: dict[str, Counter] = {name: Counter() for name in agents}
    decisions: Counter = Counter()
    start = time.perf_counter()
    try:
        for entry in env.candidates[: args.limit]:
            for name, agent in agents.items():
                info, diff, steps = play(env, agent, entry.id, guide)
                differs[name] += diff
                decisions[name] += steps
                fig, greedy = info.get("figures") or {}, info.get("greedy") or {}
                row = {"function": entry.id, "agent": name, "cost": info.get("cost", math.nan),
                       "greedy_cost": info.get("greedy_cost", math.nan), "csr_cost": info.get("csr_cost", math.nan),
                       "differs": sum(diff.values()), "decisions": steps}  # fmt: skip
                for c in COMPONENTS:
                    row[c] = fig.get(c, math.nan)
                    row["greedy_" + c] = greedy.get(c, math.nan)
                rows.append(row)
    finally:
        env.close()
    seconds = time.perf_counter() - start
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "diagnosis.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    n = len(rows) // len(agents)
    print(f"{n} {args.split} functions, model {model}, search width {args.width} budget {args.budget}, "
          f"{seconds:.0f} s")  # fmt: skip
    print("| agent | geomean | total | reloads - greedy's | spill stores - greedy's | copies - greedy's "
          "| W/T/L | losses by spill code / copies only |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name in agents:
        rs = [r for r in rows if r["agent"] == name]
        geo = math.exp(np.mean([math.log((r["cost"] + 1) / (r["greedy_cost"] + 1)) for r in rs]))
        deltas = [sum(r[c] - r["greedy_" + c] for r in rs) for c in COMPONENTS]
        tie = 1e-9
        win = sum(r["cost"] < r["greedy_cost"] * (1 - tie) - tie for r in rs)
        loss_rows = [r for r in rs if r["cost"] > r["greedy_cost"] * (1 + tie) + tie]
        spill_losses = sum(r["reload_cost"] + r["spill_cost"] > r["greedy_reload_cost"] + r["greedy_spill_cost"]
                           + 1e-6 for r in loss_rows)  # fmt: skip
        print(f"| {name} | {geo:.4f} | {sum(r['cost'] for r in rs):,.0f} | {deltas[0]:+,.0f} | {deltas[1]:+,.0f} "
              f"| {deltas[2]:+,.0f} | {win}/{len(rs) - win - len(loss_rows)}/{len(loss_rows)} "
              f"| {spill_losses} / {len(loss_rows) - spill_losses} |")  # fmt: skip
    print(f"greedy total {sum(r['greedy_cost'] for r in rows if r['agent'] == 'heuristic'):,.0f}")
    print(
        "\n| agent | decisions | differ from the heuristic | "
        + " | ".join(sorted({k for c in differs.values() for k in c}))
        + " |"
    )
    kinds = sorted({k for c in differs.values() for k in c})
    for name in agents:
        print(
            f"| {name} | {decisions[name]} | {sum(differs[name].values())} | "
            + " | ".join(str(differs[name][k]) for k in kinds)
            + " |"
        )


if __name__ == "__main__":
    main()
