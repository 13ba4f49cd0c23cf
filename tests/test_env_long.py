"""Long random-agent runs (``--runslow``): 1000 episodes per target over the bundled data,
with the verifier, every observation in the space and every mask non-empty."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from conftest import TARGETS

import rl4real_gym  # noqa: F401

EPISODES = 1000


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_thousand_random_masked_episodes(target: str) -> None:
    env = gym.make(f"RL4ReAl-{target}-v2", split=None, verify=True, max_nodes=256, max_edges=8192).unwrapped
    rng = np.random.default_rng(2026)
    functions: set[str] = set()
    steps = 0
    for episode in range(EPISODES):
        obs, info = env.reset(seed=episode)
        functions.add(info["function"])
        while True:
            mask = env.action_masks()
            assert mask.any(), f"empty mask in {info['function']}"
            assert env.observation_space.contains(obs)
            obs, _, terminated, truncated, info = env.step(int(rng.choice(np.flatnonzero(mask))))
            steps += 1
            if terminated or truncated:
                break
        assert terminated and "llc_error" not in info, (info["function"], info.get("llc_error"))
    env.close()
    print(f"{target}: {EPISODES} episodes, {steps} steps, {len(functions)} distinct functions")
