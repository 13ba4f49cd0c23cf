"""One llc run driven decision by decision over the rl4real protocol."""

from __future__ import annotations

import contextlib
import math
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from rl4real_gym import proto
from rl4real_gym.driver.process import LlcProcess
from rl4real_gym.driver.state import (
    ActionKind,
    AllocationFigures,
    DecisionState,
    GraphView,
    Phase,
    decode_state,
)
from rl4real_gym.errors import LlcCrashedError, LlcError, LlcTimeoutError
from rl4real_gym.plugin import plugin_path
from rl4real_gym.targets import Target, check_module_target, get_target
from rl4real_gym.tools import tool


@dataclass(frozen=True)
class SessionLimits:
    """Sizes the plugin may offer (the env's padding) and time limits (seconds)."""

    max_nodes: int = 600
    max_edges: int = 30000
    max_split_points: int = 200
    max_splits_per_node: int = 10
    step_timeout: float = 120.0
    startup_timeout: float = 120.0
    finish_timeout: float = 300.0
    connect_timeout: float = 60.0  # llc's: a client that has not connected by then is gone


@dataclass(frozen=True)
class ModuleResult:
    """What a finished llc run produced."""

    output: Path | None
    figures: dict[str, AllocationFigures]
    returncode: int


EXIT_GRACE = 10.0  # seconds a crashing llc gets to exit after its connection dropped


def lost_connection(err: Exception) -> bool:
    """Whether a gRPC failure means the connection to llc broke (as when llc crashes)."""
    code = getattr(err, "code", None)
    return isinstance(err, grpc.RpcError) and callable(code) and code() in (
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
    )


def mask_size(state: DecisionState, num_colours: int) -> int | None:
    """How many choices the current phase must offer (None when it offers none)."""
    return {
        Phase.SELECT_NODE: state.graph.num_nodes,
        Phase.SELECT_TASK: 2,
        Phase.COLOUR: num_colours + 1,
        Phase.SPLIT: int(state.split_features.shape[0]),
    }.get(state.phase)


def state_problem(state: DecisionState, num_colours: int) -> str:
    """What is inconsistent in a decoded state (empty when nothing): a message whose
    arrays disagree would otherwise surface later as an obscure numpy error."""
    expected = mask_size(state, num_colours)
    if expected is not None and state.mask.size != expected:
        return (
            f"malformed protocol message: the {state.phase.name} mask has {state.mask.size} entries, "
            f"expected {expected}"
        )
    n = state.graph.num_nodes
    if not -1 <= state.current_node < max(n, 1):
        return f"malformed protocol message: current node {state.current_node} of a graph of {n} nodes"
    edges = state.graph.edges
    if edges.size and (int(edges.min()) < 0 or int(edges.max()) >= n):
        return f"malformed protocol message: an interference edge names a node outside 0..{n - 1}"
    return ""


