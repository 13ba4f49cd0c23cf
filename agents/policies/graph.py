"""Message passing over the interference graph: the one network trunk every graph policy
shares (``gnn``, ``gnn-scoring``, REINFORCE's policy; RLlib's module imports
``neighbour_mean``). Plain torch, no SB3, so any backend can import it.

Each layer mixes a node's state with the *mean* of its neighbours' states along the
observation's padded edge list (``edge_index`` rows below ``num_edges``). The mean is
computed sparsely (``Neighbourhood``: one CSR product per layer), in O(E * H) rather than
the O(N^2 * H) of a dense adjacency; ``dense_neighbour_mean`` is the reference it is
tested against. Edges are undirected and listed once: the env sends ``i < j`` without
duplicates (the dense reference would count a duplicate once, the sparse mean twice).

Observations are padded to the env's ``max_nodes``/``max_edges``, but a batch rarely
uses them all: ``used_nodes`` and ``used_edges`` give the prefix that holds every
existing node, every edge endpoint and every valid edge, and the trunk only computes
that prefix (padding rows are zero, as they would be in the full computation). Under
tracing (ONNX export) nothing is trimmed, so the exported graph takes any batch.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import torch
from torch import nn


def tracing() -> bool:
    """Under ONNX export or ``torch.jit.trace``: compute every padded slot."""
    return torch.jit.is_tracing() or torch.onnx.is_in_onnx_export()


def valid_edges(num_edges: torch.Tensor, max_edges: int) -> torch.Tensor:
    """(B, E) bool: row ``e`` of sample ``b`` is one of its ``num_edges[b]`` edges."""
    batch = num_edges.shape[0]
    return torch.arange(max_edges, device=num_edges.device)[None, :] < num_edges.reshape(batch, 1).long()


def used_edges(num_edges: torch.Tensor, max_edges: int) -> int:
    """How many leading rows of ``edge_index`` hold all valid edges of the batch."""
    if tracing() or num_edges.numel() == 0:
        return max_edges
    return max(1, min(max_edges, int(num_edges.max())))


def used_nodes(node_mask: torch.Tensor, edge_index: torch.Tensor, num_edges: torch.Tensor) -> int:
    """How many leading node slots hold every existing node and every endpoint of a valid
    edge (so trimming the rest changes no embedding and no degree)."""
    max_nodes = node_mask.shape[1]
    if tracing() or node_mask.numel() == 0:
        return max_nodes
    present = node_mask.reshape(node_mask.shape[0], -1).bool().any(0).nonzero()
    last = int(present.max()) if present.numel() else 0
    valid = valid_edges(num_edges, edge_index.shape[1])
    if bool(valid.any()):
        last = max(last, int(edge_index.long().clamp(0, max_nodes - 1)[valid].max()))
    return last + 1


class _SymmetricProduct(torch.autograd.Function):
    """``A @ x`` for a symmetric sparse ``A``: the gradient is ``A @ grad`` again (no
    transpose of the sparse matrix)."""

    @staticmethod
    def forward(ctx: Any, matrix: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        ctx.matrix = matrix
        return matrix @ x

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[None, torch.Tensor]:
        return None, ctx.matrix @ grad


class Neighbourhood:
    """Each node's neighbours in a batch of padded graphs, built once per forward pass and
    applied by every layer: ``mean(h)`` is the mean of the neighbours' rows of (B, N, H)
    ``h`` (zero for a node without neighbours), over the valid undirected edges.

    Eagerly it is one sparse (CSR) product with the batch's block-diagonal 0/1 adjacency;
    under tracing (ONNX export, where sparse tensors do not go) a ``scatter_add`` over
    every edge row, invalid rows pointing at a sink row that is dropped."""

    def __init__(self, edge_index: torch.Tensor, num_edges: torch.Tensor, num_nodes: int) -> None:
        batch, max_edges, _ = edge_index.shape
        self.edge_index, self.num_edges = edge_index, num_edges
        edges = edge_index.long().clamp(0, num_nodes - 1)
        valid = valid_edges(num_edges, max_edges)
        self.traced = tracing()
        slots = num_nodes + 1 if self.traced else num_nodes  # + the sink row when traced
        offset = (torch.arange(batch, device=edges.device) * slots)[:, None]
        if self.traced:
            sink = torch.full_like(edges[..., 0], num_nodes)
            src = (torch.where(valid, edges[..., 0], sink) + offset).reshape(-1)
            dst = (torch.where(valid, edges[..., 1], sink) + offset).reshape(-1)
            ones = valid.reshape(-1).float()
        else:
            src, dst = (edges[..., 0] + offset)[valid], (edges[..., 1] + offset)[valid]
            ones = torch.ones(src.shape[0], device=edges.device)
        self.rows, self.cols = torch.cat([src, dst]), torch.cat([dst, src])
        size = batch * slots
        degree = torch.zeros(size, device=edges.device).scatter_add(0, self.rows, torch.cat([ones, ones]))
        self.degree = degree.clamp(min=1.0)[:, None]
        self.matrix: torch.Tensor | None = None
        if not self.traced:
            order = torch.argsort(self.rows, stable=True)
            counts = torch.bincount(self.rows, minlength=size)
            crow = torch.cat([counts.new_zeros(1), counts.cumsum(0)])
            values = torch.ones(order.shape[0], device=edges.device)
            with warnings.catch_warnings():  # "beta" and "invariant checks disabled": built valid here
                warnings.simplefilter("ignore", UserWarning)
                self.matrix = torch.sparse_csr_tensor(crow, self.cols[order], values, (size, size))

    def mean(self, h: torch.Tensor) -> torch.Tensor:
        batch, nodes, width = h.shape
        if self.matrix is not None:
            total = _SymmetricProduct.apply(self.matrix.to(h.dtype), h.reshape(batch * nodes, width))
            return (total / self.degree.to(h.dtype)).reshape(batch, nodes, width)
        # scatter_add, not index_add: ONNX exports it as ScatterElements(add), which sums duplicates.
        padded = torch.cat([h, h.new_zeros(batch, 1, width)], dim=1).reshape(batch * (nodes + 1), width)
        index = self.rows[:, None].expand(-1, width)
        total = torch.zeros_like(padded).scatter_add(0, index, padded[self.cols])
        return (total / self.degree.to(h.dtype)).reshape(batch, nodes + 1, width)[:, :nodes]


def neighbour_mean(h: torch.Tensor, edge_index: torch.Tensor, num_edges: torch.Tensor) -> torch.Tensor:
    """(B, N, H) -> the mean of each node's neighbours' rows (``Neighbourhood.mean``)."""
    return Neighbourhood(edge_index, num_edges, h.shape[1]).mean(h)


def dense_adjacency(edge_index: torch.Tensor, num_edges: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """(B, E, 2) padded edge lists -> (B, N, N) symmetric 0/1 adjacency (the reference)."""
    batch, max_edges, _ = edge_index.shape
    edges = edge_index.long().clamp(0, num_nodes - 1)
    weight = valid_edges(num_edges, max_edges).to(torch.float32)
    adj = torch.zeros(batch, num_nodes, num_nodes, device=edges.device)
    b = torch.arange(batch, device=edges.device)[:, None].expand(batch, max_edges)
    adj.index_put_((b, edges[..., 0], edges[..., 1]), weight, accumulate=True)
    adj.index_put_((b, edges[..., 1], edges[..., 0]), weight, accumulate=True)
    return adj.clamp_(max=1.0)


def dense_neighbour_mean(h: torch.Tensor, edge_index: torch.Tensor, num_edges: torch.Tensor) -> torch.Tensor:
    """``neighbour_mean`` through a dense adjacency: O(N^2); the reference for tests."""
    adj = dense_adjacency(edge_index, num_edges, h.shape[1])
    return torch.bmm(adj, h) / adj.sum(-1, keepdim=True).clamp(min=1.0)


class GraphConv(nn.Module):
    """h' = relu(W_self h + W_neigh mean_{j in N(i)} h_j), masked to existing nodes."""

    def __init__(self, dim_in: int, dim_out: int) -> None:
        super().__init__()
        self.self_lin = nn.Linear(dim_in, dim_out)
        self.neigh_lin = nn.Linear(dim_in, dim_out, bias=False)

    def forward(self, h: torch.Tensor, neighbours: Neighbourhood, node_mask: torch.Tensor) -> torch.Tensor:
        neigh = neighbours.mean(h)
        out = torch.relu(self.self_lin(h) + self.neigh_lin(neigh))
        return out * node_mask.unsqueeze(-1)


