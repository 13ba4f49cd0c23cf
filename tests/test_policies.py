"""The policy networks' structure: the scoring head ranks nodes by what they are, not by
their slot, and its logits line up with the env's action segments."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sb3_contrib")

from agents.policies.scoring import GraphScoringPolicy  # noqa: E402
from rl4real_gym.driver.state import NUM_NODE_FEATURES, NUM_REGISTER_FEATURES  # noqa: E402
from rl4real_gym.envs.spaces import Layout, observation_space  # noqa: E402

LAYOUT = Layout(max_nodes=8, max_edges=16, num_colours=5, max_split_points=4)


def make_policy() -> GraphScoringPolicy:
    import gymnasium as gym

    torch.manual_seed(0)
    space = observation_space(LAYOUT)
    policy = GraphScoringPolicy(space, gym.spaces.Discrete(LAYOUT.num_actions), lambda _: 1e-3)
    for p in policy.action_net.parameters():  # the output layers start near zero: make them count
        torch.nn.init.normal_(p, std=0.5)
    return policy


def observation(order: np.ndarray) -> dict[str, np.ndarray]:
    """Six nodes in a path graph 0-1-2-3-4-5, relabelled by ``order`` (old -> new slot)."""
    rng = np.random.default_rng(1)
    feats = np.zeros((LAYOUT.max_nodes, NUM_NODE_FEATURES), np.float32)
    feats[order] = rng.normal(size=(6, NUM_NODE_FEATURES)).astype(np.float32)
    mask = np.zeros(LAYOUT.max_nodes, np.int8)
    mask[order] = 1
    edges = np.zeros((LAYOUT.max_edges, 2), np.int32)
    path = np.array([[order[i], order[i + 1]] for i in range(5)])
    edges[:5] = np.sort(path, axis=1)
    return {
        "node_features": feats, "node_mask": mask, "edge_index": edges, "num_edges": np.array([5], np.int32),
        "phase": 0, "current_node": np.array([-1], np.int32),
        "split_features": np.zeros((LAYOUT.max_split_points, 5), np.float32),
        "register_features": np.zeros((LAYOUT.num_colours + 1, NUM_REGISTER_FEATURES), np.float32),
        "action_mask": np.ones(LAYOUT.num_actions, np.int8),
    }  # fmt: skip


def node_logits(policy: GraphScoringPolicy, obs: dict[str, np.ndarray]) -> np.ndarray:
    tensor, _ = policy.obs_to_tensor(obs)
    with torch.no_grad():
        features = policy.extract_features(tensor, policy.pi_features_extractor)
        logits = policy.action_net(policy.mlp_extractor.forward_actor(features))
    assert logits.shape == (1, LAYOUT.num_actions)
    return logits[0, : LAYOUT.max_nodes].numpy()


def test_node_scores_follow_the_node_not_its_slot() -> None:
    policy = make_policy()
    identity = np.arange(6)
    moved = np.array([7, 2, 5, 0, 3, 6])
    before = node_logits(policy, observation(identity))
    after = node_logits(policy, observation(moved))
    np.testing.assert_allclose(after[moved], before[identity], rtol=1e-4, atol=1e-5)
    assert np.ptp(before[:6]) > 1e-3  # nodes are told apart


def test_critic_reads_the_graph() -> None:
    policy = make_policy()
    a, _ = policy.obs_to_tensor(observation(np.arange(6)))
    b_obs = observation(np.arange(6))
    b_obs["node_features"][:6] *= 3
    b, _ = policy.obs_to_tensor(b_obs)
    with torch.no_grad():
        assert not torch.allclose(policy.predict_values(a), policy.predict_values(b))


def test_spill_gate_makes_p_spill_independent_of_which_registers_are_free() -> None:
    """With the spill gate the masked colour distribution is sigmoid(z) for spill and the
    rest shared among the free registers, whichever (and however many) they are."""
    import gymnasium as gym
    from sb3_contrib.common.maskable.distributions import MaskableCategoricalDistribution

    torch.manual_seed(0)
    space = observation_space(LAYOUT)
    policy = GraphScoringPolicy(space, gym.spaces.Discrete(LAYOUT.num_actions), lambda _: 1e-3,
                                features_extractor_kwargs={"spill_gate": True})  # fmt: skip
    for p in policy.action_net.parameters():
        torch.nn.init.normal_(p, std=0.5)
    torch.nn.init.normal_(policy.action_net.spill.weight, std=0.01)  # a spill probability well inside (0, 1)
    torch.nn.init.constant_(policy.action_net.spill.bias, 0.3)
    spill = LAYOUT.colour_start + LAYOUT.num_colours
    p_spill = []
    for free in ([0, 1], [3], [1, 2, 3, 4], []):
        obs = observation(np.arange(6))
        obs["phase"], obs["current_node"] = 2, np.array([2], np.int32)
        mask = np.zeros(LAYOUT.num_actions, np.int8)
        mask[[LAYOUT.colour_start + c for c in free] + [spill]] = 1
        obs["action_mask"] = mask
        tensor, _ = policy.obs_to_tensor(obs)
        with torch.no_grad():
            features = policy.extract_features(tensor, policy.pi_features_extractor)
            logits = policy.action_net(policy.mlp_extractor.forward_actor(features))
        dist = MaskableCategoricalDistribution(LAYOUT.num_actions).proba_distribution(logits)
        dist.apply_masking(mask[None].astype(bool))
        probs = dist.distribution.probs[0].numpy()
        assert probs[mask == 0].sum() < 1e-6
        assert logits.abs().max() < 1e3  # masking works on normalised logits: no huge values anywhere
        p_spill.append(probs[spill])
    assert 0.01 < p_spill[0] < 0.99
    np.testing.assert_allclose(p_spill[:3], p_spill[0], rtol=1e-4)
    assert p_spill[3] == pytest.approx(1.0)  # nothing free: spill is the only legal choice


def test_colour_logits_follow_the_register_features_not_the_slot() -> None:
    """The register features are scored by one network shared by all registers: with the
    per-slot colour layer silenced, two registers with the same features get the same
    logit, and swapping two registers' features swaps their logits."""
    policy = make_policy()
    torch.nn.init.zeros_(policy.action_net.colour.weight)
    torch.nn.init.zeros_(policy.action_net.colour.bias)
    rng = np.random.default_rng(3)
    obs = observation(np.arange(6))
    obs["phase"], obs["current_node"] = 2, np.array([2], np.int32)
    registers = rng.normal(size=(LAYOUT.num_colours + 1, NUM_REGISTER_FEATURES)).astype(np.float32)
    registers[3] = registers[1]
    obs["register_features"] = registers

    def colour_logits(o: dict[str, np.ndarray]) -> np.ndarray:
        tensor, _ = policy.obs_to_tensor(o)
        with torch.no_grad():
            features = policy.extract_features(tensor, policy.pi_features_extractor)
            logits = policy.action_net(policy.mlp_extractor.forward_actor(features))
        return logits[0, LAYOUT.colour_start : LAYOUT.split_start].numpy()

    before = colour_logits(obs)
    assert before[1] == pytest.approx(before[3], abs=1e-6)
    assert np.ptp(before[[0, 1, 2, 4]]) > 1e-3  # registers are told apart by their features
    swapped = {**obs, "register_features": registers[[2, 1, 0, 3, 4, 5]]}
    after = colour_logits(swapped)
    np.testing.assert_allclose(after[[2, 1, 0, 3, 4]], before[[0, 1, 2, 3, 4]], rtol=1e-5, atol=1e-6)
