"""What allocations cost real programs: the corpus built with each allocator and run.

Every program of ``corpus/programs`` (``<name>.c`` with its ``<name>.expected`` output) is
compiled once to LLVM IR (clang-19 -O2), then code-generated with each allocator under
``-verify-machineinstrs`` and linked (``rl4real_gym.programs``, the flow of ``rl4real
compile``):

- ``greedy``, ``basic``: LLVM's allocators;
- ``plugin-heuristic``: ``-regalloc=rl4real`` without a client (the plugin's own heuristic);
- ``heuristic``: the env's hint-aware heuristic (``HeuristicPolicy``) driving every decision
  over the protocol;
- ``policy``: a trained model driving every decision (``--model``).

Each executable runs once (``rl4real_gym.dynamic``): on x86-64 under cachegrind, which gives
instructions executed and data reads and writes; on AArch64 under qemu-user with its
translation-block trace, which gives instructions executed and load and store instructions.
Its output must equal ``.expected``. Ratios are against the greedy build of the same
program; a program is marked held out when every function the target's dataset manifest
has from it is outside the training split.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from rl4real_gym.driver.policies import HeuristicPolicy, Policy
from rl4real_gym.dynamic import QEMU_COUNTS_NOTE, run_counted
from rl4real_gym.errors import RL4ReAlError
from rl4real_gym.programs import codegen, compile_to_ir, link
from rl4real_gym.targets import get_target

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "programs"
PROGRAM_ALLOCATORS = ("greedy", "basic", "heuristic", "plugin-heuristic", "policy")
REFERENCE = "greedy"


@dataclass(frozen=True)
class ProgramRow:
    """One program built with one allocator and run once. Counts are -1 where there are none
    (not asked for, or a build or run that failed)."""

    program: str
    allocator: str
    target: str
    held_out: bool  # every manifest function of the program is outside the training split
    output_ok: bool  # ran, exited 0 and printed exactly its .expected
    instructions: int = -1  # Ir, the whole run
    accesses: int = -1  # Dr + Dw, the whole run (AArch64: load + store instructions)
    reads: int = -1
    writes: int = -1
    own_instructions: int = -1  # Ir in the program's own functions
    own_accesses: int = -1
    detail: str = ""  # why output_ok is false or counts are missing

    @property
    def counted(self) -> bool:
        return self.output_ok and self.instructions >= 0


@dataclass(frozen=True)
class ProgramSummary:
    """One allocator over the programs it and greedy both ran with counts."""

    allocator: str
    programs: int  # programs built and run
    outputs_ok: int
    counted: int  # programs with counts for it and for greedy
    geomean_instructions: float  # geomean of instructions / greedy's
    geomean_accesses: float
    geomean_own_instructions: float
    geomean_own_accesses: float
    worst_instructions: float  # largest per-program instruction ratio
    held_out_geomean_instructions: float  # over the held-out programs only


def corpus_programs(names: str | None = None, corpus: Path = CORPUS) -> list[Path]:
    """The corpus programs with an ``.expected`` output; ``names`` a comma list or "all"."""
    every = sorted(p for p in corpus.glob("*.c") if p.with_suffix(".expected").exists())
    if not names or names == "all":
        return every
    by_name = {p.stem: p for p in every}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise RL4ReAlError(f"no corpus program {', '.join(unknown)} in {corpus} (names without .c, comma-separated)")
    return [by_name[n] for n in wanted]


def held_out_programs(manifest: Path) -> set[str]:
    """Programs all of whose manifest functions are outside the training split."""
    splits: dict[str, set[str]] = {}
    with open(manifest) as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                splits.setdefault(str(row.get("program", "")), set()).add(str(row.get("split", "")))
    return {p for p, s in splits.items() if p and "train" not in s}


def allocator_setup(name: str, model_policy: Policy | None) -> tuple[str, Policy | None]:
    """(-regalloc value, driving policy) of one of PROGRAM_ALLOCATORS."""
    if name in ("greedy", "basic", "fast", "pbqp"):
        return name, None
    if name == "plugin-heuristic":
        return "rl4real", None
    if name == "heuristic":
        return "rl4real", HeuristicPolicy()
    if name == "policy":
        if model_policy is None:
            raise RL4ReAlError("the policy allocator needs a trained model: give --model (or set MODEL_PATH)")
        return "rl4real", model_policy
    raise RL4ReAlError(f"unknown program allocator {name!r}; choose from {', '.join(PROGRAM_ALLOCATORS)}, fast, pbqp")


def build_and_run(
    program: Path, ir: Path, target: str, allocator: str, policy: Policy | None, work: Path, held_out: bool,
    timeout: float, count: bool = True,
) -> ProgramRow:  # fmt: skip
    """Builds ``ir`` with ``allocator`` and runs it once; a failed build or run is a row
    with output_ok false and the reason."""
    regalloc, driver = allocator_setup(allocator, policy)
    stem = f"{program.stem}.{allocator}"
    base = ProgramRow(program.stem, allocator, target, held_out, False)
    try:
        codegen(ir, target, work / f"{stem}.s", regalloc=regalloc, policy=driver, verify=True)
        exe = link([work / f"{stem}.s"], target, work / stem)
        result = run_counted(exe, target, timeout=timeout, count=count)
    except (RL4ReAlError, RuntimeError) as err:
        return _replace(base, detail=f"build or run failed: {str(err).splitlines()[0][:200]}")
    expected = program.with_suffix(".expected").read_text()
    ok = result.returncode == 0 and not result.timed_out and result.stdout == expected
    detail = ""
    if not ok:
        detail = "timed out" if result.timed_out else f"exit {result.returncode}" if result.returncode else ""
        detail = detail or "output differs from .expected"
    if result.counts is None or result.own_counts is None:
        return _replace(base, output_ok=ok, detail=detail)
    c, own = result.counts, result.own_counts
    return ProgramRow(program.stem, allocator, target, held_out, ok, c["Ir"], c["Dr"] + c["Dw"], c["Dr"], c["Dw"],
                      own["Ir"], own["Dr"] + own["Dw"], detail)  # fmt: skip


def _replace(row: ProgramRow, **changes: Any) -> ProgramRow:
    return ProgramRow(**{**asdict(row), **changes})


def evaluate_programs(
    programs: Sequence[Path], target: str, allocators: Sequence[str], work: Path, *, policy: Policy | None = None,
    held_out: set[str] | None = None, timeout: float = 600.0, progress: bool = True, count: bool = True,
) -> list[ProgramRow]:  # fmt: skip
    """A row per program and allocator, built and run one at a time (sequential: counts
    are exact whatever the load, and one job at a time leaves the machine usable)."""
    tgt = get_target(target).name
    for name in allocators:
        allocator_setup(name, policy)  # unknown names and a missing model fail before any build
    rows = []
    work.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(programs) * len(allocators), desc=f"programs {tgt}", unit="build", disable=not progress)
    try:
        for program in programs:
            ir = compile_to_ir(program, tgt, work / f"{program.stem}.ll")
            for name in allocators:
                bar.set_postfix_str(f"{program.stem} {name}")
                rows.append(build_and_run(program, ir, tgt, name, policy, work, program.stem in (held_out or set()),
                                          timeout, count))  # fmt: skip
                bar.update()
    finally:
        bar.close()
    return rows


def _geomean(values: Iterable[float]) -> float:
    logs = [math.log(v) for v in values if v > 0 and math.isfinite(v)]
    return math.exp(sum(logs) / len(logs)) if logs else math.nan


def ratios(rows: Sequence[ProgramRow], field: str) -> dict[tuple[str, str], float]:
    """(program, allocator) -> the row's ``field`` over greedy's, where both are counted."""
    ref = {r.program: getattr(r, field) for r in rows if r.allocator == REFERENCE and r.counted}
    return {(r.program, r.allocator): getattr(r, field) / ref[r.program]
            for r in rows if r.counted and ref.get(r.program, 0) > 0}  # fmt: skip


def summarize_programs(rows: Sequence[ProgramRow]) -> list[ProgramSummary]:
    fields = ("instructions", "accesses", "own_instructions", "own_accesses")
    by_field = {f: ratios(rows, f) for f in fields}
    held = {r.program for r in rows if r.held_out}
    out = []
    for name in dict.fromkeys(r.allocator for r in rows):
        mine = [r for r in rows if r.allocator == name]
        ins = {p: v for (p, a), v in by_field["instructions"].items() if a == name}
        out.append(ProgramSummary(
            name, len(mine), sum(r.output_ok for r in mine), len(ins),
            *(_geomean(v for (_, a), v in by_field[f].items() if a == name) for f in fields),
            max(ins.values(), default=math.nan), _geomean(v for p, v in ins.items() if p in held),
        ))  # fmt: skip
    return out


def format_programs_table(rows: Sequence[ProgramRow]) -> str:
    """Per program: instructions (and accesses) of each allocator's build over greedy's, or
    the greedy build's counts; ``*`` marks held-out programs, ``!`` a wrong output."""
    names = list(dict.fromkeys(r.allocator for r in rows))
    ins, acc = ratios(rows, "instructions"), ratios(rows, "accesses")
    cell = {(r.program, r.allocator): r for r in rows}
    head = f"{'program':<22}" + "".join(f"{n:>20}" for n in names)
    lines = [head, f"{'':<22}" + "".join(f"{'Ir' if n == REFERENCE else 'Ir/gr  acc/gr':>20}" for n in names),
             "-" * len(head)]  # fmt: skip
    for program in dict.fromkeys(r.program for r in rows):
        mark = "*" if cell[(program, names[0])].held_out else " "
        parts = []
        for n in names:
            r = cell.get((program, n))
            if r is None:
                parts.append(f"{'-':>20}")
            elif not r.output_ok:
                parts.append(f"{'! ' + (r.detail or 'failed')[:17]:>20}")
            elif n == REFERENCE:
                parts.append(f"{r.instructions:>20,}" if r.instructions >= 0 else f"{'ok':>20}")
            elif (program, n) in ins:
                parts.append(f"{ins[(program, n)]:>12.4f}{acc[(program, n)]:>8.4f}")
            else:
                parts.append(f"{'ok':>20}")
        lines.append(f"{mark}{program:<21}" + "".join(parts))
    return "\n".join(lines)


