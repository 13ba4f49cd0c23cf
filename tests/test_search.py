"""The search agent (issue 14, part 3): rollouts over ``fork()`` guided by the hint-aware
heuristic. It starts from the heuristic's own episode and only ever takes a strictly
cheaper plan, so it never ends above the heuristic; it is deterministic under a rollout
budget; and every copy it forks is closed (the allocation server is left with no child
once the episodes are over).

The default tests use a few small held-out functions and a small budget; ``--runslow``
runs a larger sample with the budget ``rl4real evaluate`` uses.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest
from conftest import TARGETS

import rl4real_gym  # noqa: F401  (registers the environments)
from agents.algorithms.search import SearchAgent
from agents.algorithms.simple import HeuristicAgent
from rl4real_gym.cli import main
from rl4real_gym.driver.server import AllocationServer
from rl4real_gym.registration import ENV_IDS

SMALL = {"max_nodes": 32, "max_edges": 2048, "max_split_points": 32}
PATIENCE = 10.0  # seconds the server's children get to exit after their socket closes
# A held-out x86 function on which a small search finds a cheaper allocation than its guide
# (the guide's copy of 0.075 more: measured with width 3, 64 rollouts).
IMPROVES = ("x86", "call_recdescent.O1.jfree")


def make(target: str, **kwargs: Any) -> gym.Env:
    env_id = next(k for k, v in ENV_IDS.items() if v == target)
    return gym.make(env_id, **{**SMALL, "split": "test", **kwargs})


def episode(env: gym.Env, agent: Any, function: str) -> tuple[float, list[int]]:
    """(cost, actions) of one episode of ``agent`` on ``function``."""
    obs, _ = env.reset(options={"function": function})
    actions = []
    while True:
        action, _ = agent.predict(obs, action_masks=env.unwrapped.action_masks())
        actions.append(int(action))
        obs, _, terminated, truncated, info = env.step(int(action))
        if terminated or truncated:
            return float(info["cost"]), actions


def server_children() -> list[int]:
    """The pids whose parent is the allocation server (episodes and fork copies)."""
    server = AllocationServer.shared()._process.pid
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        if ppid == server:
            children.append(int(stat.parent.name))
    return children


def wait_no_children() -> list[int]:
    deadline = time.monotonic() + PATIENCE
    while (left := server_children()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def functions(env: gym.Env, count: int) -> list[str]:
    return [e.id for e in env.unwrapped.candidates[:count]]


@pytest.mark.parametrize("target", TARGETS)
def test_never_worse_than_its_guide_and_leaves_no_process(target: str) -> None:
    env = make(target)
    try:
        names = functions(env, 3)
        guide = HeuristicAgent(env.unwrapped.layout)
        search = SearchAgent(env, width=3, max_rollouts=16)
        for name in names:
            guide_cost, _ = episode(env, guide, name)
            cost, _ = episode(env, search, name)
            stats = search.stats[-1]
            assert stats.function == name
            assert stats.rollouts <= 16
            assert math.isclose(stats.guide_cost, guide_cost, rel_tol=1e-9, abs_tol=1e-9)
            assert cost <= guide_cost * (1 + 1e-9) + 1e-9, (name, cost, guide_cost)
            # The episode ends at the cost of the plan it followed.
            assert math.isclose(stats.cost, cost, rel_tol=1e-9, abs_tol=1e-9), (name, stats)
    finally:
        env.close()
    assert wait_no_children() == []


def test_finds_a_cheaper_allocation_than_its_guide() -> None:
    target, name = IMPROVES
    env = make(target, max_nodes=64)
    try:
        guide_cost, _ = episode(env, HeuristicAgent(env.unwrapped.layout), name)
        search = SearchAgent(env, width=3, max_rollouts=64)
        cost, _ = episode(env, search, name)
        assert cost < guide_cost - 1e-6, (cost, guide_cost)
        assert search.stats[-1].improvements >= 1
    finally:
        env.close()
    assert wait_no_children() == []


@pytest.mark.parametrize("target", TARGETS)
def test_deterministic(target: str) -> None:
    env = make(target)
    try:
        name = functions(env, 2)[-1]
        runs = [episode(env, SearchAgent(env, width=4, max_rollouts=24), name) for _ in range(2)]
        assert runs[0] == runs[1]
    finally:
        env.close()


def test_budget_is_kept_and_width_one_is_the_guide() -> None:
    env = make("x86")
    try:
        name = functions(env, 1)[0]
        guide = episode(env, HeuristicAgent(env.unwrapped.layout), name)
        one = SearchAgent(env, width=1, max_rollouts=50)
        assert episode(env, one, name) == guide
        assert one.stats[-1].rollouts == 1  # only the guide's own rollout: no alternative
        capped = SearchAgent(env, width=8, max_rollouts=5)
        cost, _ = episode(env, capped, name)
        assert capped.stats[-1].rollouts <= 5
        assert cost <= guide[0] + 1e-9
    finally:
        env.close()
    assert wait_no_children() == []


def test_evaluate_reports_search_with_its_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--target", "aarch64", "--split", "test", "--limit", "3", "--agents", "heuristic,search",
                 "--llvm", "greedy", "--max-nodes", "160", "--search-width", "3", "--search-budget", "8",
                 "--out", str(tmp_path), "--no-progress", "--model", "none"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "search (width 3, 8 rollouts per function): 3 functions searched, 0 " in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.split()}
    assert float(rows["search"][2]) <= float(rows["heuristic"][2]) + 1e-9
    functions_csv = (tmp_path / "functions.csv").read_text()
    assert functions_csv.count(",search,") == 3
    assert len((tmp_path / "search.csv").read_text().splitlines()) == 4  # a header and a row per function
    assert wait_no_children() == []


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_never_worse_on_a_larger_sample(target: str) -> None:
    env = make(target, max_nodes=64)
    try:
        guide = HeuristicAgent(env.unwrapped.layout)
        search = SearchAgent(env, width=8, max_rollouts=512)
        for name in functions(env, 12):
            guide_cost, _ = episode(env, guide, name)
            cost, _ = episode(env, search, name)
            assert cost <= guide_cost * (1 + 1e-9) + 1e-9, (name, cost, guide_cost)
    finally:
        env.close()
    assert wait_no_children() == []
