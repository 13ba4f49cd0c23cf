"""Reproducers: one directory per finding, with everything needed to replay it.

Layout of ``<findings>/<target>-<policy>-seed<S>-<kind>/``::

    README.md        what was found and the command that replays it
    program.c        the csmith program (regenerate with the recorded seed and options)
    module.ll        the LLVM IR both allocators were given
    trace.json       the session trace: target, module, policy and every action sent
    outcome.json     kind, detail, seed, policy, csmith version and options
    greedy.stdout    what the greedy build printed
    rl4real.stdout   what the rl4real build printed (when it ran)
    rl4real.s        llc's output with the rl4real allocator (when it produced one)
    llc-stderr.txt   llc's error output (crashes and verifier failures)
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from rl4real_gym.fuzzing.csmith import CLANG_ARGS, CSMITH_OPTIONS, csmith_command, csmith_version
from rl4real_gym.fuzzing.outcome import Kind
from rl4real_gym.fuzzing.policy import policy_label
from rl4real_gym.programs import CLANG_FLAGS, RunResult
from rl4real_gym.targets import get_target
from rl4real_gym.trace import SessionTrace, TracedAction, file_sha256

TRACE_FILE = "trace.json"
OUTCOME_FILE = "outcome.json"
MODULE_FILE = "module.ll"
PROGRAM_FILE = "program.c"


@dataclass(frozen=True)
class FindingRecord:
    """What a finding directory holds, before it is written."""

    seed: int
    target: str
    policy: str
    kind: Kind
    detail: str
    program: Path
    module: Path
    actions: tuple[TracedAction, ...]
    reference: RunResult
    ours: RunResult | None = None
    ours_output: Path | None = None  # llc's output with rl4real, if any
    stderr: str = ""
    sizes: dict[str, int] | None = None  # graph sizes the policy ran with, if not the defaults


def finding_dir(root: Path, target: str, policy: str, seed: int, kind: Kind) -> Path:
    """``<root>/<target>-<policy label>-seed<S>-<kind>``."""
    return root / f"{target}-{policy_label(policy)}-seed{seed}-{kind.value}"


def ir_command(target: str) -> str:
    """The clang command that turns program.c into module.ll (as the fuzzer ran it)."""
    tgt = get_target(target)
    return " ".join(
        [
            "clang-19",
            *tgt.clang_args,
            "-O2",
            *CLANG_FLAGS,
            "-S",
            "-emit-llvm",
            *CLANG_ARGS,
            PROGRAM_FILE,
            "-o",
            MODULE_FILE,
        ]
    )


def readme_text(record: FindingRecord, directory: Path) -> str:
    """The finding's README: what happened and how to replay it."""
    regenerate = " ".join(csmith_command(record.seed, PROGRAM_FILE))
    return (
        f"# rl4real fuzz finding: {record.kind.value} ({record.target}, policy {record.policy}, "
        f"csmith seed {record.seed})\n\n"
        f"{record.detail}\n\n"
        f"Replay: `rl4real fuzz --replay {directory}` (re-runs llc on {MODULE_FILE} with the "
        f"{len(record.actions)} recorded actions of {TRACE_FILE} under -verify-machineinstrs, then builds "
        "and runs the program against greedy).\n\n"
        f"Regenerate the program: `{regenerate}` ({csmith_version()}); its IR: `{ir_command(record.target)}`.\n"
    )


def outcome_json(record: FindingRecord) -> dict[str, object]:
    """The finding's facts as JSON."""
    return {
        "kind": record.kind.value, "detail": record.detail, "seed": record.seed, "target": record.target,
        "policy": record.policy, "actions": len(record.actions), "csmith_version": csmith_version(),
        "csmith_options": list(CSMITH_OPTIONS), "greedy_returncode": record.reference.returncode,
        "rl4real_returncode": record.ours.returncode if record.ours else None,
    }  # fmt: skip


def session_trace(record: FindingRecord) -> SessionTrace:
    """The finding's session trace (module relative to the finding directory)."""
    output = record.ours_output
    meta: dict[str, object] = {"seed": record.seed, "kind": record.kind.value, "csmith_options": list(CSMITH_OPTIONS)}
    if record.sizes:
        meta["sizes"] = record.sizes
    return SessionTrace(
        target=record.target,
        module=MODULE_FILE,
        actions=list(record.actions),
        verify=True,
        policy=record.policy,
        output_sha256=file_sha256(output) if output is not None and output.is_file() else None,
        meta=meta,
    )


def write_finding(root: Path, record: FindingRecord) -> Path:
    """Writes the reproducer directory of ``record`` and returns it."""
    directory = finding_dir(root, record.target, record.policy, record.seed, record.kind)
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(record.program, directory / PROGRAM_FILE)
    shutil.copyfile(record.module, directory / MODULE_FILE)
    if record.ours_output is not None and record.ours_output.is_file():
        shutil.copyfile(record.ours_output, directory / "rl4real.s")
    (directory / "greedy.stdout").write_text(record.reference.stdout)
    if record.ours is not None:
        (directory / "rl4real.stdout").write_text(record.ours.stdout)
    if record.stderr:
        (directory / "llc-stderr.txt").write_text(record.stderr)
    session_trace(record).save(directory / TRACE_FILE)
    (directory / OUTCOME_FILE).write_text(json.dumps(outcome_json(record), indent=1) + "\n")
    (directory / "README.md").write_text(readme_text(record, directory))
    return directory
