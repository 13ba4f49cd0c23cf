"""Starting and reliably stopping allocation processes (llc, rl4real-server), and any
other process the package runs.

Every allocation process started here is tracked; ``close`` kills it, and an ``atexit`` hook kills
what is left when Python exits normally. If Python itself is killed, the kernel kills
llc: no orphans either way. llc is told this process's PID (``RL4REAL_PARENT_PID``);
the plugin, as soon as llc loads it, asks for ``PR_SET_PDEATHSIG`` and then exits at
once if its parent is no longer that PID, i.e. if Python died before the request (see
native/ProcessLifetime.h). Other tools (llc for baselines, clang, csmith, qemu) run
through :func:`run_guarded`, which does the same before ``exec``ing them; pool workers call
:func:`die_with_parent` first thing.

For the kernel, llc's parent is the *thread* that started it, and ``PR_SET_PDEATHSIG``
fires when that thread ends. So llc is started from the main thread or from one
long-lived spawner thread, never from a short-lived worker thread (a session opened
in a ``ThreadPoolExecutor`` task would otherwise lose its llc when the task's thread ends).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import ctypes
import errno
import functools
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rl4real_gym.errors import RL4ReAlError

_LIVE: weakref.WeakSet[LlcProcess] = weakref.WeakSet()
PARENT_PID_VAR = "RL4REAL_PARENT_PID"  # read by the plugin (native/ProcessLifetime.h)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def child_environment() -> dict[str, str]:
    """The environment of an llc started here: this one, naming this process as its parent.

    Only for processes that check it (the plugin does, and removes it from its own
    environment); a tool that ignores it would pass it on to its children unchecked.
    """
    return {**os.environ, PARENT_PID_VAR: str(os.getpid())}


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` (None where there is none: not Linux)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, *[ctypes.c_ulong] * 4]
    prctl.restype = ctypes.c_int
    return prctl  # type: ignore[no-any-return]


def die_with_parent(parent_pid: int) -> None:
    """Makes the kernel SIGKILL this process when its parent ends; exits at once if the
    parent is no longer ``parent_pid`` (it ended before the request, and this process
    was adopted). Call it first thing in a child, with the parent's PID taken before
    the child was started. Where there is no ``prctl`` only the check is done.

    For the kernel the parent is the *thread* that started the child (see above).
    """
    prctl = _prctl()
    if prctl is not None and prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:
        os._exit(1)


# Runs as ``python -I -S -c _GUARD PARENT_PID PROGRAM ARGV0 ARGS...``: arms the death
# signal, checks the parent, then becomes the program (same PID, so timeouts still work).
_GUARD = """\
import ctypes, os, sys
prctl = ctypes.CDLL(None, use_errno=True).prctl
prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
if prctl(1, 9, 0, 0, 0) != 0:  # PR_SET_PDEATHSIG, SIGKILL
    sys.exit("rl4real: prctl(PR_SET_PDEATHSIG) failed: " + os.strerror(ctypes.get_errno()))
if os.getppid() != int(sys.argv[1]):  # the parent ended before the signal was armed
    os._exit(1)
try:
    os.execv(sys.argv[2], sys.argv[3:])
except OSError as err:
    sys.stderr.write(f"rl4real: cannot run {sys.argv[2]}: {err}\\n")
    os._exit(127)
"""


def _resolve(program: str, cwd: Any, env: Any) -> str:
    """The file ``subprocess`` would run for ``program``; FileNotFoundError as it would."""
    if os.sep in program:
        path = program if cwd is None else os.path.join(os.fspath(cwd), program)
    else:
        search = (env if env is not None else os.environ).get("PATH", os.defpath)
        path = shutil.which(program, path=search) or ""
    if not path or not os.path.isfile(path):
        raise FileNotFoundError(errno.ENOENT, f"No such file or directory: {program!r}", program)
    return path


def run_guarded(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run(cmd, **kwargs)`` whose child cannot outlive this process.

    A run's ``timeout`` is enforced by this process, so the limit ends with it: without
    the guard, a program looping under qemu or a slow compile would run on after a kill.
    The child starts as a small Python guard that does what the plugin does for llc
    (``PR_SET_PDEATHSIG``, then checks its parent is still this process) and then
    ``exec``s ``cmd``; about 10 ms a run. Not ``preexec_fn``: that would ``fork`` this
    process, and gRPC's fork handlers complain (and pause its threads) on every run.
    """
    if not sys.executable:  # an embedded interpreter: no guard to start
        return subprocess.run(cmd, **kwargs)
    program = _resolve(cmd[0], kwargs.get("cwd"), kwargs.get("env"))
    guard = [sys.executable, "-I", "-S", "-c", _GUARD, str(os.getpid()), program, *cmd]
    try:
        proc = subprocess.run(guard, **kwargs)
    except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as err:
        err.cmd = cmd  # what the caller ran, not the guard
        raise
    proc.args = cmd
    return proc


class TempDirError(RL4ReAlError, OSError):
    """No private temp directory could be made: TMPDIR is missing, unwritable or full."""


