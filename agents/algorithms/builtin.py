"""The built-in algorithms behind the :mod:`agents.algorithm` interface.

Both train through it like any custom algorithm (``rl4real train --algo maskable-ppo``
or ``reinforce``; ``agents.train`` keeps the run's books for all of them).
:class:`MaskablePPOAlgorithm` runs SB3's own loop on the run's envs, stepped together (the
batched vec env: their allocation processes compute at once; ``--vec-env subproc``: one
worker process each), with the policy ``--policy`` names (MLP, GNN, GNN-scoring), and
hands SB3's steps and scalars to the run's books (``agents.callbacks``). Both classes
load, predict, save and export their models for evaluate, compile and export.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from agents.algorithm import AlgorithmSpec
from agents.algorithms.reinforce import MaskedReinforce
from rl4real_gym.driver.state import NUM_NODE_FEATURES, NUM_SPLIT_FEATURES


class ReinforceAlgorithm:
    """Masked REINFORCE (:class:`agents.algorithms.reinforce.MaskedReinforce`)."""

    suffix = ".pt"
    format = "reinforce"

    def __init__(self, spec: AlgorithmSpec | None, agent: MaskedReinforce | None = None) -> None:
        if agent is None:
            assert spec is not None
            agent = MaskedReinforce(
                spec.layout, NUM_NODE_FEATURES, NUM_SPLIT_FEATURES, learning_rate=spec.learning_rate,
                gamma=spec.gamma, seed=spec.seed, device=spec.device,
            )  # fmt: skip
        self.spec = spec
        self.agent = agent
        self.policy = agent.policy  # a library network: rl4real export knows it

    def learn(self, envs: Sequence[gym.Env], total_timesteps: int) -> None:
        def on_update(stats: dict[str, float], steps: int) -> None:
            for key, value in stats.items():
                envs[0].record(f"train/{key}", value)  # type: ignore[attr-defined]

        max_episodes = self.spec.max_episodes if self.spec is not None else None
        self.agent.learn(list(envs), total_timesteps, max_episodes=max_episodes, on_update=on_update)

    def predict(self, obs: dict[str, Any], action_mask: np.ndarray) -> int:
        return int(self.agent.predict(obs, action_mask, deterministic=True)[0])

    def save(self, path: Path) -> None:
        self.agent.save(path)

    @classmethod
    def load(cls, path: Path, device: str = "cpu") -> ReinforceAlgorithm:
        return cls(None, MaskedReinforce.load(path, device=device))

    def export_module(self) -> torch.nn.Module:
        from rl4real_gym.envs.spaces import observation_space

        return ReinforceLogits(self.agent.policy, list(observation_space(self.agent.layout).spaces))


class MaskablePPOAlgorithm:
    """sb3-contrib's MaskablePPO with the policy of ``spec.config`` (``--policy``,
    ``--n-steps``, ``--batch-size``, ...), built at once (a warm start clones into
    ``model.policy`` before ``learn``)."""

    suffix = ".zip"
    format = "maskable-ppo"

    def __init__(self, spec: AlgorithmSpec | None, model: Any = None) -> None:
        self.spec = spec
        self.model = model if model is not None or spec is None else self.build(spec)
        self._resumed = model is not None  # a loaded model goes on counting its timesteps

    @staticmethod
    def build(spec: AlgorithmSpec) -> Any:
        """A new MaskablePPO for ``spec`` (on stand-in envs with its spaces: nothing starts)."""
        from stable_baselines3.common.vec_env import DummyVecEnv

        from agents.algorithms.maskable_ppo import build
        from agents.config import BackendConfig

        spaces_only = [lambda: SpacesOnly(spec.observation_space, spec.action_space)] * spec.workers
        backend = BackendConfig(device=spec.device, workers=spec.workers)
        return build(spec.config, backend, DummyVecEnv(spaces_only), tensorboard_log=None)

    def vec_env(self, envs: Sequence[gym.Env]) -> Any:
        """``envs`` as SB3's VecEnv, stepped together, each step given to their RunBook."""
        from agents.callbacks import BookKeepingVecEnv
        from agents.vec_env import BatchedVecEnv

        assert self.spec is not None
        if self.spec.vec_env == "subproc":
            from agents.config import BackendConfig
            from agents.envs import make_vec_env

            backend = BackendConfig(workers=len(envs), vec_env="subproc")
            venv = make_vec_env(self.spec.env, backend, self.spec.seed)
        else:
            venv = BatchedVecEnv([env.unwrapped for env in envs], seed=self.spec.seed)  # type: ignore[misc]
        book = getattr(envs[0], "book", None)
        return venv if book is None else BookKeepingVecEnv(venv, book)

    def learn(self, envs: Sequence[gym.Env], total_timesteps: int) -> None:
        """SB3's loop on ``envs`` (see :meth:`vec_env`) for ``total_timesteps`` (more)."""
        import io

        from sb3_contrib import MaskablePPO
        from stable_baselines3.common.callbacks import CallbackList
        from stable_baselines3.common.logger import Logger

        from agents.callbacks import EpisodeBudgetCallback, RecordOutput, TorchThreadsCallback

        assert self.spec is not None, "set spec before learn (agents.train does)"
        venv = self.vec_env(envs)
        if self.model.n_envs == venv.num_envs:
            self.model.set_env(venv)
        else:  # SB3 sizes its rollout buffer for the envs it is loaded with
            buffer = io.BytesIO()
            self.model.save(buffer)
            buffer.seek(0)
            self.model = MaskablePPO.load(buffer, env=venv, device=self.spec.device)
        callbacks: list[Any] = [TorchThreadsCallback(self.spec.torch_threads)]
        book = getattr(venv, "book", None)
        if book is not None:
            callbacks.append(EpisodeBudgetCallback(book))
            self.model.set_logger(Logger(None, [RecordOutput(envs[0].record)]))  # type: ignore[attr-defined]
        try:
            self.model.learn(total_timesteps, callback=CallbackList(callbacks), reset_num_timesteps=not self._resumed)
            self.model.logger.dump(self.model.num_timesteps)  # the last update's train/* (SB3 dumps before it)
        finally:
            if self.spec.vec_env == "subproc":
                venv.close()
        self._resumed = True

    def predict(self, obs: dict[str, Any], action_mask: np.ndarray) -> int:
        action, _ = self.model.predict(obs, action_masks=action_mask, deterministic=True)
        return int(np.asarray(action).reshape(-1)[0])

    def save(self, path: Path) -> None:
        self.model.save(path)

    @classmethod
    def load(cls, path: Path, device: str = "cpu") -> MaskablePPOAlgorithm:
        from sb3_contrib import MaskablePPO

        return cls(None, MaskablePPO.load(path, device=device))

    def export_module(self) -> torch.nn.Module:
        return SB3Logits(self.model.policy)


class SpacesOnly(gym.Env):
    """An env that only has spaces: what SB3 builds a model on before its envs exist."""

    def __init__(self, observation_space: gym.Space, action_space: gym.Space) -> None:
        self.observation_space = observation_space
        self.action_space = action_space


class SB3Logits(nn.Module):
    """A MaskablePPO policy's actor as a plain module: observation -> logits."""

    def __init__(self, policy: Any) -> None:
        super().__init__()
        self.policy = policy
        self.keys = list(policy.observation_space.spaces)

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        # extract_features applies SB3's own preprocessing (one-hot for Discrete keys).
        obs = {key: value.float() for key, value in zip(self.keys, tensors, strict=True)}
        features = self.policy.extract_features(obs, self.policy.pi_features_extractor)
        latent = self.policy.mlp_extractor.forward_actor(features)
        return self.policy.action_net(latent)


class ReinforceLogits(nn.Module):
    """A REINFORCE policy's logits as a plain module: observation tensors -> logits."""

    def __init__(self, policy: Any, keys: list[str]) -> None:
        super().__init__()
        self.policy = policy
        self.keys = keys

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        return self.policy(dict(zip(self.keys, tensors, strict=True)))[0]
