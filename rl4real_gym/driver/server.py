"""rl4real-server: one long-lived allocation process serving episode after episode.

Starting llc for every episode costs tens of milliseconds before the allocator sees a
function. The server pays LLVM's start-up once, then forks one process per episode
(the episode parses its module and runs code generation up to the allocator), and hands
the episode's socket to the driver. One server serves every session of a Python process;
a forked Python process starts its own on first use. The server dies with this process,
and every episode dies with the server.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
from pathlib import Path

from rl4real_gym import proto
from rl4real_gym.driver.channel import Channel, ChannelClosed, ChannelTimeout
from rl4real_gym.driver.process import LlcProcess
from rl4real_gym.errors import LlcCrashedError, LlcError
from rl4real_gym.plugin import server_path

START_TIMEOUT = 60.0  # seconds for the server to hand over an episode's socket


class EpisodeRefused(LlcError):
    """The server could not start an episode: the module does not parse, its target is
    unknown, or the options are wrong (``detail`` says which, in LLVM's words)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"rl4real-server refused the episode: {detail}")
        self.detail = detail


class AllocationServer:
    """A running ``rl4real-server`` and its control socket (thread-safe)."""

    _shared: AllocationServer | None = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self._pb = proto.load()
        self._process = LlcProcess([str(server_path())], None, None, fd_option="-control-fd", server=True)
        self._control = Channel(self._process.socket)
        self._lock = threading.Lock()
        self._count = itertools.count()

    @classmethod
    def shared(cls) -> AllocationServer:
        """The server of this process, started (or restarted, if it died) on first use."""
        with cls._shared_lock:
            server = cls._shared
            if server is None or not server.alive():
                if server is not None:
                    server.close()
                cls._shared = server = cls()
            return server

    @classmethod
    def stop_shared(cls) -> None:
        """Stops this process's server (and so every episode it serves); the next
        session starts a new one."""
        with cls._shared_lock:
            if cls._shared is not None:
                cls._shared.close()
                cls._shared = None

    @classmethod
    def _forget_after_fork(cls) -> None:
        # A forked child must not talk on its parent's control socket.
        cls._shared = None
        cls._shared_lock = threading.Lock()

    def alive(self) -> bool:
        return self._process.alive()

    @property
    def workdir(self) -> Path:
        return self._process.workdir

    def new_path(self, what: str) -> Path:
        """A fresh file name in the server's private directory."""
        return self.workdir / f"{what}-{next(self._count)}.txt"

    def start_episode(self, module: Path, args: list[str], output: Path | None) -> tuple[Channel, Path]:
        """Forks an episode process for ``module``; returns its channel and stderr file."""
        stderr = self.new_path("episode")
        req = self._pb.EpisodeRequest(
            module=str(module), args=args, stderr_path=str(stderr), output=str(output or "")
        )
        reply = self._pb.EpisodeReply()
        with self._lock:
            try:
                self._control.send(req)
                fd = self._control.receive_with_fd(reply, START_TIMEOUT)
            except (ChannelClosed, ChannelTimeout) as err:
                self._process.kill()
                raise LlcCrashedError(
                    f"rl4real-server stopped serving episodes ({err})", self._process.stderr_tail()
                ) from err
        if reply.error or fd < 0:
            raise EpisodeRefused(reply.error or "no socket")
        return Channel(socket.socket(fileno=fd)), stderr

    def close(self) -> None:
        self._process.cleanup()


os.register_at_fork(after_in_child=AllocationServer._forget_after_fork)