class LlcSession:
    """Runs ``llc -regalloc=rl4real`` on one module and drives its decisions.

    Typical use::

        with LlcSession("f.ll", "x86") as s:
            state = s.start()
            while not state.done:
                state = s.step(kind, value)
            result = s.finish()

    ``start``/``step`` return :class:`DecisionState`. When llc crashes, hangs past a
    time limit or is killed, an :class:`LlcError` subclass is raised and llc is gone.
    """

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
        self._channel: grpc.Channel | None = None
        self._stub: Any = None
        if not self.module.is_file():
            raise FileNotFoundError(f"module {self.module} does not exist")
        check_module_target(self.module, self.target)
        lim = self.limits
        argv = [
            tool("llc"), opt_level, *self.target.llc_args, f"-filetype={filetype}",
            "-load", str(plugin_path()), "-regalloc=rl4real",
            f"-rl4real-max-nodes={lim.max_nodes}", f"-rl4real-max-edges={lim.max_edges}",
            f"-rl4real-max-split-points={lim.max_split_points}",
            f"-rl4real-max-splits-per-node={lim.max_splits_per_node}",
            f"-rl4real-connect-timeout={max(1, math.ceil(lim.connect_timeout))}",
            *(["-verify-machineinstrs"] if verify else []), *extra_args,
        ]  # fmt: skip
        self._pb, self._rpc = proto.load()
        self._proc = LlcProcess(argv, self.module, self.output)

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> LlcSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def close(self) -> None:
        """Kills llc (if still running) and removes its temp files. Idempotent."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        proc = getattr(self, "_proc", None)
        if proc is not None:
            proc.cleanup()

    # -- protocol ----------------------------------------------------------
    def _fail(self, err: Exception, what: str) -> LlcError:
        proc = self._proc
        if lost_connection(err):  # llc may still be dying (printing its stack dump): let it finish
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(EXIT_GRACE)
        if proc.alive():
            proc.kill()
            if isinstance(err, grpc.RpcError) and err.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                return LlcTimeoutError(f"llc did not answer {what} in time; it was killed", proc.stderr_tail())
            return LlcError(f"protocol failure during {what}: {err}", proc.stderr_tail())
        code = proc.proc.returncode
        return LlcCrashedError(
            f"llc exited with status {code} during {what} on {self.module}", proc.stderr_tail(), code
        )

    def _check_alive(self, deadline: float) -> None:
        workdir = self._proc.workdir
        if not workdir.is_dir():  # llc cannot listen, or listens on a socket nobody can reach
            self._proc.kill()
            raise LlcError(
                f"the session's private temp directory {workdir} was removed before llc could be reached "
                "(is a temp-directory cleaner running? set TMPDIR elsewhere)",
                self._proc.stderr_tail(),
            )
        if not self._proc.alive():
            code = self._proc.proc.returncode
            raise LlcCrashedError(
                f"llc exited with status {code} before allocation started on {self.module} "
                "(malformed IR, wrong target, or a crash)",
                self._proc.stderr_tail(),
                code,
            )
        if time.monotonic() > deadline:
            self._proc.kill()
            raise LlcTimeoutError(
                f"llc did not reach register allocation within {self.limits.startup_timeout} s",
                self._proc.stderr_tail(),
            )

    def _connect(self) -> None:
        deadline = time.monotonic() + self.limits.startup_timeout
        while not self._proc.socket.exists():
            self._check_alive(deadline)
            time.sleep(0.002)
        opts = [("grpc.max_receive_message_length", 256 << 20), ("grpc.enable_http_proxy", 0)]
        self._channel = grpc.insecure_channel(f"unix:{self._proc.socket}", options=opts)
        ready = grpc.channel_ready_future(self._channel)
        while True:  # the socket exists from bind(); wait for listen() while watching llc
            try:
                ready.result(timeout=0.05)
                break
            except grpc.FutureTimeoutError:
                self._check_alive(deadline)
        self._stub = self._rpc.RegAllocSessionStub(self._channel)

    def _receive(self, msg: Any) -> DecisionState:
        cause: ValueError | None = None
        try:
            state = decode_state(msg, self._graph)
            problem = state_problem(state, self.target.num_colours)
        except ValueError as err:  # numpy's complaints too (a byte array of a partial element)
            problem, cause = str(err), err
            if "malformed protocol message" not in problem:
                problem = f"malformed protocol message: {problem}"
        if problem:
            self._proc.kill()
            raise LlcError(
                f"{problem} (plugin and package out of sync? rebuild with `rl4real build-plugin`); llc was killed",
                self._proc.stderr_tail(),
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

    def start(self) -> DecisionState:
        """Waits for llc to reach allocation and returns the first state."""
        self._connect()
        try:
            msg = self._stub.Start(
                self._pb.Hello(client="rl4real-gym"), timeout=self.limits.startup_timeout
            )
        except grpc.RpcError as err:
            raise self._fail(err, "start") from err
        return self._receive(msg)

    def step(self, kind: ActionKind | int, value: int = 0) -> DecisionState:
        """Sends one decision and returns the next state.

        An action the plugin rejects comes back as the same phase with ``error`` set.
        """
        if self._stub is None:
            raise RuntimeError("call start() first")
        action = self._pb.Action(kind=int(kind), value=int(value))
        try:
            msg = self._stub.Step(action, timeout=self.limits.step_timeout)
        except grpc.RpcError as err:
            raise self._fail(err, f"step {ActionKind(kind).name}") from err
        return self._receive(msg)

    def finish(self) -> ModuleResult:
        """Lets the heuristic decide what is left in every remaining function and
        waits for llc to write its output."""
        state = self.state
        while state is not None and state.phase != Phase.MODULE_DONE:
            kind = ActionKind.NEXT if state.phase == Phase.FUNCTION_DONE else ActionKind.FINISH
            state = self.step(kind)
        try:
            code = self._proc.wait(self.limits.finish_timeout)
        except Exception as err:
            self._proc.kill()
            raise LlcTimeoutError("llc did not finish writing its output", self._proc.stderr_tail()) from err
        if code != 0:
            raise LlcCrashedError(f"llc failed with status {code} on {self.module}", self._proc.stderr_tail(), code)
        return ModuleResult(output=self.output, figures=dict(self._figures), returncode=code)

    @property
    def figures(self) -> dict[str, AllocationFigures]:
        """Final figures of every function finished so far."""
        return dict(self._figures)
