"""One differential test: a csmith program built with greedy and with rl4real under a policy.

Both builds run under ``-verify-machineinstrs``; both executables run (AArch64 under
qemu-user) with a time limit, and their output and exit status must agree. Greedy is
the reference: a program whose greedy build fails, crashes or times out is skipped.
Every disagreement is kept as a reproducer (see :mod:`rl4real_gym.fuzzing.findings`).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rl4real_gym.baselines import failure_of_llc_error
from rl4real_gym.driver.session import SessionLimits
from rl4real_gym.errors import LlcError, LlcTimeoutError
from rl4real_gym.fuzzing import csmith
from rl4real_gym.fuzzing.findings import FindingRecord, write_finding
from rl4real_gym.fuzzing.outcome import (
    Comparator,
    Kind,
    ProgramOutcome,
    classify_llc_failure,
    compare_runs,
    judge_run,
)
from rl4real_gym.fuzzing.policy import builtin_factory, policy_sizes, session_limits
from rl4real_gym.policy import Policy, PolicyFactory
from rl4real_gym.programs import BuildError, RunResult, codegen, compile_to_ir, link, run
from rl4real_gym.trace import RecordingPolicy

RETRY_FACTOR = 4  # the second chance of a run that timed out gets this many times the limit
STDERR_MARKERS = ("Bad machine code", "LLVM ERROR", "Assertion", "error:", "rl4real:")


@dataclass(frozen=True)
class FuzzConfig:
    """What to test: target, policy (``random``, ``heuristic`` or a model path: its
    label), where to keep findings, time limits in seconds (per program run, per llc
    reply), and ``policies``: the factory giving each program's policy from its seed
    (default: the built-in one named ``policy``; a model's comes from the command layer;
    picklable when jobs run in worker processes)."""

    target: str
    policy: str = "random"
    findings: Path = field(default_factory=lambda: Path("fuzz-findings"))
    timeout: float = 10.0
    step_timeout: float = 60.0
    policies: PolicyFactory | None = None

    def policy_for(self, seed: int) -> Policy:
        """The policy of program ``seed``."""
        return (self.policies or builtin_factory(self.policy))(seed)


class Skip(Exception):
    """The program has no usable greedy reference."""


class OursFailed(Exception):
    """The rl4real build failed: ``kind`` is VERIFIER, CRASH or TIMEOUT."""

    def __init__(self, kind: Kind, detail: str, stderr: str = "") -> None:
        super().__init__(detail)
        self.kind, self.detail, self.stderr = kind, detail, stderr


def telling_line(text: str) -> str:
    """The most informative line of llc's error output."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for marker in STDERR_MARKERS:
        for line in lines:
            if marker in line:
                return line[:300]
    return lines[-1][:300] if lines else ""


def prepare_program(seed: int, target: str, work: Path) -> tuple[Path, Path]:
    """csmith program ``seed`` and its IR for ``target``; raises Skip when either fails."""
    try:
        source = csmith.generate(seed, work / "program.c")
        ir = compile_to_ir(source, target, work / "program.ll", extra_args=csmith.CLANG_ARGS)
    except (csmith.CsmithError, BuildError) as err:
        raise Skip(f"program not built: {str(err).splitlines()[0][:200]}") from err
    return source, ir


def reference_run(ir: Path, target: str, work: Path, timeout: float) -> RunResult:
    """Greedy build and run of ``ir``; raises Skip unless it builds and exits 0 in time."""
    asm, exe = work / "greedy.s", work / "greedy"
    try:
        codegen(ir, target, asm, regalloc="greedy", verify=True)
    except LlcError as err:  # greedy crashed, hung or failed the verifier: say which (counted by it) and why
        failure = failure_of_llc_error("greedy", err)
        raise Skip(f"no greedy reference ({failure.kind}): {failure.reason[:300]}") from err
    try:
        link([asm], target, exe)
    except BuildError as err:
        raise Skip(f"greedy build failed: {str(err).splitlines()[0][:200]}") from err
    result = run(exe, target, timeout=timeout)
    if result.timed_out:
        raise Skip("greedy run timed out")
    if result.returncode != 0:
        raise Skip(f"greedy run exited with status {result.returncode}")
    return result


