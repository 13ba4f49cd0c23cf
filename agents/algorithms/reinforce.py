"""Masked REINFORCE with a learned baseline, in plain torch: how to plug your own
algorithm into the environment.

Everything an algorithm needs from the env is here: read ``obs``, ask
``env.action_masks()`` (or ``obs["action_mask"]``), step. The policy scores actions
by structure rather than position: every node gets its own score from its embedding
(message passing over the interference graph, the trunk the SB3 graph policies share),
while task, colour/spill and split choices come from a head on pooled graph features,
the current node and the phase. Illegal actions
get -inf logits, so they are never sampled and carry no gradient.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from agents.policies.graph import GraphConv, encode_graph
from rl4real_gym.envs.spaces import Layout


class MaskedPolicy(nn.Module):
    """Node embeddings from the shared message-passing trunk (``agents.policies.graph``);
    a per-node score for the select-node phase, one head on the pooled context for the
    rest, plus a per-split-point score."""

    def __init__(self, layout: Layout, num_features: int, split_features: int, hidden: int = 64,
                 layers: int = 2) -> None:  # fmt: skip
        super().__init__()
        self.layout = layout
        self.embed = nn.Sequential(nn.Linear(num_features, hidden), nn.ReLU())
        self.convs = nn.ModuleList(GraphConv(hidden, hidden) for _ in range(layers))
        self.node_score = nn.Linear(hidden, 1)
        rest = 2 + layout.num_colours + 1 + layout.max_split_points
        context = 3 * hidden + 4 + split_features
        self.head = nn.Sequential(nn.Linear(context, hidden), nn.ReLU(), nn.Linear(hidden, rest))
        self.split_score = nn.Linear(split_features, 1)
        self.value = nn.Sequential(nn.Linear(context, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, obs: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        g = encode_graph(obs, self.embed, self.convs)
        node_logits = self.node_score(g.nodes).squeeze(-1)
        phase = nn.functional.one_hot(obs["phase"].long().view(-1), 4).float()
        split = obs["split_features"]
        context = torch.cat([g.mean, g.maxed, g.current, phase, split.mean(1)], dim=1)
        rest = self.head(context)
        lay = self.layout
        split_logits = rest[:, -lay.max_split_points :] + self.split_score(split).squeeze(-1)
        logits = torch.cat([node_logits, rest[:, : -lay.max_split_points], split_logits], dim=1)
        return logits, self.value(context).squeeze(-1)


def to_tensors(obs: dict[str, Any]) -> dict[str, torch.Tensor]:
    """One observation (or a list stacked by the caller) as a batch of tensors."""
    out = {}
    for key, value in obs.items():
        arr = np.asarray(value)
        out[key] = torch.as_tensor(arr if arr.ndim else arr.reshape(1), dtype=torch.float32).unsqueeze(0)
    return out


def stack(observations: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    keys = observations[0].keys()
    return {k: torch.as_tensor(np.stack([np.asarray(o[k]) for o in observations]), dtype=torch.float32) for k in keys}


def masked_logits(logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    return logits.masked_fill(~masks.bool(), float("-inf"))


class MaskedReinforce:
    """REINFORCE over complete episodes, one or more envs (a list; stepped in turn)."""

    def __init__(
        self,
        layout: Layout,
        num_features: int,
        split_features: int,
        *,
        learning_rate: float = 1e-3,
        gamma: float = 0.99,
        episodes_per_update: int = 8,
        seed: int = 0,
        device: str = "cpu",
    ) -> None:
        torch.manual_seed(seed)
        self.layout = layout
        self.dims = (num_features, split_features)
        self.gamma = gamma
        self.episodes_per_update = episodes_per_update
        self.device = device
        self.policy = MaskedPolicy(layout, num_features, split_features).to(device)
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=learning_rate)
        self.num_timesteps = 0
        self.rng = np.random.default_rng(seed)

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True):
        with torch.no_grad():
            logits, _ = self.policy(to_tensors(obs))
            logits = masked_logits(logits, torch.as_tensor(action_masks).unsqueeze(0))[0]
        if deterministic:
            return int(torch.argmax(logits)), None
        return int(torch.distributions.Categorical(logits=logits).sample()), None

    def returns(self, rewards: list[float]) -> np.ndarray:
        out, g = np.zeros(len(rewards), np.float32), 0.0
        for i in range(len(rewards) - 1, -1, -1):
            g = rewards[i] + self.gamma * g
            out[i] = g
        return out

    def update(self, episodes: list[tuple[list, list, list, list]]) -> dict[str, float]:
        obs = [o for ep in episodes for o in ep[0]]
        masks = torch.as_tensor(np.stack([m for ep in episodes for m in ep[1]]))
        actions = torch.as_tensor([a for ep in episodes for a in ep[2]])
        g = torch.as_tensor(np.concatenate([self.returns(ep[3]) for ep in episodes]))
        logits, values = self.policy(stack(obs))
        dist = torch.distributions.Categorical(logits=masked_logits(logits, masks))
        advantage = g - values.detach()
        advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
        policy_loss = -(dist.log_prob(actions) * advantage).mean()
        value_loss = nn.functional.mse_loss(values, g)
        loss = policy_loss + 0.5 * value_loss - 0.01 * dist.entropy().mean()
        self.optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(self.policy.parameters(), 1.0)
        self.optimizer.step()
        return {"policy_loss": policy_loss.item(), "value_loss": value_loss.item()}

    def learn(self, envs: list[Any], total_timesteps: int, *, max_episodes: int | None = None,
              on_episode: Callable[[dict[str, Any], int], None] | None = None,
              on_update: Callable[[dict[str, float], int], None] | None = None) -> MaskedReinforce:  # fmt: skip
        """Collects whole episodes round-robin over ``envs`` and updates every
        ``episodes_per_update`` episodes, until a budget is reached."""
        batch: list[tuple[list, list, list, list]] = []
        episodes = 0
        turn = 0
        while self.num_timesteps < total_timesteps and (max_episodes is None or episodes < max_episodes):
            env = envs[turn % len(envs)]
            turn += 1
            obs, _ = env.reset()
            trajectory: tuple[list, list, list, list] = ([], [], [], [])
            while True:
                mask = env.action_masks()
                action, _ = self.predict(obs, mask, deterministic=False)
                trajectory[0].append(obs)
                trajectory[1].append(mask)
                trajectory[2].append(action)
                obs, reward, terminated, truncated, info = env.step(action)
                trajectory[3].append(float(reward))
                self.num_timesteps += 1
                if terminated or truncated:
                    break
            episodes += 1
            batch.append(trajectory)
            if on_episode is not None:
                on_episode(info, self.num_timesteps)
            if len(batch) >= self.episodes_per_update:
                stats = self.update(batch)
                batch = []
                if on_update is not None:
                    on_update(stats, self.num_timesteps)
        if batch:
            self.update(batch)
        return self

    def save(self, path: str | Path) -> None:
        lay = self.layout
        torch.save(
            {
                "state_dict": self.policy.state_dict(),
                "layout": [lay.max_nodes, lay.max_edges, lay.num_colours, lay.max_split_points],
                "dims": list(self.dims),
                "gamma": self.gamma,
                "saved": time.time(),
            },
            path,
        )

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> MaskedReinforce:
        data = torch.load(path, map_location=device, weights_only=True)
        layout = Layout(*data["layout"])
        agent = cls(layout, *data["dims"], gamma=data["gamma"], device=device)
        agent.policy.load_state_dict(data["state_dict"])
        return agent

    def __repr__(self) -> str:
        return f"MaskedReinforce({json.dumps(self.layout.__dict__)})"
