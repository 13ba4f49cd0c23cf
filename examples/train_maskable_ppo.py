"""Train MaskablePPO (sb3-contrib) on RL4ReAl-x86-v2 for a few thousand steps."""

import gymnasium as gym
from sb3_contrib import MaskablePPO
from stable_baselines3.common.vec_env import DummyVecEnv

import rl4real_gym  # noqa: F401

SIZES = {"max_nodes": 64, "max_edges": 1024, "max_split_points": 16, "reward": "rl4real"}

venv = DummyVecEnv([lambda: gym.make("RL4ReAl-x86-v2", **SIZES) for _ in range(2)])
model = MaskablePPO(
    "MultiInputPolicy", venv, n_steps=256, batch_size=128, verbose=1, seed=0, tensorboard_log="runs/example"
)
model.learn(total_timesteps=4096)
model.save("models/example_maskable_ppo_x86")
print("saved models/example_maskable_ppo_x86.zip; view the logs with: tensorboard --logdir runs")
