"""The flat action space's segments and the observation layout: pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from gymnasium import spaces

from rl4real_gym.driver.state import (
    NUM_NODE_FEATURES,
    NUM_REGISTER_FEATURES,
    NUM_SPLIT_FEATURES,
    ActionKind,
    DecisionState,
    GraphView,
    NodeStatus,
    Phase,
)

FEATURE_LOW, FEATURE_HIGH = -1.0, 1.0e6


def _read_only(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True)
class Layout:
    """Sizes fixed at make time and the flat action space's segments.

    ========== ===================== =====================================
    segment    actions               meaning
    ========== ===================== =====================================
    node       [0, N)                select node i
    task       [N, N+2)              0: colour or spill, 1: split
    colour     [N+2, N+2+C+1)        physical register c; the last: spill
    split      [N+3+C, N+3+C+U)      split before the node's j-th use
    ========== ===================== =====================================
    """

    max_nodes: int
    max_edges: int
    num_colours: int
    max_split_points: int

    @property
    def task_start(self) -> int:
        return self.max_nodes

    @property
    def colour_start(self) -> int:
        return self.max_nodes + 2

    @property
    def split_start(self) -> int:
        return self.colour_start + self.num_colours + 1

    @property
    def num_actions(self) -> int:
        return self.split_start + self.max_split_points

    @cached_property
    def segments(self) -> dict[Phase, tuple[int, int]]:
        """Per deciding phase, its segment's first action and its number of actions."""
        return {
            Phase.SELECT_NODE: (0, self.max_nodes),
            Phase.SELECT_TASK: (self.task_start, 2),
            Phase.COLOUR: (self.colour_start, self.num_colours + 1),
            Phase.SPLIT: (self.split_start, self.max_split_points),
        }

    @cached_property
    def empty_split_features(self) -> np.ndarray:
        """The split features outside the split phase (read-only zeros)."""
        return _read_only(np.zeros((self.max_split_points, NUM_SPLIT_FEATURES), np.float32))

    @cached_property
    def empty_register_features(self) -> np.ndarray:
        """The register features outside the colour phase (read-only zeros)."""
        return _read_only(np.zeros((self.num_colours + 1, NUM_REGISTER_FEATURES), np.float32))

    def segment_start(self, phase: Phase) -> int:
        return self.segments[phase][0]

    def decode(self, action: int) -> tuple[ActionKind, int]:
        """Flat action -> (protocol action kind, value within the segment)."""
        if action < self.task_start:
            return ActionKind.SELECT_NODE, action
        if action < self.colour_start:
            return ActionKind.SELECT_TASK, action - self.task_start
        if action < self.split_start:
            return ActionKind.COLOUR, action - self.colour_start
        return ActionKind.SPLIT, action - self.split_start

    def encode(self, phase: Phase, value: int) -> int:
        return self.segment_start(phase) + value


def observation_space(layout: Layout) -> spaces.Dict:
    n, e, u = layout.max_nodes, layout.max_edges, layout.max_split_points
    return spaces.Dict(
        {
            "node_features": spaces.Box(FEATURE_LOW, FEATURE_HIGH, (n, NUM_NODE_FEATURES), np.float32),
            "node_mask": spaces.MultiBinary(n),
            "edge_index": spaces.Box(0, max(n - 1, 0), (e, 2), np.int32),
            "num_edges": spaces.Box(0, e, (1,), np.int32),
            "phase": spaces.Discrete(4),
            "current_node": spaces.Box(-1, n - 1, (1,), np.int32),
            "split_features": spaces.Box(FEATURE_LOW, FEATURE_HIGH, (u, NUM_SPLIT_FEATURES), np.float32),
            "register_features": spaces.Box(
                FEATURE_LOW, FEATURE_HIGH, (layout.num_colours + 1, NUM_REGISTER_FEATURES), np.float32
            ),
            "action_mask": spaces.MultiBinary(layout.num_actions),
        }
    )


def flat_mask(state: DecisionState, layout: Layout) -> np.ndarray:
    """The current phase's legal choices placed in the flat action space."""
    mask = np.zeros(layout.num_actions, dtype=bool)
    segment = layout.segments.get(state.phase)
    if segment is None:  # the function or module is done
        return mask
    start, limit = segment
    legal = state.mask[:limit]
    mask[start : start + legal.size] = legal
    return mask


def _padded_nodes(g: GraphView, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    n = min(g.num_nodes, layout.max_nodes)
    feats = np.zeros((layout.max_nodes, NUM_NODE_FEATURES), np.float32)
    np.clip(g.features[:n], FEATURE_LOW, FEATURE_HIGH, out=feats[:n])
    node_mask = np.zeros(layout.max_nodes, np.int8)
    node_mask[:n] = g.status[:n] != NodeStatus.GONE
    return feats, node_mask


def _padded_edges(g: GraphView, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    n = min(g.num_nodes, layout.max_nodes)
    edges = g.edges
    if g.num_nodes > n:
        edges = edges[(edges[:, 0] < n) & (edges[:, 1] < n)]
    edges = edges[: layout.max_edges]
    edge_index = np.zeros((layout.max_edges, 2), np.int32)
    edge_index[: len(edges)] = edges
    return edge_index, np.array([len(edges)], np.int32)


def build_observation(
    state: DecisionState,
    layout: Layout,
    mask: np.ndarray,
    previous: tuple[DecisionState, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Pads the state's arrays to the layout's fixed sizes.

    With ``previous`` (the last state and the observation built from it), the padded
    node and edge arrays are reused when the graph's arrays are the same objects (the
    driver makes new ones for every change), so a step that changes nothing in the graph
    costs no padding. Nothing is modified in place: earlier observations stay valid.
    """
    g = state.graph
    old = previous[0].graph if previous is not None else None
    if old is not None and previous is not None and old.features is g.features and old.status is g.status:
        feats, node_mask = previous[1]["node_features"], previous[1]["node_mask"]
    else:
        feats, node_mask = _padded_nodes(g, layout)
    same_size = old is not None and old.num_nodes == g.num_nodes
    if previous is not None and same_size and old is not None and old.edges is g.edges:
        edge_index, num_edges = previous[1]["edge_index"], previous[1]["num_edges"]
    else:
        edge_index, num_edges = _padded_edges(g, layout)
    split = layout.empty_split_features
    if state.phase == Phase.SPLIT:
        split = np.zeros((layout.max_split_points, NUM_SPLIT_FEATURES), np.float32)
        k = min(len(state.split_features), layout.max_split_points)
        np.clip(state.split_features[:k], FEATURE_LOW, FEATURE_HIGH, out=split[:k])
    registers = layout.empty_register_features
    if state.phase == Phase.COLOUR and state.register_features.shape[0] == layout.num_colours + 1:
        registers = np.clip(state.register_features, FEATURE_LOW, FEATURE_HIGH)
    phase = int(state.phase) if state.phase <= Phase.SPLIT else 0
    current = state.current_node if 0 <= state.current_node < layout.max_nodes else -1
    return {
        "node_features": feats,
        "node_mask": node_mask,
        "edge_index": edge_index,
        "num_edges": num_edges,
        "phase": phase,
        "current_node": np.array([current], np.int32),
        "split_features": split,
        "register_features": registers,
        "action_mask": mask.astype(np.int8),
    }
