"""The fast transport: episodes forked by rl4real-server, forks of episodes, the vector env.

Everything here runs the real allocator (LLVM 19 and the plugin); nothing is mocked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from conftest import TARGETS

import rl4real_gym  # noqa: F401  (registers the environments)
from rl4real_gym import schema
from rl4real_gym.driver import ActionKind, AllocationFigures, DecisionState, LlcSession, Phase, ServerSession
from rl4real_gym.driver.server import AllocationServer
from rl4real_gym.driver.state import PHASE_ACTION
from rl4real_gym.envs.regalloc_env import RegAllocEnv
from rl4real_gym.errors import LlcError
from rl4real_gym.registration import ENV_IDS as REGISTERED

ENV_IDS = {target: env_id for env_id, target in REGISTERED.items()}
SMALL = {"max_nodes": 128, "max_edges": 2048, "max_split_points": 32}
PATIENCE = 10.0  # seconds an ended process may take to disappear


def make(target: str, **kwargs: Any) -> RegAllocEnv:
    env = gym.make(ENV_IDS[target], **{**SMALL, **kwargs})
    return env.unwrapped  # type: ignore[return-value]


# -- processes ------------------------------------------------------------
def server_pid() -> int:
    return AllocationServer.shared()._process.pid


def children_of(parent: int) -> list[int]:
    """Every process whose parent is ``parent`` (zombies included: they are leaks too)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:  # it ended while we looked
            continue
        fields = stat.rsplit(")", 1)[1].split()  # the name may contain spaces and parentheses
        if int(fields[1]) == parent:
            found.append(int(entry))
    return found


def episode_processes(exclude: frozenset[int] | set[int] = frozenset()) -> list[int]:
    return [p for p in children_of(server_pid()) if p not in exclude]


def poll(condition, patience: float = PATIENCE) -> bool:
    """Waits for ``condition()`` to hold (an event, not a duration)."""
    end = time.monotonic() + patience
    while True:
        if condition():
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.02)


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


# -- env play ---------------------------------------------------------------
def masked_choice(mask: np.ndarray, rng: np.random.Generator) -> int:
    legal = np.flatnonzero(mask)
    return int(rng.choice(legal)) if legal.size else 0


def steer_into_split_and_spill(env: RegAllocEnv, seed: int, rng: np.random.Generator, min_steps: int = 12):
    """Resets and plays masked actions that split and spill as soon as the masks allow,
    until both happened and ``min_steps`` were played. Returns the actions, or None if
    the episode ended first (or could not split or spill)."""
    lay = env.layout
    spill = lay.colour_start + lay.num_colours
    env.reset(seed=seed)
    actions: list[int] = []
    split_done = spill_done = False
    while not (split_done and spill_done and len(actions) >= min_steps):
        mask = env.action_masks()
        if not mask.any():
            return None
        if not split_done and mask[lay.task_start + 1]:
            action = lay.task_start + 1
        elif not spill_done and mask[spill]:
            action = spill
        else:
            action = masked_choice(mask, rng)
        kind, value = lay.decode(action)
        _, _, terminated, truncated, info = env.step(action)
        assert not info["invalid_action"]
        actions.append(action)
        split_done |= kind == ActionKind.SPLIT
        spill_done |= kind == ActionKind.COLOUR and value == lay.num_colours
        if terminated or truncated:
            return None
    return actions


def episode_in_progress_with_split_and_spill(env: RegAllocEnv) -> tuple[int, list[int]]:
    for seed in range(40):
        actions = steer_into_split_and_spill(env, seed, np.random.default_rng(seed))
        if actions is not None:
            return seed, actions
    raise AssertionError("no episode of the dataset split and spilled before it ended")


def play_out(env: RegAllocEnv, rng: np.random.Generator) -> list[tuple]:
    """Random masked actions to the end of the episode: every step's results."""
    steps = []
    while True:
        mask = env.action_masks()
        assert mask.any()
        action = masked_choice(mask, rng)
        obs, reward, terminated, truncated, info = env.step(action)
        steps.append((action, obs, reward, terminated, truncated, info))
        if terminated or truncated:
            return steps


def ended(steps: list[tuple]) -> bool:
    return bool(steps) and bool(steps[-1][3] or steps[-1][4])


def assert_same_obs(a: dict[str, Any], b: dict[str, Any], where: str = "") -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert np.array_equal(a[key], b[key]), f"{key} differs {where}"


