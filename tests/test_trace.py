"""Action traces: env episodes and llc sessions are recorded and replayed exactly, and a
tampered trace is detected."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import rl4real_gym  # noqa: F401  (registers the environments)
from rl4real_gym.driver.policies import RandomPolicy
from rl4real_gym.driver.state import ActionKind
from rl4real_gym.envs.regalloc_env import RegAllocEnv
from rl4real_gym.programs import codegen
from rl4real_gym.trace import (
    EpisodeTrace,
    RecordingPolicy,
    SessionTrace,
    TraceRecorder,
    observation_hash,
    replay,
    replay_session_trace,
)
from rl4real_gym.trace import file_sha256 as sha256_of

SMALL = {"max_nodes": 128, "max_edges": 2048, "max_split_points": 32}


def random_masked_episode(env: gym.Env, rng: np.random.Generator, **reset_kw) -> int:
    """Runs one episode with uniformly random legal actions; returns its length."""
    env.reset(**reset_kw)
    steps = 0
    while True:
        action = int(rng.choice(np.flatnonzero(env.get_wrapper_attr("action_masks")())))
        _, _, terminated, truncated, _ = env.step(action)
        steps += 1
        if terminated or truncated:
            return steps


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, int]:
    """One recorded random masked episode on x86 and its length."""
    env = TraceRecorder(gym.make("RL4ReAl-x86-v2", **SMALL), tmp_path / "traces")
    steps = random_masked_episode(env, np.random.default_rng(7), seed=3)
    env.close()
    assert len(env.paths) == 1
    return env.paths[0], steps


def edit_trace(path: Path, edit) -> Path:
    data = json.loads(path.read_text())
    edit(data)
    out = path.with_name("tampered.json")
    out.write_text(json.dumps(data))
    return out


# -- env episodes ------------------------------------------------------------------
def test_trace_holds_what_is_needed_to_replay(recorded: tuple[Path, int]) -> None:
    path, steps = recorded
    trace = EpisodeTrace.load(path)
    assert trace.env_id == "RL4ReAl-x86-v2" and trace.target == "x86"
    assert trace.env_kwargs["max_nodes"] == 128 and trace.env_kwargs["target"] == "x86"
    assert trace.function and trace.seed == 3
    assert len(trace.actions) == len(trace.rewards) == steps == len(trace.obs_hashes) - 1
    assert trace.complete and trace.terminated and not trace.truncated
    assert trace.module_sha256 and len(trace.module_sha256) == 64


def test_random_masked_episode_replays_exactly(recorded: tuple[Path, int]) -> None:
    path, steps = recorded
    result = replay(path)
    assert result.ok, result.mismatches
    assert result.steps == steps
    assert result.total_reward == pytest.approx(sum(EpisodeTrace.load(path).rewards))


def test_a_tampered_reward_is_detected(recorded: tuple[Path, int]) -> None:
    path, steps = recorded
    k = steps // 2

    def edit(data: dict) -> None:
        data["rewards"][k] += 0.5

    result = replay(edit_trace(path, edit))
    assert not result.ok
    assert [(m.step, m.what) for m in result.mismatches] == [(k + 1, "reward")]


def test_a_tampered_action_is_detected(recorded: tuple[Path, int]) -> None:
    path, _ = recorded

    def edit(data: dict) -> None:
        data["actions"][0] = SMALL["max_nodes"] + 1  # "split": illegal in the first phase (select node)

    result = replay(edit_trace(path, edit))
    assert not result.ok
    first = result.first_mismatch
    assert first is not None and first.step == 1 and first.what in ("reward", "observation")


def test_a_tampered_observation_hash_is_detected(recorded: tuple[Path, int]) -> None:
    path, _ = recorded

    def edit(data: dict) -> None:
        data["obs_hashes"][0] = "0" * 64

    result = replay(edit_trace(path, edit))
    assert [(m.step, m.what) for m in result.mismatches] == [(0, "observation")]


def test_inconsistent_trace_is_rejected(recorded: tuple[Path, int]) -> None:
    path, _ = recorded

    def edit(data: dict) -> None:
        data["rewards"].pop()

    with pytest.raises(ValueError, match="inconsistent lengths"):
        replay(edit_trace(path, edit))


def test_later_episodes_replay_with_the_env_memory_they_saw(tmp_path: Path) -> None:
    """Episodes after the first are reset without a seed, and the rl4real reward's terminal
    bonus depends on the best cost the env has seen for the function: both are recorded."""
    env = TraceRecorder(gym.make("RL4ReAl-aarch64-v2", reward="rl4real", **SMALL), tmp_path)
    rng = np.random.default_rng(11)
    random_masked_episode(env, rng, seed=5)
    function = EpisodeTrace.load(env.paths[0]).function
    for _ in range(2):
        random_masked_episode(env, rng, options={"function": function})
    env.close()
    assert len(env.paths) == 3
    second = EpisodeTrace.load(env.paths[1])
    assert second.seed is None and second.best_cost_before is not None
    for path in env.paths:
        result = replay(path)
        assert result.ok, (path, result.mismatches)


def test_an_episode_cut_short_is_kept_and_replays(tmp_path: Path) -> None:
    env = TraceRecorder(gym.make("RL4ReAl-x86-v2", **SMALL), tmp_path)
    env.reset(seed=1)
    for _ in range(3):
        env.step(int(np.flatnonzero(env.action_masks())[0]))
    env.reset(seed=2)  # the first episode is cut here
    env.close()  # and the second one here, before any step
    first, second = (EpisodeTrace.load(p) for p in env.paths)
    assert not first.complete and len(first.actions) == 3
    assert not second.complete and not second.actions
    assert replay(env.paths[0]).ok
    assert replay(env.paths[1]).ok


def test_env_built_without_gym_make_records_its_arguments(tmp_path: Path) -> None:
    env = TraceRecorder(RegAllocEnv("x86", reward="spill_cost", max_steps=5, **SMALL), tmp_path)
    random_masked_episode(env, np.random.default_rng(2), seed=4)
    env.close()
    trace = EpisodeTrace.load(env.paths[0])
    assert trace.env_id is None
    assert trace.env_kwargs["reward"] == "spill_cost" and trace.env_kwargs["max_steps"] == 5
    assert trace.env_kwargs["max_split_points"] == 32
    result = replay(env.paths[0])
    assert result.ok, result.mismatches


def test_observation_hash_sees_values_dtypes_and_keys() -> None:
    obs = {"a": np.arange(4, dtype=np.int32), "b": 3}
    assert observation_hash(obs) == observation_hash({"b": 3, "a": np.arange(4, dtype=np.int32)})
    assert observation_hash(obs) != observation_hash({"a": np.arange(4, dtype=np.int64), "b": 3})
    assert observation_hash(obs) != observation_hash({"a": np.arange(4, dtype=np.int32), "b": 4})
    assert observation_hash(obs) != observation_hash({"c": np.arange(4, dtype=np.int32), "b": 3})


# -- llc sessions ------------------------------------------------------------------
@pytest.fixture
def session_trace(small_ir, tmp_path: Path) -> SessionTrace:
    """A random policy's decisions on the small aarch64 program, recorded through codegen."""
    out = tmp_path / "recorded.s"
    recorder = RecordingPolicy(RandomPolicy(seed=4, split_prob=0.5))
    codegen(small_ir["aarch64"], "aarch64", out, regalloc="rl4real", policy=recorder, verify=True)
    trace = SessionTrace("aarch64", str(small_ir["aarch64"]), recorder.actions, output_sha256=sha256_of(out))
    return SessionTrace.load(trace.save(tmp_path / "session.json"))


