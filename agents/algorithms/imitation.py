"""Warm start by imitation, as MLGO does: behaviour cloning from an expert, then PPO.

``collect`` plays an expert (the env's hint-aware ``heuristic``, or the rollout
``search`` over ``fork()`` that it guides, whose plans beat greedy on many functions)
on the training split and records, at every decision, the observation, the action mask,
the expert's action and the discounted return that followed. ``clone`` then fits a
MaskablePPO policy to them: the actor by cross-entropy of the expert's action under the
*masked* distribution (what PPO samples from), the critic by mean squared error to the
returns (relative to their variance), so that PPO starts with a critic that knows what
the expert earns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from agents.config import WARM_STARTS as EXPERTS
from agents.episode_log import cost_ratio, geomean


@dataclass
class Demonstrations:
    """Decisions of an expert, one row per step (numpy, stacked per observation key)."""

    observations: dict[str, np.ndarray]
    masks: np.ndarray  # (S, A) bool
    actions: np.ndarray  # (S,) int64
    returns: np.ndarray  # (S,) float32, discounted rewards-to-go of the expert's episode
    episodes: int
    mean_cost_ratio: float  # geomean of (cost+1)/(greedy+1) of the expert's episodes
    weights: np.ndarray | None = None  # (S,) float32, each decision's weight in the actor's loss (None: all 1)

    def __len__(self) -> int:
        return int(self.actions.shape[0])

    def weight_array(self) -> np.ndarray:
        return self.weights if self.weights is not None else np.ones(len(self), np.float32)

    def concat(self, other: Demonstrations) -> Demonstrations:
        """Both sets of decisions (DAgger's aggregate); the episode-weighted geomean."""
        n = self.episodes + other.episodes
        log_ratio = (
            self.episodes * math.log(self.mean_cost_ratio) + other.episodes * math.log(other.mean_cost_ratio)
        ) / n
        return Demonstrations(
            {k: np.concatenate([v, other.observations[k]]) for k, v in self.observations.items()},
            np.concatenate([self.masks, other.masks]), np.concatenate([self.actions, other.actions]),
            np.concatenate([self.returns, other.returns]), n, math.exp(log_ratio),
            np.concatenate([self.weight_array(), other.weight_array()]),
        )  # fmt: skip


@dataclass
class CloneEpoch:
    """One epoch of behaviour cloning."""

    epoch: int
    actor_loss: float  # mean -log p(expert action)
    value_loss: float  # mean squared error to the returns
    accuracy: float  # share of decisions where the policy's most likely action is the expert's


def discounted_returns(rewards: list[float], gamma: float) -> np.ndarray:
    out, g = np.zeros(len(rewards), np.float32), 0.0
    for i in range(len(rewards) - 1, -1, -1):
        g = rewards[i] + gamma * g
        out[i] = g
    return out


def compact(key: str, value: Any) -> np.ndarray:
    """A copy of one observation entry; the padded edge list (most of an observation's
    bytes) as int16 when node ids fit."""
    arr = np.array(value, copy=True)
    if key == "edge_index" and arr.size and int(arr.max()) < np.iinfo(np.int16).max:
        return arr.astype(np.int16)
    return arr


def make_expert(name: str, env: Any, *, search_width: int, search_budget: int) -> Any:
    """An agent with ``predict(obs, action_masks, deterministic)`` playing in ``env``."""
    from agents.algorithms.search import SearchAgent
    from agents.algorithms.simple import HeuristicAgent

    layout = env.unwrapped.layout
    if name == "heuristic":
        return HeuristicAgent(layout)
    if name == "search":
        return SearchAgent(env, layout, width=search_width, max_rollouts=search_budget)
    raise ValueError(f"unknown expert {name!r} (choose {', '.join(EXPERTS)})")


def collect(
    env: Any, expert: Any, episodes: int, gamma: float, seed: int = 0, progress: bool = True,
    on_episode: Callable[[dict[str, Any]], None] | None = None,
) -> Demonstrations:  # fmt: skip
    """``episodes`` expert episodes on functions the (seeded) env samples."""
    rows: dict[str, list[np.ndarray]] = {}
    masks, actions, returns, ratios = [], [], [], []
    obs, _ = env.reset(seed=seed)
    for _ in tqdm(range(episodes), desc="expert episodes", unit="episode", disable=not progress):
        rewards: list[float] = []
        while True:
            mask = np.asarray(env.unwrapped.action_masks(), bool)
            action, _ = expert.predict(obs, action_masks=mask, deterministic=True)
            for key, value in obs.items():
                rows.setdefault(key, []).append(compact(key, value))
            masks.append(mask)
            actions.append(int(action))
            obs, reward, terminated, truncated, info = env.step(int(action))
            rewards.append(float(reward))
            if terminated or truncated:
                break
        returns.append(discounted_returns(rewards, gamma))
        if info.get("cost") is not None:
            ratios.append(cost_ratio(info["cost"], float(info.get("greedy_cost") or 0.0)))
        if on_episode is not None:
            on_episode(info)
        obs, _ = env.reset()
    expert_geomean = geomean(ratios)
    return Demonstrations(
        {k: np.stack(v) for k, v in rows.items()}, np.stack(masks), np.asarray(actions, np.int64),
        np.concatenate(returns), episodes, expert_geomean,
    )  # fmt: skip


def _batch(demos: Demonstrations, index: np.ndarray, device: Any) -> tuple[dict[str, torch.Tensor], ...]:
    obs = {k: torch.as_tensor(v[index].astype(np.int32) if k == "edge_index" else v[index], device=device)
           for k, v in demos.observations.items()}  # fmt: skip
    return (
        obs,
        torch.as_tensor(demos.masks[index], device=device),
        torch.as_tensor(demos.actions[index], device=device),
        torch.as_tensor(demos.returns[index], device=device),
        torch.as_tensor(demos.weight_array()[index], device=device),
    )


def clone(
    policy: Any, demos: Demonstrations, *, epochs: int, batch_size: int, value_coef: float = 0.5,
    seed: int = 0, learning_rate: float | None = None, progress: bool = True,
) -> list[CloneEpoch]:  # fmt: skip
    """Fits a MaskableActorCriticPolicy to ``demos`` with its own optimizer, at
    ``learning_rate`` if given (the optimizer's own rate is restored after); returns the
    per-epoch losses and accuracy."""
    rng = np.random.default_rng(seed)
    # The critic's loss relative to the returns' variance (returns reach tens of units): at
    # its raw scale it would take the whole clipped gradient from the actor.
    value_scale = 1.0 / (float(np.var(demos.returns)) + 1e-6)
    rates = [group["lr"] for group in policy.optimizer.param_groups]
    if learning_rate is not None:
        for group in policy.optimizer.param_groups:
            group["lr"] = learning_rate
    policy.set_training_mode(True)
    history = []
    bar = tqdm(range(epochs), desc="behaviour cloning", unit="epoch", disable=not progress)
    for epoch in bar:
        order = rng.permutation(len(demos))
        sums = np.zeros(3)
        for start in range(0, len(order), batch_size):
            index = order[start : start + batch_size]
            obs, masks, actions, returns, weights = _batch(demos, index, policy.device)
            features = policy.extract_features(obs)
            latent_pi, latent_vf = policy.mlp_extractor(features)
            dist = policy._get_action_dist_from_latent(latent_pi)
            dist.apply_masking(masks)
            # Weighted mean of -log p (all weights 1 unless the demonstrations say otherwise).
            actor_loss = -(weights * dist.log_prob(actions)).sum() / weights.sum()
            value_loss = torch.nn.functional.mse_loss(policy.value_net(latent_vf).flatten(), returns)
            loss = actor_loss + value_coef * value_scale * value_loss
            policy.optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(policy.parameters(), 0.5)
            policy.optimizer.step()
            with torch.no_grad():
                hits = (dist.distribution.probs.argmax(dim=1) == actions).float().sum()
            sums += np.array([actor_loss.item() * len(index), value_loss.item() * len(index), hits.item()])
        actor, value, accuracy = sums / len(demos)
        history.append(CloneEpoch(epoch + 1, float(actor), float(value), float(accuracy)))
        bar.set_postfix({"nll": f"{actor:.3f}", "acc": f"{accuracy:.3f}", "v": f"{value:.2f}"}, refresh=False)
    policy.set_training_mode(False)
    for group, rate in zip(policy.optimizer.param_groups, rates, strict=True):
        group["lr"] = rate
    return history


def predicted_actions(policy: Any, demos: Demonstrations, batch_size: int = 256) -> np.ndarray:
    """The policy's most likely legal action at every decision of ``demos`` (its
    agreement with the expert is ``(predicted_actions(...) == demos.actions).mean()``)."""
    out = []
    policy.set_training_mode(False)
    with torch.no_grad():
        for start in range(0, len(demos), batch_size):
            obs, masks, *_ = _batch(demos, np.arange(start, min(start + batch_size, len(demos))), policy.device)
            dist = policy.get_distribution(obs, action_masks=masks.cpu().numpy())
            out.append(dist.distribution.probs.argmax(dim=1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0, np.int64)
