"""Policies the fuzzer drives llc with: ``random``, ``heuristic`` or a trained model.

The fuzzer itself only knows policy factories (:data:`rl4real_gym.policy.PolicyFactory`);
a trained model's factory comes from the command layer (``agents``), which knows how
models are stored: see ``agents.commands.fuzz``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rl4real_gym.driver.session import SessionLimits
from rl4real_gym.errors import ModelError
from rl4real_gym.policy import BUILTIN_POLICIES, BuiltinPolicies, Policy, PolicyFactory, policy_limits


def policy_label(spec: str) -> str:
    """A short name for file names and tables: ``random``, ``heuristic`` or ``model-<stem>``."""
    return spec if spec in BUILTIN_POLICIES else f"model-{Path(spec).stem or 'model'}"


def check_policy_spec(spec: str) -> None:
    """Raises a clear error unless ``spec`` is a built-in policy or an existing model path."""
    if spec not in BUILTIN_POLICIES and not Path(spec).exists():
        raise ModelError(
            f"unknown policy {spec!r}: use {' or '.join(BUILTIN_POLICIES)}, or the path of a trained model"
        )


def builtin_factory(spec: str) -> PolicyFactory:
    """The factory of a built-in policy; for a model path, a ModelError saying who loads models."""
    check_policy_spec(spec)
    if spec not in BUILTIN_POLICIES:
        raise ModelError(
            f"cannot load model {spec}: trained models are loaded by the agents package (the `rl4real fuzz` "
            "of a full install: pip install -e '.[agents]'); use --policy random|heuristic without it"
        )
    return BuiltinPolicies(spec)


SIZE_FIELDS = ("max_nodes", "max_edges", "max_split_points")


def policy_sizes(policy: Policy) -> dict[str, int] | None:
    """The graph sizes ``policy`` needs (a trained model's; None for built-in policies),
    as recorded in findings."""
    limits = policy_limits(policy)
    return None if limits is None else {name: int(getattr(limits, name)) for name in SIZE_FIELDS}


def session_limits(sizes: dict[str, int] | None, step_timeout: float) -> SessionLimits:
    """Session limits with ``sizes`` (or the defaults) and the given reply time limit."""
    return dataclasses.replace(SessionLimits(step_timeout=step_timeout), **(sizes or {}))
