"""Building datasets: C/C++/IR corpora and csmith programs -> one-function modules + manifest.

Two stages, each parallel over ``jobs`` processes:

1. per source unit (a program at one opt level): compile (or read IR, or run csmith),
   then extract every defined function into a module of its own;
2. per new function: measure it (MIR sizes, interference graph, greedy's figures) and
   write ``modules/<id>.ll.gz``.

The build is resumable (entries already in the output manifest whose module exists are
kept), deterministic (sorted manifest, normalised module text, gzip with mtime 0,
duplicates resolved by smallest id) and never loses work: bad inputs are reported and
skipped, and the manifest is written atomically every ``SAVE_EVERY`` functions and at
the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gzip
import hashlib
import json
import multiprocessing
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rl4real_gym.config import settings
from rl4real_gym.dataset.extract import (
    UnitError,
    content_key,
    defined_functions,
    extract_function,
    normalize_module,
    unit_module,
)
from rl4real_gym.dataset.manifest import MANIFEST, FunctionEntry, read_manifest, write_manifest
from rl4real_gym.dataset.measure import graph_size, greedy_figures, mir_counts
from rl4real_gym.dataset.naming import function_id, module_file, safe_component, split_for
from rl4real_gym.dataset.sources import (
    IR_SUFFIXES,
    SourceUnit,
    csmith_units,
    drop_ambiguous,
    source_files,
    units_from_dir,
)
from rl4real_gym.errors import DatasetError
from rl4real_gym.targets import Target, get_target

BUILDER_VERSION = 1
SAVE_EVERY = 50
_TRIPLE = re.compile(r'^target triple = "([^"]*)"', re.M)
Log = Callable[[str], None]
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class BuildOptions:
    """What to build: inputs, output directory and how."""

    target: Target
    out: Path
    sources: tuple[Path, ...] = ()
    csmith: int = 0
    csmith_seed_start: int = 1
    opt_levels: tuple[str, ...] = ("-O2",)
    jobs: int = 1
    min_nodes: int = 1
    ir_only: bool = False  # take only .ll/.bc files from the source dirs
    progress: bool = True


@dataclass
class BuildReport:
    """What a build did. ``problems`` are bad inputs and failures (each one message);
    ``left_out`` are functions whose greedy figures could not be measured (LLVM's greedy
    crashed, hung or failed the verifier on them: the rewards need those figures), each
    ``id: reason``."""

    out: Path
    built: int = 0
    kept: int = 0
    total: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    def summary(self) -> str:
        others = self.total - self.built - self.kept
        lines = [f"{self.out}: {self.total} functions ({self.built} built now, {self.kept} of these inputs built before"
                 + (f", {others} from other inputs kept)" if others else ")")]  # fmt: skip
        lines += [f"  skipped {n}: {reason}" for reason, n in sorted(self.skipped.items())]
        if self.left_out:
            need = "greedy's figures could not be measured (the rewards need them)"
            lines.append(f"  left out {len(self.left_out)}: {need}:")
            lines += [f"    {item}" for item in sorted(self.left_out)]
        if self.problems:
            lines.append(f"  {len(self.problems)} problem(s): inputs or functions that could not be used (see above)")
        return "\n".join(lines)


@dataclass(frozen=True)
class FunctionTask:
    """One extracted function waiting to be measured."""

    id: str
    function: str
    unit: SourceUnit
    module: Path  # normalised textual module in the work directory
    key: str  # content_key of the module


@dataclass(frozen=True)
class UnitResult:
    unit: SourceUnit
    tasks: tuple[FunctionTask, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionResult:
    task: FunctionTask
    entry: FunctionEntry | None = None
    skip: str | None = None
    problem: str | None = None
    left_out: str | None = None  # why greedy's figures could not be measured


# -- helpers ----------------------------------------------------------------------------------
def stderr_log(message: str) -> None:
    """Prints a message without breaking tqdm's progress bars."""
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr)


def describe(err: BaseException) -> str:
    """A one-paragraph description of an exception for a problem message."""
    if isinstance(err, (UnitError, DatasetError)):
        return str(err)
    text = str(err).strip() or type(err).__name__
    return f"{type(err).__name__}: {text}"


