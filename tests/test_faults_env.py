"""Faults around the environment and the driver: vanished temp dirs, a killed parent,
unusable TMPDIR, malformed protocol messages, sessions opened in worker threads.

Every failure must be a clear exception (never a hang) and leave no llc process behind.
(llc killed mid-episode is covered in test_env.py; malformed IR, crash and hang
injection and a killed parent of a bare session in test_faults.py.)
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from test_faults import first_steps, pid_alive, wait_gone

import rl4real_gym  # noqa: F401  (registers the environments)
from rl4real_gym import proto
from rl4real_gym.driver import NUM_NODE_FEATURES, LlcSession, Phase, SessionLimits
from rl4real_gym.driver.policies import HeuristicPolicy, drive
from rl4real_gym.driver.process import TempDirError, live_processes
from rl4real_gym.driver.server import AllocationServer
from rl4real_gym.driver.state import PHASE_ACTION, decode_state
from rl4real_gym.errors import LlcError, RL4ReAlError

SMALL = {"max_nodes": 128, "max_edges": 2048, "max_split_points": 32}
# Generous bounds: a hang becomes a LlcTimeoutError, which these tests reject.
PATIENT = SessionLimits(step_timeout=300.0, startup_timeout=300.0)


def make_env(**kwargs):
    return gym.make("RL4ReAl-x86-v2", **{**SMALL, **kwargs})


def drive_to_the_end(session: LlcSession) -> int:
    """Lets the heuristic policy decide everything; returns llc's exit status."""
    policy = HeuristicPolicy()
    state = session.state
    assert state is not None
    while state.phase != Phase.MODULE_DONE:
        if state.phase == Phase.FUNCTION_DONE:
            state = session.step(4)  # NEXT
        else:
            state = session.step(PHASE_ACTION[state.phase], policy(state))
    return session.finish().returncode


def wait_for(event, patience: float = 300.0) -> bool:
    """Waits for ``event()`` to become true (a generous bound, not a time limit under test)."""
    end = time.monotonic() + patience
    while not event():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


# -- the private temp dirs vanish ------------------------------------------------
# The connection is a socketpair and stderr an open file: nothing the allocation needs
# lives under a name in the temp dirs, so removing them must not break a session.
def test_removed_temp_dir_under_a_live_llc_session(small_ir) -> None:
    session = LlcSession(small_ir["x86"], "x86", limits=PATIENT)
    pid = session.pid
    shutil.rmtree(session._proc.workdir)  # before llc is reached, even
    first_steps(session, 3)
    assert drive_to_the_end(session) == 0
    session.close()
    assert wait_gone(pid)


def test_removed_server_dir_under_an_env() -> None:
    env = make_env(step_timeout=300.0)
    env.reset(seed=0)
    shutil.rmtree(AllocationServer.shared().workdir)
    while True:
        _, _, terminated, truncated, info = env.step(int(np.flatnonzero(env.unwrapped.action_masks())[0]))
        if terminated or truncated:
            break
    assert terminated, info.get("truncated_reason")
    obs, _ = env.reset(seed=1)  # the next episode starts normally
    assert env.observation_space.contains(obs)
    env.close()


