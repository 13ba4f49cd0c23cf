"""The heuristic's split-when-blocked rule: split a node no register is free for at its
coldest legal point instead of spilling it (benchmarks/heuristic_variants.py measures it)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import rl4real_gym  # noqa: F401
from agents.algorithms.simple import HeuristicAgent
from rl4real_gym.driver.policies import Decision, HeuristicPolicy, coldest_split_point
from rl4real_gym.driver.state import Phase
from rl4real_gym.schema import NUM_SPLIT_FEATURES, SPLIT_FEATURES


def task(blocked: bool, split_legal: bool = True) -> Decision:
    return Decision(Phase.SELECT_TASK, np.array([True, split_legal]), np.zeros(0), np.zeros((0, 0)), blocked)


def test_splits_only_a_blocked_node_and_only_when_it_may() -> None:
    rule = HeuristicPolicy(split_when_blocked=True)
    assert rule.choose(task(blocked=True)) == 1
    assert rule.choose(task(blocked=False)) == 0
    assert rule.choose(task(blocked=True, split_legal=False)) == 0
    assert HeuristicPolicy().choose(task(blocked=True)) == 0  # the default never splits


def test_split_point_is_the_coldest_then_the_nearest_the_middle() -> None:
    points = np.zeros((5, NUM_SPLIT_FEATURES), np.float32)
    points[:, SPLIT_FEATURES["log_block_freq"]] = [2.0, 1.0, 3.0, 1.0, 1.0]
    points[:, SPLIT_FEATURES["position"]] = [0.5, 0.1, 0.5, 0.45, 0.9]
    assert coldest_split_point(np.arange(5), points) == 3  # cold, and nearest the middle
    assert coldest_split_point(np.array([0, 1, 2]), points) == 1  # only the legal ones
    decision = Decision(Phase.SPLIT, np.array([True, True, False, False, True]), np.zeros(0), np.zeros((0, 0)),
                        False, points)  # fmt: skip
    assert HeuristicPolicy(split_when_blocked=True).choose(decision) == 4  # point 3 is not legal here


def play(env: gym.Env, agent: HeuristicAgent, function: str) -> dict:
    obs, info = env.reset(options={"function": function})
    while True:
        action, _ = agent.predict(obs, env.unwrapped.action_masks())
        obs, _, terminated, truncated, info = env.step(int(action))
        if terminated or truncated:
            assert terminated and not truncated
            return info


@pytest.mark.parametrize("function", ["bt_search.O2.subset_sum", "bt_search.O1.colour"])
def test_splitting_blocked_nodes_lowers_the_cost_where_the_heuristic_spills(function: str) -> None:
    env = gym.make("RL4ReAl-x86-v2", split="validation", reward="cost", max_nodes=128, max_edges=2048,
                   max_split_points=32)  # fmt: skip
    try:
        layout = env.unwrapped.layout
        plain = play(env, HeuristicAgent(layout), function)
        split = play(env, HeuristicAgent(layout, split_when_blocked=True), function)
    finally:
        env.close()
    assert plain["spills"] > 0 and plain["splits"] == 0
    assert split["splits"] > 0
    assert split["cost"] < plain["cost"]
