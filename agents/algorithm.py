"""The algorithm interface of ``rl4real train``: plug in your own RL algorithm.

An algorithm is a class (see docs/algorithms.md) built as ``Class(spec)`` from an
:class:`AlgorithmSpec` and following the :class:`Algorithm` protocol:

- ``learn(envs, total_timesteps)``: train on ``envs`` (one Gymnasium env per
  ``--workers``; each has ``action_masks()`` and ``obs["action_mask"]``);
- ``predict(obs, action_mask) -> int``: the flat action for one observation;
- ``save(path)`` and the classmethod ``load(path)``;
- optionally ``export_module() -> torch.nn.Module`` (the export hook: observation tensors,
  in the observation space's key order, batch first -> action logits) for ``rl4real
  export``, and a ``suffix`` class attribute (the model file's, default ``.pt``).

``--algo`` names a built-in (``maskable-ppo``, ``reinforce``: classes of
:mod:`agents.algorithms.builtin`, trained through this interface like any other), an
entry point of the ``rl4real.algorithms`` group, or ``package.module:Class`` /
``path/to/file.py:Class``. The run gets, without code of its own: the run directory,
``episodes.csv``, the progress bar, TensorBoard scalars (``rl4real/`` from the episodes,
anything given to ``env.record(name, value)``), checkpoints with their meta, and the
saved model that ``rl4real evaluate --model`` and ``rl4real compile --model`` load.

The built-in MaskablePPO steps the envs' allocations at once in SB3's vectorised loop
and hands every step to the same :class:`RunBook` (``agents.callbacks``).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from agents.config import ENTRY_POINT_GROUP, AlgorithmConfig, EnvConfig, entry_point_algorithms
from agents.episode_log import EpisodeLog, EpisodeTally
from rl4real_gym.envs.spaces import Layout
from rl4real_gym.errors import ModelError

__all__ = ["ENTRY_POINT_GROUP", "Algorithm", "AlgorithmSpec", "BudgetSpent", "RunBook", "TrainingEnv",
           "entry_point_algorithms", "resolve_algorithm"]  # fmt: skip


@dataclass(frozen=True)
class AlgorithmSpec:
    """What an algorithm is built from: the env's spaces and sizes, and its settings."""

    target: str
    layout: Layout
    observation_space: spaces.Dict
    action_space: spaces.Discrete
    seed: int = 0
    device: str = "cpu"
    learning_rate: float = 3e-4
    gamma: float = 0.99
    max_episodes: int | None = None  # the run's episode budget, if it has one
    options: dict[str, Any] = field(default_factory=dict)  # the config file's [train.extra] table
    # The run's settings, for algorithms that want them: its algorithm part (--policy,
    # --n-steps, --batch-size, ...; seed, learning_rate and gamma above are copies), its env
    # part (what the training envs were made with), the number of envs learn() gets, how an
    # algorithm that vectorises them should (--vec-env) and the torch threads for an update
    # (collecting wants 1: the allocation processes want the cores).
    config: AlgorithmConfig = field(default_factory=AlgorithmConfig)
    env: EnvConfig = field(default_factory=EnvConfig)
    workers: int = 1
    vec_env: str = "batched"
    torch_threads: int = 1


@runtime_checkable
class Algorithm(Protocol):
    """The protocol (constructor: ``Class(spec: AlgorithmSpec)``)."""

    def learn(self, envs: Sequence[gym.Env], total_timesteps: int) -> None: ...

    def predict(self, obs: dict[str, Any], action_mask: np.ndarray) -> int: ...

    def save(self, path: Path) -> None: ...

    @classmethod
    def load(cls, path: Path) -> Algorithm: ...


class BudgetSpent(Exception):
    """Raised by :class:`TrainingEnv` at a reset once the run's budget is spent: ends
    ``learn`` of an algorithm that does not stop by itself."""


def builtin_algorithms() -> dict[str, str]:
    """Built-in names -> ``module:Class`` of their Algorithm classes."""
    return {
        "maskable-ppo": "agents.algorithms.builtin:MaskablePPOAlgorithm",
        "reinforce": "agents.algorithms.builtin:ReinforceAlgorithm",
    }


def is_algorithm_spec(name: str) -> bool:
    """Whether ``name`` can name an algorithm (a built-in, an entry point, ``mod:Class``)."""
    return name in builtin_algorithms() or ":" in name or name in entry_point_algorithms()


def _import_file(path: Path) -> Any:
    name = "rl4real_user_" + re.sub(r"\W", "_", str(path.with_suffix("")))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ModelError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def canonical_spec(name: str) -> str:
    """``name`` as stored in a model's meta: file paths made absolute."""
    module, sep, cls = name.rpartition(":")
    if sep and (module.endswith(".py") or "/" in module):
        return f"{Path(module).resolve()}:{cls}"
    return name


