"""Bad input and failing llc give clear exceptions and leave no llc process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rl4real_gym.driver import ActionKind, LlcSession, Phase, SessionLimits
from rl4real_gym.driver.policies import HeuristicPolicy, drive
from rl4real_gym.driver.process import live_processes
from rl4real_gym.errors import LlcCrashedError, LlcTimeoutError, TargetMismatchError, UnknownTargetError
from rl4real_gym.targets import get_target


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes (its parent will reap it).
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pid: int, patience: float = 30.0) -> bool:
    """Waits for an event (the process ending), not for a duration to pass."""
    end = time.monotonic() + patience
    while time.monotonic() < end:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def first_steps(session: LlcSession, n: int) -> None:
    state = session.start()
    policy = HeuristicPolicy()
    from rl4real_gym.driver.state import PHASE_ACTION

    for _ in range(n):
        state = session.step(PHASE_ACTION[state.phase], policy(state))


def test_malformed_ir(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ll"
    bad.write_text("define i32 @f( {\n  this is not IR\n")
    session = LlcSession(bad, "x86")
    pid = session.pid
    with pytest.raises(LlcCrashedError, match="before allocation started") as info:
        session.start()
    assert "error" in info.value.stderr
    session.close()
    assert wait_gone(pid)
    assert not live_processes()


def test_unknown_target_name() -> None:
    with pytest.raises(UnknownTargetError, match="supported targets are: x86, aarch64, riscv64"):
        get_target("mips64")


@pytest.mark.parametrize("triple", ["riscv64-unknown-linux-gnu", "nosuchcpu-unknown-none"])
def test_module_for_another_target(tmp_path: Path, triple: str) -> None:
    ll = tmp_path / "other.ll"
    ll.write_text(f'target triple = "{triple}"\ndefine void @f() {{\n  ret void\n}}\n')
    with pytest.raises(TargetMismatchError, match=f"compiled for {triple}"):
        LlcSession(ll, "x86")
    assert not live_processes()


def test_aarch64_module_in_an_x86_session(small_ir) -> None:
    with pytest.raises(TargetMismatchError, match="not for x86"):
        LlcSession(small_ir["aarch64"], "x86")


def test_missing_module() -> None:
    with pytest.raises(FileNotFoundError):
        LlcSession("/nonexistent/f.ll", "x86")


def test_llc_crash_mid_episode(small_ir) -> None:
    session = LlcSession(small_ir["x86"], "x86", extra_args=("-rl4real-inject-crash-after=5",))
    pid = session.pid
    with pytest.raises(LlcCrashedError, match="exited with status"):
        first_steps(session, 50)
    session.close()
    assert wait_gone(pid)


def test_hung_llc_times_out(small_ir) -> None:
    limits = SessionLimits(step_timeout=2.0)
    session = LlcSession(small_ir["x86"], "x86", limits=limits, extra_args=("-rl4real-inject-hang-after=3",))
    pid = session.pid
    with pytest.raises(LlcTimeoutError, match="did not answer"):
        first_steps(session, 50)
    assert wait_gone(pid)  # killed by the driver, not left behind
    session.close()


def test_illegal_action_is_rejected_by_the_plugin(small_ir) -> None:
    with LlcSession(small_ir["x86"], "x86") as session:
        state = session.start()
        assert state.phase == Phase.SELECT_NODE
        bad = session.step(ActionKind.COLOUR, 0)  # wrong phase
        assert bad.error and bad.phase == Phase.SELECT_NODE
        illegal = int((~state.mask).nonzero()[0][0]) if (~state.mask).any() else state.graph.num_nodes
        bad = session.step(ActionKind.SELECT_NODE, illegal)
        assert "not selectable" in bad.error
        ok = session.step(ActionKind.SELECT_NODE, int(state.mask.nonzero()[0][0]))
        assert not ok.error and ok.phase == Phase.SELECT_TASK
        result = session.finish()
    assert result.returncode == 0
    assert set(result.figures) == {"mix", "dot", "main"}


def test_finish_lets_the_heuristic_complete(small_ir, tmp_path: Path) -> None:
    out = tmp_path / "out.s"
    with LlcSession(small_ir["aarch64"], "aarch64", output=out, verify=True) as session:
        first_steps(session, 9)
        result = session.finish()
    assert out.read_text().count(".globl") >= 3
    figs = result.figures
    assert sum(f.agent_decisions for f in figs.values()) == 3
    assert sum(f.heuristic_decisions for f in figs.values()) > 0


def test_close_kills_llc_and_removes_temp_files(small_ir) -> None:
    session = LlcSession(small_ir["x86"], "x86")
    session.start()
    workdir = session._proc.workdir
    pid = session.pid
    session.close()
    session.close()  # idempotent
    assert wait_gone(pid)
    assert not workdir.exists()


CHILD = """
import sys, time
from rl4real_gym.driver import LlcSession
s = LlcSession(sys.argv[1], "x86")
s.start()
print(s.pid, flush=True)
time.sleep(600)
"""


def test_no_orphan_when_the_python_parent_is_killed(small_ir) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(small_ir["x86"])], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    llc_pid = int(child.stdout.readline())
    assert pid_alive(llc_pid)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert wait_gone(llc_pid), "llc outlived its killed parent"


def test_drive_runs_a_whole_module(small_ir) -> None:
    with LlcSession(small_ir["x86"], "x86", verify=True) as session:
        result = drive(session, HeuristicPolicy())
    assert result.returncode == 0
    assert {"mix", "dot", "main"} <= set(result.figures)
