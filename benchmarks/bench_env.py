"""Environment speed on the bundled data, next to the raw transport and the old design.

Random masked agent, the env's default sizes, one run per target. Prints, each with the
baseline measured in the same run:

* ``env.step`` median, next to the raw session round trip for the same decisions;
* ``reset`` median (an episode forked by rl4real-server), next to starting llc per
  episode (the old design's reset, minus its gRPC start-up): with prefetching (the
  default: the next episode's process is started during the first step and computes
  while the agent decides), and cold (``prefetch=False``, or a reset with a new seed or
  a named function), where the reset waits for LLVM's pipeline to reach the first
  decision; and the first step of an episode, which pays for starting the prefetch;
* ``env.unwrapped.fork()`` median;
* the batched vector env's steps/s for N = 1, 2, 4, and the Python time per sub-env step
  (wall time minus the time Python waited on the allocation processes), from which the
  throughput on more cores can be estimated: N processes compute at once, Python's share
  is serial;
* the old design's figures (gRPC, one llc per episode, full graph every step), as
  measured on a quiet 2-core machine in 2026-11: 648 us per step, 50.7 ms per reset,
  about 1,170 steps/s.

    python benchmarks/bench_env.py --target x86 --steps 20000
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import gymnasium as gym
import numpy as np

import rl4real_gym  # noqa: F401  (registers the environments)
from rl4real_gym.driver import LlcSession, ServerSession
from rl4real_gym.driver.channel import Channel
from rl4real_gym.registration import ENV_VERSION

OLD_STEP_US, OLD_RESET_MS, OLD_STEPS_PER_S = 648.0, 50.7, 1170.0


def median_us(xs: list[float]) -> float:
    return statistics.median(xs) * 1e6


def single_env(env_id: str, steps: int, seed: int, prefetch: bool = True) -> dict[str, object]:
    env = gym.make(env_id, prefetch=prefetch)
    rng = np.random.default_rng(seed)
    step_t: list[float] = []
    first_t: list[float] = []
    reset_t: list[float] = []
    fork_t: list[float] = []
    episodes: list[tuple[str, list[int]]] = []
    actions: list[int] = []
    _, info = env.reset(seed=seed)
    function = info["function"]
    start = time.perf_counter()
    for n in range(steps):
        a = int(rng.choice(np.flatnonzero(env.unwrapped.action_masks())))
        t = time.perf_counter()
        _, _, term, trunc, info = env.step(a)
        (step_t if actions else first_t).append(time.perf_counter() - t)
        actions.append(a)
        if n % 50 == 25 and not (term or trunc):
            t = time.perf_counter()
            twin = env.unwrapped.fork()
            fork_t.append(time.perf_counter() - t)
            twin.close()
        if term or trunc:
            episodes.append((function, actions))
            actions = []
            t = time.perf_counter()
            _, info = env.reset()
            reset_t.append(time.perf_counter() - t)
            function = info["function"]
    elapsed = time.perf_counter() - start
    env.close()
    return {
        "step": step_t, "first": first_t, "reset": reset_t, "fork": fork_t, "episodes": episodes,
        "sps": steps / elapsed,
    }  # fmt: skip


def raw_session(env_id: str, episodes: list[tuple[str, list[int]]], host: Callable[..., object]) -> tuple[float, float]:
    """Median session step and start (reset) for the same decisions, without the env."""
    env = gym.make(env_id).unwrapped
    trips: list[float] = []
    starts: list[float] = []
    for function, actions in episodes[:40]:
        entry = env.dataset.get(function)
        t = time.perf_counter()
        session = host(env.dataset.module_path(entry), env.target, limits=env.limits)
        session.start()  # type: ignore[attr-defined]
        starts.append(time.perf_counter() - t)
        for a in actions:
            kind, value = env.layout.decode(a)
            t = time.perf_counter()
            session.step(kind, value)  # type: ignore[attr-defined]
            trips.append(time.perf_counter() - t)
        session.close()  # type: ignore[attr-defined]
    env.close()
    return median_us(trips), statistics.median(starts) * 1e3


def vector(env_id: str, n: int, steps: int, seed: int) -> tuple[float, float]:
    """Steps/s of the batched vector env, and Python's time per sub-env step (us)."""
    venv = gym.make_vec(env_id, num_envs=n, vectorization_mode="vector_entry_point")
    venv.reset(seed=seed)
    rng = np.random.default_rng(seed)
    rounds = max(1, steps // n)
    waited = Channel.all_waited
    start = time.perf_counter()
    for _ in range(rounds):
        masks = venv.unwrapped.action_masks()  # type: ignore[attr-defined]
        # uniform over each row's legal actions (a row without any: action 0, ignored)
        venv.step(np.argmax(rng.random(masks.shape) * masks, axis=1))
    elapsed = time.perf_counter() - start
    waited = Channel.all_waited - waited
    venv.close()
    return rounds * n / elapsed, (elapsed - waited) / (rounds * n) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="x86")
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    env_id = f"RL4ReAl-{args.target}-v{ENV_VERSION}"
    single = single_env(env_id, args.steps, args.seed)
    cold = single_env(env_id, args.steps, args.seed, prefetch=False)
    episodes = single["episodes"]
    if not episodes or not single["fork"]:
        raise SystemExit(f"no episode ended within {args.steps} steps: run with more --steps (default 20000)")
    raw_step, server_start = raw_session(env_id, episodes, ServerSession)  # type: ignore[arg-type]
    _, llc_start = raw_session(env_id, episodes[:20], LlcSession)  # type: ignore[arg-type]
    step_us = median_us(single["step"])  # type: ignore[arg-type]
    reset_ms = statistics.median(single["reset"]) * 1e3  # type: ignore[arg-type]
    cold_ms = statistics.median(cold["reset"]) * 1e3  # type: ignore[arg-type]
    first_ms = statistics.median(single["first"]) * 1e3  # type: ignore[arg-type]
    fork_ms = statistics.median(single["fork"]) * 1e3  # type: ignore[arg-type]
    print(f"{env_id}: random masked agent, {args.steps} steps, {len(episodes)} episodes, default sizes")
    print(
        f"  env.step   median {step_us:7.0f} us   raw session round trip {raw_step:5.0f} us "
        f"(env {step_us / raw_step:.2f}x)   old design {OLD_STEP_US:.0f} us ({OLD_STEP_US / step_us:.1f}x faster)"
    )
    print(
        f"  reset      median {reset_ms:7.2f} ms   session start {server_start:.2f} ms, llc per episode "
        f"{llc_start:.2f} ms   old design {OLD_RESET_MS} ms ({OLD_RESET_MS / reset_ms:.1f}x faster)"
    )
    print(
        f"  reset cold median {cold_ms:5.2f} ms   (prefetch=False; {OLD_RESET_MS / cold_ms:.1f}x faster than the old "
        f"design)   first step of an episode {first_ms:.2f} ms (starts the prefetch)"
    )
    print(f"  fork()     median {fork_ms:7.2f} ms")
    print(
        f"  steps/s    {single['sps']:7.0f} incl. resets and forks ({cold['sps']:.0f} with cold resets)   "
        f"old design ~{OLD_STEPS_PER_S:.0f}"
    )
    base = None
    for n in (1, 2, 4):
        sps, python_us = vector(env_id, n, args.steps, args.seed)
        base = base or sps
        print(
            f"  vector N={n}  {sps:7.0f} steps/s ({sps / base:.2f}x N=1)   Python {python_us:.0f} us per sub-env step"
        )


if __name__ == "__main__":
    main()
