"""Sampling speed of one RLlib EnvRunner: envs stepped one by one vs the env's vector env.

One EnvRunner samples with the untrained policy network (``--policy``, default
``gnn-scoring``) through the masking RLModule, no learning, in three set-ups:

* ``sync x1``: one env per EnvRunner (a module forward pass per env step);
* ``sync xN``: N envs in Gymnasium's ``SyncVectorEnv`` (one forward pass per N steps,
  the envs stepped one after the other);
* ``vector xN``: N envs in the env's own vector env (``RegAllocVectorEnv``, through
  ``gym_env_vectorize_mode="vector_entry_point"``, what ``rl4real train --backend
  rllib`` uses): one forward pass per N steps and the N allocation processes computing
  at once.

Prints steps/s and the CPU time per step of the EnvRunner and its allocation processes.

    .venv/bin/python benchmarks/bench_rllib_vector.py --envs 4 --steps 1500
"""

from __future__ import annotations

import argparse
import functools
import os
import time

import gymnasium as gym
from bench_scaling import sample_steps

import rl4real_gym  # noqa: F401
from agents.config import TrainConfig


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", default="x86")
    p.add_argument("--policy", default="gnn-scoring")
    p.add_argument("--envs", type=int, default=4, help="envs per EnvRunner in the batched set-ups")
    p.add_argument("--steps", type=int, default=1500, help="timed env steps per set-up")
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--max-nodes", type=int, default=128)
    p.add_argument("--max-edges", type=int, default=2048)
    p.add_argument("--max-split-points", type=int, default=32)
    p.add_argument("--max-steps", type=int, default=2000)
    return p.parse_args()


def measure(args: argparse.Namespace, mode: str, envs: int) -> tuple[int, float, float]:
    """(steps, wall seconds, CPU seconds) of ``args.steps`` steps on one EnvRunner."""
    from agents.rllib.algo import build_ppo_config
    from agents.rllib.options import RllibOptions
    from agents.rllib.train import stop_algorithm

    config = TrainConfig(
        backend="rllib", target=args.target, policy=args.policy, workers=1, n_steps=64, batch_size=64,
        max_nodes=args.max_nodes, max_edges=args.max_edges, max_split_points=args.max_split_points,
        max_steps=args.max_steps, progress=False,
    )  # fmt: skip
    ppo = build_ppo_config(config, RllibOptions(envs_per_runner=envs))
    ppo.env_runners(gym_env_vectorize_mode=gym.VectorizeMode(mode))
    algo = ppo.build_algo()
    group = algo.env_runner_group
    try:
        group.foreach_env_runner(functools.partial(sample_steps, steps=args.warmup), local_env_runner=False)
        start = time.perf_counter()
        ((steps, cpu),) = group.foreach_env_runner(
            functools.partial(sample_steps, steps=args.steps), local_env_runner=False
        )
        return steps, time.perf_counter() - start, cpu
    finally:
        stop_algorithm(algo)


def main() -> None:
    import ray

    args = parse_args()
    print(f"{args.target}, policy {args.policy}, {args.steps} timed steps; load average {os.getloadavg()}")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        for label, mode, envs in (("sync x1", "sync", 1), (f"sync x{args.envs}", "sync", args.envs),
                                  (f"vector x{args.envs}", "vector_entry_point", args.envs)):  # fmt: skip
            steps, seconds, cpu = measure(args, mode, envs)
            print(f"{label:<10} {steps:>6} steps {seconds:>7.2f} s {steps / seconds:>7.1f} steps/s "
                  f"{1e3 * cpu / steps:>6.2f} cpu ms/step; load {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