def resolve_algorithm(name: str) -> type:
    """The class ``name`` stands for; a ModelError saying what is wrong otherwise."""
    target = builtin_algorithms().get(name)
    if target is None and name in entry_point_algorithms():
        cls = entry_point_algorithms()[name].load()
        return check_algorithm_class(cls, name)
    target = target or name
    module_name, sep, attr = target.rpartition(":")
    if not sep or not module_name or not attr:
        known = ", ".join([*builtin_algorithms(), *entry_point_algorithms()])
        raise ModelError(f"unknown algorithm {name!r}: use one of {known}, package.module:Class or file.py:Class")
    try:
        if module_name.endswith(".py") or "/" in module_name:
            path = Path(module_name)
            if not path.is_file():
                raise ModelError(f"algorithm {name!r}: {path} is not a file")
            module = _import_file(path.resolve())
        else:
            module = importlib.import_module(module_name)
    except ImportError as err:
        raise ModelError(f"algorithm {name!r}: cannot import {module_name} ({err})") from err
    cls = getattr(module, attr, None)
    if cls is None:
        raise ModelError(f"algorithm {name!r}: {module_name} has no {attr}")
    return check_algorithm_class(cls, name)


def check_algorithm_class(cls: Any, name: str) -> type:
    missing = [m for m in ("learn", "predict", "save", "load") if not callable(getattr(cls, m, None))]
    if not isinstance(cls, type) or missing:
        raise ModelError(f"algorithm {name!r} is not an Algorithm class: it lacks {', '.join(missing) or 'a class'}")
    return cls


def model_suffix(cls: type) -> str:
    return str(getattr(cls, "suffix", ".pt"))


class TrainingEnv(gym.Wrapper):
    """What every algorithm trains on: the env with ``action_masks()``, every finished
    episode given to the run's :class:`EpisodeLog`, checkpoints every ``checkpoint_every``
    steps (all envs of a run share one :class:`RunBook`), and :class:`BudgetSpent` at
    the reset after the budget. ``record(name, value)`` adds a TensorBoard scalar."""

    def __init__(self, env: gym.Env, book: RunBook, seed: int | None = None) -> None:
        super().__init__(env)
        self.book = book
        self._tally = EpisodeTally()
        self._seed = seed  # the first reset's, unless it is given one

    def reset(self, **kwargs: Any):
        if self.book.spent():
            raise BudgetSpent
        self._tally.reset()
        if self._seed is not None:
            kwargs.setdefault("seed", self._seed)
            self._seed = None
        return self.env.reset(**kwargs)

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        info = self._tally.add(float(reward), terminated or truncated, info)
        self.book.step(info.get("episode_figures"))
        return obs, reward, terminated, truncated, info

    def action_masks(self) -> np.ndarray:
        return self.env.unwrapped.action_masks()  # type: ignore[attr-defined]

    def record(self, name: str, value: float) -> None:
        self.book.record(name, float(value))


class RunBook:
    """A run's shared bookkeeping: timesteps, the episode log, scalars (every
    ``scalar_every`` episodes), checkpoints and the budget."""

    def __init__(self, log: EpisodeLog, record: Callable[[str, float, int], None], *, total_timesteps: int,
                 max_episodes: int | None, checkpoint_every: int, checkpoint: Callable[[int], None],
                 scalar_every: int = 8) -> None:  # fmt: skip
        self.log = log
        self._record = record
        self.total_timesteps = total_timesteps
        self.max_episodes = max_episodes
        self.checkpoint_every = max(1, checkpoint_every)
        self._checkpoint = checkpoint
        self._next_checkpoint = self.checkpoint_every
        self.scalar_every = scalar_every
        self.timesteps = 0

    def spent(self) -> bool:
        if self.max_episodes is not None:
            return self.episodes_spent()
        return self.timesteps >= self.total_timesteps

    def episodes_spent(self) -> bool:
        """Whether the run has an episode budget and has logged it."""
        return self.max_episodes is not None and self.log.episodes >= self.max_episodes

    def step(self, figures: dict[str, Any] | None) -> None:
        self.timesteps += 1
        if figures:
            self.log.add(figures, self.timesteps)
            if self.log.episodes % self.scalar_every == 0:
                self.log.scalars(lambda name, value: self._record(name, value, self.timesteps))
        self.log.progress(self.timesteps, refresh=self.timesteps % 20 == 0)
        if self.timesteps >= self._next_checkpoint:
            self._next_checkpoint += self.checkpoint_every
            self._checkpoint(self.timesteps)

    def record(self, name: str, value: float) -> None:
        self._record(name, value, self.timesteps)

    def finish(self) -> None:
        self.log.scalars(lambda name, value: self._record(name, value, self.timesteps))
        self.log.progress(self.timesteps)


class AlgorithmAgent:
    """An Algorithm behind SB3's ``predict(obs, action_masks, deterministic)`` (what
    evaluation and :class:`rl4real_gym.policy.PredictorPolicy` call)."""

    def __init__(self, algorithm: Any) -> None:
        self.algorithm = algorithm

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True) -> tuple[int, None]:
        return int(self.algorithm.predict(obs, np.asarray(action_masks, dtype=bool))), None