class GraphEncoding(NamedTuple):
    """Node embeddings and their summaries (batch first)."""

    nodes: torch.Tensor  # (B, N, H), zero for padding
    mean: torch.Tensor  # (B, H) over existing nodes
    maxed: torch.Tensor  # (B, H) over existing nodes
    current: torch.Tensor  # (B, H) the node being decided, zero when none
    has_current: torch.Tensor  # (B, 1)


def encode_graph(
    obs: dict[str, torch.Tensor], embed: nn.Module, convs: nn.ModuleList, pad: bool = True
) -> GraphEncoding:
    """Embeds the node features, runs residual message passing along ``edge_index`` and
    pools: the trunk all graph policies share. Only the used prefix of the node slots and
    edge rows is computed; ``nodes`` is padded back to the observation's size with zero
    rows, unless ``pad`` is False."""
    max_nodes = obs["node_features"].shape[1]
    n = used_nodes(obs["node_mask"], obs["edge_index"], obs["num_edges"])
    e = used_edges(obs["num_edges"], obs["edge_index"].shape[1])
    x = obs["node_features"][:, :n].float()
    mask = obs["node_mask"][:, :n].float()
    neighbours = Neighbourhood(obs["edge_index"][:, :e], obs["num_edges"], n)
    h = embed(x) * mask.unsqueeze(-1)
    for conv in convs:
        h = conv(h, neighbours, mask) + h  # residual
    count = mask.sum(1, keepdim=True).clamp(min=1.0)
    mean = h.sum(1) / count
    maxed = (h - 1e4 * (1 - mask.unsqueeze(-1))).max(1).values.clamp(min=0.0)
    current = obs["current_node"].long().view(-1)
    has_current = (current >= 0).float().unsqueeze(-1)
    inside = ((current >= 0) & (current < n)).float().unsqueeze(-1)  # a slot past ``n`` is zero
    cur = h[torch.arange(h.shape[0], device=h.device), current.clamp(0, n - 1)] * inside
    if pad and n < max_nodes:
        h = nn.functional.pad(h, (0, 0, 0, max_nodes - n))
    return GraphEncoding(h, mean, maxed, cur, has_current)