def temp_base() -> str:
    """Where private temp directories go: ``$TMPDIR`` when set (even if unusable: that is
    reported, not silently replaced), else Python's default temp directory."""
    return os.environ.get("TMPDIR") or tempfile.gettempdir()


def temp_dir_error(base: str, err: OSError) -> TempDirError:
    """A TempDirError that names TMPDIR and says what to do."""
    tmpdir = os.environ.get("TMPDIR")
    origin = f"TMPDIR={tmpdir}" if tmpdir else "TMPDIR is not set"
    return TempDirError(
        f"cannot create a private temp directory for llc in {base} ({origin}): {err.strerror or err}; "
        "point TMPDIR to an existing, writable directory with free space"
    )


def check_temp_base(base: str) -> None:
    """Raises TempDirError unless ``base`` is a directory this process may create entries in."""
    if not os.path.isdir(base):
        missing = not os.path.exists(base)
        code, reason = (errno.ENOENT, "no such directory") if missing else (errno.ENOTDIR, "not a directory")
        raise temp_dir_error(base, OSError(code, reason))
    if not os.access(base, os.W_OK | os.X_OK):
        raise temp_dir_error(base, OSError(errno.EACCES, "not writable"))


def _private_dir() -> Path:
    base = temp_base()
    check_temp_base(base)
    try:
        return Path(tempfile.mkdtemp(prefix="rl4real-", dir=base))
    except OSError as err:
        raise temp_dir_error(base, err) from err


_Job = tuple[Callable[[], Any], "concurrent.futures.Future[Any]"]


class _Spawner:
    """Runs ``subprocess.Popen`` on one daemon thread that lives as long as the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Job] | None = None
        self._thread: threading.Thread | None = None

    def reset(self) -> None:
        """Forgets the thread (after ``fork``, the child has none)."""
        self._lock = threading.Lock()
        self._queue, self._thread = None, None

    def _serve(self, jobs: queue.SimpleQueue[_Job]) -> None:
        while True:
            job, future = jobs.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(job())
                except BaseException as err:
                    future.set_exception(err)

    def _jobs(self) -> queue.SimpleQueue[_Job]:
        with self._lock:
            if self._queue is None or self._thread is None or not self._thread.is_alive():
                self._queue = queue.SimpleQueue()
                self._thread = threading.Thread(
                    target=self._serve, args=(self._queue,), name="rl4real-llc-spawner", daemon=True
                )
                self._thread.start()
            return self._queue

    def popen(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        """``subprocess.Popen(argv, **kwargs)`` from a thread that outlives the caller's."""
        if threading.current_thread() is threading.main_thread() or threading.current_thread() is self._thread:
            return subprocess.Popen(argv, **kwargs)
        future: concurrent.futures.Future[subprocess.Popen[bytes]] = concurrent.futures.Future()
        self._jobs().put((lambda: subprocess.Popen(argv, **kwargs), future))
        return future.result()


_SPAWNER = _Spawner()
os.register_at_fork(after_in_child=_SPAWNER.reset)


class LlcProcess:
    """An allocation process (llc or rl4real-server) with a private temp directory
    (stderr, output) and one end of a socketpair, inherited as a descriptor."""

    def __init__(
        self, argv_without_io: list[str], module: Path | None, output: Path | None, *, fd_option: str,
        server: bool = False,
    ) -> None:  # fmt: skip
        self.server = server  # a long-lived server, not one allocation
        self.workdir = _private_dir()
        self.stderr_path = self.workdir / "stderr.txt"
        self.output = output if output is not None else Path(os.devnull)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        argv = [*argv_without_io, f"{fd_option}={theirs.fileno()}"]
        if module is not None:
            argv += [str(module), "-o", str(self.output)]
        self.argv = argv
        try:
            with open(self.stderr_path, "wb") as err:
                self.proc = _SPAWNER.popen(
                    argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                    pass_fds=(theirs.fileno(),), env=child_environment(),
                )  # fmt: skip
        except OSError as err:
            ours.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            if err.filename == str(self.stderr_path):
                raise temp_dir_error(str(self.workdir.parent), err) from err
            raise
        finally:
            theirs.close()
        self.socket = ours
        _LIVE.add(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr_tail(self, limit: int = 4000) -> str:
        return read_tail(self.stderr_path, limit)

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)

    def cleanup(self) -> None:
        self.kill()
        with contextlib.suppress(OSError):
            self.socket.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        _LIVE.discard(self)


@atexit.register
def _kill_all() -> None:
    for proc in list(_LIVE):
        proc.cleanup()


def read_tail(path: Path, limit: int = 4000) -> str:
    """The last ``limit`` bytes of a process's error output ('' if there is none)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
            data = f.read()
    except OSError:
        return ""
    return data.decode(errors="replace")


def live_processes(*, include_servers: bool = False) -> list[LlcProcess]:
    """The allocation processes this Python process currently owns (for tests and soak
    runs): llc runs, and with ``include_servers`` the long-lived rl4real-server too."""
    return [p for p in _LIVE if p.alive() and (include_servers or not p.server)]
