"""A masking RLModule (RLlib new API stack, torch) for the register-allocation env.

The module reads the env's ``Dict`` observation as it is (no flattening):

* nodes: per-node features (signed log-scaled) -> MLP, then ``message_passing`` rounds
  of mean aggregation over the interference edges (``edge_index``, ``num_edges``);
* context: mean and max of the valid nodes (``node_mask``), the embedding of
  ``current_node`` and the one-hot ``phase``, through an MLP;
* one logit head per segment of the flat action space, in the env's order:
  a score per node (node embedding + context), 2 task logits, colour+spill logits
  (from the context), a score per split point (split features + context);
* a value head on the context (``ValueFunctionAPI``, used by PPO's GAE and loss).

Illegal actions (``obs["action_mask"] == 0``) get the logit ``MASKED_LOGIT`` in every
forward pass (exploration, inference and train), so sampling, ``argmax`` and PPO's
log-probabilities and entropy only ever see legal actions. A finite constant (not -inf)
keeps the all-masked terminal observation (uniform, never sampled) free of NaNs.

``model_config``: ``hidden`` (64), ``message_passing`` (1), ``uniform`` (False: when True
the logits are all zero before masking, i.e. a random masked policy, for benchmarks).
"""

from __future__ import annotations

import itertools
from typing import Any

import gymnasium as gym
import torch
from ray.rllib.core.columns import Columns
from ray.rllib.core.rl_module.apis.value_function_api import ValueFunctionAPI
from ray.rllib.core.rl_module.torch.torch_rl_module import TorchRLModule
from torch import nn

from agents.policies.graph import neighbour_mean  # the message passing all graph policies share

MASKED_LOGIT = -1.0e9
NUM_PHASES = 4
NUM_TASKS = 2
MASK_KEY = "action_mask"


def signed_log(x: torch.Tensor) -> torch.Tensor:
    """Compresses feature ranges (spill weights up to 1e6) to a few units."""
    return torch.sign(x) * torch.log1p(torch.abs(x))