def llc_failure(err: LlcError) -> OursFailed:
    """An llc failure as a finding kind with a one-line detail."""
    if isinstance(err, LlcTimeoutError):
        return OursFailed(Kind.TIMEOUT, f"llc hung: {str(err).splitlines()[0]}", err.stderr)
    kind = classify_llc_failure(err.stderr)
    detail = telling_line(err.stderr) or str(err).splitlines()[0]
    return OursFailed(kind, f"llc failed with status {err.returncode}: {detail}", err.stderr)


def build_ours(ir: Path, target: str, policy: Policy, asm: Path, limits: SessionLimits) -> None:
    """rl4real build of ``ir`` driven by ``policy``; raises OursFailed."""
    try:
        codegen(ir, target, asm, regalloc="rl4real", policy=policy, verify=True, limits=limits)
    except LlcError as err:
        raise llc_failure(err) from err
    except AssertionError as err:  # drive(): empty mask, or the plugin rejected a masked action
        raise OursFailed(Kind.CRASH, f"protocol: {err}") from err


def run_ours(asm: Path, target: str, work: Path, timeout: float) -> RunResult:
    """Links and runs llc's rl4real output; raises OursFailed when it does not link.

    A run past the time limit is tried once more with a longer limit, so that a busy
    machine does not turn a slow run into a finding (greedy's run finished in time)."""
    exe = work / "rl4real"
    try:
        link([asm], target, exe)
    except BuildError as err:
        raise OursFailed(Kind.CRASH, f"llc's output does not assemble or link: {telling_line(str(err))}") from err
    result = run(exe, target, timeout=timeout)
    return run(exe, target, timeout=timeout * RETRY_FACTOR) if result.timed_out else result


def outcome_of(
    seed: int, config: FuzzConfig, kind: Kind, detail: str, recorder: RecordingPolicy | None, start: float
) -> ProgramOutcome:
    """A ProgramOutcome without a finding directory."""
    decisions = len(recorder.actions) if recorder is not None else 0
    return ProgramOutcome(seed, config.target, config.policy, kind, detail, None, decisions, time.monotonic() - start)


def check_program(seed: int, config: FuzzConfig, compare: Comparator = compare_runs) -> ProgramOutcome:
    """Tests csmith program ``seed``; writes a reproducer under ``config.findings`` when
    the builds disagree. ``compare`` judges the two runs (the seam tests use to force a
    mismatch)."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"rl4real-fuzz-{seed}-") as tmp:
        work = Path(tmp)
        try:
            source, ir = prepare_program(seed, config.target, work)
            reference = reference_run(ir, config.target, work, config.timeout)
        except Skip as skip:
            return outcome_of(seed, config, Kind.SKIP, str(skip), None, start)
        policy = config.policy_for(seed)
        sizes = policy_sizes(policy)
        limits = session_limits(sizes, config.step_timeout)
        recorder = RecordingPolicy(policy)
        asm, ours, stderr = work / "rl4real.s", None, ""
        try:
            build_ours(ir, config.target, recorder, asm, limits)
            ours = run_ours(asm, config.target, work, config.timeout)
            kind, detail = judge_run(reference, ours, compare)
        except OursFailed as failed:
            kind, detail, stderr = failed.kind, failed.detail, failed.stderr
        outcome = outcome_of(seed, config, kind, detail, recorder, start)
        if kind == Kind.OK:
            return outcome
        record = FindingRecord(
            seed, config.target, config.policy, kind, detail, source, ir, tuple(recorder.actions),
            reference, ours, asm if asm.is_file() else None, stderr, sizes,
        )  # fmt: skip
        directory = write_finding(Path(config.findings), record)
    return dataclasses.replace(outcome, finding=str(directory))
