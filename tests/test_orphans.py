"""No process the package starts outlives its Python parent, whenever that parent is killed.

Issue 18: a parent SIGKILLed while llc was starting left llc running for half an hour. Here
a Python process runs environments (plainly, through SB3's SubprocVecEnv workers, through
RLlib EnvRunners) and is SIGKILLed at random moments: during start-up, during reset (while
llc is starting), between steps. Then nothing it started may be left.

What counts as left over is found generically, not by process name: each run puts a unique
marker in its environment, every descendant inherits it (llc, pool workers, an allocation
server and its fork children, Ray's workers), and ``/proc/*/environ`` shows it even for a
process that changed its own environment later. After the kill the scan is repeated until
nothing carries the marker, up to a generous bound (dying processes need a moment; the
bound is a patience, not a performance requirement).

The default suite kills a few parents (about 15 s in all); ``--runslow`` kills 240 plain
parents over both targets, 10 SubprocVecEnv parents, RLlib drivers and parallel fuzz
campaigns.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from rl4real_gym.driver import LlcSession, process
from rl4real_gym.driver.process import PARENT_PID_VAR
from rl4real_gym.plugin import plugin_path
from rl4real_gym.registration import ENV_VERSION
from rl4real_gym.tools import tool

MARKER_VAR = "RL4REAL_ORPHAN_TEST_MARKER"
PATIENCE = 60.0  # seconds a leftover gets to go away after the kill
TARGETS = ("x86", "aarch64")
SIZES = "max_nodes=128, max_edges=2048, max_split_points=32"


@dataclass(frozen=True)
class Leftover:
    pid: int
    ppid: int
    cmdline: str

    def __str__(self) -> str:
        return f"pid {self.pid} (parent {self.ppid}): {self.cmdline[:200]}"


def marked_processes(marker: str) -> list[Leftover]:
    """Live (not zombie) processes whose environment carries ``MARKER_VAR=marker``."""
    needle = f"{MARKER_VAR}={marker}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if needle not in Path(f"/proc/{name}/environ").read_bytes().split(b"\0"):
                continue
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if fields[0] not in ("Z", "X"):  # a zombie has ended; whoever adopted it reaps it (or not)
            found.append(Leftover(int(name), int(fields[1]), cmdline.strip()))
    return found


def leftovers_after(marker: str, patience: float = PATIENCE) -> list[Leftover]:
    """Waits for every process carrying ``marker`` to end; returns those still alive after
    ``patience`` seconds, having killed them (they are this test's, by their PID)."""
    end = time.monotonic() + patience
    left = marked_processes(marker)
    while left and time.monotonic() < end:
        time.sleep(0.05)
        left = marked_processes(marker)
    for proc in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
    return left


def new_marker() -> str:
    return f"{os.getpid()}-{uuid.uuid4().hex}"


class MarkedChild:
    """A Python parent under test: started with a fresh marker, read line by line.

    Its stdout is read with ``select``, never to EOF: a leftover holding the pipe's write
    end (an orphaned worker inherits it) must not block the test.
    """

    def __init__(self, argv: list[str], stderr: Path) -> None:
        self.marker = new_marker()
        self.stderr = stderr
        self._pending = b""
        with open(stderr, "wb") as err:
            self.proc = subprocess.Popen(
                argv, env={**os.environ, MARKER_VAR: self.marker}, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=err,
            )  # fmt: skip
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()

    def _read(self, timeout: float) -> bool:
        """Adds what the child printed within ``timeout``; False once nothing more can come."""
        if select.select([self._fd], [], [], timeout)[0]:
            data = os.read(self._fd, 1 << 16)
            self._pending += data
            return bool(data)
        return self.proc.poll() is None  # dead, and whatever still holds the pipe is silent

    def _take_line(self) -> str | None:
        if b"\n" not in self._pending:
            return None
        line, self._pending = self._pending.split(b"\n", 1)
        return line.decode(errors="replace").strip()

    def wait_for_line(self, prefix: str, patience: float = 300.0) -> list[str]:
        """The lines printed up to and including the first starting with ``prefix``."""
        lines: list[str] = []
        end = time.monotonic() + patience
        while True:
            while (line := self._take_line()) is not None:
                lines.append(line)
                if line.startswith(prefix):
                    return lines
            if time.monotonic() > end or not self._read(0.05):
                break
        self.proc.kill()
        self.proc.wait()
        tail = self.stderr.read_text(errors="replace")[-3000:]
        raise AssertionError(f"the child (status {self.proc.returncode}) never printed {prefix!r}:\n{tail}")

    def kill(self) -> list[str]:
        """SIGKILLs the child; returns the lines it printed that were not read yet."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        assert self.proc.returncode == -signal.SIGKILL
        while select.select([self._fd], [], [], 0)[0] and self._read(0):
            pass
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self._pending += b"\n"
        lines = []
        while (line := self._take_line()) is not None:
            lines.append(line)
        return [line for line in lines if line]

    def leftovers(self, patience: float = PATIENCE) -> list[Leftover]:
        return leftovers_after(self.marker, patience)

    def started(self) -> list[Leftover]:
        return marked_processes(self.marker)


# -- a plain Python parent ----------------------------------------------------------
# Prints "I" once imported, "R" before each reset, "P <pid>" for each process the driver
# starts (the moment it exists), "S" once reset has returned and it steps. Episodes are
# cut short at random so that most of the time goes to resets, i.e. to starting llc.
ENV_CHILD = f"""
import sys
import numpy as np
import gymnasium as gym
import rl4real_gym
from rl4real_gym.driver import process

target, seed, die_at_spawn = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
real_popen = process._SPAWNER.popen

def reporting_popen(argv, **kwargs):
    proc = real_popen(argv, **kwargs)
    print("P", proc.pid, flush=True)
    if die_at_spawn:  # the parent dies the instant llc exists, before llc has done anything
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
    return proc

process._SPAWNER.popen = reporting_popen
print("I", flush=True)
env = gym.make(f"RL4ReAl-{{target}}-v{ENV_VERSION}", {SIZES})
rng = np.random.default_rng(seed)
twins = []  # fork copies of the episode (adopted by the allocation server), some stepped
while True:
    print("R", flush=True)
    env.reset(seed=int(rng.integers(1 << 30)))
    print("S", flush=True)
    for _ in range(int(rng.integers(0, 30))):
        action = int(rng.choice(np.flatnonzero(env.unwrapped.action_masks())))
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            break
        if rng.random() < 0.2:
            twins.append(env.unwrapped.fork())
            if len(twins) > 3:
                twins.pop(0).close()
            twin = twins[-1]
            legal = np.flatnonzero(twin.action_masks())
            if legal.size:
                twin.step(int(rng.choice(legal)))
"""


@dataclass
class KillRecord:
    target: str
    moment: str  # start-up, llc starting, reset, steps
    leftovers: list[Leftover]


def kill_moment(lines: list[str]) -> str:
    """Where the child was when it died, from the last thing it printed."""
    events = [line for line in lines if line and line[0] in "IRPS"]
    if not events or events[-1] == "I":
        return "start-up"
    if events[-1].startswith("P"):
        return "llc starting"  # the allocation process started, its first state not received yet
    return "reset" if events[-1] == "R" else "steps"


def kill_plain_parent(tmp_path: Path, target: str, rng: random.Random, schedule: str) -> KillRecord:
    """Starts ENV_CHILD, SIGKILLs it at a random moment of the given kind, scans for leftovers.

    ``schedule``: ``start-up`` (0-0.4 s after exec: interpreter, imports, make, first reset),
    ``first-reset`` (10-50 ms after the first reset began: the allocation server starting
    and forking its first episode, which takes about that long), ``episodes`` (0-0.6 s
    into the reset/step/fork loop).
    """
    script = tmp_path / "env_child.py"
    if not script.exists():
        script.write_text(ENV_CHILD)
    child = MarkedChild([sys.executable, str(script), target, str(rng.randrange(1 << 30)), "0"], tmp_path / "env.err")
    lines: list[str] = []
    if schedule == "first-reset":
        lines = child.wait_for_line("R")
        time.sleep(rng.uniform(0.01, 0.05))
    elif schedule == "episodes":
        lines = child.wait_for_line("S")
        time.sleep(rng.uniform(0.0, 0.6))
    else:
        time.sleep(rng.uniform(0.0, 0.4))
    lines += child.kill()
    return KillRecord(target, kill_moment(lines), child.leftovers())


def kill_plain_parents(tmp_path: Path, count: int, seed: int) -> list[KillRecord]:
    rng = random.Random(seed)
    schedules = ("start-up", "first-reset", "episodes", "episodes")
    return [kill_plain_parent(tmp_path, TARGETS[i % 2], rng, schedules[i % len(schedules)]) for i in range(count)]


def check_records(records: list[KillRecord]) -> Counter[str]:
    moments = Counter(record.moment for record in records)
    left = [f"{r.target}, killed during {r.moment}: {p}" for r in records for p in r.leftovers]
    print(f"\n{len(records)} kills by moment: {dict(moments)}; leftovers: {len(left)}")
    assert not left, f"{len(left)} process(es) outlived their killed parent:\n" + "\n".join(left)
    return moments


@pytest.mark.parametrize("target", TARGETS)
def test_parent_killed_the_instant_llc_exists(tmp_path: Path, target: str) -> None:
    """The race of issue 18, every time: llc is exec'd and its parent is already dead
    before llc has loaded the plugin or read the IR."""
    (tmp_path / "env_child.py").write_text(ENV_CHILD)
    child = MarkedChild([sys.executable, str(tmp_path / "env_child.py"), target, "0", "1"], tmp_path / "env.err")
    lines = child.wait_for_line("P")
    child.kill()  # it has killed itself already
    llc = int(lines[-1].split()[1])
    left = child.leftovers()
    assert not left, f"llc {llc} outlived the parent that died as it started it: {left}"


def test_killed_parents_leave_nothing(tmp_path: Path) -> None:
    """A short share of the random-kill check (both targets)."""
    moments = check_records(kill_plain_parents(tmp_path, 10, seed=18))
    assert moments["llc starting"] + moments["reset"] >= 1, f"no kill landed in a reset: {moments}"


@pytest.mark.slow
def test_killed_parents_leave_nothing_many_times(tmp_path: Path) -> None:
    """240 random kills, 120 per target, a quarter of them aimed at the first llc start."""
    records = kill_plain_parents(tmp_path, 240, seed=1800)
    moments = check_records(records)
    assert moments["llc starting"] >= 30, f"too few kills while llc was starting to mean much: {moments}"


# -- the guards themselves ------------------------------------------------------------
def llc_with_parent_pid(module: Path, value: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != PARENT_PID_VAR}
    if value is not None:
        env[PARENT_PID_VAR] = value
    cmd = [tool("llc"), "-load", str(plugin_path()), "-regalloc=rl4real", str(module), "-o", os.devnull]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=PATIENCE)


@pytest.mark.parametrize(
    ("value", "status", "says"),
    [
        ("self", 0, ""),  # started by the process it names: allocates as usual
        (None, 0, ""),  # not started by a driver: no guard
        ("", 0, ""),
        ("not-parent", 1, "has ended or is not its parent"),  # the driver died before llc loaded the plugin
        ("12ab", 1, "is not a process ID"),
    ],
)
def test_plugin_checks_the_parent_it_is_given(small_ir, value: str | None, status: int, says: str) -> None:
    named = {"self": str(os.getpid()), "not-parent": str(os.getppid())}.get(value or "", value)
    proc = llc_with_parent_pid(small_ir["x86"], named)
    assert proc.returncode == status, proc.stderr
    assert says in proc.stderr


def test_guard_of_a_run_exits_when_its_parent_is_already_gone() -> None:
    """What run_guarded's child does when its parent died before it armed the signal."""
    cmd = [sys.executable, "-I", "-S", "-c", process._GUARD, str(os.getppid()), "/bin/sleep", "sleep", "600"]
    assert subprocess.run(cmd, timeout=PATIENCE).returncode == 1


GUARDED_CHILD = """
import sys
from rl4real_gym.driver.process import run_guarded
print("I", flush=True)
run_guarded(["sleep", "600"], timeout=900)  # a program looping under qemu, a slow compile
"""


def test_guarded_runs_end_with_their_killed_parent(tmp_path: Path) -> None:
    """Killed while the guard starts (the race) and once the program runs."""
    script = tmp_path / "guarded_child.py"
    script.write_text(GUARDED_CHILD)
    rng = random.Random(3)
    for i in range(6):
        child = MarkedChild([sys.executable, str(script)], tmp_path / "guarded.err")
        child.wait_for_line("I")
        if i == 0:  # until sleep runs
            end = time.monotonic() + PATIENCE
            while not any(p.cmdline.startswith("sleep") for p in child.started()):
                assert time.monotonic() < end, "sleep never started"
                time.sleep(0.01)
        else:
            time.sleep(rng.uniform(0.0, 0.03))
        child.kill()
        left = child.leftovers()
        assert not left, f"a guarded run outlived its killed parent: {left}"


def test_llc_finishes_at_once_when_its_client_is_gone(small_ir, tmp_path: Path) -> None:
    """A driver that went away costs llc nothing: its end of the socketpair is closed, so
    llc finishes with the heuristic at once instead of waiting for the per-decision limit
    (1800 s by default), and still writes a complete output."""
    out = tmp_path / "out.s"
    session = LlcSession(small_ir["x86"], "x86", output=out)
    try:
        session._proc.socket.close()  # the driver's end, as when the driver dies
        assert session._proc.wait(PATIENCE) == 0, session._proc.stderr_tail()
        assert "finishing with the heuristic" in session._proc.stderr_tail()
        assert ".section" in out.read_text() and "ret" in out.read_text()
    finally:
        session.close()


FUZZ_CHILD = """
import sys
from pathlib import Path
from rl4real_gym.fuzzing import FuzzConfig, run_campaign

if __name__ == "__main__":
    target, work = sys.argv[1], Path(sys.argv[2])
    print("I", flush=True)
    run_campaign(FuzzConfig(target, "random", work / "findings"), range(1, 200), jobs=2, progress=False)
"""


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_killed_fuzz_campaign_leaves_nothing(tmp_path: Path, target: str) -> None:
    """Two pool workers running csmith, clang, llc, qemu: all of it goes with the parent."""
    rng = random.Random(target)
    script = tmp_path / "fuzz_child.py"
    script.write_text(FUZZ_CHILD)
    for _ in range(3):
        child = MarkedChild([sys.executable, str(script), target, str(tmp_path)], tmp_path / "fuzz.err")
        child.wait_for_line("I")
        time.sleep(rng.uniform(0.5, 6.0))
        assert child.started(), "the campaign had started nothing"
        child.kill()
        left = child.leftovers()
        assert not left, "processes outlived the killed fuzz campaign:\n" + "\n".join(map(str, left))


# -- SubprocVecEnv workers -------------------------------------------------------------
VEC_CHILD = f"""
import sys
import numpy as np
from agents.config import TrainConfig
from agents.envs import make_vec_env

if __name__ == "__main__":
    target, seed = sys.argv[1], int(sys.argv[2])
    config = TrainConfig(target=target, workers=2, seed=seed, {SIZES}, max_steps=20)
    print("I", flush=True)
    venv = make_vec_env(config.env_part(), config.backend_part(), config.seed)  # each worker has its own llc
    venv.reset()
    print("S", flush=True)
    rng = np.random.default_rng(seed)
    while True:
        masks = venv.env_method("action_masks")
        venv.step(np.array([rng.choice(np.flatnonzero(m)) for m in masks]))
"""


def kill_vec_parent(tmp_path: Path, target: str, rng: random.Random, at_start: bool) -> list[Leftover]:
    script = tmp_path / "vec_child.py"
    script.write_text(VEC_CHILD)
    child = MarkedChild([sys.executable, str(script), target, str(rng.randrange(1000))], tmp_path / "vec.err")
    if at_start:  # the workers are starting, importing, making their envs, starting llc
        child.wait_for_line("I")
        time.sleep(rng.uniform(0.0, 1.5))
    else:
        child.wait_for_line("S")
        time.sleep(rng.uniform(0.0, 1.0))
    assert child.started(), "the run had started nothing"
    child.kill()
    return child.leftovers()


def vec_kills(tmp_path: Path, count: int) -> None:
    rng = random.Random(7)
    left = []
    for i in range(count):
        target = TARGETS[i % 2]
        left += [f"{target}: {p}" for p in kill_vec_parent(tmp_path, target, rng, at_start=i % 2 == 1)]
    assert not left, "processes outlived the killed SubprocVecEnv parent:\n" + "\n".join(left)


def test_killed_subproc_vec_env_parent_leaves_nothing(tmp_path: Path) -> None:
    pytest.importorskip("stable_baselines3")
    vec_kills(tmp_path, 2)


@pytest.mark.slow
def test_killed_subproc_vec_env_parent_leaves_nothing_many_times(tmp_path: Path) -> None:
    pytest.importorskip("stable_baselines3")
    vec_kills(tmp_path, 10)


# -- RLlib EnvRunners -------------------------------------------------------------------
RLLIB_CHILD = """
import sys
import ray
from agents.config import TrainConfig
from agents.rllib.train import run_rllib

if __name__ == "__main__":
    target, work, ray_dir = sys.argv[1:4]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _temp_dir=ray_dir)
    print("I", flush=True)
    config = TrainConfig(
        backend="rllib", target=target, workers=2, timesteps=10**6, n_steps=128, batch_size=64, n_epochs=1,
        model_dir=work + "/models", run_name="orphans", progress=False,
        extra={"ray_results": work + "/ray_results", "audit_dir": work + "/audit"},
        max_nodes=64, max_edges=1024, max_split_points=16, max_steps=300,
    )
    run_rllib(config)
"""


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_killed_rllib_driver_leaves_nothing(tmp_path: Path, target: str, request: pytest.FixtureRequest) -> None:
    """The driver dies while both EnvRunners sample (each with an llc); Ray's own processes
    and the EnvRunners must go too, and their llc with them."""
    pytest.importorskip("ray.rllib")
    script = tmp_path / "rllib_child.py"
    script.write_text(RLLIB_CHILD)
    ray_dir = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths must fit
    request.addfinalizer(lambda: shutil.rmtree(ray_dir, ignore_errors=True))
    child = MarkedChild([sys.executable, str(script), target, str(tmp_path), ray_dir], tmp_path / "rllib.err")
    child.wait_for_line("I")
    audit = tmp_path / "audit"
    end = time.monotonic() + 300
    while len(list(audit.glob("checked-*"))) < 2 and time.monotonic() < end and child.proc.poll() is None:
        time.sleep(0.1)  # until both EnvRunners have stepped
    tail = child.stderr.read_text(errors="replace")[-3000:]
    assert len(list(audit.glob("checked-*"))) >= 2, f"the EnvRunners never stepped:\n{tail}"
    time.sleep(random.uniform(0.0, 1.0))
    child.kill()
    left = child.leftovers(patience=120.0)
    assert not left, "processes outlived the killed RLlib driver:\n" + "\n".join(map(str, left))
