"""Locating the LLVM 19 tools the package drives.

``RL4REAL_LLC`` (in general ``RL4REAL_<NAME>``, e.g. ``RL4REAL_CLANG``) names the
executable to use instead: a locally built llc, or a wrapper (the tests use one that
makes one LLVM allocator crash, hang or fail the verifier).
"""

from __future__ import annotations

import functools
import os
import shutil

from rl4real_gym.errors import ToolNotFoundError

INSTALL_HINT = "install them with `bash scripts/setup.sh` (Debian: apt-get install llvm-19 clang-19)"


def override_variable(name: str) -> str:
    """The environment variable that overrides tool ``name`` (``llc`` -> ``RL4REAL_LLC``)."""
    return "RL4REAL_" + name.upper().replace("-", "_")


def tool(name: str) -> str:
    """Absolute path of an LLVM 19 tool such as ``llc``, ``clang`` or ``opt``."""
    variable = override_variable(name)
    override = os.environ.get(variable)
    return _overridden(variable, override) if override else _installed(name)


@functools.cache
def _overridden(variable: str, value: str) -> str:
    found = shutil.which(value)
    if not found:
        raise ToolNotFoundError(f"{variable}={value} is not an executable file; fix it or unset {variable}")
    return os.path.abspath(found)


@functools.cache
def _installed(name: str) -> str:
    for candidate in (f"{name}-19", f"/usr/lib/llvm-19/bin/{name}"):
        found = shutil.which(candidate)
        if found:
            return found
    raise ToolNotFoundError(f"{name}-19 was not found on PATH; {INSTALL_HINT}")
