"""Policy networks: SB3's MultiInputPolicy (``mlp``), our graph extractor under SB3's head
(``gnn``), or the graph extractor with per-node and per-split-point scoring (``gnn-scoring``).
``agents.policies.graph`` is the message-passing trunk they share (plain torch; RLlib's
module and REINFORCE use it too). Imports are lazy so the trunk loads without SB3."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "GraphScoringExtractor": "agents.policies.scoring",
    "GraphScoringPolicy": "agents.policies.scoring",
    "InterferenceGraphExtractor": "agents.policies.gnn",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
