"""Edge deltas decoded lazily, and action plans (several decisions per round trip).

The plugin side of the deltas is checked by -rl4real-self-check
(test_fast_path.py::test_state_kept_incrementally_matches_a_fresh_computation); here, the
Python side against plain set arithmetic, and plans against the real allocator.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import TARGETS

from rl4real_gym import proto
from rl4real_gym.dataset import load_dataset
from rl4real_gym.driver import ActionKind, Phase, ServerSession, SessionLimits
from rl4real_gym.driver.policies import HeuristicPolicy, policy_plan
from rl4real_gym.driver.state import EMPTY_GRAPH, NUM_NODE_FEATURES, PHASE_ACTION, decode_graph

BIG = SessionLimits(max_nodes=100000, max_edges=10**7)


def graph_message(n: int, *, edges=None, dropped=(), added=()) -> object:
    """A Graph delta with no changed row beyond the new nodes' (all zero)."""
    pb = proto.load()
    msg = pb.Graph(version=1, num_nodes=n, num_features=NUM_NODE_FEATURES)
    msg.rows = np.arange(n, dtype=np.int32).tobytes()
    msg.node_features = np.zeros((n, NUM_NODE_FEATURES), np.float32).tobytes()
    msg.node_status = np.zeros(n, np.int8).tobytes()
    msg.node_colour = np.zeros(n, np.int32).tobytes()
    msg.node_weight = np.zeros(n, np.float32).tobytes()
    if edges is not None:
        msg.has_edges = True
        msg.num_edges = len(edges)
        msg.edges = np.asarray(edges, np.int32).reshape(-1, 2).tobytes()
    if len(dropped):
        msg.dropped_nodes = np.asarray(dropped, np.int32).tobytes()
    if len(added):
        msg.added_edges = np.asarray(added, np.int32).reshape(-1, 2).tobytes()
    return msg


def as_set(edges: np.ndarray) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in edges}


def test_edge_deltas_rebuild_the_edge_set_and_old_views_stay_valid() -> None:
    """Random drops and additions over 300 steps, read at random moments (so some chains
    are built long after they were decoded, through several deltas at once): every view
    holds exactly the set arithmetic's edges, before and after later views were built."""
    rng = np.random.default_rng(0)
    n = 40
    truth = {(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.2}
    view = decode_graph(graph_message(n, edges=sorted(truth)), EMPTY_GRAPH)
    views = [(view, set(truth))]
    for _ in range(300):
        dropped = [int(x) for x in rng.choice(n, size=int(rng.integers(0, 3)), replace=False)]
        truth = {e for e in truth if e[0] not in dropped and e[1] not in dropped}
        missing = [(i, j) for i in range(n) for j in range(i + 1, n) if (i, j) not in truth]
        picked = [missing[k] for k in rng.choice(len(missing), size=int(rng.integers(0, 4)), replace=False)]
        truth |= set(picked)
        view = decode_graph(graph_message(n, dropped=dropped, added=picked), view)
        views.append((view, set(truth)))
        if rng.random() < 0.1:
            assert as_set(view.edges) == truth
    for old, expected in views:
        edges = old.edges
        assert as_set(edges) == expected and len(edges) == len(expected)
        assert not edges.flags.writeable


def test_malformed_edge_deltas_are_clear_errors() -> None:
    view = decode_graph(graph_message(4, edges=[(0, 1)]), EMPTY_GRAPH)
    with pytest.raises(ValueError, match="dropped node outside"):
        decode_graph(graph_message(4, dropped=[7]), view)
    with pytest.raises(ValueError, match="added edge outside"):
        decode_graph(graph_message(4, added=[(1, 9)]), view)


def drive_figures(module: str, target: str, planned: bool) -> tuple[dict, int, int]:
    """The heuristic over a whole module, a plan per round trip or a decision per round trip:
    (final figures by function, round trips, decisions applied)."""
    policy = HeuristicPolicy()
    trips = applied = 0
    with ServerSession(module, target, limits=BIG) as session:
        state = session.start()
        while state.phase != Phase.MODULE_DONE:
            if state.phase == Phase.FUNCTION_DONE:
                state = session.step(ActionKind.NEXT)
                continue
            plan = policy_plan(policy, state) if planned else [(PHASE_ACTION[state.phase], policy(state))]
            state = session.step(*plan[0], then=plan[1:])
            assert state.applied >= 1, state.error
            trips += 1
            applied += state.applied
        session.finish()
        return session.figures, trips, applied


@pytest.mark.parametrize("target", TARGETS)
def test_heuristic_plans_allocate_exactly_as_decision_by_decision(target: str) -> None:
    """The heuristic's plans (task after node, next node after a colour) make the same
    allocation as asking for every decision, in far fewer round trips, on the largest
    bundled functions (many spills) and a few small ones."""
    dataset = load_dataset(target)
    by_size = sorted(dataset.entries, key=lambda e: -e.num_nodes)
    trips = {False: 0, True: 0}
    for entry in [*by_size[:3], *by_size[-200::50]]:
        module = str(dataset.module_path(entry))
        single, trips_single, _ = drive_figures(module, target, planned=False)
        planned, trips_planned, applied = drive_figures(module, target, planned=True)
        assert planned == single, entry.id
        assert applied >= trips_single - 1  # every decision but the rejected guesses'
        trips[False] += trips_single
        trips[True] += trips_planned
    assert trips[True] * 2 < trips[False], trips


def test_a_plan_stops_at_its_first_illegal_decision(small_ir) -> None:
    with ServerSession(small_ir["x86"], "x86") as session:
        state = session.start()
        node = int(np.flatnonzero(state.mask)[0])
        # select, colour-or-spill, then an impossible colour index, then more
        state = session.step(ActionKind.SELECT_NODE, node, then=[(ActionKind.SELECT_TASK, 0),
                             (ActionKind.COLOUR, 10**6), (ActionKind.COLOUR, 0)])  # fmt: skip
        assert state.applied == 2 and state.error and state.phase == Phase.COLOUR
        assert state.current_node == node
        free = int(np.flatnonzero(state.mask)[0])
        state = session.step(ActionKind.COLOUR, free)
        assert state.applied == 1 and not state.error and state.phase == Phase.SELECT_NODE


def test_a_plan_cannot_hold_fork_or_next(small_ir) -> None:
    with ServerSession(small_ir["x86"], "x86") as session:
        state = session.start()
        for kind in (ActionKind.FORK, ActionKind.NEXT):
            with pytest.raises(ValueError, match="plan cannot hold"):
                session.step(ActionKind.SELECT_NODE, int(np.flatnonzero(state.mask)[0]), then=[(kind, 0)])
