"""Generating csmith programs that build with clang and terminate quickly."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from rl4real_gym.driver.process import run_guarded
from rl4real_gym.errors import RL4ReAlError

CSMITH_INCLUDE = "/usr/include/csmith"
CLANG_ARGS = (f"-I{CSMITH_INCLUDE}",)
# Small programs without volatiles: clang may then remove dead loops, and what remains
# runs in milliseconds (about 85% of seeds; the rest are skipped on the greedy time limit).
CSMITH_OPTIONS = (
    "--max-funcs", "6",
    "--max-block-depth", "3",
    "--max-array-len-per-dim", "6",
    "--no-volatiles",
    "--no-volatile-pointers",
)  # fmt: skip
GENERATE_TIMEOUT = 60.0


class CsmithError(RL4ReAlError):
    """csmith is missing or failed to generate a program."""


def csmith_binary() -> str:
    """Path of the csmith executable."""
    found = shutil.which("csmith")
    if found is None:
        raise CsmithError("csmith is not installed (Debian: apt-get install csmith libcsmith-dev)")
    return found


def csmith_command(seed: int, out: str | Path) -> list[str]:
    """The csmith command line that writes program ``seed`` to ``out``."""
    return ["csmith", "--seed", str(seed), *CSMITH_OPTIONS, "-o", str(out)]


@functools.cache
def csmith_version() -> str:
    """csmith's version line (e.g. ``csmith 2.3.0``), or ``unknown``."""
    try:
        proc = run_guarded([csmith_binary(), "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired, CsmithError):
        return "unknown"
    return proc.stdout.strip().splitlines()[0] if proc.stdout.strip() else "unknown"


def generate(seed: int, out: str | Path) -> Path:
    """Writes csmith program ``seed`` to ``out``."""
    out = Path(out).resolve()
    cmd = [csmith_binary(), *csmith_command(seed, out)[1:]]
    try:
        # csmith writes platform.info into its working directory: keep it beside the program
        proc = run_guarded(cmd, capture_output=True, text=True, timeout=GENERATE_TIMEOUT, cwd=out.parent)
    except subprocess.TimeoutExpired as err:
        raise CsmithError(f"csmith --seed {seed} did not finish in {GENERATE_TIMEOUT} s") from err
    if proc.returncode != 0 or not out.is_file():
        raise CsmithError(f"csmith --seed {seed} failed: {proc.stderr.strip()[-500:]}")
    return out
