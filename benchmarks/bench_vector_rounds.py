"""Where a round of the vector env goes: sends, each sub-env's answer, and the rest.

Random masked agent on the bundled data, default sizes. For N = 1 and 2 (alternated, so
that both see the same machine), prints per round (one step of every sub-env): its wall
time, the sends, and per sub-env the time to complete its step and the part of it spent
in ``Channel.receive`` (waiting, polling and parsing). Also how often a sub-env's answer
was already there when Python came to it. ``--pin`` puts this process on CPU 0 and the
allocation server (so every episode) on CPU 1.

    python benchmarks/bench_vector_rounds.py --target x86 --steps 10000 [--pin]
"""

from __future__ import annotations

import argparse
import collections
import os
import select
import time
from collections.abc import Sequence

import gymnasium as gym
import numpy as np

import rl4real_gym  # noqa: F401  (registers the environments)
from rl4real_gym.driver.channel import Channel
from rl4real_gym.driver.server import AllocationServer
from rl4real_gym.envs import vector_env
from rl4real_gym.envs.regalloc_env import RegAllocEnv
from rl4real_gym.registration import ENV_VERSION

Counts = collections.Counter[str]


def instrumented_step_all(times: Counts, ready: Counts):
    def step_all(envs: Sequence[RegAllocEnv], actions: Sequence[int]) -> list:
        t = time.perf_counter_ns()
        answered = [env._begin_step(int(a)) for env, a in zip(envs, actions, strict=True)]
        times["sends"] += time.perf_counter_ns() - t
        out = []
        for i, (env, done) in enumerate(zip(envs, answered, strict=True)):
            if done is None and env._session is not None and env._session._channel is not None:
                ch = env._session._channel
                there = ch._end != ch._start or bool(select.select([ch.sock], [], [], 0)[0])
                ready[f"ready {i}"] += there
                ready[f"asked {i}"] += 1
            t = time.perf_counter_ns()
            waited = Channel.all_waited
            out.append(done if done is not None else env._end_step())
            times[f"sub-env {i} step"] += time.perf_counter_ns() - t
            times[f"sub-env {i} waiting"] += int((Channel.all_waited - waited) * 1e9)
        return out

    return step_all


def rounds(env_id: str, n: int, steps: int, pin: bool) -> None:
    times: Counts = collections.Counter()
    ready: Counts = collections.Counter()
    original = vector_env.step_all
    vector_env.step_all = instrumented_step_all(times, ready)
    venv = gym.make_vec(env_id, num_envs=n, vectorization_mode="vector_entry_point")
    try:
        if pin:
            os.sched_setaffinity(0, {0})
            os.sched_setaffinity(AllocationServer.shared()._process.pid, {1})
        venv.reset(seed=0)
        rng = np.random.default_rng(0)

        def play(k: int) -> None:
            for _ in range(k):
                masks = venv.unwrapped.action_masks()  # type: ignore[attr-defined]
                venv.step(np.argmax(rng.random(masks.shape) * masks, axis=1))

        play(500)
        times.clear()
        ready.clear()
        count = max(1, steps // n)
        start = time.perf_counter_ns()
        play(count)
        total = time.perf_counter_ns() - start
    finally:
        venv.close()
        vector_env.step_all = original
        if pin:
            os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    parts = "  ".join(f"{k} {v / count / 1e3:.1f}" for k, v in sorted(times.items()))
    there = "  ".join(f"{ready[f'ready {i}'] / max(ready[f'asked {i}'], 1):.2f}" for i in range(n))
    print(f"N={n}: round {total / count / 1e3:6.1f} us   {parts}   answer already there: {there}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="x86")
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=2, help="alternations of N=1 and N=2")
    ap.add_argument("--pin", action="store_true", help="this process on CPU 0, the episodes on CPU 1")
    args = ap.parse_args()
    env_id = f"RL4ReAl-{args.target}-v{ENV_VERSION}"
    for _ in range(args.repeat):
        for n in (1, 2):
            rounds(env_id, n, args.steps, args.pin)


if __name__ == "__main__":
    main()
