"""Decoded protocol states: plain dataclasses of numpy arrays."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from rl4real_gym.schema import (
    NODE_FEATURE_NAMES,
    NUM_NODE_FEATURES,
    NUM_REGISTER_FEATURES,
    NUM_SPLIT_FEATURES,
    REGISTER_FEATURE_NAMES,
    SPLIT_FEATURE_NAMES,
    ActionKind,
    Phase,
)

__all__ = [
    "NODE_FEATURE_NAMES", "NUM_NODE_FEATURES", "NUM_REGISTER_FEATURES", "NUM_SPLIT_FEATURES",
    "REGISTER_FEATURE_NAMES", "SPLIT_FEATURE_NAMES", "ActionKind", "AllocationFigures", "DecisionState",
    "GraphView", "NodeStatus", "Phase", "decode_state",
]  # fmt: skip

PHASE_ACTION = {
    Phase.SELECT_NODE: ActionKind.SELECT_NODE,
    Phase.SELECT_TASK: ActionKind.SELECT_TASK,
    Phase.COLOUR: ActionKind.COLOUR,
    Phase.SPLIT: ActionKind.SPLIT,
}


class NodeStatus(enum.IntEnum):
    PENDING = 0
    ASSIGNED = 1
    SPILLED = 2
    GONE = 3


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


MAX_DELTA_CHAIN = 1024
"""Deltas a lazily decoded array may stack up before it is materialised anyway."""


class _Lazy:
    """One array of one state, as its predecessor's plus a delta, built on first access.

    The plugin sends only what changed; a policy that never reads an array (the
    heuristic never reads the edges) then never pays for copying it. Built arrays are
    read-only and shared by the states that did not change them.
    """

    __slots__ = ("_array", "_base", "_delta", "_depth")

    def __init__(self, array: np.ndarray | None = None, base: _Lazy | None = None, delta: Any = None) -> None:
        self._array = None if array is None else _frozen(array)
        self._base = base
        self._delta = delta
        self._depth = 0 if base is None else base._depth + 1
        if array is None and self._depth > MAX_DELTA_CHAIN:
            self.get()

    def get(self) -> np.ndarray:
        if self._array is None:
            chain: list[_Lazy] = []
            link: _Lazy = self
            while link._array is None:
                chain.append(link)
                assert link._base is not None
                link = link._base
            chain.reverse()
            self._array = _frozen(self._apply(link._array, [later._delta for later in chain]))
            self._base = self._delta = None
            self._depth = 0
        return self._array

    def _apply(self, array: np.ndarray, deltas: list[Any]) -> np.ndarray:
        """``array`` with ``deltas`` applied in order (a new array)."""
        raise NotImplementedError


class _LazyRows(_Lazy):
    """Deltas ``(n, rows, values)``: the array grown to ``n`` rows, ``rows`` replaced."""

    __slots__ = ()

    def _apply(self, array: np.ndarray, deltas: list[Any]) -> np.ndarray:
        n = deltas[-1][0]  # node counts only grow within a chain (a new function starts one)
        new = np.zeros((n, *array.shape[1:]), array.dtype)
        keep = min(n, array.shape[0])
        new[:keep] = array[:keep]
        for _, rows, values in deltas:
            new[rows] = values
        return new


class _LazyEdges(_Lazy):
    """Deltas ``(n, dropped, added)``: every edge of the ``dropped`` nodes removed, then
    the ``added`` edges appended."""

    __slots__ = ()

    def _apply(self, edges: np.ndarray, deltas: list[Any]) -> np.ndarray:
        n = deltas[-1][0]
        dead = np.zeros(n, bool)
        added: list[np.ndarray] = []
        for _, dropped, new in deltas:  # compose first, so the edge list is copied once
            if dropped.size:
                now = np.zeros(n, bool)
                now[dropped] = True
                added = [a[~(now[a[:, 0]] | now[a[:, 1]])] for a in added]
                dead |= now
            if new.size:
                added.append(new)
        if dead.any():
            edges = edges[~(dead[edges[:, 0]] | dead[edges[:, 1]])]
        return np.concatenate([edges, *added]) if added else edges.copy()


class GraphView:
    """The interference graph as the plugin last sent it.

    Every array is read-only and stays valid after later steps (states are decoded as
    deltas against their predecessor, and built on first access).
    """

    __slots__ = ("_colour", "_edges", "_features", "_status", "_weight", "num_nodes", "version")

    def __init__(
        self, version: int, features: np.ndarray | _Lazy, status: np.ndarray | _Lazy,
        colour: np.ndarray | _Lazy, weight: np.ndarray | _Lazy, edges: np.ndarray | _Lazy,
        num_nodes: int | None = None,
    ) -> None:  # fmt: skip
        def lazy(a: np.ndarray | _Lazy) -> _Lazy:
            return a if isinstance(a, _Lazy) else _Lazy(a)

        self.version = version
        self._features, self._status, self._colour = lazy(features), lazy(status), lazy(colour)
        self._weight, self._edges = lazy(weight), lazy(edges)
        self.num_nodes = int(self._status.get().shape[0]) if num_nodes is None else num_nodes

    @property
    def features(self) -> np.ndarray:
        """float32 (N, NUM_NODE_FEATURES)."""
        return self._features.get()

    @property
    def status(self) -> np.ndarray:
        """int8 (N,), NodeStatus."""
        return self._status.get()

    @property
    def colour(self) -> np.ndarray:
        """int32 (N,), -1 if unassigned."""
        return self._colour.get()

    @property
    def weight(self) -> np.ndarray:
        """float32 (N,), inf if unspillable."""
        return self._weight.get()

    @property
    def edges(self) -> np.ndarray:
        """int32 (E, 2), undirected, each pair once (i < j)."""
        return self._edges.get()

    @property
    def num_edges(self) -> int:
        return int(self.edges.shape[0])


@dataclass(frozen=True)
class AllocationFigures:
    """Block-frequency-weighted cost and counts of one function's allocation."""

    weighted_cost: float = 0.0
    reload_cost: float = 0.0
    spill_cost: float = 0.0
    copy_cost: float = 0.0
    reloads: int = 0
    spills: int = 0
    folded_reloads: int = 0
    folded_spills: int = 0
    copies: int = 0
    splits: int = 0
    spilled_vregs: int = 0
    evictions: int = 0
    agent_decisions: int = 0
    heuristic_decisions: int = 0
    # Callee-saved saves/restores after PEI (rl4real-csr-cost); not in weighted_cost.
    csr_measured: bool = False
    csr_cost: float = 0.0
    csr_save_cost: float = 0.0
    csr_restore_cost: float = 0.0
    csr_saves: int = 0
    csr_restores: int = 0

    @property
    def cost_with_csr(self) -> float:
        """``weighted_cost`` plus the callee-saved save/restore cost."""
        return self.weighted_cost + self.csr_cost

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> AllocationFigures:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