def assert_same_steps(a: list[tuple], b: list[tuple]) -> None:
    assert len(a) == len(b), f"episodes of {len(a)} and {len(b)} steps"
    for i, (sa, sb) in enumerate(zip(a, b, strict=True)):
        assert sa[0] == sb[0], f"different action at step {i}"
        assert_same_obs(sa[1], sb[1], f"at step {i}")
        assert sa[2] == sb[2], f"reward at step {i}"
        assert (sa[3], sa[4]) == (sb[3], sb[4]), f"terminated/truncated at step {i}"
        assert sa[5] == sb[5], f"info at step {i}"
    final_a, final_b = a[-1][5], b[-1][5]
    assert final_a["cost"] == final_b["cost"]
    assert final_a["figures"] == final_b["figures"]


# -- 1. env forks -------------------------------------------------------------
@pytest.mark.parametrize("target", TARGETS)
def test_env_fork_is_faithful(target: str) -> None:
    env = make(target)
    twin: RegAllocEnv | None = None
    try:
        episode_in_progress_with_split_and_spill(env)
        twin = env.fork()
        assert twin is not env and twin._session is not env._session
        assert twin._session.pid not in (-1, env._session.pid)
        # The same random state, but not the same generator.
        assert twin.np_random is not env.np_random
        assert np.array_equal(env.np_random.integers(1 << 62, size=16), twin.np_random.integers(1 << 62, size=16))
        assert np.array_equal(env.action_masks(), twin.action_masks())
        assert_same_obs(env._observation(), twin._observation())
        # Step them alternately: neither may disturb the other.
        rngs = {id(env): np.random.default_rng(99), id(twin): np.random.default_rng(99)}
        steps_a: list[tuple] = []
        steps_b: list[tuple] = []
        while not (ended(steps_a) and ended(steps_b)):
            for env_, steps in ((env, steps_a), (twin, steps_b)):
                if not ended(steps):
                    action = masked_choice(env_.action_masks(), rngs[id(env_)])
                    steps.append((action, *env_.step(action)))
        assert steps_a[-1][3] and not steps_a[-1][4]  # terminated
        assert_same_steps(steps_a, steps_b)
        # The next episode (unseeded reset: the copied generator) is the same too.
        obs_a, info_a = env.reset()
        obs_b, info_b = twin.reset()
        assert info_a == info_b
        assert_same_obs(obs_a, obs_b)
    finally:
        env.close()
        if twin is not None:
            twin.close()


@pytest.mark.parametrize("target", TARGETS)
def test_env_fork_survives_the_original_close_and_reset(target: str) -> None:
    env = make(target)
    forks: list[RegAllocEnv] = []
    replay = make(target)
    try:
        seed, prefix = episode_in_progress_with_split_and_spill(env)
        forks = [env.fork(), env.fork()]
        forks.append(forks[0].fork())  # a fork of a fork
        # The original moves on (its allocation process is killed mid-episode) and closes.
        env.reset(seed=seed + 1000)
        play_out(env, np.random.default_rng(0))
        env.reset(seed=seed)
        env.close()
        # A fresh episode replaying the prefix is the reference future.
        replay.reset(seed=seed)
        for action in prefix:
            replay.step(action)
        reference = play_out(replay, np.random.default_rng(5))
        for fork in forks:
            assert_same_steps(reference, play_out(fork, np.random.default_rng(5)))
    finally:
        for e in (env, replay, *forks):
            e.close()


# -- 2. session forks -----------------------------------------------------------
def policy(seed: int, index: int, state: DecisionState) -> int:
    """A random masked choice that depends only on (seed, the step's index)."""
    return int(np.random.default_rng([seed, index]).choice(np.flatnonzero(state.mask)))


def digest(state: DecisionState) -> str:
    h = hashlib.sha1()
    h.update(f"{state.phase.name} {state.function} {state.current_node} {state.step} {state.error!r}".encode())
    h.update(f"{state.last_weight!r} {state.last_split_weight!r} {state.figures!r}".encode())
    g = state.graph
    for arr in (state.mask, g.features, g.status, g.colour, g.weight, g.edges, state.split_features):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def advance(session: ServerSession, seed: int, index: int, until: int | None, trail: list[str]) -> int:
    """Plays ``policy(seed, ...)`` from step ``index`` until step ``until`` (None: the end
    of the module); returns the index reached. Every state seen goes to ``trail``."""
    state = session.state
    assert state is not None
    while state.phase != Phase.MODULE_DONE and (until is None or index < until):
        if state.phase == Phase.FUNCTION_DONE:
            state = session.step(ActionKind.NEXT)
        else:
            state = session.step(PHASE_ACTION[state.phase], policy(seed, index, state))
            assert not state.error, state.error
        index += 1
        trail.append(digest(state))
    return index


