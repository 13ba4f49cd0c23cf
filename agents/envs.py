"""Building (vectorised) training environments from a TrainConfig."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from agents.config import TrainConfig
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
        self._return = 0.0
        self._length = 0

    def reset(self, **kwargs: Any):
        self._return, self._length = 0.0, 0
        return self.env.reset(**kwargs)

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._return += float(reward)
        self._length += 1
        if terminated or truncated:
            info = dict(info)
            info["episode_figures"] = {
                "return": self._return,
                "length": self._length,
                "cost": info.get("cost"),
                "greedy_cost": info.get("greedy_cost"),
                "spills": info.get("spills"),
                "reloads": info.get("reloads"),
                "splits": info.get("splits"),
                "invalid_actions": info.get("invalid_actions", 0),
                "function": info.get("function"),
            }
        return obs, reward, terminated, truncated, info

    def action_masks(self) -> np.ndarray:
        return self.env.unwrapped.action_masks()  # type: ignore[attr-defined]


def make_env_fn(config: TrainConfig, rank: int, **overrides: Any) -> Callable[[], gym.Env]:
    """A picklable thunk creating one monitored env (seeded by rank)."""
    kwargs = {**config.env_kwargs(), **overrides}
    target = config.target
    seed = config.seed + 1000 * rank

    def thunk() -> gym.Env:
        import rl4real_gym  # noqa: F401  (registration inside the worker process)

        env = MaskedMonitor(gym.make(env_id(target), **kwargs))
        env.reset(seed=seed)
        return env

    return thunk


def make_vec_env(config: TrainConfig, **overrides: Any):
    """DummyVecEnv for one worker, SubprocVecEnv (forkserver) for several."""
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

    fns = [make_env_fn(config, rank, **overrides) for rank in range(config.workers)]
    if config.workers == 1:
        return DummyVecEnv(fns)
    return SubprocVecEnv(fns, start_method="forkserver")
