"""The Gymnasium environments on the bundled dataset (or DATA_DIR)."""

from __future__ import annotations

import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from conftest import TARGETS
from gymnasium.utils.env_checker import check_env

import rl4real_gym  # noqa: F401  (registers the environments)
from rl4real_gym.envs.regalloc_env import RegAllocEnv
from rl4real_gym.errors import InvalidActionError
from rl4real_gym.registration import ENV_IDS as REGISTERED

ENV_IDS = {target: env_id for env_id, target in REGISTERED.items()}
SMALL = {"max_nodes": 128, "max_edges": 2048, "max_split_points": 32}


def make(target: str, **kwargs) -> RegAllocEnv:
    env = gym.make(ENV_IDS[target], **{**SMALL, **kwargs})
    return env.unwrapped  # type: ignore[return-value]


def random_masked_episode(env: RegAllocEnv, rng: np.random.Generator, seed: int, **reset_kw):
    obs, info = env.reset(seed=seed, **reset_kw)
    trajectory = [(obs, 0.0)]
    while True:
        mask = env.action_masks()
        assert mask.any(), f"empty mask before termination in {info['function']}"
        assert env.observation_space.contains(obs)
        assert np.array_equal(obs["action_mask"].astype(bool), mask)
        action = int(rng.choice(np.flatnonzero(mask)))
        obs, reward, terminated, truncated, info = env.step(action)
        trajectory.append((obs, reward))
        assert not info["invalid_action"]
        if terminated or truncated:
            return trajectory, info, terminated


@pytest.mark.parametrize("target", TARGETS)
def test_check_env(target: str) -> None:
    env = make(target)
    check_env(env)
    env.close()


@pytest.mark.parametrize("target", TARGETS)
def test_random_masked_agent_is_verifier_clean(target: str) -> None:
    env = make(target, verify=True, split=None)
    rng = np.random.default_rng(1)
    for seed in range(12):
        _, info, terminated = random_masked_episode(env, rng, seed)
        assert terminated
        assert "llc_error" not in info, info.get("llc_error")
        for key in ("cost", "spills", "reloads", "splits", "copies", "greedy_cost", "figures"):
            assert key in info
        assert info["cost"] >= 0
    env.close()


def test_same_seed_same_actions_same_trajectory() -> None:
    def run() -> list:
        env = make("x86")
        rng = np.random.default_rng(5)
        traj, _, _ = random_masked_episode(env, rng, seed=11)
        env.close()
        return traj

    a, b = run(), run()
    assert len(a) == len(b)
    for (obs_a, r_a), (obs_b, r_b) in zip(a, b, strict=True):
        assert r_a == r_b
        for key in obs_a:
            assert np.array_equal(obs_a[key], obs_b[key]), key


def test_illegal_action_is_a_penalised_no_op() -> None:
    env = make("x86", illegal_action_penalty=-0.5)
    obs, _ = env.reset(seed=0)
    illegal = int(np.flatnonzero(~env.action_masks())[0])
    obs2, reward, terminated, truncated, info = env.step(illegal)
    assert info["invalid_action"] and reward == -0.5 and not terminated and not truncated
    for key in obs:
        assert np.array_equal(obs[key], obs2[key])
    env.close()


def test_illegal_action_can_raise() -> None:
    env = make("x86", illegal_action="raise")
    env.reset(seed=0)
    illegal = int(np.flatnonzero(~env.action_masks())[0])
    with pytest.raises(InvalidActionError, match="not legal in phase SELECT_NODE"):
        env.step(illegal)
    with pytest.raises(ValueError):  # InvalidActionError is a ValueError
        env.step(env.action_space.n + 3)
    env.close()


def test_reset_to_a_named_function_and_rewards() -> None:
    env = make("x86", reward="vs_greedy")
    name = env.candidates[0].id
    _, info = env.reset(options={"function": name})
    assert info["function"] == name
    total = 0.0
    while True:
        legal = np.flatnonzero(env.action_masks())
        _, reward, terminated, truncated, info = env.step(int(legal[0]))
        total += reward
        if terminated or truncated:
            break
    greedy = info["greedy_cost"]
    assert reward == pytest.approx((greedy - info["cost"]) / max(greedy, 1.0))
    env.close()


