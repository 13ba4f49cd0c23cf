"""Soak test: parallel environments stepping random masked actions for a set time.

    .venv/bin/python benchmarks/soak.py --minutes 10 --workers 2

Each worker is a process with its own env (targets alternate x86/aarch64 unless
``--target`` is given). Per worker it prints steps, episodes, failures (episodes
truncated because llc failed, and exceptions), and the resident set size and number
of open file descriptors after the first episode and at the end: neither should grow.
At the end it checks that every llc the workers started is gone. Exit status 1 when
something failed, leaked or was left running.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from rl4real_gym.targets import TARGETS

FD_SLACK = 4  # descriptors a worker may gain (gRPC's lazily created internals)
RSS_SLACK_MB = 64.0


@dataclass
class WorkerReport:
    """What one worker did and what it held at the start and at the end."""

    worker: int
    target: str
    steps: int = 0
    episodes: int = 0
    failures: int = 0
    fds_start: int = 0
    fds_end: int = 0
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    max_rss_mb: float = 0.0
    llc: list[tuple[int, int]] = field(default_factory=list)  # allocation processes: (pid, start time)
    errors: list[str] = field(default_factory=list)


def open_fds() -> int:
    """Open file descriptors of this process."""
    return len(os.listdir("/proc/self/fd"))


def rss_mb() -> float:
    """Current resident set size of this process, in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def max_rss_mb() -> float:
    """Peak resident set size of this process, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks (with the PID, its identity: PIDs get
    reused), or None if it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[-1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else int(fields[19])


def llc_alive(pid: int, started: int) -> bool:
    """Whether the allocation process ``(pid, started)`` is still running."""
    return start_time(pid) == started


def episode(env, rng, report: WorkerReport, seed: int) -> None:
    """One episode of uniformly random legal actions."""
    import numpy as np

    env.reset(seed=seed)
    session = env.unwrapped._session
    if session is not None and (started := start_time(session.pid)) is not None:
        report.llc.append((session.pid, started))
    while True:
        action = int(rng.choice(np.flatnonzero(env.unwrapped.action_masks())))
        _, _, terminated, truncated, info = env.step(action)
        report.steps += 1
        if terminated or truncated:
            break
    report.episodes += 1
    if "llc failed" in str(info.get("truncated_reason", "")) or "llc_error" in info:
        report.failures += 1
        report.errors.append(str(info.get("truncated_reason") or info.get("llc_error"))[:300])


def worker(index: int, target: str, minutes: float, sizes: dict[str, int], verify: bool) -> WorkerReport:
    """Runs episodes until the time is up; returns the worker's report."""
    import gymnasium as gym
    import numpy as np

    import rl4real_gym  # noqa: F401
    from rl4real_gym.registration import ENV_VERSION

    report = WorkerReport(index, target)
    rng = np.random.default_rng(index)
    env = gym.make(f"RL4ReAl-{target}-v{ENV_VERSION}", verify=verify, **sizes)
    deadline = time.monotonic() + minutes * 60
    seed = index * 1_000_000
    try:
        while time.monotonic() < deadline or report.episodes == 0:
            try:
                episode(env, rng, report, seed)
            except Exception as err:  # a soak test counts failures instead of stopping
                report.failures += 1
                report.errors.append(f"{type(err).__name__}: {str(err)[:300]}")
            seed += 1
            if report.episodes == 1 and not report.fds_start:
                report.fds_start, report.rss_start_mb = open_fds(), rss_mb()
        report.fds_end, report.rss_end_mb = open_fds(), rss_mb()
        report.max_rss_mb = max(max_rss_mb(), report.rss_end_mb)
    finally:
        env.close()
    return report


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--target", choices=list(TARGETS), help="default: alternate between x86 and aarch64")
    p.add_argument("--max-nodes", type=int, default=256)
    p.add_argument("--max-edges", type=int, default=4096)
    p.add_argument("--max-split-points", type=int, default=64)
    p.add_argument("--verify", action="store_true", help="let llc finish every episode under the verifier")
    return p.parse_args(argv)


def format_reports(reports: Sequence[WorkerReport]) -> str:
    header = (
        f"{'worker':>6} {'target':<8} {'steps':>8} {'episodes':>8} {'failures':>8} "
        f"{'fds start':>9} {'fds end':>8} {'rss start':>9} {'rss end':>8} {'max rss':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in reports:
        lines.append(
            f"{r.worker:>6} {r.target:<8} {r.steps:>8} {r.episodes:>8} {r.failures:>8} {r.fds_start:>9} "
            f"{r.fds_end:>8} {r.rss_start_mb:>8.0f}M {r.rss_end_mb:>7.0f}M {r.max_rss_mb:>7.0f}M"
        )
    return "\n".join(lines)


def problems(reports: Sequence[WorkerReport]) -> list[str]:
    """Failures, descriptor or memory growth, and llc processes left running."""
    found: list[str] = []
    for r in reports:
        if r.failures:
            found.append(f"worker {r.worker}: {r.failures} failures, e.g. {r.errors[:2]}")
        if r.fds_end - r.fds_start > FD_SLACK:
            found.append(f"worker {r.worker}: open descriptors grew from {r.fds_start} to {r.fds_end}")
        if r.rss_end_mb - r.rss_start_mb > RSS_SLACK_MB:
            found.append(f"worker {r.worker}: RSS grew from {r.rss_start_mb:.0f} to {r.rss_end_mb:.0f} MiB")
    left = [pid for r in reports for pid, started in r.llc if llc_alive(pid, started)]
    if left:
        found.append(f"llc processes left running: {left}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = {"max_nodes": args.max_nodes, "max_edges": args.max_edges, "max_split_points": args.max_split_points}
    targets = [args.target or ("x86", "aarch64")[i % 2] for i in range(args.workers)]
    context = multiprocessing.get_context("spawn")
    started = time.monotonic()
    with context.Pool(args.workers) as pool:
        jobs = [pool.apply_async(worker, (i, t, args.minutes, sizes, args.verify)) for i, t in enumerate(targets)]
        reports = [job.get() for job in jobs]
    print(format_reports(reports))
    total_steps = sum(r.steps for r in reports)
    elapsed = time.monotonic() - started
    print(
        f"total: {total_steps} steps, {sum(r.episodes for r in reports)} episodes, "
        f"{sum(r.failures for r in reports)} failures, {sum(len(r.llc) for r in reports)} llc processes "
        f"started, {total_steps / elapsed:.0f} steps/s over {elapsed / 60:.1f} min"
    )
    found = problems(reports)
    for problem in found:
        print(f"PROBLEM: {problem}")
    if not found:
        print("no failures, no descriptor or memory growth, no llc left running")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
