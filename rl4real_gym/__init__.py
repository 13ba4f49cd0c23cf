"""rl4real-gym: register allocation by reinforcement learning, as Gymnasium environments.

``import rl4real_gym`` registers ``RL4ReAl-x86-v2``, ``RL4ReAl-aarch64-v2`` and ``RL4ReAl-riscv64-v2`` and stays
light: torch, gRPC and llc are only touched when an environment is made.
"""

from __future__ import annotations

__version__ = "0.1.0"

from rl4real_gym.registration import register_envs

register_envs()

__all__ = ["__version__", "register_envs"]
