"""Many differential tests in a row (or in parallel), with a progress bar and a summary."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from rl4real_gym.driver.process import die_with_parent
from rl4real_gym.fuzzing.differential import FuzzConfig, check_program
from rl4real_gym.fuzzing.outcome import FINDING_KINDS, Comparator, Kind, ProgramOutcome, compare_runs
from rl4real_gym.fuzzing.policy import policy_label

COLUMNS = (
    ("programs", None), ("ok", Kind.OK), ("mismatches", Kind.MISMATCH), ("verifier", Kind.VERIFIER),
    ("crashes", Kind.CRASH), ("timeouts", Kind.TIMEOUT), ("skipped", Kind.SKIP),
)  # fmt: skip


@dataclass
class Summary:
    """Counts of one campaign (one target and policy)."""

    target: str
    policy: str
    counts: Counter[Kind] = field(default_factory=Counter)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    findings: list[str] = field(default_factory=list)
    decisions: int = 0
    seconds: float = 0.0

    def add(self, outcome: ProgramOutcome) -> None:
        self.counts[outcome.kind] += 1
        self.decisions += outcome.decisions
        self.seconds += outcome.seconds
        if outcome.kind == Kind.SKIP:
            self.skip_reasons[skip_category(outcome.detail)] += 1
        if outcome.finding:
            self.findings.append(outcome.finding)

    @property
    def programs(self) -> int:
        return sum(self.counts.values())

    @property
    def num_findings(self) -> int:
        return sum(self.counts[k] for k in FINDING_KINDS)

    def to_dict(self) -> dict[str, object]:
        row: dict[str, object] = {"target": self.target, "policy": self.policy}
        row.update({name: self.programs if kind is None else self.counts[kind] for name, kind in COLUMNS})
        row.update(
            decisions=self.decisions, seconds=round(self.seconds, 1),
            skip_reasons=dict(self.skip_reasons), findings=list(self.findings),
        )  # fmt: skip
        return row


def skip_category(detail: str) -> str:
    """A skip reason without per-program particulars (for counting)."""
    return detail.split(":", 1)[0]


def format_table(summaries: Sequence[Summary]) -> str:
    """The summary table: one row per target and policy."""
    header = f"{'target':<8} {'policy':<16}" + "".join(f" {name:>10}" for name, _ in COLUMNS) + f" {'decisions':>10}"
    lines = [header, "-" * len(header)]
    for s in summaries:
        cells = "".join(f" {s.programs if kind is None else s.counts[kind]:>10}" for _, kind in COLUMNS)
        lines.append(f"{s.target:<8} {policy_label(s.policy)[:16]:<16}{cells} {s.decisions:>10}")
    for s in summaries:
        if s.skip_reasons:
            reasons = ", ".join(f"{n} {reason}" for reason, n in s.skip_reasons.most_common())
            lines.append(f"skipped ({s.target}, {policy_label(s.policy)}): {reasons}")
    return "\n".join(lines)


def outcomes(seeds: Sequence[int], config: FuzzConfig, jobs: int, compare: Comparator) -> Iterator[ProgramOutcome]:
    """Outcomes of the programs ``seeds`` in completion order (in-process when jobs is 1)."""
    if jobs <= 1:
        for seed in seeds:
            yield check_program(seed, config, compare)
        return
    context = multiprocessing.get_context("spawn")  # no gRPC state shared across fork
    # A worker waits on its task queue forever if this process is killed: it must die with it.
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        futures = [pool.submit(check_program, seed, config, compare) for seed in seeds]
        try:
            for future in concurrent.futures.as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def run_campaign(
    config: FuzzConfig,
    seeds: Sequence[int],
    *,
    jobs: int = 1,
    progress: bool = True,
    compare: Comparator = compare_runs,
    on_outcome: Callable[[ProgramOutcome], None] | None = None,
) -> Summary:
    """Tests every seed and returns the counts; ``on_outcome`` sees each result as it comes."""
    from tqdm import tqdm

    summary = Summary(config.target, config.policy)
    label = f"fuzz {config.target}/{policy_label(config.policy)}"
    with tqdm(total=len(seeds), desc=label, unit="prog", disable=not progress, file=sys.stderr) as bar:
        for outcome in outcomes(seeds, config, jobs, compare):
            summary.add(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
            bar.set_postfix(ok=summary.counts[Kind.OK], findings=summary.num_findings, skip=summary.counts[Kind.SKIP])
            bar.update()
    return summary