def gzip_bytes(data: bytes) -> bytes:
    """gzip without a name or time stamp in the header: same input, same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def module_text(root: Path, entry: FunctionEntry) -> str:
    path = root / entry.file
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode()


MapFn = Callable[[Callable[[T], R], Sequence[T]], Iterator[R]]


def adopt_environment(env: dict[str, str]) -> None:
    """Pool initializer: the worker sees the environment of the process using the pool
    (BUILD_DIR, RL4REAL_PLUGIN, ...), not that of the fork server it was forked from."""
    os.environ.clear()
    os.environ.update(env)


@contextlib.contextmanager
def worker_pool(jobs: int, method: str = "forkserver") -> Iterator[Any]:
    """Yields ``pmap(fn, items)``: ``fn`` over ``items`` in ``jobs`` worker processes, in
    order of completion (in this process when ``jobs`` is 1). The workers live as long as
    the ``with`` block. Not plain fork: gRPC does not survive it; the fork server only
    preloads this module, which does not load gRPC."""
    if jobs <= 1:
        yield lambda fn, items: map(fn, items)
        return
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload([__name__])
    with ctx.Pool(jobs, initializer=adopt_environment, initargs=(dict(os.environ),)) as pool:
        yield lambda fn, items: pool.imap_unordered(fn, items, chunksize=1)


def parallel_map(fn: Callable[[T], R], items: Sequence[T], jobs: int, method: str = "forkserver") -> Iterator[R]:
    """``fn`` over ``items`` in a pool of its own (see :func:`worker_pool`)."""
    with worker_pool(min(jobs, len(items)), method) as pmap:
        yield from pmap(fn, items)


def progress_bar(total: int, desc: str, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="fn" if desc == "measuring" else "unit", disable=not enabled or None,
                file=sys.stderr, dynamic_ncols=True, leave=False)  # fmt: skip


@contextlib.contextmanager
def build_lock(out: Path, wait: bool) -> Iterator[None]:
    """One build at a time per output directory (a lock file in BUILD_DIR/cache/locks)."""
    locks = settings().build_dir / "cache" / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    with open(locks / f"dataset-{digest}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as err:
            raise DatasetError(f"another `rl4real dataset build` is writing to {out}; wait for it to finish") from err
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- stage 0: inputs and what is already there --------------------------------------------------
def collect_units(options: BuildOptions) -> tuple[list[SourceUnit], list[str]]:
    """Every unit to build, and problems with the inputs (missing or empty directories)."""
    units: list[SourceUnit] = []
    problems: list[str] = []
    for root in options.sources:
        found, issues = units_from_dir(root, options.opt_levels)
        if options.ir_only:
            found = [u for u in found if u.kind == "ir"]
        units += found
        problems += issues
    if options.csmith > 0:
        units += csmith_units(options.csmith, options.csmith_seed_start, options.opt_levels)
    units, ambiguous = drop_ambiguous(units)
    return units, problems + ambiguous


def existing_entries(out: Path) -> tuple[list[FunctionEntry], int]:
    """Entries of ``out``'s manifest whose module exists, and how many were dropped."""
    manifest = out / MANIFEST
    if not manifest.is_file():
        return [], 0
    entries = read_manifest(manifest)
    present = [e for e in entries if (out / e.file).is_file()]
    return present, len(entries) - len(present)


def check_same_target(out: Path, entries: Sequence[FunctionEntry], target: Target) -> None:
    """Refuses to extend a dataset of another target."""
    if not entries:
        return
    match = _TRIPLE.search(module_text(out, entries[0])[:65536])
    triple = match.group(1) if match else ""
    if triple and triple.split("-", 1)[0] != target.triple.split("-", 1)[0]:
        raise DatasetError(f"{out} holds a dataset for {triple}, not {target.name}; choose another --out")


# -- stage 1: units -> extracted functions ------------------------------------------------------
def unit_work_dir(work: Path, unit: SourceUnit) -> Path:
    name = safe_component(unit.program) + (f".{unit.opt_level.lstrip('-')}" if unit.opt_level else "")
    return work / name


def extract_task(unit: SourceUnit, module: Path, function: str, work: Path) -> FunctionTask:
    """Extracts and normalises one function's module."""
    entry_id = function_id(unit.program, unit.opt_level, function)
    out = work / f"{safe_component(function)}.ll"
    text = normalize_module(extract_function(module, function, out), entry_id, unit.source)
    out.write_text(text)
    return FunctionTask(entry_id, function, unit, out, content_key(text))


def prepare_unit(args: tuple[SourceUnit, str, Path]) -> UnitResult:
    """Stage-1 worker: a unit's functions as separate modules (problems reported, not raised)."""
    unit, target_name, work_root = args
    target = get_target(target_name)
    work = unit_work_dir(work_root, unit)
    work.mkdir(parents=True, exist_ok=True)
    try:
        module = unit_module(unit, target, work)
        functions = defined_functions(module.read_text())
    except Exception as err:
        return UnitResult(unit, problems=(f"{unit.label}: {describe(err)}",))
    if not functions:
        return UnitResult(unit, problems=(f"{unit.label}: defines no functions",))
    tasks: list[FunctionTask] = []
    problems: list[str] = []
    for function in functions:
        try:
            tasks.append(extract_task(unit, module, function, work))
        except Exception as err:
            problems.append(f"{unit.label}: {function}: {describe(err)}")
    return UnitResult(unit, tuple(tasks), tuple(problems))