def test_spill_cost_reward_is_minus_the_cost() -> None:
    env = make("aarch64", reward="spill_cost")
    rng = np.random.default_rng(3)
    traj, info, _ = random_masked_episode(env, rng, seed=2)
    assert traj[-1][1] == pytest.approx(-info["cost"])
    assert all(r == 0.0 for _, r in traj[:-1])
    env.close()


def test_max_episode_steps_truncates_with_complete_figures() -> None:
    env = make("x86", max_steps=4, split=None, min_nodes=10)
    env.reset(seed=0)
    for _ in range(4):
        _, _, terminated, truncated, info = env.step(int(np.flatnonzero(env.action_masks())[0]))
    assert truncated and not terminated
    assert "max_steps=4" in info["truncated_reason"]
    assert info["figures"]["heuristic_decisions"] > 0
    env.close()


def test_llc_killed_mid_episode_truncates_and_next_reset_works() -> None:
    env = make("x86")
    env.reset(seed=0)
    env.step(int(np.flatnonzero(env.action_masks())[0]))
    assert env._session is not None
    env._session.kill()
    _, _, terminated, truncated, info = env.step(int(np.flatnonzero(env.action_masks())[0]))
    assert truncated and not terminated
    assert "llc failed" in info["truncated_reason"]
    obs, _ = env.reset(seed=1)
    assert env.observation_space.contains(obs)
    env.close()


def test_render_ansi_and_close_twice() -> None:
    env = make("aarch64", render_mode="ansi")
    env.reset(seed=0)
    text = env.render()
    assert isinstance(text, str) and "phase=SELECT_NODE" in text and "pending" in text
    env.close()
    env.close()


def test_selection_report_explains_skips() -> None:
    env = make("x86", max_nodes=16, split=None)
    assert all(e.num_nodes <= 16 for e in env.candidates)
    assert "more than max_nodes=16" in str(env.selection_report)
    env.close()


