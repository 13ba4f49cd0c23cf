"""SB3's VecEnv over rl4real_gym's batched envs: N sub-envs in the training process.

SubprocVecEnv runs one Python worker per env; here one Python process drives N allocation
processes, which compute at once (``rl4real_gym.envs.vector_env``). SB3's semantics: a
sub-env that ends is reset in the same step, its last observation in
``info["terminal_observation"]``; ``env_method("action_masks")`` serves MaskablePPO.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv

from agents.episode_log import EpisodeTally
from rl4real_gym.envs.regalloc_env import RegAllocEnv
from rl4real_gym.envs.vector_env import batch_observations, reset_all, step_all


class BatchedVecEnv(VecEnv):
    """``RegAllocEnv`` sub-envs stepped together, seeded ``seed + 1000 * rank``."""

    def __init__(self, envs: Sequence[RegAllocEnv], seed: int = 0) -> None:
        self.envs = list(envs)
        first = self.envs[0]
        super().__init__(len(self.envs), first.observation_space, first.action_space)
        self._seed = seed
        self._actions: np.ndarray | None = None
        self._tallies = [EpisodeTally() for _ in self.envs]
        self._first_reset = True

    def reset(self) -> dict[str, np.ndarray]:
        if self._first_reset:
            seeds: list[int | None] = [self._seed + 1000 * rank for rank in range(self.num_envs)]
            self._first_reset = False
        else:
            seeds = [None] * self.num_envs
        results = reset_all(self.envs, seeds, [None] * self.num_envs)
        for tally in self._tallies:
            tally.reset()
        self.reset_infos = [info for _, info in results]
        return batch_observations([obs for obs, _ in results])

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions)

    def step_wait(self):
        assert self._actions is not None
        results = step_all(self.envs, [int(a) for a in self._actions])
        done_idx = [i for i, r in enumerate(results) if r[2] or r[3]]
        infos: list[dict[str, Any]] = []
        observations, rewards, dones = [], np.zeros(self.num_envs, np.float32), np.zeros(self.num_envs, bool)
        for i, (obs, reward, terminated, truncated, info) in enumerate(results):
            info = self._tallies[i].add(float(reward), terminated or truncated, info)
            if terminated or truncated:
                info["terminal_observation"] = obs
                info["TimeLimit.truncated"] = truncated and not terminated
            observations.append(obs)
            rewards[i], dones[i] = reward, terminated or truncated
            infos.append(info)
        if done_idx:  # SB3 resets in the same step
            fresh = reset_all([self.envs[i] for i in done_idx], [None] * len(done_idx), [None] * len(done_idx))
            for i, (obs, _info) in zip(done_idx, fresh, strict=True):
                observations[i] = obs
        return batch_observations(observations), rewards, dones, infos

    def close(self) -> None:
        for env in self.envs:
            env.close()

    def _targets(self, indices: Any) -> list[RegAllocEnv]:
        return [self.envs[i] for i in self._get_indices(indices)]

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        return [getattr(env, attr_name) for env in self._targets(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        for env in self._targets(indices):
            setattr(env, attr_name, value)

    def env_method(self, method_name: str, *method_args: Any, indices: Any = None, **method_kwargs: Any) -> list[Any]:
        return [getattr(env, method_name)(*method_args, **method_kwargs) for env in self._targets(indices)]

    def env_is_wrapped(self, wrapper_class: type, indices: Any = None) -> list[bool]:
        return [False for _ in self._targets(indices)]
