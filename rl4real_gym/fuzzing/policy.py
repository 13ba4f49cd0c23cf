"""Policies the fuzzer drives llc with: ``random``, ``heuristic`` or a trained model."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from rl4real_gym.driver.policies import HeuristicPolicy, Policy, RandomPolicy, policy_limits
from rl4real_gym.driver.session import SessionLimits
from rl4real_gym.errors import ModelError, RL4ReAlError

BUILTIN_POLICIES = ("random", "heuristic")


def policy_label(spec: str) -> str:
    """A short name for file names and tables: ``random``, ``heuristic`` or ``model-<stem>``."""
    return spec if spec in BUILTIN_POLICIES else f"model-{Path(spec).stem or 'model'}"


def check_policy_spec(spec: str) -> None:
    """Raises a clear error unless ``spec`` is a built-in policy or an existing model path."""
    if spec not in BUILTIN_POLICIES and not Path(spec).exists():
        raise ModelError(
            f"unknown policy {spec!r}: use {' or '.join(BUILTIN_POLICIES)}, or the path of a trained model"
        )


@functools.cache
def load_model_policy(path: str, target: str) -> Policy:
    """``agents.inference.load_policy(path, target)``, loaded once per process."""
    try:
        from agents.inference import load_policy
    except ImportError as err:
        raise RL4ReAlError(
            f"cannot load model {path}: agents.inference is not importable ({err}); "
            "install the agents extra (pip install -e '.[agents]') or use --policy random|heuristic"
        ) from err
    return load_policy(path, target)


def make_policy(spec: str, target: str, seed: int) -> Policy:
    """The policy for one program; ``random`` is seeded with the program's seed."""
    if spec == "random":
        return RandomPolicy(seed=seed)
    if spec == "heuristic":
        return HeuristicPolicy()
    check_policy_spec(spec)
    return load_model_policy(str(Path(spec).resolve()), target)


SIZE_FIELDS = ("max_nodes", "max_edges", "max_split_points")


def policy_sizes(policy: Policy) -> dict[str, int] | None:
    """The graph sizes ``policy`` needs (a trained model's; None for built-in policies),
    as recorded in findings."""
    limits = policy_limits(policy)
    return None if limits is None else {name: int(getattr(limits, name)) for name in SIZE_FIELDS}


def session_limits(sizes: dict[str, int] | None, step_timeout: float) -> SessionLimits:
    """Session limits with ``sizes`` (or the defaults) and the given reply time limit."""
    return dataclasses.replace(SessionLimits(step_timeout=step_timeout), **(sizes or {}))