def plan_tasks(
    tasks: Iterable[FunctionTask], kept_ids: set[str], kept_keys: dict[str, str]
) -> tuple[list[FunctionTask], int, int]:
    """(tasks to measure, already built, duplicates): a function whose module is identical
    to a kept one or to one with a smaller id is a duplicate and is left out."""
    todo: list[FunctionTask] = []
    already = duplicates = 0
    seen = dict(kept_keys)
    for task in sorted(tasks, key=lambda t: t.id):
        if task.id in kept_ids:
            already += 1
        elif task.key in seen:
            duplicates += 1
        else:
            seen[task.key] = task.id
            todo.append(task)
    return todo, already, duplicates


# -- stage 2: measuring ---------------------------------------------------------------------------
def make_entry(task: FunctionTask, sizes: tuple[int, int, int, int], greedy: dict[str, Any]) -> FunctionEntry:
    instrs, vregs, nodes, edges = sizes
    unit = task.unit
    return FunctionEntry(
        id=task.id, file=module_file(task.id), function=task.function, program=unit.program, source=unit.source,
        opt_level=unit.opt_level, num_instrs=instrs, num_vregs=vregs, num_nodes=nodes, num_edges=edges,
        greedy=greedy, split=split_for(unit.program),
    )  # fmt: skip


def measure_task(args: tuple[FunctionTask, str, Path, int]) -> FunctionResult:
    """Stage-2 worker: measures one function and writes its module into the dataset."""
    from rl4real_gym.baselines import BaselineFailedError  # not at import: the fork server must not load gRPC

    task, target_name, out, min_nodes = args
    target = get_target(target_name)
    try:
        instrs, vregs = mir_counts(task.module, target)
        if vregs == 0:
            return FunctionResult(task, skip="no virtual registers to allocate")
        size = graph_size(task.module, target, task.function)
        if size.num_nodes < min_nodes:
            return FunctionResult(task, skip=f"fewer than {min_nodes} interference-graph node(s)")
        greedy = greedy_figures(task.module, target, task.function)
        write_atomic(out / module_file(task.id), gzip_bytes(task.module.read_bytes()))
    except BaselineFailedError as err:
        return FunctionResult(task, left_out=f"{task.id}: {err.failure.summary()}")
    except Exception as err:
        return FunctionResult(task, problem=f"{task.unit.label}: {task.function}: {describe(err)}")
    return FunctionResult(task, make_entry(task, (instrs, vregs, size.num_nodes, size.num_edges), greedy))


# -- the build ------------------------------------------------------------------------------------
def prepare_all(options: BuildOptions, units: Sequence[SourceUnit], work: Path, report: BuildReport,
                log: Log, pmap: Any) -> list[FunctionTask]:  # fmt: skip
    """Stage 1 over all units; problems are logged and counted."""
    tasks: list[FunctionTask] = []
    args = [(u, options.target.name, work) for u in units]
    with progress_bar(len(args), "extracting", options.progress) as bar:
        for result in pmap(prepare_unit, args):
            tasks += result.tasks
            for problem in result.problems:
                report.problems.append(problem)
                log(problem)
            bar.update(1)
    return tasks


def kept_keys(out: Path, entries: Sequence[FunctionEntry]) -> dict[str, str]:
    """content_key -> id of the kept modules."""
    keys: dict[str, str] = {}
    for entry in sorted(entries, key=lambda e: e.id):
        with contextlib.suppress(OSError, ValueError):
            keys.setdefault(content_key(module_text(out, entry)), entry.id)
    return keys


def measure_all(options: BuildOptions, todo: Sequence[FunctionTask], entries: dict[str, FunctionEntry],
                report: BuildReport, log: Log, pmap: Any) -> None:  # fmt: skip
    """Stage 2; ``entries`` grows as functions are measured, the manifest is saved regularly."""
    manifest = options.out / MANIFEST
    args = [(t, options.target.name, options.out, options.min_nodes) for t in todo]
    unsaved = 0
    with progress_bar(len(args), "measuring", options.progress) as bar:
        for result in pmap(measure_task, args):
            bar.update(1)
            if result.problem:
                report.problems.append(result.problem)
                log(result.problem)
            elif result.skip:
                report.skip(result.skip)
            elif result.left_out:
                report.left_out.append(result.left_out)
            elif result.entry is not None:
                entries[result.entry.id] = result.entry
                report.built += 1
                unsaved += 1
                if unsaved >= SAVE_EVERY:
                    write_manifest(manifest, entries.values())
                    unsaved = 0