def test_import_is_light_and_module_prefixed_make_works() -> None:
    code = (
        "import sys, gymnasium as gym\n"
        "import rl4real_gym\n"
        "assert 'torch' not in sys.modules and 'grpc' not in sys.modules, 'heavy import'\n"
        "env = gym.make('rl4real_gym:RL4ReAl-aarch64-v2', max_nodes=128, max_edges=2048)\n"
        "env.reset(seed=0); env.close(); print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_rl4real_step_rewards() -> None:
    from rl4real_gym.driver.state import ActionKind
    from rl4real_gym.envs.rewards import step_reward, terminal_reward

    class S:  # the two fields step_reward reads
        def __init__(self, w: float, split_w: float = 0.0) -> None:
            self.last_weight, self.last_split_weight = w, split_w

    assert step_reward("rl4real", ActionKind.COLOUR, 3, 10, S(500.0)) == pytest.approx(0.05)
    assert step_reward("rl4real", ActionKind.COLOUR, 10, 10, S(500.0)) == pytest.approx(-0.05)  # spill
    assert step_reward("rl4real", ActionKind.COLOUR, 0, 10, S(float("inf"))) == 0.0  # unspillable: weight 0
    assert step_reward("rl4real", ActionKind.SPLIT, 0, 10, S(300.0, 200.0)) == pytest.approx(0.01)
    assert step_reward("rl4real", ActionKind.SPLIT, 0, 10, S(float("inf"), 50.0)) == pytest.approx(-0.005)
    # Split then colour both parts earns what colouring the whole would have.
    split = step_reward("rl4real", ActionKind.SPLIT, 0, 10, S(300.0, 450.0))
    parts = sum(step_reward("rl4real", ActionKind.COLOUR, 0, 10, S(w)) for w in (200.0, 250.0, float("inf")))
    assert split + parts == pytest.approx(step_reward("rl4real", ActionKind.COLOUR, 0, 10, S(300.0)))
    assert step_reward("vs_greedy", ActionKind.COLOUR, 3, 10, S(500.0)) == 0.0
    assert terminal_reward("rl4real", 5.0, 9.0, 6.0) == 10.0
    assert terminal_reward("rl4real", 7.0, 9.0, 6.0) == -10.0
    assert terminal_reward("vs_greedy", 5.0, 10.0, 0.0) == pytest.approx(0.5)
    assert terminal_reward("spill_cost", 5.0, 10.0, 0.0) == -5.0


@pytest.mark.parametrize("target", TARGETS)
def test_free_registers_feature_matches_the_colour_mask(target: str) -> None:
    """Node feature ``log_free_registers`` (kept incrementally by the plugin) must equal the
    number of registers the colour phase offers, after any mix of colours, spills and splits."""
    from rl4real_gym.driver.state import NODE_FEATURE_NAMES

    column = NODE_FEATURE_NAMES.index("log_free_registers")
    env = make(target, split=None)
    lay = env.layout
    rng = np.random.default_rng(7)
    checked = 0
    for seed in range(4):
        obs, _ = env.reset(seed=seed)
        while True:
            mask = env.action_masks()
            if int(obs["phase"]) == 2:
                node = int(obs["current_node"][0])
                offered = int(mask[lay.colour_start : lay.colour_start + lay.num_colours].sum())
                assert round(float(np.expm1(obs["node_features"][node, column]))) == offered
                checked += 1
            obs, _, terminated, truncated, _ = env.step(int(rng.choice(np.flatnonzero(mask))))
            if terminated or truncated:
                break
    assert checked > 50
    env.close()


def test_cost_reward_charges_a_spill_when_the_node_is_doomed() -> None:
    from types import SimpleNamespace

    from rl4real_gym.driver.state import NODE_FEATURE_NAMES, NUM_REGISTER_FEATURES, ActionKind
    from rl4real_gym.envs.rewards import doomed_potential, step_reward, terminal_reward

    col = {name: i for i, name in enumerate(NODE_FEATURE_NAMES)}

    def state(free: list[int], pending: list[int], current: int = -1, done: bool = False) -> SimpleNamespace:
        f = np.zeros((2, len(NODE_FEATURE_NAMES)), np.float32)
        f[:, col["spillable"]] = 1
        f[:, col["log_num_instrs"]] = np.log1p([3, 2])  # node 0: 3 uses at frequency 100
        f[:, col["log_max_block_freq"]] = np.log1p([100, 1])  # node 1: 2 uses at frequency 1
        f[:, col["pending"]] = pending
        f[:, col["log_free_registers"]] = np.log1p(free)
        graph = SimpleNamespace(features=f, num_nodes=2)
        registers = np.zeros((11, NUM_REGISTER_FEATURES), np.float32)  # 10 colours + spill: no copies, no CSR
        return SimpleNamespace(graph=graph, current_node=current, done=done, split_features=np.zeros((0, 5)),
                               register_features=registers)  # fmt: skip

    hot = np.log1p(4 * 3 * 100)
    assert doomed_potential(state([0, 1], [1, 1])) == pytest.approx(-hot)
    assert doomed_potential(state([0, 0], [1, 0])) == pytest.approx(-hot)  # only pending nodes count
    assert doomed_potential(state([0, 0], [1, 1], done=True)) == 0.0
    # Colouring node 1 with the last register node 0 could use: pays for node 0's spill now.
    take = step_reward("cost", ActionKind.COLOUR, 3, 10, state([0, 0], [1, 0]), before=state([1, 1], [1, 1], 1))
    assert take == pytest.approx(-hot)
    # ... and the forced spill itself then nets zero.
    spill = step_reward("cost", ActionKind.COLOUR, 10, 10, state([0, 0], [0, 0]), before=state([0, 0], [1, 0], 0))
    assert spill == pytest.approx(0.0)
    # A voluntary spill of the hot node (registers were free) is charged.
    chosen = step_reward("cost", ActionKind.COLOUR, 10, 10, state([0, 1], [0, 1]), before=state([1, 1], [1, 1], 0))
    assert chosen == pytest.approx(-hot)
    assert terminal_reward("cost", 99.0, 9.0, 0.0) == pytest.approx(np.log1p(9.0) - np.log1p(99.0))
    with pytest.raises(ValueError, match="before"):
        step_reward("cost", ActionKind.COLOUR, 10, 10, state([0, 0], [0, 0]))
