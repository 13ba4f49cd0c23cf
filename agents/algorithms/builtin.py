"""The built-in algorithms behind the :mod:`agents.algorithm` interface.

``reinforce`` trains through it like any custom algorithm. ``--algo maskable-ppo``
trains through SB3's own loop and callbacks (``agents.train``: its vectorised envs step
their allocations concurrently, which a list of envs stepped in turn cannot, and it has
the graph policies and the warm start); :class:`MaskablePPOAlgorithm` loads, predicts,
saves and exports its models, and trains through the interface too when named as a
class (``--algo agents.algorithms.builtin:MaskablePPOAlgorithm``: MLP policy only).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch

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
        from agents.onnx_export import ReinforceLogits
        from rl4real_gym.envs.spaces import observation_space

        return ReinforceLogits(self.agent.policy, list(observation_space(self.agent.layout).spaces))


class MaskablePPOAlgorithm:
    """sb3-contrib's MaskablePPO (trained by ``agents.train``'s SB3 loop)."""

    suffix = ".zip"
    format = "maskable-ppo"

    def __init__(self, spec: AlgorithmSpec | None, model: Any = None) -> None:
        self.spec = spec
        self.model = model

    def learn(self, envs: Sequence[gym.Env], total_timesteps: int) -> None:
        """PPO on ``envs`` stepped in turn (``--algo agents.algorithms.builtin:MaskablePPOAlgorithm``):
        SB3's MLP policy, ``n_steps``/``batch_size``/``n_epochs`` from the spec's options."""
        from sb3_contrib import MaskablePPO
        from stable_baselines3.common.vec_env import DummyVecEnv

        venv = DummyVecEnv([lambda env=env: env for env in envs])
        if self.model is None:
            assert self.spec is not None
            options = self.spec.options
            self.model = MaskablePPO(
                "MultiInputPolicy", venv, learning_rate=self.spec.learning_rate, gamma=self.spec.gamma,
                n_steps=int(options.get("n_steps", 512)), batch_size=int(options.get("batch_size", 64)),
                n_epochs=int(options.get("n_epochs", 4)), seed=self.spec.seed, device=self.spec.device, verbose=0,
            )  # fmt: skip
        else:
            self.model.set_env(venv)
        self.model.learn(total_timesteps)

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
        from agents.onnx_export import SB3Logits

        return SB3Logits(self.model.policy)
