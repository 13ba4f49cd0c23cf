"""A random agent that only takes legal actions, on the x86 environment."""

import gymnasium as gym
import numpy as np

import rl4real_gym  # noqa: F401  (registers RL4ReAl-x86-v2 and RL4ReAl-aarch64-v2)

env = gym.make("RL4ReAl-x86-v2", render_mode="ansi")
rng = np.random.default_rng(0)
for episode in range(3):
    obs, info = env.reset(seed=episode)
    done, total = False, 0.0
    while not done:
        legal = np.flatnonzero(env.unwrapped.action_masks())  # or obs["action_mask"]
        obs, reward, terminated, truncated, info = env.step(rng.choice(legal))
        total += reward
        done = terminated or truncated
    print(
        f"{info['function']}: return {total:.2f}, cost {info['cost']:.1f} vs greedy {info['greedy_cost']:.1f}, "
        f"{info['spills']} spills, {info['splits']} splits"
    )
env.close()
