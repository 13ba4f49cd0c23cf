"""Warm start by imitation: expert demonstrations are legal decisions with the returns
that followed, and behaviour cloning makes a MaskablePPO policy pick the expert's actions."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sb3_contrib")

from agents.algorithms.imitation import clone, collect, discounted_returns, make_expert, predicted_actions  # noqa: E402
from agents.config import ConfigError, TrainConfig  # noqa: E402


def test_discounted_returns_by_hand() -> None:
    np.testing.assert_allclose(discounted_returns([1.0, 0.0, 2.0], 0.5), [1.5, 1.0, 2.0])


def test_warm_start_is_validated() -> None:
    with pytest.raises(ConfigError, match="warm_start"):
        TrainConfig(warm_start="greedy").validate()
    with pytest.raises(ConfigError, match="bc_episodes"):
        TrainConfig(warm_start="heuristic", bc_episodes=0).validate()


@pytest.fixture(scope="module")
def demos():
    from rl4real_gym.envs.regalloc_env import RegAllocEnv

    env = RegAllocEnv("x86", max_nodes=32, max_edges=512, max_split_points=8, reward="cost")
    try:
        yield collect(env, make_expert("heuristic", env, search_width=2, search_budget=4), 6, 0.99, progress=False)
    finally:
        env.close()


def test_demonstrations_are_the_experts_legal_decisions(demos) -> None:
    steps = len(demos)
    assert demos.episodes == 6 and steps > 6
    assert demos.masks[np.arange(steps), demos.actions].all()  # every expert action was legal
    assert all(v.shape[0] == steps for v in demos.observations.values()) and demos.returns.shape == (steps,)
    phases = demos.observations["phase"]
    assert set(np.unique(phases)) >= {0, 1, 2}  # node, task and colour decisions
    assert np.isfinite(demos.mean_cost_ratio) and demos.mean_cost_ratio > 0


def test_cloning_makes_the_policy_pick_the_experts_actions(demos) -> None:
    import gymnasium as gym

    from agents.policies.scoring import GraphScoringPolicy
    from rl4real_gym.envs.spaces import Layout, observation_space
    from rl4real_gym.targets import get_target

    torch.manual_seed(0)
    layout = Layout(32, 512, get_target("x86").num_colours, 8)
    policy = GraphScoringPolicy(observation_space(layout), gym.spaces.Discrete(layout.num_actions), lambda _: 3e-3)
    history = clone(policy, demos, epochs=8, batch_size=64, progress=False)
    assert len(history) == 8
    assert history[-1].actor_loss < 0.6 * history[0].actor_loss
    assert history[-1].accuracy > history[0].accuracy and history[-1].accuracy > 0.6
    assert history[-1].value_loss < history[0].value_loss


def test_priority_features_by_hand() -> None:
    from agents.policies.scoring import priority_features

    # Items 0..4; item 3 is not legal. Order: larger first key, then larger second, then index.
    first = torch.tensor([[2.0, 5.0, 2.0, 9.0, 5.0]])
    second = torch.tensor([[1.0, 0.0, 1.0, 0.0, 1.0]])
    legal = torch.tensor([[True, True, True, False, True]])
    out = priority_features([first, second], legal)
    position = torch.tensor([[2.0, 1.0, 3.0, 0.0, 0.0]])  # 4 (5, 1), 1 (5, 0), 0 (2, 1, index 0), 2
    torch.testing.assert_close(out[..., 0], torch.tensor([[0.0, 0.0, 0.0, 0.0, 1.0]]))
    torch.testing.assert_close(out[..., 1], torch.log1p(position) * legal)
    torch.testing.assert_close(out[..., 2], torch.tensor([[3.0, 0.0, 3.0, 0.0, 0.0]]))


def test_cloned_policy_agrees_with_the_heuristic(demos) -> None:
    """BC fidelity: with the priority columns, a briefly cloned policy's most likely action
    is the heuristic's at (almost) every decision it was cloned on. Without them it was
    not (the heaviest node's ties are broken by slot index, and small weight differences
    decide): 56% of x86 node selections after 20 epochs (docs/learning.md)."""
    import gymnasium as gym

    from agents.policies.scoring import GraphScoringPolicy
    from rl4real_gym.envs.spaces import Layout, observation_space
    from rl4real_gym.targets import get_target

    torch.manual_seed(0)
    layout = Layout(32, 512, get_target("x86").num_colours, 8)
    policy = GraphScoringPolicy(observation_space(layout), gym.spaces.Discrete(layout.num_actions), lambda _: 3e-4,
                                features_extractor_kwargs={"priority": True})  # fmt: skip
    clone(policy, demos, epochs=30, batch_size=64, learning_rate=3e-3, progress=False)
    agreement = float((predicted_actions(policy, demos) == demos.actions).mean())
    assert agreement >= 0.97, agreement


def test_shipped_policy_is_the_default_model(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Without --model and MODEL_PATH, commands use agents/models/<target>/policy.onnx;
    ``--model none`` means no model; MODEL_PATH comes before the shipped policy."""
    pytest.importorskip("onnxruntime")
    from agents.inference import SHIPPED_DIR, load_meta, resolve_model, shipped_model

    monkeypatch.delenv("MODEL_PATH", raising=False)
    for target in ("x86", "aarch64"):
        path = shipped_model(target)
        assert path == SHIPPED_DIR / target / "policy.onnx" and load_meta(path).target == target
    assert resolve_model(None, None) == str(SHIPPED_DIR / "x86" / "policy.onnx")
    assert resolve_model("none", "x86") is None and resolve_model("m.zip", "x86") == "m.zip"
    assert shipped_model("riscv64") is None
    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "mine.zip"))
    assert resolve_model(None, "x86") == str((tmp_path / "mine.zip").resolve())
