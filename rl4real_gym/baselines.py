"""Figures of LLVM's own allocators, measured exactly like rl4real's.

``llc -regalloc=X -stop-after=virtregrewriter`` gives the allocated MIR; the plugin's
``rl4real-cost`` pass measures it with the same accounting the rl4real allocator uses
for itself (checked against greedy's own regalloc remarks). Results are cached on
disk by module content, allocator and llc version.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from rl4real_gym.config import settings
from rl4real_gym.driver.state import AllocationFigures
from rl4real_gym.errors import LlcCrashedError, LlcTimeoutError
from rl4real_gym.plugin import plugin_path
from rl4real_gym.targets import Target, get_target
from rl4real_gym.tools import tool

LLVM_ALLOCATORS = ("greedy", "basic", "fast", "pbqp")
PLUGIN_HEURISTIC = "rl4real"
"""``-regalloc=rl4real`` without a client: the plugin's own fallback heuristic, measurable
like LLVM's allocators (the anchor the env's heuristic agent must match)."""
CACHE_VERSION = 2


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise LlcTimeoutError(f"{' '.join(cmd[:3])} ... timed out after {timeout} s") from err


_CONSTANT_VALUE = re.compile(r"^(\s+value:\s+)'(.*)'\s*$")
_CLOSING = {"<": ">", "[": "]", "{": "}"}


def constant_type(value: str) -> str:
    """The IR type at the start of a constant's text (``<4 x i32> zeroinitializer`` -> ``<4 x i32>``)."""
    text = value.lstrip()
    if text.startswith("<{"):
        end = text.find("}>")
        return text[: end + 2] if end >= 0 else text.split(" ", 1)[0]
    if text and text[0] in _CLOSING:
        depth = 0
        for i, ch in enumerate(text):
            if ch in _CLOSING:
                depth += 1
            elif ch in _CLOSING.values():
                depth -= 1
                if depth == 0:
                    return text[: i + 1]
    return text.split(" ", 1)[0]


def neutralize_constant_pool(mir: str) -> str:
    """Replaces constant-pool values by ``undef`` of the same type.

    LLVM 19's MIR parser rejects some constants its printer writes (e.g. vector
    ``zeroinitializer``); measuring an allocation never reads constant values.
    """
    out = []
    in_constants = False
    for line in mir.splitlines(keepends=True):
        if line.startswith("constants:"):
            in_constants = True
        elif line and not line[0].isspace() and not line.startswith("constants:"):
            in_constants = False
        match = _CONSTANT_VALUE.match(line) if in_constants else None
        if match:
            line = f"{match.group(1)}'{constant_type(match.group(2))} undef'\n"
        out.append(line)
    return "".join(out)


def parse_cost_lines(text: str) -> dict[str, AllocationFigures]:
    """Parses the JSON lines written by the rl4real-cost pass or -rl4real-figures-output."""
    figures: dict[str, AllocationFigures] = {}
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            figures[row.pop("function")] = AllocationFigures.from_dict(row)
    return figures


def measure_llvm_allocator(
    module: str | Path,
    target: str | Target,
    allocator: str = "greedy",
    *,
    opt_level: str = "-O2",
    timeout: float = 300.0,
) -> dict[str, AllocationFigures]:
    """Per-function figures of LLVM's ``allocator`` (or of :data:`PLUGIN_HEURISTIC`) on
    ``module`` (uncached)."""
    if allocator not in (*LLVM_ALLOCATORS, PLUGIN_HEURISTIC):
        raise ValueError(f"unknown LLVM allocator {allocator!r}; choose from {(*LLVM_ALLOCATORS, PLUGIN_HEURISTIC)}")
    load = ["-load", str(plugin_path())] if allocator == PLUGIN_HEURISTIC else []
    tgt = get_target(target)
    with tempfile.TemporaryDirectory(prefix="rl4real-cost-") as tmp:
        mir = Path(tmp) / "f.mir"
        out = Path(tmp) / "cost.jsonl"
        llc = tool("llc")
        proc = _run(
            [llc, opt_level, *tgt.llc_args, *load, f"-regalloc={allocator}", "-stop-after=virtregrewriter",
             str(module), "-o", str(mir)],
            timeout,
        )  # fmt: skip
        if proc.returncode != 0:
            raise LlcCrashedError(f"llc -regalloc={allocator} failed on {module}", proc.stderr, proc.returncode)
        mir.write_text(neutralize_constant_pool(mir.read_text()))
        proc = _run(
            [llc, *tgt.llc_args, "-load", str(plugin_path()), "-run-pass=rl4real-cost",
             f"-rl4real-cost-output={out}", str(mir), "-o", os.devnull],
            timeout,
        )  # fmt: skip
        if proc.returncode != 0:
            raise LlcCrashedError(f"measuring {allocator}'s allocation of {module} failed", proc.stderr)
        return parse_cost_lines(out.read_text() if out.exists() else "")


def _cache_key(module: Path, target: Target, allocator: str, opt_level: str) -> str:
    h = hashlib.sha256()
    h.update(module.read_bytes())
    h.update(f"{target.name}|{allocator}|{opt_level}|{CACHE_VERSION}|{tool('llc')}".encode())
    if allocator == PLUGIN_HEURISTIC:  # its figures change with every build of the plugin
        st = plugin_path().stat()
        h.update(f"|{st.st_mtime_ns}|{st.st_size}".encode())
    return h.hexdigest()[:24]


def llvm_figures(
    module: str | Path, target: str | Target, allocator: str = "greedy", *, opt_level: str = "-O2"
) -> dict[str, AllocationFigures]:
    """Like :func:`measure_llvm_allocator`, cached in ``BUILD_DIR/cache/baselines``."""
    tgt = get_target(target)
    path = Path(module)
    cache_dir = settings().build_dir / "cache" / "baselines"
    key = _cache_key(path, tgt, allocator, opt_level)
    entry = cache_dir / f"{key}.json"
    try:
        data = json.loads(entry.read_text())
        return {k: AllocationFigures.from_dict(v) for k, v in data.items()}
    except (OSError, ValueError):
        pass
    figures = measure_llvm_allocator(path, tgt, allocator, opt_level=opt_level)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({k: v.as_dict() for k, v in figures.items()}))
        tmp.replace(entry)
    except OSError:
        pass  # a read-only cache only costs time
    return figures
