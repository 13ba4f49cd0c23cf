"""Finding, and if needed building, the LLVM plugin ``librl4real.so``."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

from rl4real_gym.config import PROJECT_DIR, settings
from rl4real_gym.errors import PluginNotFoundError

PLUGIN_NAME = "librl4real.so"
SERVER_NAME = "rl4real-server"
NATIVE_DIR = PROJECT_DIR / "native"


def plugin_path(build: bool = True) -> Path:
    """Path of the built plugin; builds it first when missing and ``build`` is true.

    ``RL4REAL_PLUGIN`` overrides the location (a prebuilt plugin).
    """
    override = os.environ.get("RL4REAL_PLUGIN")
    if override:
        path = Path(override)
        if not path.is_file():
            raise PluginNotFoundError(f"RL4REAL_PLUGIN={override} does not exist")
        return path
    path = settings().build_dir / PLUGIN_NAME
    if path.is_file() and not _stale(path):
        return path
    if not build:
        raise PluginNotFoundError(f"{path} not found; run `rl4real build-plugin`")
    return build_plugin()


def server_path(build: bool = True) -> Path:
    """Path of the built ``rl4real-server`` (built and installed with the plugin, beside it)."""
    path = plugin_path(build).with_name(SERVER_NAME)
    if not path.is_file():
        if not build:
            raise PluginNotFoundError(f"{path} not found; run `rl4real build-plugin`")
        path = build_plugin().with_name(SERVER_NAME)
    return path


def _sources() -> list[Path]:
    files = list(NATIVE_DIR.glob("*.cpp")) + list(NATIVE_DIR.glob("*.h")) + list(NATIVE_DIR.glob("cmake/*"))
    package = PROJECT_DIR / "rl4real_gym"
    files += [NATIVE_DIR / "CMakeLists.txt", package / "proto" / "rl4real.proto", package / "schema.json"]
    return [f for f in files if f.exists()]


def _stale(path: Path) -> bool:
    if not NATIVE_DIR.is_dir():
        return False
    built = path.stat().st_mtime
    return any(src.stat().st_mtime > built for src in _sources())


def build_plugin(verbose: bool = False) -> Path:
    """Configures and builds the plugin with CMake into ``BUILD_DIR``.

    Safe to call from several processes at once (a file lock serialises builds).
    """
    if not (NATIVE_DIR / "CMakeLists.txt").is_file():
        raise PluginNotFoundError(
            f"the plugin sources ({NATIVE_DIR}) are not available; install rl4real-gym from a "
            "source checkout (pip install -e .) or set RL4REAL_PLUGIN to a built librl4real.so"
        )
    cmake = shutil.which("cmake")
    if cmake is None:
        raise PluginNotFoundError("cmake is not installed; run `bash scripts/setup.sh`")
    build_dir = settings().build_dir
    build_dir.mkdir(parents=True, exist_ok=True)
    target = build_dir / PLUGIN_NAME
    cmake_dir = build_dir / "cmake"
    with open(build_dir / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file() and not _stale(target) and target.with_name(SERVER_NAME).is_file():
            return target
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        out = None if verbose else subprocess.PIPE
        steps = [
            [cmake, "-S", str(NATIVE_DIR), "-B", str(cmake_dir), *generator, "-DCMAKE_BUILD_TYPE=Release"],
            [cmake, "--build", str(cmake_dir), "-j", str(os.cpu_count() or 2)],
        ]
        if not verbose:
            print(f"rl4real: building {PLUGIN_NAME} in {build_dir} (about a minute)...", file=sys.stderr)
        for cmd in steps:
            proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, text=True)
            if proc.returncode != 0:
                log = (proc.stdout or "")[-4000:]
                raise PluginNotFoundError(
                    f"building the plugin failed ({' '.join(cmd)}):\n{log}\n"
                    "Are llvm-19-dev, libprotobuf-dev and protobuf-compiler installed? "
                    "Run `bash scripts/setup.sh`."
                )
        # Install atomically: llc processes may be loading the old plugin right now.
        # The server first: the plugin's time stamp says both are current.
        for name in (SERVER_NAME, PLUGIN_NAME):
            staged = build_dir / f".{name}.{os.getpid()}.tmp"
            shutil.copy(cmake_dir / name, staged)  # a fresh time stamp: newer than the sources
            os.replace(staged, build_dir / name)
    return target
