"""Paths and settings: environment variables, an optional ``.env`` file, defaults.

RL4ReAl's variables are honoured where they belong:

========== ============================================ =====================================
variable   meaning                                      default
========== ============================================ =====================================
BUILD_DIR  where the plugin and build products live     ``<checkout>/build`` or the user cache
DATA_DIR   dataset directory (``<DATA_DIR>/<target>``)  the bundled ``envs_data/``
MODEL_DIR  where training writes checkpoints            ``./models``
MODEL_PATH the policy used for inference                (none)
CONFIG_DIR where training configs are looked up         ``<checkout>/agents/configs``
========== ============================================ =====================================

A ``.env`` file in the working directory (or the path in ``RL4REAL_DOTENV``) is read
first; variables already set in the environment win over it. Nothing is required.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
ENV_VARS = ("BUILD_DIR", "DATA_DIR", "MODEL_DIR", "MODEL_PATH", "CONFIG_DIR")


def parse_dotenv(text: str) -> dict[str, str]:
    """Parses ``KEY=VALUE`` lines (``export`` prefix, quotes and ``#`` comments allowed)."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].strip()
        key, sep, value = line.partition("=")
        if not sep:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def _dotenv_values() -> dict[str, str]:
    path = Path(os.environ.get("RL4REAL_DOTENV", ".env"))
    try:
        return parse_dotenv(path.read_text())
    except OSError:
        return {}


def _lookup(name: str) -> str | None:
    value = os.environ.get(name)
    if value:
        return value
    return _dotenv_values().get(name) or None


def _in_checkout() -> bool:
    return (PROJECT_DIR / "native" / "CMakeLists.txt").is_file()


@dataclass(frozen=True)
class Settings:
    """Resolved paths; build one with :func:`settings`."""

    build_dir: Path
    data_dir: Path
    model_dir: Path
    model_path: Path | None
    config_dir: Path


def settings() -> Settings:
    """Reads the environment and ``.env`` now (cheap; call it where needed)."""
    build = _lookup("BUILD_DIR")
    if build:
        build_dir = Path(build)
    elif _in_checkout():
        build_dir = PROJECT_DIR / "build"
    else:
        build_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rl4real-gym"
    data = _lookup("DATA_DIR")
    model_path = _lookup("MODEL_PATH")
    config = _lookup("CONFIG_DIR")
    return Settings(
        build_dir=build_dir.expanduser().resolve(),
        data_dir=Path(data).expanduser().resolve() if data else PROJECT_DIR / "envs_data",
        model_dir=Path(_lookup("MODEL_DIR") or "models").expanduser().resolve(),
        model_path=Path(model_path).expanduser().resolve() if model_path else None,
        config_dir=Path(config).expanduser().resolve() if config else PROJECT_DIR / "agents" / "configs",
    )