# -- the parent dies / the creating thread ends ----------------------------------
ENV_CHILD = """
import sys, threading, time
import gymnasium as gym, numpy as np
import rl4real_gym
env = gym.make("RL4ReAl-x86-v2", max_nodes=128, max_edges=2048, max_split_points=32)
if sys.argv[1] == "thread":  # llc started from a worker thread that has ended since
    worker = threading.Thread(target=env.reset, kwargs={"seed": 0})
    worker.start()
    worker.join()
else:
    env.reset(seed=0)
env.step(int(np.flatnonzero(env.unwrapped.action_masks())[0]))
print(env.unwrapped._session.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("opened_in", ["main", "thread"])
def test_no_orphan_llc_when_the_parent_of_an_open_env_is_killed(opened_in: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", ENV_CHILD, opened_in], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip(), "the child did not open its env"
    llc_pid = int(line)
    assert pid_alive(llc_pid)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert wait_gone(llc_pid), "llc outlived the killed process that had the env open"


def test_session_opened_in_a_worker_thread_outlives_the_thread(small_ir) -> None:
    """llc dies with its parent; for the kernel the parent is the thread that started it."""
    box: dict[str, LlcSession] = {}

    def open_session() -> None:
        session = LlcSession(small_ir["x86"], "x86")
        session.start()
        box["session"] = session

    worker = threading.Thread(target=open_session)
    worker.start()
    worker.join()
    session = box["session"]
    assert drive_to_the_end(session) == 0
    session.close()


def test_env_made_in_a_thread_pool_task_keeps_working() -> None:
    from concurrent.futures import ThreadPoolExecutor

    env = make_env()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(env.reset, seed=0).result()
    # the pool's thread has ended; the episode goes on from the main thread
    while True:
        _, _, terminated, truncated, info = env.step(int(np.flatnonzero(env.unwrapped.action_masks())[0]))
        if terminated or truncated:
            break
    assert terminated, info.get("truncated_reason")
    env.close()


# -- TMPDIR unusable ----------------------------------------------------------------
def unwritable_dir(tmp_path: Path) -> str:
    """A directory this process cannot create entries in (root ignores permission bits)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    if not os.access(ro, os.W_OK):
        return str(ro)
    return "/proc/self"  # no new directories there, whoever we are


@pytest.mark.parametrize("kind", ["missing", "file", "unwritable"])
def test_unusable_tmpdir_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_ir, kind: str) -> None:
    paths = {
        "missing": str(tmp_path / "does" / "not" / "exist"),
        "file": str(tmp_path / "a-file"),
        "unwritable": unwritable_dir(tmp_path),
    }
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("TMPDIR", paths[kind])
    before = len(live_processes())
    with pytest.raises(TempDirError, match=re.escape(f"TMPDIR={paths[kind]}")) as info:
        LlcSession(small_ir["x86"], "x86")
    assert isinstance(info.value, RL4ReAlError) and isinstance(info.value, OSError)
    assert len(live_processes()) == before


