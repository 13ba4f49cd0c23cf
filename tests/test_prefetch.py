"""Prefetched episodes: the next random reset's allocation process starts during the
first step of the current episode.

Real allocator and server throughout; the reference is always the same env with
``prefetch=False``, which starts every episode at its reset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_fast_path import assert_same_steps, episode_processes, make, masked_choice, play_out, poll

from rl4real_gym.driver.server import AllocationServer
from rl4real_gym.errors import LlcError


def first_observations_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a)


def resets(env, script: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], list[tuple]]]:
    """Runs ``script`` (keyword arguments of each reset); each episode is played to its end
    with a seeded random agent. Returns the functions, first observations and steps."""
    out = []
    for n, kwargs in enumerate(script):
        obs, info = env.reset(**kwargs)
        out.append((info["function"], obs, play_out(env, np.random.default_rng(n))))
    return out


@pytest.mark.parametrize("target", ["x86", "aarch64"])
def test_prefetching_draws_the_same_functions_and_episodes(target: str) -> None:
    named = make(target).candidates[3].id
    script: list[dict[str, Any]] = [
        {"seed": 11}, {}, {}, {"options": {"function": named}}, {}, {"seed": 12}, {"seed": 12}, {},
    ]  # fmt: skip
    fast, plain = make(target), make(target, prefetch=False)
    try:
        with_prefetch = resets(fast, script)
        without = resets(plain, script)
    finally:
        fast.close()
        plain.close()
    assert [f for f, _, _ in with_prefetch] == [f for f, _, _ in without]
    assert len({f for f, _, _ in without}) > 3, "the script should visit several functions"
    for (_, obs_a, steps_a), (_, obs_b, steps_b) in zip(with_prefetch, without, strict=True):
        assert first_observations_equal(obs_a, obs_b)
        assert_same_steps(steps_a, steps_b)


def test_the_prefetched_episode_is_the_one_the_next_reset_uses() -> None:
    env = make("x86")
    try:
        env.reset(seed=5)
        assert env._prefetched is None, "nothing is prefetched before the first step"
        env.step(masked_choice(env.action_masks(), np.random.default_rng(0)))
        assert env._prefetched is not None and env._next_entry is not None
        entry_id, _, session = env._prefetched
        assert entry_id == env._next_entry.id
        play_out(env, np.random.default_rng(1))
        _, info = env.reset()
        assert info["function"] == entry_id and env._session is session and env._from_prefetch
    finally:
        env.close()


def test_a_reset_with_a_new_seed_drops_a_prefetch_for_another_function() -> None:
    baseline = set(episode_processes())
    env = make("x86")
    try:
        env.reset(seed=5)
        env.step(masked_choice(env.action_masks(), np.random.default_rng(0)))
        assert env._prefetched is not None
        stale_id, _, stale = env._prefetched
        _, info = env.reset(seed=6)
        assert info["function"] != stale_id, "pick a seed that draws another function"
        assert env._session is not stale and env._prefetched is None and stale._channel is None
        # the current episode only (the next one is prefetched at the first step)
        assert poll(lambda: len(episode_processes(baseline)) == 1), episode_processes(baseline)
    finally:
        env.close()


def test_close_leaves_no_prefetched_process() -> None:
    baseline = set(episode_processes())
    env = make("aarch64")
    env.reset(seed=2)
    env.step(masked_choice(env.action_masks(), np.random.default_rng(0)))
    assert env._prefetched is not None
    assert poll(lambda: len(episode_processes(baseline)) == 2), "the episode and the prefetched one"
    env.close()
    assert poll(lambda: not episode_processes(baseline)), f"left behind: {episode_processes(baseline)}"


def test_a_prefetched_episode_lost_with_its_server_is_started_again() -> None:
    env = make("x86")
    try:
        env.reset(seed=8)
        rng = np.random.default_rng(0)
        env.step(masked_choice(env.action_masks(), rng))
        assert env._prefetched is not None
        expected = env._prefetched[0]
        AllocationServer.stop_shared()  # every episode dies, the prefetched one too
        _, _, _, truncated, info = env.step(masked_choice(env.action_masks(), rng))
        assert truncated and "llc failed" in info["truncated_reason"]
        obs, info = env.reset()
        assert info["function"] == expected and not env._from_prefetch
        assert env.observation_space.contains(obs)
        steps = play_out(env, np.random.default_rng(1))
        assert steps[-1][3] and not steps[-1][4] and "cost" in steps[-1][5]
    finally:
        env.close()


def test_a_corrupt_next_module_fails_its_own_reset_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ll"
    bad.write_text('target triple = "x86_64-linux-gnu"\n\ndefine i32 @f(i32 %x) {\n  %y = frobnicate i32 %x\n}\n')
    env = make("x86")
    try:
        env.reset(seed=4)
        assert env._next_entry is not None
        victim = env._next_entry.id
        env._modules[victim] = bad
        play_out(env, np.random.default_rng(0))  # the prefetch of the bad module fails quietly
        with pytest.raises(LlcError) as err:
            env.reset()
        assert "bad.ll" in str(err.value) and "frobnicate" in str(err.value), str(err.value)
        del env._modules[victim]
        obs, _ = env.reset()
        assert env.observation_space.contains(obs)
        assert play_out(env, np.random.default_rng(1))[-1][3]
    finally:
        env.close()
