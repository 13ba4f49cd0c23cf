"""Expert iteration (DAgger with one-step rollout labels): a label is never worse than the
heuristic by the search's own rollouts, the guide's rollout from the first state is the
heuristic's episode, and a short run makes the policy agree with the labels of its own states."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sb3_contrib")

from agents.algorithms.expert_iteration import collect_labelled, iterate, label_state, relabel  # noqa: E402
from agents.algorithms.imitation import predicted_actions  # noqa: E402
from agents.algorithms.search import SearchAgent  # noqa: E402
from agents.algorithms.simple import HeuristicAgent  # noqa: E402
from agents.config import ConfigError, TrainConfig  # noqa: E402

SIZES = {"max_nodes": 32, "max_edges": 512, "max_split_points": 8}


@pytest.fixture()
def env():
    from rl4real_gym.envs.regalloc_env import RegAllocEnv

    env = RegAllocEnv("x86", reward="cost", **SIZES)
    try:
        yield env
    finally:
        env.close()


def heuristic_cost(env, function: str) -> float:
    guide = HeuristicAgent(env.layout)
    obs, _ = env.reset(options={"function": function})
    while True:
        action, _ = guide.predict(obs, action_masks=env.action_masks())
        obs, _, terminated, truncated, info = env.step(int(action))
        if terminated or truncated:
            return float(info["cost"])


def test_labels_are_legal_and_never_worse_than_the_heuristic(env) -> None:
    search = SearchAgent(env, env.layout, width=4, max_rollouts=1)
    guide = HeuristicAgent(env.layout)
    functions = [e.id for e in env.candidates[:3]]
    for function in functions:
        expected = heuristic_cost(env, function)
        obs, _ = env.reset(options={"function": function})
        for step in range(6):
            mask = env.action_masks()
            g = int(guide.predict(obs, action_masks=mask)[0])
            label = label_state(search, guide, obs, mask, g, margin=0.0, min_gain=0.0)
            assert label.guide == g and mask[label.action]
            if step == 0:  # the guide's rollout from the first state is the heuristic's episode
                assert label.costs[g] == pytest.approx(expected, rel=1e-9, abs=1e-9)
            assert label.costs[label.action] <= label.costs[g]
            assert label.gain == pytest.approx(label.costs[g] - label.costs[label.action])
            strict = label_state(search, guide, obs, mask, g, margin=1.0, min_gain=0.0)  # needs a cost < 0
            assert strict.action == g and strict.gain == 0.0
            obs, _, terminated, truncated, _ = env.step(g)
            if terminated or truncated:
                break
        # the lookahead took nothing from the env's own episode: it still ends at the heuristic's cost
        while True:
            obs, _, terminated, truncated, info = env.step(int(guide.predict(obs, action_masks=env.action_masks())[0]))
            if terminated or truncated:
                break
        assert info["cost"] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_collection_labels_the_learners_departures(env) -> None:
    """A learner that always spills when it may leaves the heuristic; those states are all
    labelled, and every label is a legal action."""

    class Spiller:
        def predict(self, obs, action_masks, deterministic=True):
            spill = env.layout.colour_start + env.layout.num_colours
            if int(np.asarray(obs["phase"]).reshape(-1)[0]) == 2 and action_masks[spill]:
                return spill, None
            return HeuristicAgent(env.layout).predict(obs, action_masks=action_masks)

    search = SearchAgent(env, env.layout, width=3, max_rollouts=1)
    demos, stats = collect_labelled(env, Spiller(), search, 2, 0.99, seed=5, label_share=0.0, max_labels=10**6,
                                    margin=0.0, min_gain=0.0, progress=False)  # fmt: skip
    assert stats.episodes == 2 and stats.decisions == len(demos)
    assert stats.learner_deviations > 0 and stats.labelled == stats.learner_deviations  # share 0: only departures
    assert stats.corrected + stats.kept <= stats.learner_deviations
    assert stats.corrected > 0  # spilling everything does not pay everywhere
    assert demos.masks[np.arange(len(demos)), demos.actions].all()
    # The same rollouts decide the labels again at another margin.
    assert len(stats.table) == stats.labelled
    np.testing.assert_array_equal(relabel(demos, stats, 0.0, 0.0).actions, demos.actions)
    strict = relabel(demos, stats, 1.0, 0.0, deviation_weight=3.0)  # no deviation pays: all guide labels
    assert all(strict.actions[i] == guide for i, guide, *_ in stats.table)
    assert (strict.weight_array() == 1.0).all()
    loose = relabel(demos, stats, 0.0, 0.0, deviation_weight=3.0)
    deviations = [i for i, guide, best, g_cost, b_cost in stats.table if b_cost < g_cost]
    assert (loose.weight_array()[deviations] == 3.0).all() and loose.weight_array().sum() == len(demos) + 2 * len(
        deviations
    )


def test_config_checks_expert_iteration() -> None:
    TrainConfig(warm_start="expert-iteration").validate()
    with pytest.raises(ConfigError, match="ei_label_share"):
        TrainConfig(warm_start="expert-iteration", ei_label_share=1.5).validate()


def test_a_short_run_makes_the_policy_agree_with_its_labels(env) -> None:
    import gymnasium as gym

    from agents.policies.scoring import GraphScoringPolicy
    from rl4real_gym.envs.spaces import observation_space

    torch.manual_seed(0)
    policy = GraphScoringPolicy(observation_space(env.layout), gym.spaces.Discrete(env.layout.num_actions),
                                lambda _: 1e-3)  # fmt: skip
    config = TrainConfig(warm_start="expert-iteration", ei_iterations=2, bc_episodes=4, bc_search_width=3,
                         bc_epochs=12, batch_size=64, ei_label_share=0.3, seed=2)  # fmt: skip
    # Iteration 0's data, before any cloning: the fresh policy's agreement with it.
    search = SearchAgent(env, env.layout, width=3, max_rollouts=1)
    first, _ = collect_labelled(env, None, search, 4, config.gamma, seed=config.seed + 17, label_share=0.3,
                                max_labels=24, margin=0.0, min_gain=0.0, progress=False)  # fmt: skip
    before = float((predicted_actions(policy, first) == first.actions).mean())
    records = iterate(policy, env, config, progress=False, log=lambda _: None)
    assert [r.iteration for r in records] == [0, 1]
    assert records[0].data == len(first)  # iteration 0 labels the same states (same seed) as above
    assert records[1].data > records[0].data  # DAgger aggregates
    assert records[0].stats.learner_deviations == 0  # iteration 0 plays the heuristic
    after = float((predicted_actions(policy, first) == first.actions).mean())
    assert after > before and after > 0.8
    assert records[-1].epochs[-1].accuracy > records[0].epochs[0].accuracy
