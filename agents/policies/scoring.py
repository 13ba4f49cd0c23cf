"""An actor-critic policy that scores nodes and split points one by one (``policy=gnn-scoring``).

SB3's default head maps one feature vector to all ``N + 2 + C + 1 + U`` logits with a
single linear layer, so the logit of "select node 17" is tied to slot 17 rather than to
what node 17 is. RL4ReAl's node selector instead scored every node with the same
network. This policy does that for every segment of the action space:

| segment | logits                                                                       |
|---------|------------------------------------------------------------------------------|
| node    | ``score(h_i, context)`` for each node embedding ``h_i``                      |
| task    | ``linear(context)``: colour-or-spill, split                                  |
| colour  | ``linear(context)[c] + score(register c's features, context)``, plus spill   |
| split   | ``score(split point j's features, context)`` for each point ``j``            |

The register features (observation ``register_features``: the copies a register removes,
whether it is an unused callee-saved register, its allocation-order rank, the pending
neighbours it takes a register from) are scored by one network shared by all registers,
so what makes a register a good choice carries over to registers rarely seen free.

``h_i`` comes from message passing over the interference graph (the GNN extractor's
layers); ``context`` pools the graph and holds the current node's embedding and the
phase. The critic reads the context only. The action mask still decides legality; the
head only has to rank what is legal. A segment is scored only for the samples in its
phase (it is masked in the others, where its logits are left at zero).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import gymnasium as gym
import torch
from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from agents.policies.graph import GraphConv, PairScorer, encode_graph, score_items, tracing
from rl4real_gym.driver.state import Phase
from rl4real_gym.schema import NODE_FEATURES, REGISTER_FEATURES


class ScoringFeatures(NamedTuple):
    """GraphScoringExtractor's output (batch first): SB3 passes it unchanged from the
    extractor to ContextCritic and ScoringHead, so it need not be one flat tensor."""

    nodes: torch.Tensor  # (B, n, H) node embeddings of the batch's used node slots (n <= N)
    context: torch.Tensor  # (B, D)
    splits: torch.Tensor  # (B, U, F) split-point features
    registers: torch.Tensor  # (B, C + 1, K) register features; K = 0 without them
    colour_mask: torch.Tensor  # (B, C + 1), (B, 0) without the spill gate
    phase: torch.Tensor  # (B,) int64, the observation's phase


class FeatureLayout(NamedTuple):
    """The sizes of GraphScoringExtractor's parts. ``register_dim`` is 0 for an
    observation space without ``register_features``."""

    nodes: int
    hidden: int
    context_dim: int
    splits: int
    split_dim: int
    num_colours: int
    spill_gate: bool
    register_dim: int = 0
    priority_dim: int = 0  # PRIORITY_COLUMNS appended to every node and register item (0: off)

    @property
    def node_dim(self) -> int:
        return self.hidden + self.priority_dim

    @property
    def register_item_dim(self) -> int:
        return self.register_dim + self.priority_dim if self.register_dim else 0

    @property
    def size(self) -> int:
        """The parts' total size, SB3's ``features_dim`` (as if flattened)."""
        gate = self.num_colours + 1 if self.spill_gate else 0
        return (self.nodes * self.node_dim + self.context_dim + self.splits * self.split_dim
                + (self.num_colours + 1) * self.register_item_dim + gate)  # fmt: skip


PRIORITY_COLUMNS = 3  # first in the order, log1p(position in it), gap to the first on the main key
NODE_WEIGHT = NODE_FEATURES["log_spill_weight"]
REGISTER_KEYS = [REGISTER_FEATURES[k] for k in ("hint", "order_rank")]  # after the copy value
COPY_REMOVED, COPY_TAKEN = REGISTER_FEATURES["log_copy_weight"], REGISTER_FEATURES["log_neighbour_copy_weight"]


def copy_value(registers: torch.Tensor) -> torch.Tensor:
    """rl4real_gym.driver.policies.copy_value over (B, K, F) register rows: the copy
    weight a register removes now less what it takes from pending neighbours (exp - 1:
    ONNX has no expm1, and the three implementations must agree)."""
    return registers[..., COPY_REMOVED].exp() - registers[..., COPY_TAKEN].exp()


def priority_features(keys: list[torch.Tensor], legal: torch.Tensor) -> torch.Tensor:
    """(B, K, PRIORITY_COLUMNS) for (B, K) items ordered lexicographically by ``keys``
    (each (B, K), larger first), then by slot index: whether a legal item is the first
    legal one, log1p of its position among the legal ones, and how far its first key is
    below the first legal item's; zero for items that are not legal.

    This is the order LLVM-like priorities use (heaviest node first; the register that
    settles the most copy weight, then the hint, then the allocation order): a scorer of one
    item at a time cannot compare an item with the others, nor see the slot index that
    breaks ties, so without these columns it can only approximate an argmax."""
    k = legal.shape[1]
    index = torch.arange(k, device=legal.device)
    before = (index[None, None, :] < index[None, :, None]).expand(legal.shape[0], k, k)  # [b, i, j]: j first
    for key in reversed(keys):
        ki, kj = key[:, :, None], key[:, None, :]
        before = (kj > ki) | ((kj == ki) & before)
    position = (before & legal[:, None, :]).sum(-1).float()
    legal_f = legal.float()
    main = torch.where(legal, keys[0], torch.full_like(keys[0], -1e9))
    best = main.max(dim=1, keepdim=True).values
    gap = (best - keys[0]).clamp(min=0.0)
    return torch.stack([(position == 0).float(), torch.log1p(position), gap], dim=-1) * legal_f[..., None]


class GraphScoringExtractor(BaseFeaturesExtractor):
    """The ScoringFeatures of an observation batch (sizes in its ``layout``)."""

    def __init__(
        self, observation_space: gym.spaces.Dict, hidden: int = 64, layers: int = 2, spill_gate: bool = False,
        priority: bool = False,
    ) -> None:  # fmt: skip
        nodes, feats = observation_space["node_features"].shape
        splits, split_feats = observation_space["split_features"].shape
        phases = observation_space["phase"].n
        actions = observation_space["action_mask"].n
        num_colours = actions - nodes - 2 - 1 - splits
        self.has_registers = "register_features" in observation_space.spaces
        register_dim = observation_space["register_features"].shape[1] if self.has_registers else 0
        layout = FeatureLayout(nodes, hidden, 3 * hidden + phases + 1, splits, split_feats, num_colours, spill_gate,
                               register_dim, PRIORITY_COLUMNS if priority else 0)  # fmt: skip
        super().__init__(observation_space, layout.size)
        self.layout = layout
        # With the spill gate, the colour segment of the action mask is passed on (ScoringHead).
        self.colour_slice = slice(nodes + 2, actions - splits)
        self.embed = nn.Sequential(nn.Linear(feats, hidden), nn.ReLU())
        self.convs = nn.ModuleList(GraphConv(hidden, hidden) for _ in range(layers))

    def forward(self, obs: dict[str, torch.Tensor]) -> ScoringFeatures:  # type: ignore[override]
        g = encode_graph(obs, self.embed, self.convs, pad=False)
        batch = g.nodes.shape[0]
        phase = obs["phase"].float().reshape(batch, -1)  # one-hot (SB3 preprocessing)
        context = torch.cat([g.mean, g.maxed, g.current, phase, g.has_current], dim=1)
        split = obs["split_features"].float()
        registers = obs["register_features"].float() if self.has_registers else split.new_zeros(batch, 0, 0)
        gate = obs["action_mask"].float()[:, self.colour_slice] if self.layout.spill_gate else split.new_zeros(batch, 0)
        nodes = g.nodes
        if self.layout.priority_dim:
            mask = obs["action_mask"].reshape(batch, -1) > 0.5
            n = nodes.shape[1]
            weight = obs["node_features"][:, :n, NODE_WEIGHT].float()
            nodes = torch.cat([nodes, priority_features([weight], mask[:, :n])], dim=-1)
            if self.has_registers:
                num_colours = self.layout.num_colours
                free = mask[:, self.colour_slice][:, :num_colours]
                rank = registers[:, :num_colours, REGISTER_KEYS[1]]
                keys = [copy_value(registers[:, :num_colours]), registers[:, :num_colours, REGISTER_KEYS[0]],
                        -torch.where(rank > 0, rank, torch.full_like(rank, 2.0))]  # fmt: skip
                extra = priority_features(keys, free)
                extra = torch.cat([extra, extra.new_zeros(batch, 1, extra.shape[2])], dim=1)  # the spill row
                registers = torch.cat([registers, extra], dim=-1)
        return ScoringFeatures(nodes, context, split, registers, gate, phase.argmax(dim=1))


class ScoringHead(nn.Module):
    """Per-segment logits from the extractor's flat output (see the module docstring)."""

    def __init__(self, layout: FeatureLayout, width: int = 64) -> None:
        super().__init__()
        self.layout = layout
        context = layout.context_dim
        self.spill = nn.Linear(context, 1) if layout.spill_gate else None
        self.node_score = PairScorer(layout.node_dim, context, width)
        self.task = nn.Linear(context, 2)
        self.colour = nn.Linear(context, layout.num_colours + 1)
        self.split_score = PairScorer(layout.split_dim, context, width)
        self.register_score = PairScorer(layout.register_item_dim, context, width) if layout.register_dim else None

    def forward(self, features: ScoringFeatures) -> torch.Tensor:
        h, context, split, registers, colour_mask, phase = features
        node_logits = phase_scores(self.node_score, h, context, phase, Phase.SELECT_NODE, self.layout.nodes)
        split_logits = phase_scores(self.split_score, split, context, phase, Phase.SPLIT, self.layout.splits)
        colour_logits = self.colour(context)
        if self.register_score is not None:
            colour_logits = colour_logits + phase_scores(
                self.register_score, registers, context, phase, Phase.COLOUR, self.layout.num_colours + 1
            )
        if self.spill is not None:
            colour_logits = self.gated_colour_logits(colour_logits, context, colour_mask)
        return torch.cat([node_logits, self.task(context), colour_logits, split_logits], dim=1)

    def gated_colour_logits(self, logits: torch.Tensor, context: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Spill with probability sigmoid(z), else a register by softmax over the *free*
        ones: once the action mask is applied, P(spill) is sigmoid(z) whichever registers
        happen to be free (with one logit per register, rarely free registers lose to spill)."""
        assert self.spill is not None
        num_colours = self.layout.num_colours
        z = self.spill(context)
        registers = logits[:, :num_colours]
        free = mask[:, :num_colours] > 0.5
        # Logits must stay moderate even where they are masked: MaskableCategorical masks
        # the *normalised* logits, so one huge value would push the legal ones below its
        # mask value. With no register free, the (masked) register logits stay as they are.
        any_free = free.any(dim=1, keepdim=True)
        norm = torch.logsumexp(torch.where(free, registers, torch.full_like(registers, -1e4)), dim=1, keepdim=True)
        norm = torch.where(any_free, norm, torch.zeros_like(norm))
        colour = registers - norm - nn.functional.softplus(z)  # log(1 - sigmoid(z)) + log softmax
        return torch.cat([colour, -nn.functional.softplus(-z)], dim=1)  # log sigmoid(z)


def phase_scores(
    scorer: PairScorer, items: torch.Tensor, context: torch.Tensor, phase: torch.Tensor, wanted: int, size: int
) -> torch.Tensor:
    """(B, size) scores of ``items``, computed only for the samples in phase ``wanted``
    and zero elsewhere: a segment is masked outside its phase, so its logits there
    change nothing (not under tracing: an exported model scores every sample)."""
    if tracing():
        return score_items(scorer, items, context, size)
    rows = (phase == wanted).nonzero().squeeze(1)
    out = context.new_zeros(context.shape[0], size)
    if rows.numel() == 0:
        return out
    return out.index_copy(0, rows, score_items(scorer, items[rows], context[rows], size))


class ContextCritic(nn.Module):
    """SB3's mlp_extractor slot: the actor gets the features unchanged (the ScoringHead
    parses them); the critic gets an MLP of the context."""

    def __init__(self, layout: FeatureLayout, width: int = 128) -> None:
        super().__init__()
        self.latent_dim_pi = layout.size
        self.latent_dim_vf = width
        self.value = nn.Sequential(nn.Linear(layout.context_dim, width), nn.Tanh())

    def forward(self, features: ScoringFeatures) -> tuple[ScoringFeatures, torch.Tensor]:
        return self.forward_actor(features), self.forward_critic(features)

    def forward_actor(self, features: ScoringFeatures) -> ScoringFeatures:
        return features

    def forward_critic(self, features: ScoringFeatures) -> torch.Tensor:
        return self.value(features.context)


class GraphScoringPolicy(MaskableActorCriticPolicy):
    """MaskablePPO policy with per-node and per-split-point scoring over a GNN."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("features_extractor_class", GraphScoringExtractor)
        kwargs.setdefault("share_features_extractor", True)
        super().__init__(*args, **kwargs)

    def _build_mlp_extractor(self) -> None:
        assert isinstance(self.features_extractor, GraphScoringExtractor)
        self.mlp_extractor = ContextCritic(self.features_extractor.layout)

    def _build(self, lr_schedule: Any) -> None:
        super()._build(lr_schedule)  # SB3's linear action_net is replaced below
        extractor = self.features_extractor
        assert isinstance(extractor, GraphScoringExtractor)
        self.action_net = ScoringHead(extractor.layout)
        outputs = [self.action_net.node_score[-1], self.action_net.task, self.action_net.colour,
                   self.action_net.split_score[-1]]  # fmt: skip
        if self.action_net.register_score is not None:
            outputs.append(self.action_net.register_score[-1])
        if self.action_net.spill is not None:
            outputs.append(self.action_net.spill)
        for layer in outputs:
            nn.init.orthogonal_(layer.weight, gain=0.01)  # start near uniform over legal actions
            nn.init.zeros_(layer.bias)
        if self.action_net.spill is not None:
            nn.init.constant_(self.action_net.spill.bias, -3.0)  # start spilling 5% of the time
        self.optimizer = self.optimizer_class(self.parameters(), lr=lr_schedule(1), **self.optimizer_kwargs)
