"""Outcomes of one differential test and how they are classified."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from rl4real_gym.programs import RunResult


class Kind(str, enum.Enum):
    """How a program's rl4real build compared with its greedy build."""

    OK = "ok"
    MISMATCH = "mismatch"  # different output or exit status
    VERIFIER = "verifier"  # -verify-machineinstrs rejected the allocation
    CRASH = "crash"  # llc crashed, broke the protocol, or emitted code that does not assemble
    TIMEOUT = "timeout"  # llc hung, or the program ran past the limit while greedy's did not
    SKIP = "skip"  # no usable reference (csmith, clang or the greedy build failed or timed out)


FINDING_KINDS = (Kind.MISMATCH, Kind.VERIFIER, Kind.CRASH, Kind.TIMEOUT)
VERIFIER_MARKERS = ("Bad machine code", "machine code errors", "MachineVerifier")

Comparator = Callable[[RunResult, RunResult], "str | None"]


@dataclass(frozen=True)
class ProgramOutcome:
    """The result of testing one csmith program (picklable: crosses process pools)."""

    seed: int
    target: str
    policy: str
    kind: Kind
    detail: str = ""
    finding: str | None = None  # directory of the reproducer
    decisions: int = 0  # decisions the policy made
    seconds: float = 0.0

    @property
    def is_finding(self) -> bool:
        return self.kind in FINDING_KINDS


def first_difference(a: str, b: str) -> str:
    """Where two outputs first differ, as a short description."""
    for line_no, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False), 1):
        if x != y:
            return f"line {line_no}: greedy {x[:80]!r}, rl4real {y[:80]!r}"
    return f"greedy printed {len(a)} characters, rl4real {len(b)}"


def compare_runs(reference: RunResult, ours: RunResult) -> str | None:
    """The difference between greedy's run and ours, or None when they agree."""
    if ours.returncode != reference.returncode:
        return f"exit status {ours.returncode}, greedy's {reference.returncode}"
    if ours.stdout != reference.stdout:
        return f"output differs at {first_difference(reference.stdout, ours.stdout)}"
    return None


def classify_llc_failure(stderr: str) -> Kind:
    """A failed rl4real llc run: a verifier failure or a crash."""
    return Kind.VERIFIER if any(marker in stderr for marker in VERIFIER_MARKERS) else Kind.CRASH


def judge_run(reference: RunResult, ours: RunResult, compare: Comparator) -> tuple[Kind, str]:
    """The outcome of running our build, given greedy's run of the same program."""
    if ours.timed_out:
        return Kind.TIMEOUT, "the rl4real build ran past the time limit; the greedy build did not"
    difference = compare(reference, ours)
    return (Kind.MISMATCH, difference) if difference else (Kind.OK, "")
