"""Environment steps per second with 1 and 2 workers: SB3 SubprocVecEnv vs Ray RLlib.

Both sample with a random masked policy (a uniformly random legal action each step, the
mask read from ``obs["action_mask"]``) on the same env settings; RLlib samples with its
EnvRunner actors only (no learning), through the masking RLModule in ``uniform`` mode,
and once more with the real (untrained) network to show the policy's inference cost.
A last measurement times RLlib's PPO learner update per sample (CPU). Prints a table
with scaling efficiency = steps/s with 2 workers / (2 x steps/s with 1 worker), and the
CPU time per step of the sampling processes and their llc children (``cpu ms/step``),
which, unlike wall time, hardly depends on what else the machine is running.

    DATA_DIR=... .venv/bin/python benchmarks/bench_scaling.py --steps 2000

Numbers and the cluster-size calculation built on them: docs/scaling.md.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch

import rl4real_gym  # noqa: F401
from agents.config import TrainConfig

WORKERS = (1, 2)


@dataclass(frozen=True)
class Measurement:
    backend: str
    policy: str
    workers: int
    steps: int
    seconds: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.steps / self.seconds


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", default="x86")
    p.add_argument("--steps", type=int, default=2000, help="timed steps per worker")
    p.add_argument("--warmup", type=int, default=200, help="untimed steps per worker first")
    p.add_argument("--max-nodes", type=int, default=128)
    p.add_argument("--max-edges", type=int, default=2048)
    p.add_argument("--max-split-points", type=int, default=32)
    p.add_argument("--max-steps", type=int, default=2000, help="episode cap (the plugin finishes the rest)")
    p.add_argument("--learner-iterations", type=int, default=2, help="PPO iterations timed (0: skip)")
    p.add_argument("--torch-threads", type=int, default=None, help="torch threads of the learner (driver)")
    p.add_argument("--skip", choices=("sb3", "rllib"), action="append", default=[])
    return p.parse_args()


def train_config(args: argparse.Namespace, **overrides: Any) -> TrainConfig:
    values: dict[str, Any] = {
        "backend": "rllib",
        "target": args.target,
        "max_nodes": args.max_nodes,
        "max_edges": args.max_edges,
        "max_split_points": args.max_split_points,
        "max_steps": args.max_steps,
        "progress": False,
    }
    return TrainConfig(**{**values, **overrides})


def cpu_seconds() -> float:
    """CPU time of this process and of its children (llc), finished or running."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = time.process_time() + kids.ru_utime + kids.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:  # ppid; then utime, stime are fields 11 and 12 after ")"
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# -- SB3 SubprocVecEnv -----------------------------------------------------------
class CpuClock(gym.Wrapper):
    """Lets the parent ask a SubprocVecEnv worker for its CPU time (``env_method``)."""

    def cpu_seconds(self) -> float:
        return cpu_seconds()


def make_env(env_id: str, kwargs: dict[str, Any], seed: int) -> gym.Env:
    env = CpuClock(gym.make(env_id, **kwargs))
    env.reset(seed=seed)
    return env


def random_legal(rng: np.random.Generator, masks: np.ndarray) -> np.ndarray:
    return np.array([rng.choice(np.flatnonzero(m)) for m in masks])


def measure_sb3(args: argparse.Namespace, workers: int) -> Measurement:
    from stable_baselines3.common.vec_env import SubprocVecEnv

    from agents.rllib.envs import gym_env_id

    kwargs = train_config(args).env_kwargs()
    fns = [functools.partial(make_env, gym_env_id(args.target), kwargs, i) for i in range(workers)]
    venv = SubprocVecEnv(fns, start_method="forkserver")
    rng = np.random.default_rng(0)
    try:
        obs = venv.reset()
        for _ in range(args.warmup):
            obs, *_ = venv.step(random_legal(rng, obs["action_mask"]))
        cpu = sum(venv.env_method("cpu_seconds"))
        start = time.perf_counter()
        for _ in range(args.steps):
            obs, *_ = venv.step(random_legal(rng, obs["action_mask"]))
        seconds = time.perf_counter() - start
        cpu = sum(venv.env_method("cpu_seconds")) - cpu
    finally:
        venv.close()
    return Measurement("sb3 SubprocVecEnv", "random masked", workers, args.steps * workers, seconds, cpu)


# -- RLlib EnvRunners ---------------------------------------------------------------
def sample_steps(runner: Any, steps: int) -> tuple[int, float]:
    """Runs on an EnvRunner actor: samples ``steps`` env steps; (steps, CPU seconds)."""
    cpu = cpu_seconds()
    episodes = runner.sample(num_timesteps=steps, explore=True)
    return sum(len(e) for e in episodes), cpu_seconds() - cpu


