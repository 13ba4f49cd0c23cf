"""Building (vectorised) training environments from the env part of a TrainConfig."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from agents.config import BackendConfig, EnvConfig
from agents.episode_log import EpisodeTally
from rl4real_gym.registration import ENV_IDS
from rl4real_gym.targets import get_target


def env_id(target: str) -> str:
    name = get_target(target).name
    return next(k for k, v in ENV_IDS.items() if v == name)


class MaskedMonitor(gym.Wrapper):
    """Keeps ``action_masks()`` reachable through wrappers (SB3's env_method calls it)
    and records per-episode figures in ``info["episode_figures"]`` at the end."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self._tally = EpisodeTally()

    def reset(self, **kwargs: Any):
        self._tally.reset()
        return self.env.reset(**kwargs)

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        info = self._tally.add(float(reward), terminated or truncated, info)
        return obs, reward, terminated, truncated, info

    def action_masks(self) -> np.ndarray:
        return self.env.unwrapped.action_masks()  # type: ignore[attr-defined]


def make_env_fn(env_config: EnvConfig, seed: int, rank: int, **overrides: Any) -> Callable[[], gym.Env]:
    """A picklable thunk creating one monitored env (seeded ``seed + 1000 * rank``)."""
    kwargs = {**env_config.env_kwargs(), **overrides}
    target = env_config.target
    seed = seed + 1000 * rank

    def thunk() -> gym.Env:
        import rl4real_gym  # noqa: F401  (registration inside the worker process)

        env = MaskedMonitor(gym.make(env_id(target), **kwargs))
        env.reset(seed=seed)
        return env

    return thunk


def make_vec_env(env_config: EnvConfig, backend: BackendConfig, seed: int, **overrides: Any):
    """``backend.workers`` envs: batched in this process (their allocation processes
    compute at once; the default), or one SubprocVecEnv worker process each
    (``vec_env="subproc"``)."""
    if backend.vec_env == "batched":
        from agents.vec_env import BatchedVecEnv
        from rl4real_gym.envs.regalloc_env import RegAllocEnv

        kwargs = {**env_config.env_kwargs(), **overrides}
        envs = [RegAllocEnv(env_config.target, **kwargs) for _ in range(backend.workers)]
        return BatchedVecEnv(envs, seed=seed)
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

    fns = [make_env_fn(env_config, seed, rank, **overrides) for rank in range(backend.workers)]
    if backend.workers == 1:
        return DummyVecEnv(fns)
    return SubprocVecEnv(fns, start_method="forkserver")