def test_unusable_tmpdir_in_an_env_reset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TMPDIR matters when the allocation server starts (its private directory)."""
    env = make_env()
    AllocationServer.stop_shared()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "gone"))
    with pytest.raises(TempDirError, match="TMPDIR="):
        env.reset(seed=0)
    monkeypatch.delenv("TMPDIR")
    obs, _ = env.reset(seed=0)  # fixed TMPDIR: works again
    assert env.observation_space.contains(obs)
    env.close()


def test_full_tmpdir_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, small_ir) -> None:
    def full(*args: object, **kwargs: object) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    with pytest.raises(TempDirError, match=r"TMPDIR.*No space left on device"):
        LlcSession(small_ir["x86"], "x86")


# -- malformed protocol messages ---------------------------------------------------
def crafted_state(**graph_bytes: bytes):
    pb = proto.load()
    n, f = 3, NUM_NODE_FEATURES
    graph = {
        "version": 1, "num_nodes": n, "num_features": f, "num_edges": 1, "has_edges": True,
        "rows": np.arange(n, dtype=np.int32).tobytes(),
        "node_features": np.zeros((n, f), np.float32).tobytes(), "node_status": np.zeros(n, np.int8).tobytes(),
        "node_colour": np.full(n, -1, np.int32).tobytes(), "node_weight": np.ones(n, np.float32).tobytes(),
        "edges": np.array([[0, 1]], np.int32).tobytes(),
    }  # fmt: skip
    graph.update(graph_bytes)
    return pb.State(phase=0, function_name="f", current_node=-1, mask=bytes([1, 1, 0]), graph=pb.Graph(**graph))


def test_decode_state_accepts_a_well_formed_message() -> None:
    state = decode_state(crafted_state(), None)
    assert state.graph.num_nodes == 3 and state.graph.edges.tolist() == [[0, 1]]
    assert state.mask.tolist() == [True, True, False]


@pytest.mark.parametrize(
    "field,data",
    [
        ("node_status", np.zeros(2, np.int8).tobytes()),
        ("node_features", np.zeros((3, 17), np.float32).tobytes()),
        ("node_weight", np.ones(4, np.float32).tobytes()),
        ("edges", np.array([0, 1, 2], np.int32).tobytes()),
    ],
)
def test_decode_state_rejects_byte_arrays_of_the_wrong_length(field: str, data: bytes) -> None:
    with pytest.raises(ValueError, match=r"malformed protocol message: expected .* values, got"):
        decode_state(crafted_state(**{field: data}), None)


def test_decode_state_rejects_a_partial_element() -> None:
    """Bytes that are not a whole number of elements."""
    with pytest.raises(ValueError, match=r"malformed protocol message: 2 bytes is not a whole number of 4-byte"):
        decode_state(crafted_state(node_colour=b"\x00\x00"), None)


class CorruptingChannel:
    """Passes frames from the real channel and corrupts the first reply ``corrupt`` applies to."""

    def __init__(self, channel, corrupt) -> None:
        self.channel, self.corrupt, self.done = channel, corrupt, False

    def __getattr__(self, name: str):
        return getattr(self.channel, name)

    def receive(self, msg, timeout: float):
        self.channel.receive(msg, timeout)
        if not self.done:
            self.done = self.corrupt(msg)
        return msg


def truncate_status(msg) -> bool:
    if not msg.HasField("graph") or not msg.graph.node_status:
        return False
    msg.graph.node_status = msg.graph.node_status[:-1]
    return True


def truncate_mask(msg) -> bool:
    if not msg.mask:
        return False
    msg.mask = msg.mask[:-1]
    return True


def edge_out_of_range(msg) -> bool:
    if not msg.HasField("graph") or not msg.graph.num_edges:
        return False
    edges = np.frombuffer(msg.graph.edges, np.int32).copy()
    edges[-1] = msg.graph.num_nodes + 5
    msg.graph.edges = edges.tobytes()
    return True


def partial_weight(msg) -> bool:
    if not msg.HasField("graph") or not msg.graph.node_weight:
        return False
    msg.graph.node_weight = msg.graph.node_weight[:-1]
    return True


CORRUPTIONS = [truncate_status, truncate_mask, edge_out_of_range, partial_weight]


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__)
def test_a_malformed_first_state_kills_llc_with_a_clear_error(small_ir, corrupt) -> None:
    session = LlcSession(small_ir["x86"], "x86")
    pid = session.pid
    session._channel = CorruptingChannel(session._channel, corrupt)
    with pytest.raises(LlcError, match="malformed protocol message"):
        session.start()
    assert wait_gone(pid), "llc was left running after a malformed message"
    session.close()


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__)
def test_a_malformed_later_reply_kills_llc_with_a_clear_error(small_ir, corrupt) -> None:
    session = LlcSession(small_ir["x86"], "x86")
    first_steps(session, 2)
    pid = session.pid
    stub = session._channel = CorruptingChannel(session._channel, corrupt)
    with pytest.raises(LlcError, match="malformed protocol message"):
        drive_to_the_end(session)
    assert stub.done
    assert wait_gone(pid), "llc was left running after a malformed message"
    session.close()


def test_malformed_reply_in_an_env_truncates_and_the_next_episode_works() -> None:
    env = make_env()
    env.reset(seed=0)
    session = env.unwrapped._session
    pid = session.pid
    session._channel = CorruptingChannel(session._channel, truncate_mask)
    _, _, terminated, truncated, info = env.step(int(np.flatnonzero(env.unwrapped.action_masks())[0]))
    assert truncated and not terminated
    assert "malformed protocol message" in info["truncated_reason"]
    assert wait_gone(pid)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    env.close()


def test_drive_survives_what_the_faults_left(small_ir) -> None:
    """After all of the above, a plain session still works and nothing is left running."""
    with LlcSession(small_ir["x86"], "x86", verify=True) as session:
        assert drive(session, HeuristicPolicy()).returncode == 0
    assert not live_processes()
