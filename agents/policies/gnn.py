"""A graph neural network features extractor over the interference graph.

Like RL4ReAl's node selector (a GCN over the interference graph), node embeddings are
computed by message passing along ``edge_index`` (``agents.policies.graph``, the trunk
shared with ``gnn-scoring`` and REINFORCE): each layer mixes a node's state with the mean
of its neighbours' states. The extractor's output keeps a small per-node
embedding for every node slot (so a linear head can score nodes, for the select-node
phase), plus pooled graph summaries, the current node's embedding, the phase and the
pooled split-point features.
"""

from __future__ import annotations

import gymnasium as gym
import torch
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from agents.policies.graph import GraphConv, encode_graph


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