@pytest.mark.parametrize("target", TARGETS)
def test_session_forks_at_several_depths_have_the_original_future(small_ir, target: str) -> None:
    depths = [0, 9, 400, 2500]
    sessions: list[ServerSession] = []
    try:
        original = ServerSession(small_ir[target], target)
        sessions.append(original)
        trail: list[str] = [digest(original.start())]
        forks: list[tuple[int, ServerSession]] = []
        index = 0
        for depth in depths:
            index = advance(original, 3, index, depth, trail)
            assert index == depth, "the module ended before the deepest fork"
            fork = original.fork()
            sessions.append(fork)
            forks.append((depth, fork))
        # A fork of a fork, after that fork moved on by itself.
        parent_depth, parent = forks[1]
        nested_trail: list[str] = []
        nested_depth = advance(parent, 3, parent_depth, 250, nested_trail)
        assert nested_trail == trail[parent_depth + 1 : nested_depth + 1]
        nested = parent.fork()
        sessions.append(nested)
        forks.append((nested_depth, nested))
        forks[1] = (nested_depth, parent)
        advance(original, 3, index, None, trail)
        expected = original.finish().figures
        assert set(expected) == {"mix", "dot", "main"}
        for depth, fork in forks:
            fork_trail: list[str] = []
            advance(fork, 3, depth, None, fork_trail)
            assert fork_trail == trail[depth + 1 :], f"the fork at depth {depth} went elsewhere"
            assert fork.finish().figures == expected, f"fork at depth {depth}"
    finally:
        for s in sessions:
            s.close()


def test_session_fork_with_another_future_matches_a_fresh_replay(small_ir) -> None:
    """Original and fork go different ways, interleaved as a search would: each must end
    where a fresh session given the same actions ends."""
    module, depth = small_ir["x86"], 300

    def fresh(seed_after: int) -> tuple[list[str], dict]:
        with ServerSession(module, "x86") as s:
            s.start()
            advance(s, 1, 0, depth, [])
            trail: list[str] = []
            advance(s, seed_after, depth, None, trail)
            return trail, s.finish().figures

    with ServerSession(module, "x86") as original:
        original.start()
        advance(original, 1, 0, depth, [])
        with original.fork() as fork:
            trail_original: list[str] = []
            trail_fork: list[str] = []
            advance(original, 2, depth, None, trail_original)
            advance(fork, 4, depth, None, trail_fork)
            got_original, got_fork = original.finish().figures, fork.finish().figures
    expected_original, expected_fork = fresh(2), fresh(4)
    assert trail_original == expected_original[0]
    assert trail_fork == expected_fork[0]
    assert expected_original[1] != expected_fork[1]  # the two futures really differ
    assert got_fork == expected_fork[1]
    assert got_original == expected_original[1], (
        f"the original's finish() figures are wrong (they are the fork's: {got_original == expected_fork[1]})"
    )


def test_session_fork_figures_are_its_own(small_ir) -> None:
    """``Session.figures`` of a fork lists what the fork finished, not what the original did."""
    with ServerSession(small_ir["x86"], "x86") as original:
        original.start()
        advance(original, 1, 0, 20, [])
        with original.fork() as fork:
            at_fork = fork.figures
            advance(original, 2, 20, None, [])
            finished_by_original = original.finish().figures
            assert set(finished_by_original) == {"mix", "dot", "main"}
            assert fork.figures == at_fork, "the original's results show up in the fork's figures"
            advance(fork, 4, 20, None, [])
            finished_by_fork = fork.finish().figures
            assert original.figures == finished_by_original, "the fork's results show up in the original's"
            assert finished_by_fork != finished_by_original