@dataclass(frozen=True)
class DecisionState:
    """One state of the plugin's decision loop."""

    phase: Phase
    function: str
    current_node: int
    mask: np.ndarray  # bool, legal choices of this phase
    graph: GraphView
    split_features: np.ndarray  # float32 (P, NUM_SPLIT_FEATURES)
    figures: AllocationFigures
    last_weight: float
    last_split_weight: float
    error: str
    step: int
    colours: tuple[str, ...] = field(default=())
    target_triple: str = ""
    # COLOUR phase: per colour of the target's table (and a last, all-zero row for
    # spill), the REGISTER_FEATURE_NAMES columns for the current node; (0, K) otherwise.
    register_features: np.ndarray = field(default_factory=lambda: NO_REGISTER_FEATURES)
    # How many decisions of the last action (its plan included) the plugin applied.
    applied: int = 0

    @property
    def done(self) -> bool:
        return self.phase in (Phase.FUNCTION_DONE, Phase.MODULE_DONE)


NO_REGISTER_FEATURES = np.zeros((0, NUM_REGISTER_FEATURES), np.float32)
NO_REGISTER_FEATURES.flags.writeable = False


def _array(data: bytes, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
    itemsize = np.dtype(dtype).itemsize
    if len(data) % itemsize:
        raise ValueError(
            f"malformed protocol message: {len(data)} bytes is not a whole number of {itemsize}-byte values"
        )
    arr = np.frombuffer(data, dtype=dtype)
    expected = 1
    for dim in shape:
        expected *= dim
    if arr.size != expected:
        raise ValueError(f"malformed protocol message: expected {expected} values, got {arr.size}")
    return arr.reshape(shape)


EMPTY_GRAPH = GraphView(
    version=0,
    features=np.zeros((0, NUM_NODE_FEATURES), np.float32),
    status=np.zeros(0, np.int8),
    colour=np.zeros(0, np.int32),
    weight=np.zeros(0, np.float32),
    edges=np.zeros((0, 2), np.int32),
)


def _patched(old: _Lazy, n: int, rows: np.ndarray, values: np.ndarray) -> _Lazy:
    """``old``'s array grown (or cut) to ``n`` rows, with ``rows`` replaced by ``values``."""
    if rows.size == n:  # every row: nothing of the predecessor is left
        new = np.empty((n, *values.shape[1:]), values.dtype)
        new[rows] = values
        return _Lazy(new)
    return _LazyRows(base=old, delta=(n, rows, values))


def _in_range(values: np.ndarray, n: int, what: str) -> np.ndarray:
    if values.size and (int(values.min()) < 0 or int(values.max()) >= n):
        raise ValueError(f"malformed protocol message: {what} outside 0..{n - 1}")
    return values


def decode_graph(msg: Any, previous: GraphView) -> GraphView:
    """Applies a ``Graph`` delta (changed rows; the edge list, or how it changed) to ``previous``.

    Arrays of earlier views are never modified: states stay valid after later steps.
    """
    n, f = msg.num_nodes, msg.num_features
    if f != NUM_NODE_FEATURES:
        raise ValueError(
            f"plugin sends {f} node features, this package expects {NUM_NODE_FEATURES}: "
            "rebuild the plugin (rl4real build-plugin)"
        )
    rows = _in_range(_array(msg.rows, np.int32, (len(msg.rows) // 4,)), n, "a row")
    k = rows.size
    if n > previous.num_nodes and k < n - previous.num_nodes:
        raise ValueError("malformed protocol message: new nodes without their rows")
    if msg.has_edges:
        whole = _in_range(_array(msg.edges, np.int32, (msg.num_edges, 2)), n, "an interference edge")
        edges: _Lazy = _Lazy(whole.copy())
    elif msg.dropped_nodes or msg.added_edges:
        dropped = _array(msg.dropped_nodes, np.int32, (len(msg.dropped_nodes) // 4,))
        added = _array(msg.added_edges, np.int32, (len(msg.added_edges) // 8, 2))
        delta = (n, _in_range(dropped, n, "a dropped node"), _in_range(added, n, "an added edge"))
        edges = _LazyEdges(base=previous._edges, delta=delta)
    else:
        edges = previous._edges
    return GraphView(
        version=int(msg.version),
        features=_patched(previous._features, n, rows, _array(msg.node_features, np.float32, (k, f))),
        status=_patched(previous._status, n, rows, _array(msg.node_status, np.int8, (k,))),
        colour=_patched(previous._colour, n, rows, _array(msg.node_colour, np.int32, (k,))),
        weight=_patched(previous._weight, n, rows, _array(msg.node_weight, np.float32, (k,))),
        edges=edges,
        num_nodes=n,
    )


_PHASES = tuple(Phase)
_FIGURES: dict[bytes, AllocationFigures] = {}  # the running figures repeat from step to step
_FIGURE_FIELDS = tuple(f.name for f in fields(AllocationFigures))  # the proto's Figures fields, same names


def decode_figures(fig: Any) -> AllocationFigures:
    """A ``Figures`` message as :class:`AllocationFigures` (equal messages, one object:
    it is immutable)."""
    key = fig.SerializeToString()
    figures = _FIGURES.get(key)
    if figures is None:
        if len(_FIGURES) > 1024:
            _FIGURES.clear()
        figures = _FIGURES[key] = AllocationFigures(**{name: getattr(fig, name) for name in _FIGURE_FIELDS})
    return figures


def decode_state(msg: Any, previous: GraphView | None) -> DecisionState:
    """Turns a ``State`` message into a :class:`DecisionState`.

    The graph comes as a delta against ``previous`` (the last graph decoded on the same
    connection), and not at all when nothing in it changed.
    """
    base = previous or EMPTY_GRAPH
    graph = decode_graph(msg.graph, base) if msg.HasField("graph") else base
    k = msg.num_split_features or NUM_SPLIT_FEATURES
    split = np.frombuffer(msg.split_features, np.float32)
    if split.size % k:
        raise ValueError("malformed protocol message: split features")
    registers = NO_REGISTER_FEATURES
    if msg.register_features:
        if msg.num_register_features != NUM_REGISTER_FEATURES:
            raise ValueError(
                f"plugin sends {msg.num_register_features} register features, this package expects "
                f"{NUM_REGISTER_FEATURES}: rebuild the plugin (rl4real build-plugin)"
            )
        registers = np.frombuffer(msg.register_features, np.float32)
        if registers.size % NUM_REGISTER_FEATURES:
            raise ValueError("malformed protocol message: register features")
        registers = registers.reshape(-1, NUM_REGISTER_FEATURES)
    return DecisionState(
        phase=_PHASES[msg.phase],
        function=msg.function_name,
        current_node=int(msg.current_node),
        mask=np.frombuffer(msg.mask, np.uint8).astype(bool),
        graph=graph,
        split_features=split.reshape(-1, k),
        figures=decode_figures(msg.figures),
        last_weight=float(msg.last_weight),
        last_split_weight=float(msg.last_split_weight),
        error=msg.error,
        step=int(msg.step),
        colours=tuple(msg.colours),
        target_triple=msg.target,
        register_features=registers,
        applied=int(msg.applied),
    )