def mlp(sizes: list[int], last_activation: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b))
        if last_activation or i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def apply_mask(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Logits of illegal actions replaced by ``MASKED_LOGIT``."""
    return torch.where(mask.bool(), logits, torch.full_like(logits, MASKED_LOGIT))


def masked_pool(h: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Concatenated mean and max over the valid nodes (zeros for an empty graph)."""
    weights = valid.to(h.dtype).unsqueeze(-1)
    count = weights.sum(dim=1).clamp(min=1.0)
    mean = (h * weights).sum(dim=1) / count
    maxed = torch.where(valid.bool().unsqueeze(-1), h, torch.full_like(h, -1.0e4)).amax(dim=1)
    maxed = torch.where(valid.bool().any(dim=1, keepdim=True), maxed, torch.zeros_like(maxed))
    return torch.cat([mean, maxed], dim=-1)


def gather_node(h: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Embedding of node ``index`` per batch row (zeros where ``index`` is -1)."""
    idx = index.reshape(-1).long()
    picked = h[torch.arange(h.shape[0], device=h.device), idx.clamp(min=0)]
    return picked * (idx >= 0).to(h.dtype).unsqueeze(-1)


class MaskedRegAllocModule(TorchRLModule, ValueFunctionAPI):
    """PPO's RLModule for ``RL4ReAl-*-v1``: segment heads over the flat action space, masked."""

    def setup(self) -> None:
        space = self.observation_space
        if not isinstance(space, gym.spaces.Dict) or MASK_KEY not in space.spaces:
            raise ValueError(f"MaskedRegAllocModule needs the env's Dict observation with {MASK_KEY!r}, got {space}")
        cfg = dict(self.model_config or {})
        hidden = int(cfg.get("hidden", 64))
        self.uniform = bool(cfg.get("uniform", False))
        self.num_nodes, node_dim = space["node_features"].shape
        self.num_split_points, split_dim = space["split_features"].shape
        num_actions = int(self.action_space.n)
        self.num_colour_actions = num_actions - self.num_nodes - NUM_TASKS - self.num_split_points
        if self.num_colour_actions < 1 or space[MASK_KEY].shape != (num_actions,):
            raise ValueError(f"observation {space} does not match the action space {self.action_space}")
        self.node_in = mlp([node_dim, hidden])
        self.rounds = nn.ModuleList(mlp([2 * hidden, hidden]) for _ in range(int(cfg.get("message_passing", 1))))
        self.context = mlp([3 * hidden + NUM_PHASES, hidden, hidden])  # mean, max, current node, phase
        self.node_head = mlp([2 * hidden, hidden, 1], last_activation=False)
        self.task_head = nn.Linear(hidden, NUM_TASKS)
        self.colour_head = nn.Linear(hidden, self.num_colour_actions)
        self.split_in = mlp([split_dim, hidden])
        self.split_head = mlp([2 * hidden, hidden, 1], last_activation=False)
        self.value_head = mlp([hidden, hidden, 1], last_activation=False)

    # -- encoders ------------------------------------------------------------
    def _nodes(self, obs: dict[str, torch.Tensor]) -> torch.Tensor:
        h = self.node_in(signed_log(obs["node_features"].float()))
        for layer in self.rounds:
            h = layer(torch.cat([h, neighbour_mean(h, obs["edge_index"], obs["num_edges"])], dim=-1))
        return h

    def _context(self, obs: dict[str, torch.Tensor], h: torch.Tensor) -> torch.Tensor:
        phase = nn.functional.one_hot(obs["phase"].reshape(-1).long().clamp(0, NUM_PHASES - 1), NUM_PHASES)
        parts = [masked_pool(h, obs["node_mask"]), gather_node(h, obs["current_node"]), phase.to(h.dtype)]
        return self.context(torch.cat(parts, dim=-1))

    def _encode(self, obs: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        h = self._nodes(obs)
        return h, self._context(obs, h)

    def _logits(self, obs: dict[str, torch.Tensor], h: torch.Tensor, ctx: torch.Tensor) -> torch.Tensor:
        ctx_nodes = ctx.unsqueeze(1).expand(-1, self.num_nodes, -1)
        node = self.node_head(torch.cat([h, ctx_nodes], dim=-1)).squeeze(-1)
        split_h = self.split_in(signed_log(obs["split_features"].float()))
        ctx_splits = ctx.unsqueeze(1).expand(-1, self.num_split_points, -1)
        split = self.split_head(torch.cat([split_h, ctx_splits], dim=-1)).squeeze(-1)
        return torch.cat([node, self.task_head(ctx), self.colour_head(ctx), split], dim=-1)

    # -- RLModule API --------------------------------------------------------
    def _masked_output(self, batch: dict[str, Any], with_embeddings: bool) -> dict[str, Any]:
        obs = batch[Columns.OBS]
        mask = obs[MASK_KEY]
        if self.uniform:
            return {Columns.ACTION_DIST_INPUTS: apply_mask(torch.zeros(mask.shape, device=mask.device), mask)}
        h, ctx = self._encode(obs)
        out: dict[str, Any] = {Columns.ACTION_DIST_INPUTS: apply_mask(self._logits(obs, h, ctx), mask)}
        if with_embeddings:
            out[Columns.EMBEDDINGS] = ctx
        return out

    def _forward_inference(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        with torch.no_grad():
            return self._masked_output(batch, with_embeddings=False)

    def _forward_exploration(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        with torch.no_grad():
            return self._masked_output(batch, with_embeddings=False)

    def _forward_train(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return self._masked_output(batch, with_embeddings=True)

    def compute_values(self, batch: dict[str, Any], embeddings: Any = None) -> torch.Tensor:
        if embeddings is None:
            _, embeddings = self._encode(batch[Columns.OBS])
        return self.value_head(embeddings).squeeze(-1)