def format_programs_summary(summaries: Sequence[ProgramSummary], target: str) -> str:
    head = f"{'allocator':<18}{'outputs ok':>12}{'counted':>9}{'geo Ir':>9}{'geo Dr+Dw':>11}{'geo own Ir':>12}" \
           f"{'geo own acc':>13}{'worst Ir':>10}{'held-out Ir':>13}"  # fmt: skip
    lines = [head, "-" * len(head)]
    for s in summaries:
        lines.append(f"{s.allocator:<18}{f'{s.outputs_ok}/{s.programs}':>12}{s.counted:>9}"
                     f"{s.geomean_instructions:>9.4f}{s.geomean_accesses:>11.4f}{s.geomean_own_instructions:>12.4f}"
                     f"{s.geomean_own_accesses:>13.4f}{s.worst_instructions:>10.4f}"
                     f"{s.held_out_geomean_instructions:>13.4f}")  # fmt: skip
    notes = ["geo: geomean over programs of the build's count / the greedy build's (Ir: instructions executed, "
             "Dr+Dw: data reads + writes, whole run; own: the program's own functions); * = held out."]  # fmt: skip
    if get_target(target).name == "aarch64" and any(s.counted for s in summaries):
        notes.append(QEMU_COUNTS_NOTE + ".")
    return "\n".join(lines + notes)


