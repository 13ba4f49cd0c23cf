"""Reading datasets: the manifest, module files, and size-based selection."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rl4real_gym.config import settings
from rl4real_gym.errors import DatasetError
from rl4real_gym.targets import Target

MANIFEST = "manifest.jsonl"
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class FunctionEntry:
    """One function of a dataset (one line of ``manifest.jsonl``).

    ``num_nodes``/``num_edges`` are the size of the interference graph the plugin offers
    at the start of allocation (agent nodes = virtual registers of supported classes);
    ``greedy`` holds LLVM greedy's figures for the function (see AllocationFigures).
    """

    id: str
    file: str  # relative to the dataset directory
    function: str
    program: str
    source: str = ""
    opt_level: str = "-O2"
    num_instrs: int = 0
    num_vregs: int = 0
    num_nodes: int = 0
    num_edges: int = 0
    greedy: dict[str, Any] = field(default_factory=dict)
    split: str = "train"

    @property
    def greedy_cost(self) -> float:
        return float(self.greedy.get("weighted_cost", 0.0))

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> FunctionEntry:
        data = json.loads(line)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class SelectionReport:
    """Why functions were left out of a selection."""

    selected: int
    skipped: dict[str, int]  # reason -> count

    def __str__(self) -> str:
        parts = [f"{self.selected} functions selected"]
        parts += [f"{n} skipped: {reason}" for reason, n in sorted(self.skipped.items())]
        return "; ".join(parts)


class Dataset:
    """A dataset directory for one target."""

    def __init__(self, root: Path, target: Target, entries: list[FunctionEntry]):
        self.root = root
        self.target = target
        self.entries = entries
        self._by_id = {e.id: e for e in entries}
        self._by_function: dict[str, FunctionEntry] = {}
        for e in entries:
            self._by_function.setdefault(e.function, e)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: str) -> FunctionEntry:
        """An entry by id or by function name."""
        entry = self._by_id.get(key) or self._by_function.get(key)
        if entry is None:
            raise KeyError(f"no function {key!r} in dataset {self.root}")
        return entry

    def module_path(self, entry: FunctionEntry) -> Path:
        """A path llc can read: compressed modules are unpacked once into BUILD_DIR/cache."""
        path = self.root / entry.file
        if not path.exists():
            raise DatasetError(f"{path} listed in {self.root / MANIFEST} is missing")
        if path.suffix != ".gz":
            return path
        digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
        out = settings().build_dir / "cache" / "modules" / digest / path.name[: -len(".gz")]
        if not out.exists() or out.stat().st_mtime < path.stat().st_mtime:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")  # per process: parallel envs unpack too
            with gzip.open(path, "rb") as src:
                tmp.write_bytes(src.read())
            tmp.replace(out)
        return out

    def select(
        self,
        *,
        split: str | Iterable[str] | None = None,
        min_nodes: int = 1,
        max_nodes: int | None = None,
        max_edges: int | None = None,
    ) -> tuple[list[FunctionEntry], SelectionReport]:
        """Entries in ``split`` whose graph fits; skipped ones are counted by reason."""
        splits = {split} if isinstance(split, str) else (set(split) if split is not None else None)
        chosen: list[FunctionEntry] = []
        skipped: dict[str, int] = {}

        def skip(reason: str) -> None:
            skipped[reason] = skipped.get(reason, 0) + 1

        for e in self.entries:
            if splits is not None and e.split not in splits:
                continue
            if e.num_nodes < min_nodes:
                skip(f"fewer than {min_nodes} nodes")
            elif max_nodes is not None and e.num_nodes > max_nodes:
                skip(f"more than max_nodes={max_nodes} nodes")
            elif max_edges is not None and e.num_edges > max_edges:
                skip(f"more than max_edges={max_edges} edges")
            else:
                chosen.append(e)
        return chosen, SelectionReport(len(chosen), skipped)


def read_manifest(path: Path) -> list[FunctionEntry]:
    entries = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(FunctionEntry.from_json(line))
        except (ValueError, TypeError, AttributeError) as err:
            raise DatasetError(f"{path}:{n}: malformed manifest line ({err})") from err
    return entries


def write_manifest(path: Path, entries: Iterable[FunctionEntry]) -> None:
    """Writes entries sorted by id (deterministic), atomically."""
    lines = sorted(e.to_json() for e in entries)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("".join(line + "\n" for line in lines))
    tmp.replace(path)


def resolve_dataset_dir(target: Target, data: str | Path | None) -> Path:
    """``data`` (or DATA_DIR, or the bundled envs_data) -> the target's dataset directory."""
    base = Path(data) if data is not None else settings().data_dir
    base = base.expanduser()
    for candidate in (base / target.name, base):
        if (candidate / MANIFEST).is_file():
            return candidate
    if base.is_dir() and (any(base.glob("*.ll")) or any(base.glob("*.bc"))):
        return base
    raise DatasetError(
        f"no dataset for {target.name} in {base}: expected {base / target.name / MANIFEST} "
        "(build one with `rl4real dataset build`) or a directory of .ll/.bc files"
    )


def read_dataset(root: Path, target: Target) -> Dataset:
    """The dataset whose manifest is in ``root`` (reading only: a directory without a
    manifest is :func:`rl4real_gym.dataset.loading.load_dataset`'s to build)."""
    manifest = root / MANIFEST
    if not manifest.is_file():
        raise DatasetError(f"{root} has no {MANIFEST} (build one with `rl4real dataset build`)")
    entries = read_manifest(manifest)
    if not entries:
        raise DatasetError(f"{manifest} lists no functions")
    check_dataset_target(root, target, entries[0])
    return Dataset(root, target, entries)


def check_dataset_target(root: Path, target: Target, entry: FunctionEntry) -> None:
    """Raises DatasetError when the dataset's modules name another architecture (e.g. the
    x86 directory given for aarch64); a missing module is left to ``module_path``."""
    path = root / entry.file
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return
    match = re.search(rb'^target triple = "([^"-]*)', head, re.M)
    arch = match.group(1).decode() if match else None
    if arch and arch != target.triple.split("-", 1)[0]:
        raise DatasetError(f"{root} holds {arch} modules, not {target.name} ones; point to the {target.name} dataset")
