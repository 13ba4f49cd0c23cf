"""Starting and reliably stopping llc processes.

Every llc started here is tracked; ``close`` kills it, and an ``atexit`` hook kills
what is left when Python exits normally. If Python itself is killed, the plugin's
``PR_SET_PDEATHSIG`` makes the kernel kill llc: no orphans either way.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import weakref
from pathlib import Path

_LIVE: weakref.WeakSet[LlcProcess] = weakref.WeakSet()
SOCKET_PATH_MAX = 100  # sockaddr_un allows 108 bytes


def _private_dir() -> Path:
    base = tempfile.gettempdir()
    if len(base) > SOCKET_PATH_MAX - 30:
        base = "/tmp"
    try:
        return Path(tempfile.mkdtemp(prefix="rl4real-", dir=base))
    except OSError as err:
        raise OSError(
            f"cannot create a private temp directory in {base} ({err.strerror}); "
            "set TMPDIR to a writable directory with free space"
        ) from err


class LlcProcess:
    """An llc process with a private temp directory (socket, stderr, output)."""

    def __init__(self, argv_without_io: list[str], module: Path, output: Path | None):
        self.workdir = _private_dir()
        self.socket = self.workdir / "s.sock"
        self.stderr_path = self.workdir / "stderr.txt"
        self.output = output if output is not None else Path(os.devnull)
        argv = [*argv_without_io, f"-rl4real-server=unix:{self.socket}", str(module), "-o", str(self.output)]
        self.argv = argv
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _LIVE.add(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr_tail(self, limit: int = 4000) -> str:
        try:
            data = self.stderr_path.read_bytes()
        except OSError:
            return ""
        return data[-limit:].decode(errors="replace")

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
        shutil.rmtree(self.workdir, ignore_errors=True)
        _LIVE.discard(self)


@atexit.register
def _kill_all() -> None:
    for proc in list(_LIVE):
        proc.cleanup()


def live_processes() -> list[LlcProcess]:
    """The llc processes this Python process currently owns (for tests and soak runs)."""
    return [p for p in _LIVE if p.alive()]
