"""A graph neural network features extractor over the interference graph.

Like RL4ReAl's node selector (a GCN over the interference graph), node embeddings are
computed by message passing along ``edge_index``: each layer mixes a node's state with
the mean of its neighbours' states. The extractor's output keeps a small per-node
embedding for every node slot (so a linear head can score nodes, for the select-node
phase), plus pooled graph summaries, the current node's embedding, the phase and the
pooled split-point features.
"""

from __future__ import annotations

from typing import NamedTuple

import gymnasium as gym
import torch
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn


def dense_adjacency(edge_index: torch.Tensor, num_edges: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """(B, E, 2) padded edge lists -> (B, N, N) symmetric 0/1 adjacency."""
    batch, max_edges, _ = edge_index.shape
    edges = edge_index.long().clamp(0, num_nodes - 1)
    valid = torch.arange(max_edges, device=edges.device)[None, :] < num_edges.long().view(batch, 1)
    adj = torch.zeros(batch, num_nodes, num_nodes, device=edges.device)
    b = torch.arange(batch, device=edges.device)[:, None].expand(batch, max_edges)
    weight = valid.float()
    adj.index_put_((b, edges[..., 0], edges[..., 1]), weight, accumulate=True)
    adj.index_put_((b, edges[..., 1], edges[..., 0]), weight, accumulate=True)
    return adj.clamp_(max=1.0)


class GraphConv(nn.Module):
    """h' = relu(W_self h + W_neigh mean_{j in N(i)} h_j), masked to existing nodes."""

    def __init__(self, dim_in: int, dim_out: int) -> None:
        super().__init__()
        self.self_lin = nn.Linear(dim_in, dim_out)
        self.neigh_lin = nn.Linear(dim_in, dim_out, bias=False)

    def forward(self, h: torch.Tensor, adj: torch.Tensor, node_mask: torch.Tensor) -> torch.Tensor:
        degree = adj.sum(-1, keepdim=True).clamp(min=1.0)
        neigh = torch.bmm(adj, h) / degree
        out = torch.relu(self.self_lin(h) + self.neigh_lin(neigh))
        return out * node_mask.unsqueeze(-1)


class GraphEncoding(NamedTuple):
    """Node embeddings and their summaries (batch first)."""

    nodes: torch.Tensor  # (B, N, H), zero for padding
    mean: torch.Tensor  # (B, H) over existing nodes
    maxed: torch.Tensor  # (B, H) over existing nodes
    current: torch.Tensor  # (B, H) the node being decided, zero when none
    has_current: torch.Tensor  # (B, 1)


def encode_graph(obs: dict[str, torch.Tensor], embed: nn.Module, convs: nn.ModuleList) -> GraphEncoding:
    """Embeds the node features, runs residual message passing along ``edge_index`` and
    pools: the trunk both graph extractors share."""
    x = obs["node_features"].float()
    mask = obs["node_mask"].float()
    adj = dense_adjacency(obs["edge_index"], obs["num_edges"], x.shape[1])
    h = embed(x) * mask.unsqueeze(-1)
    for conv in convs:
        h = conv(h, adj, mask) + h  # residual
    count = mask.sum(1, keepdim=True).clamp(min=1.0)
    mean = h.sum(1) / count
    maxed = (h - 1e4 * (1 - mask.unsqueeze(-1))).max(1).values.clamp(min=0.0)
    current = obs["current_node"].long().view(-1)
    has_current = (current >= 0).float().unsqueeze(-1)
    cur = h[torch.arange(h.shape[0], device=h.device), current.clamp(min=0)] * has_current
    return GraphEncoding(h, mean, maxed, cur, has_current)


class InterferenceGraphExtractor(BaseFeaturesExtractor):
    """Features for MaskablePPO from the env's Dict observation (select with ``policy=gnn``)."""

    def __init__(self, observation_space: gym.spaces.Dict, hidden: int = 64, layers: int = 2, node_dim: int = 4):
        nodes, feats = observation_space["node_features"].shape
        splits, split_feats = observation_space["split_features"].shape
        phases = observation_space["phase"].n
        features_dim = nodes * node_dim + 3 * hidden + phases + split_feats + 1
        super().__init__(observation_space, features_dim)
        self.num_nodes = nodes
        self.embed = nn.Sequential(nn.Linear(feats, hidden), nn.ReLU())
        self.convs = nn.ModuleList(GraphConv(hidden, hidden) for _ in range(layers))
        self.node_out = nn.Linear(hidden, node_dim)
        self.splits = splits

    def forward(self, obs: dict[str, torch.Tensor]) -> torch.Tensor:
        g = encode_graph(obs, self.embed, self.convs)
        batch = g.nodes.shape[0]
        split = obs["split_features"].float().mean(1)
        per_node = self.node_out(g.nodes).flatten(1)
        phase = obs["phase"].float().reshape(batch, -1)  # one-hot (SB3 preprocessing)
        return torch.cat([per_node, g.mean, g.maxed, g.current, phase, split, g.has_current], dim=1)
