"""Environment throughput and overheads, measured against baselines in the same run.

* import time of ``rl4real_gym`` next to ``gymnasium`` (fresh interpreters, median of 5)
* env steps/s with a random masked agent: one env, and 2 workers (AsyncVectorEnv)
* per-step overhead of the env over the raw driver round trip (same decisions)

    python benchmarks/bench_env.py --target x86 --steps 3000
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import gymnasium as gym
import numpy as np

import rl4real_gym  # noqa: F401
from rl4real_gym.driver import LlcSession, Phase

SIZES = {"max_nodes": 128, "max_edges": 2048, "max_split_points": 32}


def import_time(module: str) -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def single_env(env_id: str, steps: int) -> tuple[float, list[tuple[str, list[int]]]]:
    """Steps/s of one env; also returns the episodes' action sequences for replay."""
    env = gym.make(env_id, **SIZES)
    rng = np.random.default_rng(0)
    episodes: list[tuple[str, list[int]]] = []
    _, info = env.reset(seed=0)
    actions: list[int] = []
    start = time.perf_counter()
    for _ in range(steps):
        a = int(rng.choice(np.flatnonzero(env.unwrapped.action_masks())))
        actions.append(a)
        _, _, term, trunc, info = env.step(a)
        if term or trunc:
            episodes.append((info["function"], actions))
            actions = []
            _obs, info = env.reset()
    elapsed = time.perf_counter() - start
    env.close()
    return steps / elapsed, episodes


def vector_env(env_id: str, steps: int, workers: int) -> float:
    envs = gym.vector.AsyncVectorEnv([lambda: gym.make(env_id, **SIZES) for _ in range(workers)])
    envs.reset(seed=0)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(steps // workers):
        masks = np.stack(envs.call("action_masks"))
        # After an episode ends the mask is empty: gymnasium's next-step autoreset ignores the action.
        envs.step(np.array([rng.choice(np.flatnonzero(m)) if m.any() else 0 for m in masks]))
    elapsed = time.perf_counter() - start
    envs.close()
    return (steps // workers) * workers / elapsed


def overhead(env_id: str, episodes: list[tuple[str, list[int]]]) -> tuple[float, float]:
    """Mean seconds per step through the env and through the raw session, same actions."""
    env = gym.make(env_id, **SIZES).unwrapped
    env_time = raw_time = 0.0
    count = 0
    for function, actions in episodes[:10]:
        env.reset(options={"function": function})
        start = time.perf_counter()
        for a in actions:
            env.step(a)
        env_time += time.perf_counter() - start
        entry = env.dataset.get(function)
        with LlcSession(env.dataset.module_path(entry), env.target, limits=env.limits) as s:
            state = s.start()
            start = time.perf_counter()
            for a in actions:
                kind, value = env.layout.decode(a)
                state = s.step(kind, value)
                assert state.phase != Phase.MODULE_DONE
            raw_time += time.perf_counter() - start
        count += len(actions)
    env.close()
    return env_time / count, raw_time / count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="x86")
    ap.add_argument("--steps", type=int, default=3000)
    args = ap.parse_args()
    env_id = f"RL4ReAl-{args.target}-v0"
    gym_t, ours_t = import_time("gymnasium"), import_time("rl4real_gym")
    print(f"import: gymnasium {gym_t * 1e3:.0f} ms, rl4real_gym {ours_t * 1e3:.0f} ms "
          f"(ratio {ours_t / gym_t:.2f}; includes the interpreter's start)")
    sps1, episodes = single_env(env_id, args.steps)
    sps2 = vector_env(env_id, args.steps, 2)
    print(f"random masked agent: 1 env {sps1:.0f} steps/s, 2 workers {sps2:.0f} steps/s "
          f"(x{sps2 / sps1:.2f}, scaling efficiency {sps2 / (2 * sps1):.0%})")
    env_step, raw_step = overhead(env_id, episodes)
    print(f"per step: env {env_step * 1e6:.0f} us, raw driver round trip {raw_step * 1e6:.0f} us "
          f"(env overhead {env_step / raw_step:.2f}x, +{(env_step - raw_step) * 1e6:.0f} us)")


if __name__ == "__main__":
    main()
