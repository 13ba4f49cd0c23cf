"""One allocation driven decision by decision over the rl4real protocol.

Two hosts run the same allocator: :class:`ServerSession` (an episode forked by the
long-lived ``rl4real-server``: no process start, and :meth:`Session.fork`), and
:class:`LlcSession` (``llc-19 -load librl4real.so -regalloc=rl4real``, for compile
flows that want llc's own output). Both speak framed protobuf on a socketpair.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rl4real_gym import proto, schema
from rl4real_gym.driver.channel import Channel, ChannelClosed, ChannelTimeout
from rl4real_gym.driver.process import LlcProcess, read_tail
from rl4real_gym.driver.state import (
    ActionKind,
    AllocationFigures,
    DecisionState,
    GraphView,
    Phase,
    decode_state,
)
from rl4real_gym.errors import LlcCrashedError, LlcError, LlcTimeoutError
from rl4real_gym.llc import llc_command, llc_options
from rl4real_gym.targets import Target, check_module_target, get_target

if TYPE_CHECKING:
    from rl4real_gym.driver.server import EpisodeTicket

_PLUGIN_LIMITS = schema.PLUGIN_LIMITS

Plan = Sequence[tuple[ActionKind | int, int]]
"""Decisions to apply after an action without a state in between: ``(kind, value)``."""


@dataclass(frozen=True)
class SessionLimits:
    """Sizes the plugin may offer (the env's padding) and time limits (seconds)."""

    max_nodes: int = _PLUGIN_LIMITS["max_nodes"]
    max_edges: int = _PLUGIN_LIMITS["max_edges"]
    max_split_points: int = _PLUGIN_LIMITS["max_split_points"]
    max_splits_per_node: int = _PLUGIN_LIMITS["max_splits_per_node"]
    step_timeout: float = 120.0
    startup_timeout: float = 120.0
    finish_timeout: float = 300.0


@dataclass(frozen=True)
class ModuleResult:
    """What a finished allocation run produced."""

    output: Path | None
    figures: dict[str, AllocationFigures]
    returncode: int


EXIT_GRACE = 10.0  # seconds a crashing process gets to exit after its connection dropped
STARTUP = "start-up"


def allocation_args(
    target: Target,
    limits: SessionLimits,
    *,
    opt_level: str = "-O2",
    filetype: str = "asm",
    verify: bool = False,
    extra_args: tuple[str, ...] = (),
) -> list[str]:
    """The llc-style options of an rl4real allocation (both hosts take them)."""
    limit_args = (
        f"-rl4real-max-nodes={limits.max_nodes}", f"-rl4real-max-edges={limits.max_edges}",
        f"-rl4real-max-split-points={limits.max_split_points}",
        f"-rl4real-max-splits-per-node={limits.max_splits_per_node}",
    )  # fmt: skip
    return llc_options(target, opt_level=opt_level, filetype=filetype, verify=verify,
                       options=(*limit_args, *extra_args))  # fmt: skip


def mask_size(state: DecisionState, num_colours: int) -> int | None:
    """How many choices the current phase must offer (None when it offers none)."""
    phase = state.phase
    if phase == Phase.SELECT_NODE:
        return state.graph.num_nodes
    if phase == Phase.SELECT_TASK:
        return 2
    if phase == Phase.COLOUR:
        return num_colours + 1
    if phase == Phase.SPLIT:
        return int(state.split_features.shape[0])
    return None


def state_problem(state: DecisionState, num_colours: int) -> str:
    """What is inconsistent in a decoded state (empty when nothing): a message whose
    arrays disagree would otherwise surface later as an obscure numpy error. (Node
    indices in rows and edges are checked as they are decoded.)"""
    expected = mask_size(state, num_colours)
    if expected is not None and state.mask.size != expected:
        return (
            f"malformed protocol message: the {state.phase.name} mask has {state.mask.size} entries, "
            f"expected {expected}"
        )
    rows = state.register_features.shape[0]
    if rows != (num_colours + 1 if state.phase == Phase.COLOUR else 0):
        return (
            f"malformed protocol message: {rows} rows of register features in the {state.phase.name} phase "
            f"(expected {num_colours + 1} in COLOUR, none otherwise)"
        )
    n = state.graph.num_nodes
    if not -1 <= state.current_node < max(n, 1):
        return f"malformed protocol message: current node {state.current_node} of a graph of {n} nodes"
    return ""


class Session:
    """The protocol over one episode connection; the hosts below start the process.

    Typical use::

        with ServerSession("f.ll", "x86") as s:
            state = s.start()
            while not state.done:
                state = s.step(kind, value)
            result = s.finish()

    ``start``/``step`` return :class:`DecisionState`. When the allocation process
    crashes, hangs past a time limit or is killed, an :class:`LlcError` subclass is
    raised and the process is gone.
    """

    host = "allocation process"

    def __init__(
        self,
        module: str | Path,
        target: str | Target,
        *,
        output: str | Path | None = None,
        filetype: str = "asm",
        verify: bool = False,
        limits: SessionLimits | None = None,
        extra_args: tuple[str, ...] = (),
        opt_level: str = "-O2",
    ) -> None:
        self.module = Path(module)
        self.target = get_target(target)
        self.limits = limits or SessionLimits()
        self.output = Path(output) if output is not None else None
        self._graph: GraphView | None = None
        self._figures: dict[str, AllocationFigures] = {}
        self.state: DecisionState | None = None
        self.colours: tuple[str, ...] = ()
        self._channel: Channel | None = None
        self._started = False
        self._sent = ActionKind.FINISH
        self._pb = proto.load()
        if not self.module.is_file():
            raise FileNotFoundError(f"module {self.module} does not exist")
        check_module_target(self.module, self.target)
        args = allocation_args(
            self.target, self.limits, opt_level=opt_level, filetype=filetype, verify=verify, extra_args=extra_args
        )
        self._launch(args)

    # -- lifecycle (hosts) -------------------------------------------------
    def _launch(self, args: list[str]) -> None:
        """Starts the allocation process with these llc-style options."""
        raise NotImplementedError

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def close(self) -> None:
        """Kills the allocation process (if still running) and removes its files. Idempotent."""
        raise NotImplementedError

    def kill(self) -> None:
        """Kills the allocation process at once, as a crash would (for fault tests);
        the next call on this session raises an :class:`LlcError`."""
        self._kill()

    def _kill(self) -> None:
        raise NotImplementedError

    def _alive(self) -> bool:
        raise NotImplementedError

    def _stderr(self) -> str:
        raise NotImplementedError

    def _returncode(self) -> int | None:
        return None

    def _wait_exit(self, timeout: float) -> int | None:
        """Waits for the process to end; its exit code where the host knows it."""
        raise NotImplementedError

    # -- protocol ----------------------------------------------------------
    def _fail(self, err: Exception, what: str) -> LlcError:
        if isinstance(err, ChannelTimeout):
            self._kill()
            return LlcTimeoutError(f"{self.host} did not answer {what} in time; it was killed", self._stderr())
        code = self._wait_exit(EXIT_GRACE)  # it may still be dying (printing its stack dump)
        if self._alive():
            self._kill()
            return LlcError(f"protocol failure during {what}: {err}", self._stderr())
        status = f" with status {code}" if code is not None else ""
        if what == STARTUP:
            return LlcCrashedError(
                f"{self.host} exited{status} before allocation started on {self.module} "
                "(malformed IR, wrong target, or a crash)",
                self._stderr(),
                code,
            )
        return LlcCrashedError(f"{self.host} exited{status} during {what} on {self.module}", self._stderr(), code)

    def _hello(self, channel: Channel, timeout: float) -> int:
        """Reads an episode process's Hello; returns its pidfd."""
        hello = self._pb.Hello()
        pidfd = channel.receive_with_fd(hello, timeout)
        if (
            hello.schema_version != schema.VERSION
            or hello.num_node_features != schema.NUM_NODE_FEATURES
            or hello.num_register_features != schema.NUM_REGISTER_FEATURES
        ):
            if pidfd >= 0:
                with contextlib.suppress(OSError):
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                os.close(pidfd)
            raise LlcError(
                f"the plugin was built from schema version {hello.schema_version} "
                f"({hello.num_node_features} node, {hello.num_register_features} register features); this "
                f"package has version {schema.VERSION} ({schema.NUM_NODE_FEATURES}, "
                f"{schema.NUM_REGISTER_FEATURES}): rebuild it with `rl4real build-plugin`"
            )
        return pidfd

    def _receive(self, msg: Any) -> DecisionState:
        cause: ValueError | None = None
        try:
            state = decode_state(msg, self._graph)
            problem = state_problem(state, self.target.num_colours)
        except ValueError as err:  # numpy's complaints too (a byte array of a partial element)
            problem, cause = str(err), err
            if "malformed protocol message" not in problem and "rebuild" not in problem:
                problem = f"malformed protocol message: {problem}"
        if problem:
            self._kill()
            raise LlcError(
                f"{problem} (plugin and package out of sync? rebuild with `rl4real build-plugin`); "
                f"{self.host} was killed",
                self._stderr(),
            ) from cause
        self._graph = state.graph
        if state.colours:
            self.colours = state.colours
            if len(state.colours) != self.target.num_colours:
                self.close()
                raise LlcError(
                    f"the plugin's {self.target.name} colour table has {len(state.colours)} "
                    f"registers, expected {self.target.num_colours}: plugin and package disagree"
                )
        if state.phase == Phase.FUNCTION_DONE:
            self._figures[state.function] = state.figures
        self.state = state
        return state

    def _exchange(self, msg: Any | None, what: str, timeout: float) -> Any:
        if self._channel is None:
            raise RuntimeError("call start() first")
        reply = self._pb.State()
        try:
            if msg is not None:
                self._channel.send(msg)
            self._channel.receive(reply, timeout)
        except (ChannelClosed, ChannelTimeout) as err:
            raise self._fail(err, what) from err
        return reply

    def start(self) -> DecisionState:
        """Waits for the allocation to reach its first decision and returns the first state."""
        if self._started:
            raise RuntimeError("start() was already called")
        self._started = True
        self._await_hello()
        msg = self._exchange(None, STARTUP, self.limits.startup_timeout)
        return self._receive(msg)

    def _await_hello(self) -> None:
        """Reads the allocation process's Hello (the host keeps its pidfd or closes it)."""
        assert self._channel is not None
        try:
            self._keep_pidfd(self._hello(self._channel, self.limits.startup_timeout))
        except (ChannelClosed, ChannelTimeout) as err:
            raise self._fail(err, STARTUP) from err

    def _keep_pidfd(self, pidfd: int) -> None:
        if pidfd >= 0:
            os.close(pidfd)

    def step(self, kind: ActionKind | int, value: int = 0, then: Plan = ()) -> DecisionState:
        """Sends one decision and returns the next state.

        An action the plugin rejects comes back as the same phase with ``error`` set.
        ``then`` is a plan: more ``(kind, value)`` decisions that the plugin applies in
        order before it answers, so that a policy that can decide ahead (whatever the
        states in between) pays one round trip for all of them. Applying stops at the
        first decision rejected (``error`` says why) or when the function has nothing
        left to decide; ``applied`` in the state says how many were applied.
        """
        self.send_step(kind, value, then)
        return self.receive_step()

    def send_step(self, kind: ActionKind | int, value: int = 0, then: Plan = ()) -> None:
        """The first half of :meth:`step`: sends the decision without waiting, so that
        several allocation processes can compute at once (the vector env)."""
        if self._channel is None:
            raise RuntimeError("call start() first")
        self._sent = ActionKind(kind)
        action = self._pb.Action(kind=int(kind), value=int(value))
        for k, v in then:
            if ActionKind(k) in (ActionKind.FORK, ActionKind.NEXT):
                raise ValueError(f"a plan cannot hold {ActionKind(k).name}: it ends at the function's last decision")
            action.then.add(kind=int(k), value=int(v))
        try:
            self._channel.send(action)
        except ChannelClosed as err:
            raise self._fail(err, f"step {self._sent.name}") from err

    def receive_step(self) -> DecisionState:
        """The second half of :meth:`step`: waits for the next state."""
        msg = self._exchange(None, f"step {self._sent.name}", self.limits.step_timeout)
        return self._receive(msg)

    def finish(self) -> ModuleResult:
        """Lets the heuristic decide what is left in every remaining function and
        waits for the output to be written."""
        state = self.state
        while state is not None and state.phase != Phase.MODULE_DONE:
            kind = ActionKind.NEXT if state.phase == Phase.FUNCTION_DONE else ActionKind.FINISH
            state = self.step(kind)
        code = self._finish_output()
        return ModuleResult(output=self.output, figures=dict(self._figures), returncode=code)

    def _finish_output(self) -> int:
        raise NotImplementedError

    @property
    def figures(self) -> dict[str, AllocationFigures]:
        """Final figures of every function finished so far."""
        return dict(self._figures)


class LlcSession(Session):
    """``llc -regalloc=rl4real`` on one module, the driver on ``-rl4real-fd``."""

    host = "llc"

    def _launch(self, args: list[str]) -> None:
        argv = llc_command(load_plugin=True, regalloc="rl4real", options=args)
        self._proc = LlcProcess(argv, self.module, self.output, fd_option="-rl4real-fd")
        self._channel = Channel(self._proc.socket)  # llc is our child: Popen is enough, no pidfd

    @property
    def pid(self) -> int:
        return self._proc.pid

    def close(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is not None:
            proc.cleanup()
        self._channel = None

    def _kill(self) -> None:
        self._proc.kill()

    def _alive(self) -> bool:
        return self._proc.alive()

    def _stderr(self) -> str:
        return self._proc.stderr_tail()

    def _wait_exit(self, timeout: float) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self._proc.wait(timeout)
        return None

    def _finish_output(self) -> int:
        try:
            code = self._proc.wait(self.limits.finish_timeout)
        except Exception as err:
            self._proc.kill()
            raise LlcTimeoutError("llc did not finish writing its output", self._proc.stderr_tail()) from err
        if code != 0:
            raise LlcCrashedError(f"llc failed with status {code} on {self.module}", self._proc.stderr_tail(), code)
        return code


class ServerSession(Session):
    """An episode process forked by the shared ``rl4real-server``."""

    host = "allocation process"

    _pidfd = -1
    _stderr_path: Path | None = None

    def _launch(self, args: list[str]) -> None:
        """Asks the server for the episode; its socket is collected at :meth:`start` (or
        :meth:`close`), so the server parses and forks while the caller goes on."""
        from rl4real_gym.driver.server import AllocationServer

        self._server = AllocationServer.shared()
        self._startup_error: LlcError | None = None
        self._ticket: EpisodeTicket | None = self._server.request_episode(self.module, args, self.output)
        self._stderr_path = self._ticket.stderr

    def _connect(self) -> None:
        """Collects the episode's socket from the server, if not done yet."""
        from rl4real_gym.driver.server import EpisodeRefused

        ticket, self._ticket = self._ticket, None
        if ticket is None:
            return
        try:
            self._channel, self._stderr_path = ticket.result()
        except EpisodeRefused as err:  # reported at start(), as llc's own start-up errors are
            self._startup_error = LlcCrashedError(
                f"{self.host} could not start on {self.module} (malformed IR, wrong target, or bad options)",
                err.detail,
            )

    @classmethod
    def _copy_of(cls, original: ServerSession, channel: Channel, pidfd: int, stderr: Path) -> ServerSession:
        """The session of a fork copy: the original's state, its own connection."""
        twin = cls.__new__(cls)
        twin.__dict__.update(original._fork_fields())
        twin._channel, twin._pidfd, twin._stderr_path = channel, pidfd, stderr
        twin._startup_error = None
        twin._ticket = None
        return twin

    def start(self) -> DecisionState:
        self._connect()
        if self._startup_error is not None:
            self._started = True
            raise self._startup_error
        return super().start()

    def _keep_pidfd(self, pidfd: int) -> None:
        self._pidfd = pidfd

    def _fork_fields(self) -> dict[str, Any]:
        keep = ("module", "target", "limits", "output", "_graph", "_figures", "state", "colours", "_started",
                "_sent", "_pb", "_server")  # fmt: skip
        fields = {k: self.__dict__[k] for k in keep}
        fields["_figures"] = dict(self._figures)  # the copy's finished functions are its own
        return fields

    def fork(self) -> ServerSession:
        """An independent session at the same decision point (a copy-on-write copy of the
        allocation process). It outlives this one, and the same actions give it the same
        future."""
        if self._channel is None or self.state is None:
            raise RuntimeError("fork() needs a started session")
        stderr = self._server.new_path("fork")
        reply = self._pb.State()
        try:
            self._channel.send(self._pb.Action(kind=int(ActionKind.FORK), path=str(stderr)))
            fd = self._channel.receive_with_fd(reply, self.limits.step_timeout)
        except (ChannelClosed, ChannelTimeout) as err:
            raise self._fail(err, "fork") from err
        if not reply.forked or fd < 0:
            raise LlcError(f"the allocation process could not fork: {reply.error or 'no socket'}", self._stderr())
        channel = Channel(socket.socket(fileno=fd))
        try:
            pidfd = self._hello(channel, self.limits.startup_timeout)
        except (ChannelClosed, ChannelTimeout) as err:
            channel.close()
            raise LlcCrashedError("the forked allocation process did not start", read_tail(stderr)) from err
        except BaseException:
            channel.close()  # the copy exits when its client goes away
            raise
        return ServerSession._copy_of(self, channel, pidfd, stderr)

    @property
    def pid(self) -> int:
        return -1 if self._pidfd < 0 else _pid_of(self._pidfd)

    def close(self) -> None:
        with contextlib.suppress(LlcError):
            self._connect()  # a socket still with the server: take it, to close it
        self._kill()
        if self._pidfd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._pidfd)
            self._pidfd = -1
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        path = getattr(self, "_stderr_path", None)
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()

    def _kill(self) -> None:
        if self._pidfd >= 0:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def _alive(self) -> bool:
        if self._pidfd < 0:
            return False
        ready, _, _ = select.select([self._pidfd], [], [], 0)
        return not ready

    def _stderr(self) -> str:
        return read_tail(self._stderr_path) if self._stderr_path is not None else ""

    def _wait_exit(self, timeout: float) -> int | None:
        if self._pidfd >= 0:
            select.select([self._pidfd], [], [], timeout)
        return None

    def _finish_output(self) -> int:
        reply = self._exchange(None, "writing the output", self.limits.finish_timeout)
        if not reply.output_written:
            self._kill()
            raise LlcError("the allocation process sent something else than its last message", self._stderr())
        return 0


def _pid_of(pidfd: int) -> int:
    with open(f"/proc/self/fdinfo/{pidfd}") as f:
        for line in f:
            if line.startswith("Pid:"):
                return int(line.split()[1])
    return -1


__all__ = ["LlcSession", "ModuleResult", "ServerSession", "Session", "SessionLimits", "allocation_args"]