def test_session_trace_replays_to_the_same_output(session_trace: SessionTrace) -> None:
    kinds = {a.kind for a in session_trace.actions}
    assert {ActionKind.SELECT_NODE, ActionKind.SELECT_TASK, ActionKind.COLOUR} <= kinds
    assert {a.function for a in session_trace.actions} >= {"mix", "dot"}
    result = replay_session_trace(session_trace)
    assert result.completed, (result.error, result.diverged)
    assert result.replayed == len(session_trace.actions)
    assert result.output_matches is True
    sent_decisions = [s for s in result.sent if s[0] != ActionKind.NEXT]
    assert sent_decisions == [(a.kind, a.value) for a in session_trace.actions]
    assert any(kind == ActionKind.NEXT for kind, _ in result.sent)


def test_a_tampered_session_trace_is_detected(session_trace: SessionTrace, tmp_path: Path) -> None:
    actions = list(session_trace.actions)
    i = next(i for i, a in enumerate(actions) if a.kind == ActionKind.SELECT_NODE)
    actions[i] = type(actions[i])(ActionKind.SELECT_NODE, 10_000, actions[i].function)
    tampered = SessionTrace("aarch64", session_trace.module, actions, output_sha256=session_trace.output_sha256)
    result = replay_session_trace(tampered)
    assert not result.completed
    assert f"action {i}" in result.diverged and "rejected" in result.diverged


def test_recorders_sharing_a_directory_keep_every_episode(tmp_path: Path) -> None:
    first = TraceRecorder(gym.make("RL4ReAl-x86-v2", **SMALL), tmp_path)
    second = TraceRecorder(gym.make("RL4ReAl-x86-v2", **SMALL), tmp_path)
    first.reset(seed=0)
    second.reset(seed=1)
    first.close()
    second.close()
    paths = first.paths + second.paths
    assert len(set(paths)) == 2
    assert sorted(EpisodeTrace.load(p).seed for p in paths) == [0, 1]