def timed_sample(algo: Any, runner_ids: list[int], steps: int) -> tuple[int, float, float]:
    """(steps, wall seconds, CPU seconds) of ``steps`` steps on each of ``runner_ids``."""
    group = algo.env_runner_group
    start = time.perf_counter()
    counts = group.foreach_env_runner(
        functools.partial(sample_steps, steps=steps), remote_worker_ids=runner_ids, local_env_runner=False
    )
    seconds = time.perf_counter() - start
    return int(sum(c[0] for c in counts)), seconds, float(sum(c[1] for c in counts))


def measure_rllib(args: argparse.Namespace, uniform: bool) -> list[Measurement]:
    from agents.rllib.algo import build_ppo_config
    from agents.rllib.options import RllibOptions
    from agents.rllib.train import stop_algorithm

    config = train_config(args, workers=max(WORKERS), n_steps=256, batch_size=256)
    algo = build_ppo_config(config, RllibOptions(), uniform=uniform).build_algo()
    policy = "random masked" if uniform else "masking module (untrained)"
    out = []
    try:
        timed_sample(algo, [1, 2], args.warmup)
        for workers in WORKERS:
            steps, seconds, cpu = timed_sample(algo, list(range(1, workers + 1)), args.steps)
            out.append(Measurement("rllib EnvRunner", policy, workers, steps, seconds, cpu))
    finally:
        stop_algorithm(algo)
    return out


def learner_seconds_per_sample(args: argparse.Namespace) -> tuple[float, int]:
    """PPO update time per sample with TrainConfig's defaults (n_epochs, minibatch 256)."""
    from agents.rllib.algo import build_ppo_config, train_batch_size
    from agents.rllib.options import RllibOptions
    from agents.rllib.train import stop_algorithm

    config = train_config(args, workers=2, n_steps=512)
    algo = build_ppo_config(config, RllibOptions()).build_algo()
    try:
        per_sample = []
        for _ in range(args.learner_iterations + 1):  # the first one warms up
            result = algo.train()
            per_sample.append(
                float(result["timers"]["learner_update_timer"]) / train_batch_size(config, RllibOptions())
            )
    finally:
        stop_algorithm(algo)
    return min(per_sample[1:] or per_sample), config.n_epochs


def observation_bytes(args: argparse.Namespace) -> int:
    from agents.rllib.envs import gym_env_id

    env = gym.make(gym_env_id(args.target), **train_config(args).env_kwargs())
    try:
        obs, _ = env.reset(seed=0)
        return sum(np.asarray(v).nbytes for v in obs.values())
    finally:
        env.close()


def print_table(rows: list[Measurement]) -> None:
    header = ("backend", "policy", "workers", "steps", "seconds", "steps/s", "efficiency", "cpu ms/step")
    print("{:<18} {:<27} {:>7} {:>7} {:>8} {:>8} {:>10} {:>11}".format(*header))
    single = {(r.backend, r.policy): r.rate for r in rows if r.workers == 1}
    for r in rows:
        base = single.get((r.backend, r.policy))
        eff = f"{r.rate / (r.workers * base):.2f}" if base and r.workers > 1 else "-"
        cpu = 1e3 * r.cpu_seconds / r.steps
        print(
            f"{r.backend:<18} {r.policy:<27} {r.workers:>7} {r.steps:>7} {r.seconds:>8.2f} {r.rate:>8.1f} "
            f"{eff:>10} {cpu:>11.2f}"
        )


def main() -> None:
    args = parse_args()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    print(
        f"env: {args.target} max_nodes={args.max_nodes} max_edges={args.max_edges} "
        f"max_split_points={args.max_split_points} max_steps={args.max_steps}; {args.steps} timed steps per worker"
    )
    print(f"load average before: {os.getloadavg()}; observation: {observation_bytes(args)} bytes per step")
    rows: list[Measurement] = []
    if "sb3" not in args.skip:
        rows += [measure_sb3(args, w) for w in WORKERS]
    learner = None
    if "rllib" not in args.skip:
        import ray

        ray.init(num_cpus=max(os.cpu_count() or 1, max(WORKERS)), include_dashboard=False, log_to_driver=False)
        try:
            rows += measure_rllib(args, uniform=True)
            rows += measure_rllib(args, uniform=False)
            if args.learner_iterations > 0:
                learner = learner_seconds_per_sample(args)
        finally:
            ray.shutdown()
    print_table(rows)
    if learner is not None:
        print(
            f"PPO learner update (CPU, {torch.get_num_threads()} torch threads, {learner[1]} epochs, "
            f"mlp policy): {learner[0] * 1e3:.2f} ms per sample"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
