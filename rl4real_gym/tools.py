"""Locating the LLVM 19 tools the package drives."""

from __future__ import annotations

import functools
import shutil

from rl4real_gym.errors import ToolNotFoundError

INSTALL_HINT = "install them with `bash scripts/setup.sh` (Debian: apt-get install llvm-19 clang-19)"


@functools.cache
def tool(name: str) -> str:
    """Absolute path of an LLVM 19 tool such as ``llc``, ``clang`` or ``opt``."""
    for candidate in (f"{name}-19", f"/usr/lib/llvm-19/bin/{name}"):
        found = shutil.which(candidate)
        if found:
            return found
    raise ToolNotFoundError(f"{name}-19 was not found on PATH; {INSTALL_HINT}")
