"""What a dataset is built from: source units (one program at one optimisation level).

A unit is a C/C++ file compiled with clang at one level, an LLVM IR file (``.ll``/``.bc``)
taken as it is, or a csmith program generated from a recorded seed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

C_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".c++")
IR_SUFFIXES = (".ll", ".bc")
SOURCE_SUFFIXES = C_SUFFIXES + IR_SUFFIXES

CSMITH_INCLUDE = "/usr/include/csmith"
# Moderately sized programs: at most 8 functions besides main, shallow nesting.
CSMITH_OPTIONS = ("--no-packed-struct", "--no-inline-function", "--max-funcs", "8", "--max-block-depth", "4")
# Without inlining each csmith function stays a function of its own (with it, clang folds
# most of a program into one huge function and can take minutes per program).
CSMITH_CLANG_ARGS = (f"-I{CSMITH_INCLUDE}", "-fno-inline-functions")


@dataclass(frozen=True)
class SourceUnit:
    """One program at one optimisation level.

    ``kind`` is ``"c"`` (compile ``path``), ``"ir"`` (take ``path`` as it is, ``opt_level``
    empty) or ``"csmith"`` (generate program ``seed`` first).
    """

    kind: str
    program: str
    source: str  # recorded in the manifest: path relative to its source dir, or csmith:seed=N
    opt_level: str
    path: Path | None = None
    seed: int = 0

    @property
    def label(self) -> str:
        """How messages name this unit."""
        return f"{self.source} {self.opt_level}".strip()


def source_files(root: Path) -> list[Path]:
    """C, C++ and IR files under ``root`` (recursively, hidden entries skipped), sorted."""
    files = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix in SOURCE_SUFFIXES and path.is_file():
            files.append(path)
    return sorted(files)


def program_name(root: Path, path: Path) -> str:
    """The program a file belongs to: its path below ``root`` without the suffix."""
    return path.relative_to(root).with_suffix("").as_posix()


def units_for_file(root: Path, path: Path, opt_levels: Sequence[str]) -> list[SourceUnit]:
    """The units of one file: one per opt level for C/C++, one for IR."""
    program = program_name(root, path)
    source = path.relative_to(root).as_posix()
    if path.suffix in IR_SUFFIXES:
        return [SourceUnit("ir", program, source, "", path)]
    return [SourceUnit("c", program, source, level, path) for level in opt_levels]


def units_from_dir(root: Path, opt_levels: Sequence[str]) -> tuple[list[SourceUnit], list[str]]:
    """Units of every source file in ``root``, and problems found (missing or empty dir)."""
    if not root.is_dir():
        return [], [f"{root}: not a directory"]
    files = source_files(root)
    if not files:
        suffixes = " ".join(SOURCE_SUFFIXES)
        return [], [f"{root}: no C, C++ or LLVM IR files ({suffixes}) in this directory"]
    units = [u for path in files for u in units_for_file(root, path, opt_levels)]
    return units, []


def csmith_units(count: int, seed_start: int, opt_levels: Sequence[str]) -> list[SourceUnit]:
    """``count`` csmith programs with seeds ``seed_start``, ``seed_start + 1``, ..."""
    return [
        SourceUnit("csmith", f"csmith_{seed}", f"csmith:seed={seed}", level, seed=seed)
        for seed in range(seed_start, seed_start + count)
        for level in opt_levels
    ]


def drop_ambiguous(units: Iterable[SourceUnit]) -> tuple[list[SourceUnit], list[str]]:
    """Keeps the first unit of each (program, opt level); later ones would give the same
    ids (e.g. ``foo.c`` and ``foo.ll``) and are reported instead."""
    seen: dict[tuple[str, str], SourceUnit] = {}
    kept: list[SourceUnit] = []
    problems: list[str] = []
    for unit in units:
        key = (unit.program, unit.opt_level)
        first = seen.get(key)
        if first is not None:
            problems.append(f"{unit.source}: skipped, program {unit.program!r} already comes from {first.source}")
            continue
        seen[key] = unit
        kept.append(unit)
    return kept, problems