# -- 3. no process left behind --------------------------------------------------
def test_a_hundred_forks_leave_no_process() -> None:
    baseline = set(episode_processes())
    env = make("x86")
    rng = np.random.default_rng(2024)
    open_forks: list[RegAllocEnv] = []
    made = 0
    try:
        env.reset(seed=0)
        while made < 100:
            mask = env.action_masks()
            if not mask.any():
                env.reset()
                continue
            if rng.random() < 0.3:
                playing = [f for f in open_forks if f.action_masks().any()]
                parent = env if not playing or rng.random() < 0.7 else playing[-1]
                fork = parent.fork()
                made += 1
                for _ in range(int(rng.integers(0, 6))):  # some forks play a little
                    fork_mask = fork.action_masks()
                    if not fork_mask.any():
                        break
                    fork.step(masked_choice(fork_mask, rng))
                open_forks.append(fork)
                if len(open_forks) == 8:
                    # the original's episode, and the next one it prefetched (forks do not prefetch)
                    live = sum(f._session is not None for f in open_forks) + 1 + (env._prefetched is not None)
                    assert poll(lambda live=live: len(episode_processes(baseline)) == live), (
                        f"{len(episode_processes(baseline))} episode processes, expected {live}"
                    )
                    for f in open_forks:
                        f.close()
                    open_forks.clear()
            _, _, terminated, truncated, _ = env.step(masked_choice(mask, rng))
            if terminated or truncated:
                env.reset()
    finally:
        for f in open_forks:
            f.close()
        env.close()
    assert made == 100
    assert poll(lambda: not episode_processes(baseline)), f"left behind: {episode_processes(baseline)}"


# -- 4. a killed allocation process ---------------------------------------------
def test_killed_allocation_process_truncates_and_the_next_reset_works() -> None:
    env = make("x86")
    twin: RegAllocEnv | None = None
    try:
        env.reset(seed=0)
        rng = np.random.default_rng(0)
        for _ in range(5):
            env.step(masked_choice(env.action_masks(), rng))
        twin = env.fork()
        assert env._session is not None
        pid = env._session.pid
        env._session.kill()
        obs, reward, terminated, truncated, info = env.step(masked_choice(env.action_masks(), rng))
        assert truncated and not terminated and reward == 0.0
        assert "truncated_reason" in info and "llc failed" in info["truncated_reason"]
        assert not env.action_masks().any() and not obs["action_mask"].any()
        assert poll(lambda: gone(pid))
        # The fork did not die with it.
        steps = play_out(twin, np.random.default_rng(1))
        assert steps[-1][3] and "cost" in steps[-1][5]
        # The next episode works, to its end.
        obs, info = env.reset(seed=1)
        assert env.observation_space.contains(obs) and info["step"] == 0
        steps = play_out(env, np.random.default_rng(2))
        assert steps[-1][3] and not steps[-1][4]
    finally:
        env.close()
        if twin is not None:
            twin.close()


def test_killed_fork_leaves_the_original_alone() -> None:
    env = make("x86")
    replay = make("x86")
    try:
        env.reset(seed=3)
        twin = env.fork()
        twin._session.kill()
        _, _, terminated, truncated, info = twin.step(masked_choice(twin.action_masks(), np.random.default_rng(0)))
        assert truncated and not terminated and "truncated_reason" in info
        twin.close()
        replay.reset(seed=3)
        assert_same_steps(play_out(replay, np.random.default_rng(4)), play_out(env, np.random.default_rng(4)))
    finally:
        env.close()
        replay.close()


# -- 5. a corrupt module ------------------------------------------------------------
def test_corrupt_module_is_a_clear_error_and_the_server_goes_on(tmp_path: Path, small_ir) -> None:
    bad = tmp_path / "bad.ll"
    bad.write_text(
        'target triple = "x86_64-linux-gnu"\n\n'
        "define i32 @f(i32 %x) {\n  %y = frobnicate i32 %x, 7\n  ret i32 %y\n}\n\x00\x01 garbage (((\n"
    )
    pid = server_pid()
    baseline = set(episode_processes())
    with pytest.raises(LlcError) as err, ServerSession(bad, "x86") as session:
        session.start()  # construction or start-up: either may refuse the module
    message = str(err.value)
    assert "bad.ll" in message and "error" in message, message
    assert "frobnicate" in message or "expected" in message, message
    assert poll(lambda: not episode_processes(baseline))
    with ServerSession(small_ir["x86"], "x86") as good:
        state = good.start()
        assert state.phase == Phase.SELECT_NODE and state.graph.num_nodes > 0 and state.mask.any()
        assert good.finish().figures
    assert server_pid() == pid and AllocationServer.shared().alive()


