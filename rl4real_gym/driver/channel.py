"""Framed protobuf messages on a unix stream socket: the driver's end of FrameChannel.

A frame is a 4-byte little-endian length and a serialized message. A file descriptor
(a new episode's socket, a process's pidfd) comes as SCM_RIGHTS on the first bytes of the
frame that announces it; such a frame is always the first unread one (the protocol is
strictly request/reply), so it is read with ``recvmsg``. Single-threaded and copy-light:
one ``recv_into`` usually reads a whole reply.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import time
from typing import Any

_HEADER = struct.Struct("<I")
MAX_FRAME = 1 << 30
SPIN_FOR = 100e-6  # seconds a receive polls before it sleeps (as the plugin's FrameChannel)
SPIN_WHEN_WAIT_BELOW = 200e-6  # ... when the last frame came within this


class ChannelClosed(ConnectionError):
    """The allocation process closed its end (it exited or crashed)."""


class ChannelTimeout(TimeoutError):
    """No complete frame arrived within the time limit."""


class Channel:
    """One connected socket to an allocation process."""

    all_waited = 0.0  # seconds every channel of this process spent waiting to read, polling included (benchmarks)

    def __init__(self, sock: socket.socket) -> None:
        # Blocking, with the time limit kept by the kernel (SO_RCVTIMEO): one system
        # call per read instead of Python's poll-then-read.
        sock.settimeout(None)
        self.sock = sock
        self._timeout = -1.0
        self._last_wait = 0.0
        self._buf = bytearray(1 << 16)
        self._view = memoryview(self._buf)
        self._start = 0  # unread bytes are self._buf[_start:_end]
        self._end = 0

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def _limit(self, seconds: float) -> None:
        """Sets the kernel's receive time limit (only when it changes noticeably)."""
        if abs(seconds - self._timeout) > 0.05 * self._timeout + 0.001:
            whole = int(seconds)
            micro = max(1, int((seconds - whole) * 1e6)) if whole == 0 else int((seconds - whole) * 1e6)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", whole, micro))
            self._timeout = seconds

    def send(self, msg: Any) -> None:
        data = msg.SerializeToString()
        try:
            self.sock.sendall(_HEADER.pack(len(data)) + data)
        except OSError as err:
            raise ChannelClosed(f"the allocation process is gone ({err})") from err

    def _grow(self, need: int) -> None:
        """Makes room for ``need`` unread bytes from ``_start``."""
        if len(self._buf) - self._start < need:  # compact, then grow
            size = self._end - self._start
            if self._start:
                self._buf[:size] = self._buf[self._start : self._end]
                self._start, self._end = 0, size
            if len(self._buf) < need:
                self._view.release()  # a bytearray with a live view cannot grow
                self._buf.extend(bytes(max(need, 2 * len(self._buf)) - len(self._buf)))
                self._view = memoryview(self._buf)

    def _fill(self, need: int, deadline: float) -> None:
        """Reads until ``need`` unread bytes are buffered."""
        self._grow(need)
        while self._end - self._start < need:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelTimeout("no answer in time")
            self._limit(left)
            started = time.perf_counter()
            try:
                n = self.sock.recv_into(self._view[self._end :])
            except BlockingIOError as err:  # SO_RCVTIMEO expired
                raise ChannelTimeout("no answer in time") from err
            except InterruptedError:
                continue
            except OSError as err:
                raise ChannelClosed(f"the allocation process is gone ({err})") from err
            finally:
                Channel.all_waited += time.perf_counter() - started
            if n == 0:
                raise ChannelClosed("the allocation process closed the connection")
            self._end += n

    def _spin(self) -> None:
        """Polls the socket for up to SPIN_FOR seconds: waking a sleeping process costs
        tens of microseconds on an idle (virtual) machine, more than a decision takes.
        Between polls it yields the core, which the process it waits for (or another
        one a vector env waits for) may be queued on."""
        self._grow(4)
        started = time.perf_counter()
        try:
            self._poll(started + SPIN_FOR)
        finally:
            Channel.all_waited += time.perf_counter() - started

    def _poll(self, end: float) -> None:
        while time.perf_counter() < end:
            try:
                n = self.sock.recv_into(self._view[self._end :], 0, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                os.sched_yield()  # the process we wait for may be queued on this core
                continue
            except OSError:
                return  # the blocking read reports it
            if n == 0:
                return
            self._end += n
            return

    def receive(self, msg: Any, timeout: float) -> Any:
        """Waits up to ``timeout`` seconds for one frame and parses it into ``msg``.

        When the last frame came within SPIN_WHEN_WAIT_BELOW, the socket is polled for a
        while before sleeping (a process answering in microseconds is not worth a wake-up).
        """
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        if self._end == self._start and self._last_wait < SPIN_WHEN_WAIT_BELOW:
            self._spin()
        self._fill(4, deadline)
        self._last_wait = time.perf_counter() - started
        (size,) = _HEADER.unpack_from(self._buf, self._start)
        if size > MAX_FRAME:
            raise ChannelClosed(f"malformed protocol message: a frame of {size} bytes")
        self._fill(4 + size, deadline)
        start = self._start + 4
        msg.ParseFromString(self._view[start : start + size])
        self._start = start + size
        if self._start == self._end:
            self._start = self._end = 0
        return msg

    def receive_with_fd(self, msg: Any, timeout: float) -> int:
        """Like :meth:`receive` for a frame that carries a descriptor; returns it
        (the caller owns it), or -1 if the frame came without one."""
        if self._end != self._start:
            raise ChannelClosed("malformed protocol message: a descriptor frame behind unread data")
        self._limit(timeout)
        try:
            data, fds, _flags, _addr = socket.recv_fds(self.sock, len(self._buf), 1)
        except BlockingIOError as err:
            raise ChannelTimeout("no answer in time") from err
        except OSError as err:
            raise ChannelClosed(f"the allocation process is gone ({err})") from err
        if not data:
            raise ChannelClosed("the allocation process closed the connection")
        self._buf[: len(data)] = data
        self._start, self._end = 0, len(data)
        try:
            self.receive(msg, timeout)
        except BaseException:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            raise
        return fds[0] if fds else -1
