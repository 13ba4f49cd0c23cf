"""Names in a dataset: entry ids, module file names, optimisation levels and splits.

Everything here is a pure function of its arguments, so that the same inputs always give
the same ids, files and splits.
"""

from __future__ import annotations

import hashlib
import re

# (split, upper bound of the program's hash bucket in 0..99): about 80/10/10.
SPLIT_BUCKETS = (("train", 80), ("validation", 90), ("test", 100))
OPT_LEVELS = ("-O0", "-O1", "-O2", "-O3", "-Os", "-Oz")
MAX_COMPONENT = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_.+-]")


def short_hash(text: str, length: int = 8) -> str:
    """A short, stable hex digest of ``text``."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def split_for(program: str) -> str:
    """The split of every function of ``program``: a hash of the program's name decides,
    so that all functions (and opt levels) of one program land in the same split."""
    bucket = int(short_hash(program, 8), 16) % 100
    for name, bound in SPLIT_BUCKETS:
        if bucket < bound:
            return name
    return SPLIT_BUCKETS[-1][0]


def safe_component(name: str) -> str:
    """``name`` made safe for a file name; altered or long names get a hash suffix so
    that two different names never map to the same component."""
    cleaned = _UNSAFE.sub("_", name).lstrip(".") or "_"
    if cleaned == name and len(name) <= MAX_COMPONENT:
        return name
    return f"{cleaned[: MAX_COMPONENT - 9]}-{short_hash(name)}"


def normalize_opt_level(level: str) -> str:
    """``O2``/``-O2``/``2`` -> ``-O2``; raises ValueError for anything else."""
    text = level.strip()
    if text and not text.startswith("-"):
        text = "-" + (text if text.upper().startswith("O") else "O" + text)
    text = "-O" + text[2:] if text[:2].upper() == "-O" else text
    if text not in OPT_LEVELS:
        raise ValueError(f"unknown optimisation level {level!r}; use one of {', '.join(OPT_LEVELS)}")
    return text


def parse_opt_levels(text: str) -> tuple[str, ...]:
    """``"O1,O2,O3"`` -> ``("-O1", "-O2", "-O3")`` (order kept, duplicates dropped)."""
    levels: list[str] = []
    for part in text.split(","):
        if part.strip():
            level = normalize_opt_level(part)
            if level not in levels:
                levels.append(level)
    if not levels:
        raise ValueError("no optimisation level given")
    return tuple(levels)


def function_id(program: str, opt_level: str, function: str) -> str:
    """``<program>.<O2>.<function>``; IR taken as is (no opt level) gives ``<program>.<function>``."""
    parts = [safe_component(program)]
    if opt_level:
        parts.append(opt_level.lstrip("-"))
    parts.append(safe_component(function))
    return ".".join(parts)


def module_file(entry_id: str) -> str:
    """Where the module of ``entry_id`` lives, relative to the dataset directory."""
    return f"modules/{entry_id}.ll.gz"
