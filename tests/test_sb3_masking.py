"""MaskablePPO (sb3-contrib) learns on the env out of the box, in-process and in subprocesses."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("sb3_contrib")
from sb3_contrib import MaskablePPO
from sb3_contrib.common.maskable.utils import get_action_masks
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

import rl4real_gym  # noqa: F401

KW = {"max_nodes": 64, "max_edges": 1024, "max_split_points": 16}


class MaskCheckingEnv(gym.Wrapper):
    """Fails loudly if an action outside the mask ever reaches the env."""

    def step(self, action):
        assert self.env.unwrapped.action_masks()[int(action)], "MaskablePPO took a masked action"
        return self.env.step(action)

    def action_masks(self) -> np.ndarray:
        return self.env.unwrapped.action_masks()


def make_env(target: str, seed: int):
    def thunk():
        env = MaskCheckingEnv(gym.make(f"RL4ReAl-{target}-v2", **KW))
        env.reset(seed=seed)
        return env

    return thunk


@pytest.mark.parametrize("vec", ["dummy", "subproc"])
def test_maskable_ppo_learns_without_error(vec: str) -> None:
    fns = [make_env("x86", 0), make_env("aarch64" if vec == "subproc" else "x86", 1)]
    if vec == "subproc":
        # Different targets have different action spaces: use one target per VecEnv.
        fns = [make_env("x86", 0), make_env("x86", 1)]
        venv = SubprocVecEnv(fns, start_method="forkserver")
    else:
        venv = DummyVecEnv(fns)
    try:
        model = MaskablePPO("MultiInputPolicy", venv, n_steps=64, batch_size=64, n_epochs=1, seed=0, verbose=0)
        model.learn(total_timesteps=256)
        masks = get_action_masks(venv)
        assert masks.shape == (2, venv.action_space.n) and masks.any(axis=1).all()
        obs = venv.reset()
        actions, _ = model.predict(obs, action_masks=get_action_masks(venv), deterministic=True)
        assert all(get_action_masks(venv)[i][a] for i, a in enumerate(actions))
    finally:
        venv.close()
