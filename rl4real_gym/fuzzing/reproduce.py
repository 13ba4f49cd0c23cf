"""Replaying a finding: llc again with the recorded actions, then the differential check."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rl4real_gym.fuzzing.differential import OursFailed, Skip, reference_run, run_ours, telling_line
from rl4real_gym.fuzzing.findings import OUTCOME_FILE, TRACE_FILE
from rl4real_gym.fuzzing.outcome import Kind, classify_llc_failure, compare_runs, judge_run
from rl4real_gym.fuzzing.policy import session_limits
from rl4real_gym.trace import SessionReplay, SessionTrace, replay_session_trace


@dataclass(frozen=True)
class FindingReplay:
    """The outcome of replaying a finding, next to the recorded one."""

    directory: Path
    recorded: Kind
    kind: Kind
    detail: str
    session: SessionReplay

    @property
    def reproduced(self) -> bool:
        return self.kind == self.recorded

    def report(self) -> str:
        status = "reproduced" if self.reproduced else f"NOT reproduced (recorded: {self.recorded.value})"
        lines = [
            f"{self.directory}: {self.kind.value} {status}",
            f"  {self.detail}" if self.detail else "  builds agree",
            f"  {self.session.replayed} recorded actions replayed, {len(self.session.sent)} sent in all",
        ]
        if self.session.output_matches is not None:
            lines.append(f"  llc output identical to the recorded one: {self.session.output_matches}")
        return "\n".join(lines)


def replay_kind(session: SessionReplay) -> tuple[Kind, str] | None:
    """The finding kind of a replayed llc run that failed or diverged, else None."""
    if session.diverged:
        return Kind.CRASH, f"replay diverged: {session.diverged}"
    if not session.error:
        return None
    if "did not answer" in session.error or "did not finish" in session.error:
        return Kind.TIMEOUT, session.error.splitlines()[0]
    return classify_llc_failure(session.error), telling_line(session.error)


def replay_finding(directory: str | Path, *, timeout: float = 10.0, step_timeout: float = 60.0) -> FindingReplay:
    """Re-runs a finding's llc session with its recorded actions (under the verifier) and,
    when llc succeeds, builds and runs the program against greedy again."""
    directory = Path(directory)
    trace = SessionTrace.load(directory / TRACE_FILE)
    recorded = Kind(json.loads((directory / OUTCOME_FILE).read_text())["kind"])
    with tempfile.TemporaryDirectory(prefix="rl4real-replay-") as tmp:
        work = Path(tmp)
        asm = work / "rl4real.s"
        limits = session_limits(trace.meta.get("sizes"), step_timeout)
        session = replay_session_trace(trace, output=asm, limits=limits)
        failed = replay_kind(session)
        if failed is not None:
            return FindingReplay(directory, recorded, failed[0], failed[1], session)
        try:
            reference = reference_run(trace.module_path, trace.target, work, timeout)
            kind, detail = judge_run(reference, run_ours(asm, trace.target, work, timeout), compare_runs)
        except Skip as skip:
            kind, detail = Kind.SKIP, str(skip)
        except OursFailed as err:
            kind, detail = err.kind, err.detail
    return FindingReplay(directory, recorded, kind, detail, session)
