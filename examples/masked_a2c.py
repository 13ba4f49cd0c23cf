"""A custom algorithm for ``rl4real train``: masked advantage actor-critic (A2C).

    rl4real train --algo examples/masked_a2c.py:MaskedA2C --timesteps 20000
    rl4real evaluate --model models/maskeda2c-mlp-x86-s0/model.pt --split test
    rl4real compile prog.c -o prog --model models/maskeda2c-mlp-x86-s0/model.pt

The run directory, episodes.csv, TensorBoard scalars, checkpoints, progress bar,
evaluate, compile and export come from rl4real; this file is only the algorithm
(the protocol: docs/algorithms.md). Its network is the library's message-passing
policy, so ``rl4real export`` knows it. Options come from the config file's
``[train.extra]`` table (``n_steps``, ``value_coef``, ``entropy_coef``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from agents.algorithm import AlgorithmSpec
from agents.algorithms.reinforce import MaskedPolicy, masked_logits, stack, to_tensors
from rl4real_gym.driver.state import NUM_NODE_FEATURES, NUM_SPLIT_FEATURES


class MaskedA2C:
    suffix = ".pt"

    def __init__(self, spec: AlgorithmSpec) -> None:
        torch.manual_seed(spec.seed)
        self.spec = spec
        self.policy = MaskedPolicy(spec.layout, NUM_NODE_FEATURES, NUM_SPLIT_FEATURES)
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=spec.learning_rate)
        self.n_steps = int(spec.options.get("n_steps", 32))
        self.value_coef = float(spec.options.get("value_coef", 0.5))
        self.entropy_coef = float(spec.options.get("entropy_coef", 0.01))

    def learn(self, envs, total_timesteps: int) -> None:
        env, steps = envs[0], 0  # one env is enough for an example; the others stay idle
        obs, _ = env.reset()
        while steps < total_timesteps:
            batch: list[tuple[dict, np.ndarray, int, float, bool]] = []
            for _ in range(self.n_steps):
                mask = env.action_masks()
                with torch.no_grad():
                    logits, _ = self.policy(to_tensors(obs))
                dist = torch.distributions.Categorical(logits=masked_logits(logits, torch.as_tensor(mask)[None]))
                action = int(dist.sample())
                next_obs, reward, terminated, truncated, _ = env.step(action)
                batch.append((obs, mask, action, float(reward), terminated))
                steps += 1
                obs = env.reset()[0] if terminated or truncated else next_obs
                if terminated or truncated or steps >= total_timesteps:
                    break
            env.record("train/loss", self.update(batch, obs))

    def update(self, batch: list, last_obs: dict) -> float:
        observations, masks, actions, rewards, dones = zip(*batch, strict=True)
        logits, values = self.policy(stack(list(observations)))
        with torch.no_grad():
            bootstrap = 0.0 if dones[-1] else float(self.policy(to_tensors(last_obs))[1][0])
        returns, g = [], bootstrap
        for reward, done in zip(reversed(rewards), reversed(dones), strict=True):
            g = reward + self.spec.gamma * g * (not done)
            returns.append(g)
        target = torch.as_tensor(returns[::-1], dtype=torch.float32)
        dist = torch.distributions.Categorical(logits=masked_logits(logits, torch.as_tensor(np.stack(masks))))
        advantage = (target - values).detach()
        actor = -(dist.log_prob(torch.as_tensor(actions)) * advantage).mean()
        critic = torch.nn.functional.mse_loss(values, target)
        loss = actor + self.value_coef * critic - self.entropy_coef * dist.entropy().mean()
        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.policy.parameters(), 1.0)
        self.optimizer.step()
        return float(loss.detach())

    def predict(self, obs: dict, action_mask: np.ndarray) -> int:
        with torch.no_grad():
            logits, _ = self.policy(to_tensors(obs))
        return int(torch.argmax(masked_logits(logits, torch.as_tensor(action_mask)[None])[0]))

    def save(self, path: Path) -> None:
        torch.save({"spec": self.spec, "state_dict": self.policy.state_dict()}, path)

    @classmethod
    def load(cls, path: Path) -> MaskedA2C:
        data = torch.load(path, weights_only=False)
        algorithm = cls(data["spec"])
        algorithm.policy.load_state_dict(data["state_dict"])
        return algorithm