def remove_orphans(out: Path, entries: Iterable[FunctionEntry]) -> None:
    """Deletes module files no entry refers to (left by interrupted or replaced builds)."""
    referenced = {(out / e.file).resolve() for e in entries}
    for path in (out / "modules").iterdir():
        is_ours = path.name.endswith(".ll.gz") or path.name.endswith(".tmp")
        if is_ours and path.resolve() not in referenced:
            path.unlink(missing_ok=True)


def build_dataset(options: BuildOptions, log: Log = stderr_log, *, wait_for_lock: bool = False) -> BuildReport:
    """Builds or extends the dataset in ``options.out``; see the module docstring."""
    out = options.out
    (out / "modules").mkdir(parents=True, exist_ok=True)
    report = BuildReport(out)
    with build_lock(out, wait_for_lock):
        kept, dropped = existing_entries(out)
        check_same_target(out, kept, options.target)
        if dropped:
            log(f"{out}: {dropped} manifest entries had no module file; they are rebuilt if their source is given")
        entries = {e.id: e for e in kept}
        units, problems = collect_units(options)
        for problem in problems:
            report.problems.append(problem)
            log(problem)
        try:
            with tempfile.TemporaryDirectory(prefix="rl4real-dataset-") as tmp, worker_pool(options.jobs) as pmap:
                tasks = prepare_all(options, units, Path(tmp), report, log, pmap)
                keys = kept_keys(out, kept) if tasks else {}
                todo, report.kept, duplicates = plan_tasks(tasks, set(entries), keys)
                report.skip("identical to another function's module", duplicates)
                measure_all(options, todo, entries, report, log, pmap)
        finally:
            write_manifest(out / MANIFEST, entries.values())
        remove_orphans(out, entries.values())
    report.total = len(entries)
    return report


# -- plain directories of IR files (used by load_dataset) ----------------------------------------
def ir_files(root: Path) -> list[Path]:
    return [p for p in source_files(root) if p.suffix in IR_SUFFIXES]


def ir_dir_digest(root: Path, target: Target) -> str:
    """Identity of a directory of IR files: names and contents, target, builder version."""
    h = hashlib.sha256(f"{target.name}|{BUILDER_VERSION}".encode())
    for path in ir_files(root):
        data = path.read_bytes()
        h.update(f"\0{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:24]


def build_cached_from_ir_dir(root: Path, target: Target) -> Path:
    """A dataset built from the ``.ll``/``.bc`` files in ``root`` (once per content).

    It lives in ``BUILD_DIR/cache/datasets/<digest>``; it is rebuilt only when the files
    change. Safe to call from several processes at once.
    """
    tgt = get_target(target)
    out = settings().build_dir / "cache" / "datasets" / ir_dir_digest(root, tgt)
    marker = out / "complete.json"
    if marker.is_file():
        return out
    out.mkdir(parents=True, exist_ok=True)
    with build_lock(out, wait=True):
        if marker.is_file():
            return out
    options = BuildOptions(target=tgt, out=out, sources=(root,), jobs=os.cpu_count() or 1, ir_only=True)
    stderr_log(f"rl4real: building a dataset from the IR files in {root} into {out}")
    report = build_dataset(options, wait_for_lock=True)
    for item in report.left_out:
        stderr_log(f"rl4real: left out {item}")
    if report.total == 0:
        why = "; ".join([*report.problems, *report.left_out][:5])
        raise DatasetError(f"no usable function in the IR files of {root}: {why}")
    summary = {"source": str(root), "functions": report.total, "problems": report.problems,
               "left_out": report.left_out}  # fmt: skip
    marker.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return out


# -- re-measuring graphs after the plugin changed ---------------------------------------------------
def remeasure_graphs(out: Path, target: Target, progress: bool = False) -> tuple[int, int]:
    """Measures every entry's ``num_nodes``/``num_edges`` again (the graph the plugin offers
    now) and rewrites the manifest; nothing else changes. Needed when the plugin changes
    which virtual registers are agent nodes: the env selects functions by these sizes.
    Returns (entries, entries whose size changed)."""
    with build_lock(out, wait=True):
        entries, _ = existing_entries(out)
        updated, changed = [], 0
        bar = progress_bar(len(entries), "measuring", progress)
        with tempfile.TemporaryDirectory(prefix="rl4real-remeasure-") as tmp:
            for entry in entries:
                module = Path(tmp) / "module.ll"
                module.write_text(module_text(out, entry))
                size = graph_size(module, target, entry.function)
                if (size.num_nodes, size.num_edges) != (entry.num_nodes, entry.num_edges):
                    changed += 1
                    entry = dataclasses.replace(entry, num_nodes=size.num_nodes, num_edges=size.num_edges)
                updated.append(entry)
                bar.update(1)
        bar.close()
        write_manifest(out / MANIFEST, updated)
    return len(updated), changed
