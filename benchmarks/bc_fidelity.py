"""Where a behaviour-cloned policy disagrees with the expert it imitates, per phase.

Plays the hint-aware heuristic for ``--episodes`` episodes on the training split,
clones a fresh gnn-scoring policy on them (``agents.algorithms.imitation.clone``), then
compares the cloned policy's most likely action with the expert's at every recorded
decision: agreement per phase, and for the select-node and colour phases whether the
expert's choice was tied with another legal choice on what the heuristic decides from
(so that only the slot index broke the tie), and how far the policy's choice was from it.

    python benchmarks/bc_fidelity.py --episodes 200 --epochs 10 --seed 0
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

import numpy as np
import torch

from agents.algorithms.imitation import Demonstrations, clone, collect, make_expert, predicted_actions
from rl4real_gym.driver.policies import copy_value
from rl4real_gym.driver.state import Phase
from rl4real_gym.envs.spaces import Layout
from rl4real_gym.schema import NODE_FEATURES, REGISTER_FEATURES


def new_policy(env: Any, learning_rate: float, **policy_kwargs: Any) -> Any:
    """A fresh GraphScoringPolicy for ``env``'s spaces."""
    from agents.policies.scoring import GraphScoringPolicy

    return GraphScoringPolicy(env.observation_space, env.action_space, lambda _: learning_rate, **policy_kwargs)


def analyse(demos: Demonstrations, predicted: np.ndarray, layout: Layout) -> dict[str, Any]:
    """Agreement per phase and the share of the disagreements on ties of the expert's keys."""
    phases = np.asarray(demos.observations["phase"]).reshape(-1)
    agree = predicted == demos.actions
    report: dict[str, Any] = {"decisions": len(demos), "agreement": float(agree.mean())}
    weights = demos.observations["node_features"][:, :, NODE_FEATURES["log_spill_weight"]]
    registers = demos.observations["register_features"]
    for phase in (Phase.SELECT_NODE, Phase.SELECT_TASK, Phase.COLOUR, Phase.SPLIT):
        rows = np.flatnonzero(phases == int(phase))
        if rows.size == 0:
            continue
        entry: dict[str, Any] = {"decisions": int(rows.size), "agreement": float(agree[rows].mean())}
        kinds: Counter[str] = Counter()
        for r in rows[~agree[rows]]:
            mask, expert, chosen = demos.masks[r], int(demos.actions[r]), int(predicted[r])
            if phase == Phase.SELECT_NODE:
                legal = np.flatnonzero(mask[: layout.max_nodes])
                w = weights[r]
                tied = np.sum(w[legal] == w[expert])
                if w[chosen] == w[expert]:
                    kinds["tie (same log_spill_weight)"] += 1
                elif tied > 1:
                    kinds["expert tied, policy elsewhere"] += 1
                else:
                    gap = float(w[expert] - w[chosen])
                    kinds["gap < 0.05" if gap < 0.05 else "gap < 0.5" if gap < 0.5 else "gap >= 0.5"] += 1
            elif phase == Phase.COLOUR:
                spill = layout.colour_start + layout.num_colours
                if expert == spill or chosen == spill:
                    kinds["spill vs register"] += 1
                    continue
                e, c = expert - layout.colour_start, chosen - layout.colour_start
                key = [REGISTER_FEATURES[k] for k in ("hint", "order_rank")]
                value = copy_value(registers[r, [e, c]])
                re, rc = np.r_[value[0], registers[r, e, key]], np.r_[value[1], registers[r, c, key]]
                if re[0] != rc[0]:
                    kinds["copy value differs"] += 1
                elif re[1] != rc[1]:
                    kinds["hint differs"] += 1
                else:
                    kinds["rank only"] += 1
            else:
                kinds["other"] += 1
        entry["disagreements"] = dict(kinds)
        report[phase.name] = entry
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="x86")
    ap.add_argument("--episodes", type=int, default=200)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--learning-rate", type=float, default=3e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--priority", action="store_true", help="the policy's priority columns (scoring.py)")
    ap.add_argument("--save", default=None, help="save the demonstrations here (.npz)")
    args = ap.parse_args()
    from rl4real_gym.envs.regalloc_env import RegAllocEnv

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    env = RegAllocEnv(args.target, split="train", reward="cost", max_nodes=128, max_edges=2048,
                      max_split_points=32, max_steps=2000)  # fmt: skip
    start = time.perf_counter()
    try:
        demos = collect(env, make_expert("heuristic", env, search_width=4, search_budget=64), args.episodes, 0.99,
                        seed=args.seed + 17, progress=False)  # fmt: skip
        layout = env.unwrapped.layout
        policy = new_policy(env, args.learning_rate, features_extractor_kwargs={"priority": args.priority})
    finally:
        env.close()
    print(f"{len(demos)} decisions from {args.episodes} episodes in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    history = clone(policy, demos, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, progress=False)
    print(f"cloned in {time.perf_counter() - start:.0f} s; accuracy per epoch "
          + " ".join(f"{h.accuracy:.3f}" for h in history))  # fmt: skip
    for key, value in analyse(demos, predicted_actions(policy, demos), layout).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