class PairScorer(nn.Sequential):
    """score(item_k, context) = MLP([item_k, context]) for each of K items, computed as
    ``W_item item_k + W_context context`` so the context's share of the first layer is
    computed once per sample, not once per item (the same numbers, K times cheaper).
    Layers: ``Linear(item + context, width), Tanh, Linear(width, 1)``."""

    def __init__(self, item_dim: int, context_dim: int, width: int) -> None:
        super().__init__(nn.Linear(item_dim + context_dim, width), nn.Tanh(), nn.Linear(width, 1))
        self.item_dim = item_dim

    def forward(self, items: torch.Tensor, context: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """(B, K, item_dim), (B, context_dim) -> (B, K)."""
        first = self[0]
        assert isinstance(first, nn.Linear)
        item_part = nn.functional.linear(items, first.weight[:, : self.item_dim])
        context_part = nn.functional.linear(context, first.weight[:, self.item_dim :], first.bias)
        return self[2](self[1](item_part + context_part[:, None])).squeeze(-1)

    def score_zero_item(self, context: torch.Tensor) -> torch.Tensor:
        """(B, context_dim) -> (B, 1): the score of an all-zero item (a padding slot)."""
        first = self[0]
        assert isinstance(first, nn.Linear)
        return self[2](self[1](nn.functional.linear(context, first.weight[:, self.item_dim :], first.bias)))


def used_rows(items: torch.Tensor) -> int:
    """How many leading rows of (B, K, D) ``items`` hold every nonzero row of the batch."""
    if tracing():
        return items.shape[1]
    nonzero = items.abs().amax(dim=(0, 2)).nonzero()
    return int(nonzero.max()) + 1 if nonzero.numel() else 0


def score_items(
    scorer: PairScorer, items: torch.Tensor, context: torch.Tensor, size: int | None = None
) -> torch.Tensor:
    """``scorer`` over (B, K, D) ``items``, padded with zero items to ``size`` (default K);
    trailing all-zero rows (padding) all get the zero item's score, computed once."""
    k = items.shape[1] if size is None else size
    used = used_rows(items)
    if used == k:
        return scorer(items, context)
    zero = scorer.score_zero_item(context).expand(-1, k - used)
    if used == 0:
        return zero
    return torch.cat([scorer(items[:, :used], context), zero], dim=1)