# -- 6. plugin and package built from different schemas ---------------------------
def test_schema_mismatch_says_to_rebuild(monkeypatch: pytest.MonkeyPatch, small_ir) -> None:
    baseline = set(episode_processes())
    monkeypatch.setattr(schema, "VERSION", schema.VERSION + 1)
    rebuild = re.escape("rebuild it with `rl4real build-plugin`")
    with pytest.raises(LlcError, match=rebuild) as err, ServerSession(small_ir["x86"], "x86") as refused:
        refused.start()  # the Hello is read at construction or at start(), depending on the host
    assert f"this package has version {schema.VERSION}" in str(err.value)
    assert poll(lambda: not episode_processes(baseline)), "the refused episode was left running"
    monkeypatch.undo()
    with ServerSession(small_ir["x86"], "x86") as session:
        state = session.start()
        assert state.phase == Phase.SELECT_NODE
        assert session.step(PHASE_ACTION[state.phase], policy(0, 0, state)).phase == Phase.SELECT_TASK


def test_refused_fork_leaves_no_process(monkeypatch: pytest.MonkeyPatch, small_ir) -> None:
    """A fork whose Hello is refused has no session to close it: the fork() that raised
    must not leave its process running (here: while the error is still referenced)."""
    baseline = set(episode_processes())
    with ServerSession(small_ir["x86"], "x86") as session:
        session.start()
        monkeypatch.setattr(schema, "VERSION", schema.VERSION + 1)
        with pytest.raises(LlcError, match=re.escape("rl4real build-plugin")) as err:
            session.fork()
        monkeypatch.undo()

        def only_the_original() -> bool:
            return len(episode_processes(baseline)) == 1

        assert poll(only_the_original), f"the refused fork is still running ({type(err.value).__name__} held)"
        state = session.step(PHASE_ACTION[session.state.phase], policy(0, 0, session.state))
        assert not state.error and state.phase == Phase.SELECT_TASK


# -- 7. the vector env ------------------------------------------------------------
def test_vector_env_batches_autoresets_and_matches_single_envs() -> None:
    venv = gym.make_vec(ENV_IDS["x86"], num_envs=2, vectorization_mode="vector_entry_point", **SMALL)
    singles = [make("x86"), make("x86")]
    try:
        assert venv.unwrapped is venv
        obs, infos = venv.reset(seed=0)
        single_obs = [singles[i].reset(seed=i)[0] for i in range(2)]
        space = venv.single_observation_space
        for key, sub in space.spaces.items():
            assert obs[key].shape == (2, *sub.shape), key
        assert venv.observation_space.contains(obs)
        for i in range(2):
            assert_same_obs({k: v[i] for k, v in obs.items()}, single_obs[i], f"after reset, sub-env {i}")
        rng = np.random.default_rng(11)
        ended = [0, 0]
        autoresets = [0, 0]
        previous_done = np.zeros(2, bool)
        for _ in range(20000):
            masks = venv.unwrapped.action_masks()
            assert masks.shape == (2, venv.single_action_space.n)
            actions = np.array([masked_choice(masks[i], rng) for i in range(2)])
            obs, rewards, terminated, truncated, infos = venv.step(actions)
            assert rewards.shape == terminated.shape == truncated.shape == (2,)
            for i in range(2):
                if previous_done[i]:  # next-step autoreset: this step was the reset
                    assert rewards[i] == 0.0 and not terminated[i] and not truncated[i]
                    assert int(obs["phase"][i]) == 0 and infos["step"][i] == 0
                    expected_obs, expected_info = singles[i].reset()
                    assert infos["function"][i] == expected_info["function"]
                    autoresets[i] += 1
                else:
                    expected_obs, r, te, tr, info = singles[i].step(int(actions[i]))
                    assert (rewards[i], terminated[i], truncated[i]) == (r, te, tr), f"sub-env {i}"
                    if te or tr:
                        assert infos["_cost"][i] and infos["cost"][i] == info["cost"]
                        ended[i] += 1
                assert_same_obs({k: v[i] for k, v in obs.items()}, expected_obs, f"sub-env {i}")
            previous_done = terminated | truncated
            if min(autoresets) >= 1:
                break
        assert min(ended) >= 1 and min(autoresets) >= 1
    finally:
        venv.close()
        for e in singles:
            e.close()


# -- 8. the two hosts -----------------------------------------------------------------
def strip_comments(asm: str, comment: str) -> list[str]:
    lines = (line.split(comment, 1)[0].rstrip() for line in asm.splitlines())
    return [line for line in lines if line.strip()]


def without_csr(figures: AllocationFigures) -> AllocationFigures:
    """The figures as an llc host reports them: no callee-saved cost."""
    return dataclasses.replace(figures, csr_measured=False, csr_cost=0.0, csr_save_cost=0.0,
                               csr_restore_cost=0.0, csr_saves=0, csr_restores=0)  # fmt: skip


