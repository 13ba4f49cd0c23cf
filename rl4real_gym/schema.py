"""The one declaration of what crosses the plugin/Python boundary, read from ``schema.json``.

Feature columns, phases, action kinds and default limits live in ``schema.json`` next to
this file; CMake generates the plugin's ``Schema.h`` from the same file. Nothing else in
the package writes a column index or a default limit as a number::

    from rl4real_gym.schema import NODE_FEATURES
    features[:, NODE_FEATURES["log_free_registers"]]
"""

from __future__ import annotations

import enum
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")


def _load() -> dict[str, Any]:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


_SCHEMA = _load()

VERSION: int = int(_SCHEMA["version"])


def _columns(key: str) -> MappingProxyType[str, int]:
    return MappingProxyType({col["name"]: i for i, col in enumerate(_SCHEMA[key])})


NODE_FEATURES = _columns("node_features")
"""Node feature column of each name (the observation's ``node_features`` columns)."""
SPLIT_FEATURES = _columns("split_features")
"""Split-point feature column of each name."""
REGISTER_FEATURES = _columns("register_features")
"""Register feature column of each name (the colour phase's per-register rows)."""
NODE_FEATURE_NAMES: tuple[str, ...] = tuple(NODE_FEATURES)
SPLIT_FEATURE_NAMES: tuple[str, ...] = tuple(SPLIT_FEATURES)
REGISTER_FEATURE_NAMES: tuple[str, ...] = tuple(REGISTER_FEATURES)
NUM_NODE_FEATURES = len(NODE_FEATURES)
NUM_SPLIT_FEATURES = len(SPLIT_FEATURES)
NUM_REGISTER_FEATURES = len(REGISTER_FEATURES)
_FEATURE_LISTS = ("node_features", "split_features", "register_features")
FEATURE_DOCS = MappingProxyType({col["name"]: col["doc"] for key in _FEATURE_LISTS for col in _SCHEMA[key]})

PLUGIN_LIMITS = MappingProxyType({k: v["default"] for k, v in _SCHEMA["limits"].items()})
"""The plugin's own default limits (``-rl4real-max-nodes`` ...)."""
ENV_LIMITS = MappingProxyType({k: v["default"] for k, v in _SCHEMA["env_limits"].items()})
"""The environment's default padding sizes."""

Phase = enum.IntEnum("Phase", {name: i for i, name in enumerate(_SCHEMA["phases"])})  # type: ignore[misc]
ActionKind = enum.IntEnum("ActionKind", {name: i for i, name in enumerate(_SCHEMA["action_kinds"])})  # type: ignore[misc]
