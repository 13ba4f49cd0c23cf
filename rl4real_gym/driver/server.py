"""rl4real-server: one long-lived allocation process serving episode after episode.

Starting llc for every episode costs tens of milliseconds before the allocator sees a
function. The server pays LLVM's start-up once, then forks one process per episode
(the episode parses its module and runs code generation up to the allocator), and hands
the episode's socket to the driver. A request can be sent ahead and its socket collected
later (:meth:`AllocationServer.request_episode`): the server parses and forks while the
driver does other work. One server serves every session of a Python process;
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


class EpisodeTicket:
    """An episode requested from the server, whose socket is collected by :meth:`result`."""

    def __init__(self, server: AllocationServer, stderr: Path) -> None:
        self.server = server
        self.stderr = stderr
        self.pid = os.getpid()  # a forked Python process must not read its parent's replies
        self.channel: Channel | None = None
        self.error: LlcError | None = None

    @property
    def done(self) -> bool:
        """Whether the server's answer (a socket or an error) is in."""
        return self.channel is not None or self.error is not None

    def result(self) -> tuple[Channel, Path]:
        """The episode's channel and stderr file; raises what the server answered instead."""
        if self.pid != os.getpid():
            raise LlcCrashedError("an episode requested by the parent process cannot be used after fork()", "")
        self.server._collect(self)
        if self.error is not None:
            raise self.error
        assert self.channel is not None
        return self.channel, self.stderr


class AllocationServer:
    """A running ``rl4real-server`` and its control socket (thread-safe).

    At most one request is outstanding: a new one first collects the last one's reply, so
    replies (and the descriptors they carry) are never read out of order.
    """

    _shared: AllocationServer | None = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self._pb = proto.load()
        self._process = LlcProcess([str(server_path())], None, None, fd_option="-control-fd", server=True)
        self._control = Channel(self._process.socket)
        self._lock = threading.Lock()
        self._count = itertools.count()
        self._outstanding: EpisodeTicket | None = None

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
        return self.request_episode(module, args, output).result()

    def request_episode(self, module: Path, args: list[str], output: Path | None) -> EpisodeTicket:
        """Asks for an episode process for ``module`` without waiting for it."""
        ticket = EpisodeTicket(self, self.new_path("episode"))
        req = self._pb.EpisodeRequest(
            module=str(module), args=args, stderr_path=str(ticket.stderr), output=str(output or "")
        )
        with self._lock:
            if self._outstanding is not None:
                self._answer(self._outstanding)
            try:
                self._control.send(req)
            except ChannelClosed as err:
                self._failed(ticket, err)
            else:
                self._outstanding = ticket
        return ticket

    def _collect(self, ticket: EpisodeTicket) -> None:
        with self._lock:
            if not ticket.done:
                assert ticket is self._outstanding, "replies are collected in order"
                self._answer(ticket)

    def _answer(self, ticket: EpisodeTicket) -> None:
        """Reads the reply to ``ticket``, the outstanding request (the lock is held)."""
        self._outstanding = None
        reply = self._pb.EpisodeReply()
        try:
            fd = self._control.receive_with_fd(reply, START_TIMEOUT)
        except (ChannelClosed, ChannelTimeout) as err:
            self._failed(ticket, err)
            return
        if reply.error or fd < 0:
            ticket.error = EpisodeRefused(reply.error or "no socket")
        else:
            ticket.channel = Channel(socket.socket(fileno=fd))

    def _failed(self, ticket: EpisodeTicket, err: Exception) -> None:
        self._process.kill()
        ticket.error = LlcCrashedError(f"rl4real-server stopped serving episodes ({err})", self._process.stderr_tail())

    def close(self) -> None:
        self._process.cleanup()


os.register_at_fork(after_in_child=AllocationServer._forget_after_fork)