@pytest.mark.parametrize("target", TARGETS)
def test_llc_and_server_hosts_agree(tmp_path: Path, small_ir, target: str) -> None:
    module = small_ir[target]
    outputs = {"llc": tmp_path / "llc.s", "server": tmp_path / "server.s"}
    llc = LlcSession(module, target, output=outputs["llc"])
    server = ServerSession(module, target, output=outputs["server"])
    try:
        a, b = llc.start(), server.start()
        index = 0
        while True:
            assert a.phase == b.phase and a.function == b.function, f"step {index}"
            assert a.current_node == b.current_node and a.step == b.step, f"step {index}"
            assert np.array_equal(a.mask, b.mask), f"mask at step {index}"
            for name in ("features", "status", "colour", "weight", "edges"):
                assert np.array_equal(getattr(a.graph, name), getattr(b.graph, name)), f"{name} at step {index}"
            assert np.array_equal(a.split_features, b.split_features), f"split features at step {index}"
            assert (a.last_weight, a.last_split_weight, a.error) == (b.last_weight, b.last_split_weight, b.error)
            # Only the server measures the callee-saved cost (after PEI, where llc has no hook).
            assert a.figures == without_csr(b.figures), f"figures at step {index}"
            assert not a.figures.csr_measured and b.figures.csr_measured == (b.phase == Phase.FUNCTION_DONE)
            if a.phase == Phase.MODULE_DONE:
                break
            if a.phase == Phase.FUNCTION_DONE:
                kind, value = ActionKind.NEXT, 0
            else:
                kind, value = PHASE_ACTION[a.phase], policy(8, index, a)
            a, b = llc.step(kind, value), server.step(kind, value)
            index += 1
        assert index > 1000
        figures = llc.finish().figures
        served = server.finish().figures
        assert figures == {k: without_csr(v) for k, v in served.items()} and len(figures) == 3
    finally:
        llc.close()
        server.close()
    comment = "#" if target == "x86" else "//"
    text = {k: strip_comments(p.read_text(), comment) for k, p in outputs.items()}
    assert text["server"] == text["llc"], (
        f"the server wrote {len(text['server'])} lines of assembly ({outputs['server'].stat().st_size} bytes), "
        f"llc {len(text['llc'])} ({outputs['llc'].stat().st_size} bytes)"
    )


@pytest.mark.parametrize("target", TARGETS)
def test_llc_and_server_write_the_same_object_file(tmp_path: Path, small_ir, target: str) -> None:
    outputs = {"llc": tmp_path / "llc.o", "server": tmp_path / "server.o"}
    with LlcSession(small_ir[target], target, output=outputs["llc"], filetype="obj") as llc:
        llc.start()
        llc.finish()
    with ServerSession(small_ir[target], target, output=outputs["server"], filetype="obj") as server:
        server.start()
        server.finish()
    assert outputs["server"].read_bytes() == outputs["llc"].read_bytes()


@pytest.mark.parametrize("target", ["x86", "aarch64"])
def test_state_kept_incrementally_matches_a_fresh_computation(target: str) -> None:
    """The plugin keeps what it sends up to date from the edits it sees (its own and the
    heuristic's assignments, spills, evictions, shrinks, splits, erased copies): every
    pending node's free registers, the selectable nodes, the assigned-neighbour counts,
    and, as deltas, the rows and the edge set. With -rl4real-self-check it compares, before
    every state, the free registers with a fresh interference check, every row sent with
    one computed afresh (copy weights included), and the edge set a client rebuilds from
    the deltas with the real one; a difference is a fatal error. Random masked episodes
    with many spills and splits."""
    from rl4real_gym.dataset import load_dataset
    from rl4real_gym.driver.policies import RandomPolicy

    dataset = load_dataset(target)
    entries, _ = dataset.select(split="test", max_nodes=200, max_edges=4000)
    rng = np.random.default_rng(3)
    steps = spills = splits = 0
    for index in rng.choice(len(entries), size=12, replace=False):
        policy = RandomPolicy(seed=int(index))
        with ServerSession(dataset.module_path(entries[int(index)]), target,
                           extra_args=("-rl4real-self-check",)) as session:  # fmt: skip
            state = session.start()
            while not state.done:
                state = session.step(PHASE_ACTION[state.phase], policy(state))
                steps += 1
            spills += state.figures.spilled_vregs
            splits += state.figures.splits
    assert steps > 500 and spills > 10 and splits > 10, (steps, spills, splits)