def plot_programs(rows: Sequence[ProgramRow], path: Path) -> bool:
    """Per program, each allocator's instructions over greedy's (held-out programs marked
    with *); False when nothing was counted."""
    ins = ratios(rows, "instructions")
    names = [n for n in dict.fromkeys(r.allocator for r in rows) if n != REFERENCE]
    programs = [p for p in dict.fromkeys(r.program for r in rows) if any((p, n) in ins for n in names)]
    if not programs:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    held = {r.program for r in rows if r.held_out}
    fig, ax = plt.subplots(figsize=(max(8.0, 0.22 * len(programs) + 3), 5))
    for i, name in enumerate(names):
        xs = [j for j, p in enumerate(programs) if (p, name) in ins]
        ax.scatter(xs, [ins[(programs[j], name)] for j in xs], s=14, marker="os^vD"[i % 5], label=name, alpha=0.8)
    ax.axhline(1.0, color="k", ls="--", lw=1)
    ax.set_xticks(range(len(programs)))
    ax.set_xticklabels([p + ("*" if p in held else "") for p in programs], rotation=90, fontsize=7)
    ax.set(ylabel="instructions / greedy build's",
           title=f"Instructions executed vs greedy, per program ({rows[0].target}; * = held out)")  # fmt: skip
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True
