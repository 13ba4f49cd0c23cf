"""The shared message-passing trunk (agents/policies/graph.py): the sparse neighbour mean,
the trimming of unused padding and the per-item scorer compute exactly what the dense
N x N formulation computed, for every graph policy (gnn, gnn-scoring, REINFORCE), in
forward and in gradients; and ONNX export still takes any batch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sb3_contrib")

import gymnasium as gym  # noqa: E402

from agents.policies import graph  # noqa: E402
from agents.policies.gnn import InterferenceGraphExtractor  # noqa: E402
from agents.policies.scoring import GraphScoringPolicy  # noqa: E402
from rl4real_gym.driver.state import NUM_NODE_FEATURES, NUM_REGISTER_FEATURES, NUM_SPLIT_FEATURES  # noqa: E402
from rl4real_gym.envs.spaces import Layout, observation_space  # noqa: E402

LAYOUT = Layout(max_nodes=40, max_edges=200, num_colours=7, max_split_points=6)


def random_graph(rng: np.random.Generator, nodes: int, edges: int) -> np.ndarray:
    """``edges`` distinct undirected pairs i < j among ``nodes`` nodes (the env's format)."""
    pairs = np.array([(i, j) for i in range(nodes) for j in range(i + 1, nodes)], np.int32).reshape(-1, 2)
    return pairs[rng.choice(len(pairs), size=min(edges, len(pairs)), replace=False)]


def random_batch(seed: int, batch: int = 6) -> dict[str, torch.Tensor]:
    """Observations of varied sizes: padding, isolated nodes, garbage in padded edge rows,
    an edge to a removed (masked) node, every phase, with and without a current node."""
    rng = np.random.default_rng(seed)
    n, e = LAYOUT.max_nodes, LAYOUT.max_edges
    obs: dict[str, list[np.ndarray]] = {k: [] for k in observation_space(LAYOUT).spaces}
    for b in range(batch):
        nodes = int(rng.integers(1, n // 2))
        edges = random_graph(rng, nodes, int(rng.integers(0, 3 * nodes)))
        edge_index = rng.integers(0, n, size=(e, 2)).astype(np.int32)  # padding rows hold garbage
        edge_index[: len(edges)] = edges
        mask = np.zeros(n, np.int8)
        mask[:nodes] = 1
        if nodes > 2 and b % 2:
            mask[nodes - 1] = 0  # a removed node still listed in edges
        feats = np.zeros((n, NUM_NODE_FEATURES), np.float32)
        feats[:nodes] = rng.normal(size=(nodes, NUM_NODE_FEATURES))
        phase = b % 4
        registers = np.zeros((LAYOUT.num_colours + 1, NUM_REGISTER_FEATURES), np.float32)
        if phase == 2:
            registers[:-1] = rng.normal(size=(LAYOUT.num_colours, NUM_REGISTER_FEATURES))
        splits = np.zeros((LAYOUT.max_split_points, NUM_SPLIT_FEATURES), np.float32)
        if phase == 3:
            splits[:3] = rng.normal(size=(3, NUM_SPLIT_FEATURES))
        values = {
            "node_features": feats, "node_mask": mask, "edge_index": edge_index,
            "num_edges": np.array([len(edges)], np.int32), "phase": np.array(phase),
            "current_node": np.array([-1 if phase == 0 else int(rng.integers(0, nodes))], np.int32),
            "split_features": splits, "register_features": registers,
            "action_mask": phase_mask(phase, nodes),
        }  # fmt: skip
        for key, value in values.items():
            obs[key].append(value)
    return {k: torch.as_tensor(np.stack(v)) for k, v in obs.items()}


def phase_mask(phase: int, nodes: int) -> np.ndarray:
    """Every action of the phase's segment legal (nodes: the existing ones)."""
    mask = np.zeros(LAYOUT.num_actions, np.int8)
    segments = {0: (0, nodes), 1: (LAYOUT.max_nodes, LAYOUT.colour_start),
                2: (LAYOUT.colour_start, LAYOUT.split_start), 3: (LAYOUT.split_start, LAYOUT.num_actions)}  # fmt: skip
    start, stop = segments[phase]
    mask[start:stop] = 1
    return mask


def dense_pair_score(self: graph.PairScorer, items: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
    """The scorer as it was: the MLP over [item, context] concatenated for every item."""
    joined = torch.cat([items, context[:, None].expand(-1, items.shape[1], -1)], dim=-1)
    return torch.nn.Sequential.forward(self, joined).squeeze(-1)


def dense_mean(self: graph.Neighbourhood, h: torch.Tensor) -> torch.Tensor:
    return graph.dense_neighbour_mean(h, self.edge_index, self.num_edges)


@pytest.fixture
def dense(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Context in which the trunk computes the old way: dense adjacency, full padding,
    concatenated scorer inputs."""

    @contextmanager
    def reference() -> Iterator[None]:
        with monkeypatch.context() as m:
            m.setattr(graph.Neighbourhood, "mean", dense_mean)
            m.setattr(graph, "used_nodes", lambda mask, *_: mask.shape[1])
            m.setattr(graph, "used_edges", lambda _num, max_edges: max_edges)
            m.setattr(graph, "used_rows", lambda items: items.shape[1])
            m.setattr(graph.PairScorer, "forward", dense_pair_score)
            yield

    return reference  # type: ignore[return-value]


@pytest.mark.parametrize("traced", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_sparse_neighbour_mean_equals_the_dense_one(seed: int, traced: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both sparse forms: the CSR product (training) and the scatter (ONNX export)."""
    monkeypatch.setattr(graph, "tracing", lambda: traced)
    obs = random_batch(seed)
    h = torch.randn(obs["node_features"].shape[0], LAYOUT.max_nodes, 16, generator=torch.Generator().manual_seed(seed))
    sparse = graph.neighbour_mean(h, obs["edge_index"], obs["num_edges"])
    reference = graph.dense_neighbour_mean(h, obs["edge_index"], obs["num_edges"])
    torch.testing.assert_close(sparse, reference, rtol=1e-5, atol=1e-6)
    assert sparse.abs().sum() > 0


def test_neighbour_mean_by_hand() -> None:
    """Path 0-1-2 plus an isolated node 3: node 1 averages 0 and 2, node 3 gets zero."""
    h = torch.tensor([[[1.0], [10.0], [100.0], [7.0]]])
    edges = torch.tensor([[[0, 1], [1, 2], [3, 3]]])  # the last row is padding
    out = graph.neighbour_mean(h, edges, torch.tensor([[2]]))
    torch.testing.assert_close(out, torch.tensor([[[10.0], [50.5], [10.0], [0.0]]]))


def _scoring_policy(spill_gate: bool, priority: bool = False) -> GraphScoringPolicy:
    torch.manual_seed(0)
    policy = GraphScoringPolicy(observation_space(LAYOUT), gym.spaces.Discrete(LAYOUT.num_actions), lambda _: 1e-3,
                                features_extractor_kwargs={"spill_gate": spill_gate, "priority": priority})  # fmt: skip
    for p in policy.action_net.parameters():  # the output layers start near zero: make them count
        torch.nn.init.normal_(p, std=0.5)
    return policy


def _scoring_outputs(policy: GraphScoringPolicy, obs: dict[str, Any]) -> tuple[torch.Tensor, ...]:
    policy.zero_grad()
    tensor = {k: v.float() for k, v in obs.items()}
    features = policy.extract_features(tensor, policy.pi_features_extractor)  # one-hot phase: SB3's preprocessing
    logits = policy.action_net(policy.mlp_extractor.forward_actor(features))
    values = policy.value_net(policy.mlp_extractor.forward_critic(features))
    # What PPO sees: log-probabilities of the legal actions (masked logits are never read).
    legal = obs["action_mask"].bool()
    log_probs = torch.log_softmax(logits.masked_fill(~legal, -1e8), dim=1).masked_fill(~legal, 0.0)
    ((log_probs * torch.linspace(0.5, 1.5, logits.shape[1])).sum() + values.sum()).backward()
    grads = [p.grad.clone() if p.grad is not None else torch.zeros_like(p) for p in policy.parameters()]
    return log_probs.detach(), values.detach(), *grads


@pytest.mark.parametrize(("spill_gate", "priority"), [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("seed", range(3))
def test_scoring_policy_equals_the_dense_computation(dense: Any, seed: int, spill_gate: bool, priority: bool) -> None:
    policy = _scoring_policy(spill_gate, priority)
    obs = random_batch(seed)
    fast = _scoring_outputs(policy, obs)
    with dense():
        reference = _scoring_outputs(policy, obs)
    assert_all_close(fast, reference)


def assert_all_close(fast: tuple[torch.Tensor, ...], reference: tuple[torch.Tensor, ...]) -> None:
    """Equal up to float32 rounding, relative to each tensor's scale (gradients reach ~100)."""
    for a, b in zip(fast, reference, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5 * max(1.0, float(b.detach().abs().max())))


def test_gnn_extractor_and_reinforce_equal_the_dense_computation(dense: Any) -> None:
    from agents.algorithms.reinforce import MaskedPolicy

    torch.manual_seed(0)
    obs = random_batch(7)
    extractor = InterferenceGraphExtractor(observation_space(LAYOUT))
    tensor = {k: v.float() for k, v in obs.items()}
    reinforce = MaskedPolicy(LAYOUT, NUM_NODE_FEATURES, NUM_SPLIT_FEATURES)
    floats = {**tensor, "phase": torch.nn.functional.one_hot(obs["phase"].long(), 4).float()}
    fast = (extractor(floats), *reinforce(tensor))
    with dense():
        reference = (extractor(floats), *reinforce(tensor))
    assert_all_close(fast, reference)


def test_trimming_keeps_everything_a_batch_uses() -> None:
    obs = random_batch(3)
    n = graph.used_nodes(obs["node_mask"], obs["edge_index"], obs["num_edges"])
    valid = graph.valid_edges(obs["num_edges"], LAYOUT.max_edges)
    endpoints = obs["edge_index"][valid]
    assert obs["node_mask"][:, n:].sum() == 0 and endpoints.max() < n
    assert obs["node_mask"][:, n - 1].any() or (endpoints == n - 1).any()  # and no more than that
    assert graph.used_edges(obs["num_edges"], LAYOUT.max_edges) == int(obs["num_edges"].max())
    items = torch.zeros(2, 9, 3)
    items[1, 4, 0] = 1.0
    assert graph.used_rows(items) == 5 and graph.used_rows(torch.zeros(2, 9, 3)) == 0


@pytest.mark.parametrize("priority", [False, True])
def test_onnx_export_is_not_trimmed_to_the_example_batch(tmp_path: Any, priority: bool) -> None:
    """The exported graph must take graphs larger than the example it was traced with."""
    ort = pytest.importorskip("onnxruntime")
    from agents.onnx_export import SB3Logits

    policy = _scoring_policy(False, priority).eval()
    small, large = random_batch(0, batch=1), random_batch(11, batch=3)
    small["num_edges"][:] = 1
    small["node_mask"][:, 3:] = 0
    keys = list(observation_space(LAYOUT).spaces)
    module = SB3Logits(policy)

    def inputs(obs: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        return [obs[k].float().reshape(obs[k].shape[0], -1) if obs[k].ndim == 1 else obs[k].float() for k in keys]

    path = tmp_path / "p.onnx"
    with torch.no_grad():
        torch.onnx.export(module, tuple(inputs(small)), str(path), input_names=keys, output_names=["logits"],
                          dynamic_axes={**{k: {0: "batch"} for k in keys}, "logits": {0: "batch"}},
                          opset_version=17, dynamo=False)  # fmt: skip
        expected = module(*inputs(large)).numpy()
    session = ort.InferenceSession(str(path))
    feed = {k: v.numpy() for k, v in zip(keys, inputs(large), strict=True)}
    got = session.run(None, {i.name: feed[i.name] for i in session.get_inputs()})[0]  # unused inputs are dropped
    legal = large["action_mask"].bool()

    def log_probs(logits: np.ndarray) -> torch.Tensor:  # eagerly, segments outside their phase are left at 0
        return torch.log_softmax(torch.as_tensor(logits).masked_fill(~legal, -1e8), dim=1)[legal]

    torch.testing.assert_close(log_probs(got), log_probs(expected), rtol=1e-4, atol=1e-4)
