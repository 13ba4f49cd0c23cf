"""Typed training configuration: env, algorithm and backend dataclasses and their union,
mirrored by a TOML file and CLI flags.

Precedence: defaults < ``--config FILE`` (TOML, keys = field names) < explicit flags.
Unknown keys are errors that name the key and the closest valid one.

The settings fall in three parts, each its own dataclass that its consumers take:
:class:`EnvConfig` (the training env), :class:`AlgorithmConfig` (the algorithm),
:class:`BackendConfig` (workers, device, outputs). :class:`TrainConfig` is their flat
union (flags and TOML keys unchanged); a TOML file may also group keys under
``[train.env]``, ``[train.algorithm]`` and ``[train.backend]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import importlib.metadata
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import tomllib

from rl4real_gym.config import settings
from rl4real_gym.envs.rewards import REWARD_KINDS
from rl4real_gym.errors import RL4ReAlError

ALGOS = ("maskable-ppo", "reinforce", "random", "heuristic")
POLICIES = ("mlp", "gnn", "gnn-scoring")
BACKENDS = ("sb3", "rllib")
VEC_ENVS = ("batched", "subproc")
WARM_STARTS = ("heuristic", "search", "expert-iteration")  # agents.algorithms.imitation / expert_iteration
CHOICES: dict[str, tuple[str, ...]] = {
    "policy": POLICIES, "backend": BACKENDS, "vec_env": VEC_ENVS, "device": ("cpu", "cuda", "auto"),
    "reward": REWARD_KINDS,
}  # fmt: skip


class ConfigError(RL4ReAlError, ValueError):
    """A configuration file or flag is wrong; the message says which and how."""


@dataclass
class EnvConfig:
    """The environment's part: what ``gymnasium.make`` of the training env takes."""

    target: str = "x86"
    reward: str = "cost"  # the env's rewards: cost (dense, log scale), rl4real, spill_cost, vs_greedy
    split: str = "train"
    data: str | None = None  # dataset directory (default: DATA_DIR or envs_data)
    max_nodes: int = 128
    max_edges: int = 2048
    max_split_points: int = 32
    min_nodes: int = 1
    max_steps: int | None = 2000  # per-episode cap; the plugin finishes the rest

    def env_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``gymnasium.make`` of the training environment."""
        return {
            "data": self.data,
            "split": self.split,
            "reward": self.reward,
            "max_nodes": self.max_nodes,
            "max_edges": self.max_edges,
            "max_split_points": self.max_split_points,
            "min_nodes": self.min_nodes,
            "max_steps": self.max_steps,
        }


@dataclass
class AlgorithmConfig:
    """The algorithm's part: what it learns with, for how long, from which seed."""

    algo: str = "maskable-ppo"
    # mlp: SB3's MultiInputPolicy; gnn: graph message passing extractor + SB3's head;
    # gnn-scoring: the same message passing, each node and split point scored by one network
    policy: str = "mlp"
    timesteps: int = 20000  # total environment steps (ignored when episodes is set)
    episodes: int | None = None  # stop after this many episodes instead
    batch_size: int = 256  # minibatch size (RL4ReAl: 256)
    n_steps: int = 512  # rollout steps per worker per update
    n_epochs: int = 4
    learning_rate: float = 3e-4  # RL4ReAl used 1e-5 with far longer runs
    gamma: float = 0.99  # RL4ReAl used 0.9
    gae_lambda: float = 0.95
    ent_coef: float = 0.01
    clip_range: float = 0.2
    gnn_hidden: int = 64
    gnn_layers: int = 2
    spill_gate: bool = False  # gnn-scoring: colour-or-spill as one sigmoid (see agents/policies/scoring.py)
    # gnn-scoring: each node and register also sees where it stands in the heaviest-first /
    # hint-aware order among the legal ones (scoring.priority_features); off for models saved before it
    priority: bool = True
    # behaviour cloning before PPO (agents/algorithms/imitation.py): expert heuristic or search
    warm_start: str | None = None
    bc_episodes: int = 200  # expert episodes on the training split
    bc_epochs: int = 20  # passes over them (minibatches of batch_size)
    bc_learning_rate: float = 1e-3  # Adam's learning rate while cloning (PPO's learning_rate after it)
    bc_search_width: int = 4  # --warm-start search: candidates per decision
    bc_search_budget: int = 64  # --warm-start search: rollouts per function
    # --warm-start expert-iteration (agents/algorithms/expert_iteration.py): DAgger rounds of
    # bc_episodes each; a state is labelled by rollouts of bc_search_width candidates
    ei_iterations: int = 2
    ei_label_share: float = 0.25  # chance that a decision with a choice is labelled
    ei_max_labels: int = 24  # labelled decisions per episode at most
    ei_margin: float = 0.0  # a deviation must beat the heuristic's rollout by this share ...
    ei_min_gain: float = 0.0  # ... and by this much cost
    ei_deviation_weight: float = 1.0  # weight of a deviation label in the cloning loss
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # algorithm- and backend-specific options


@dataclass
class BackendConfig:
    """The backend's part: where and how the run executes and what it writes."""

    backend: str = "sb3"  # sb3 or rllib (Ray)
    workers: int = 1  # parallel rollout envs (RL4ReAl: num_rollout_workers)
    vec_env: str = "batched"  # sb3: batched (all envs in this process, their allocations concurrent) or subproc
    device: str = "cpu"  # cpu, cuda or auto
    # torch threads for the learner's update (rollouts use 1); more than 1 only on idle cores:
    # on 2 cores shared with the allocation processes, 2 threads made the update 8x slower
    torch_threads: int = 1
    num_gpus: float = 0.0  # RLlib learner GPUs (RL4ReAl: num_gpus)
    model_dir: str | None = None  # default: MODEL_DIR or ./models
    run_name: str | None = None  # default: <algo>-<policy>-<target>-s<seed>
    log_dir: str = "runs"  # TensorBoard log root
    checkpoint_every: int = 5000  # timesteps between checkpoints
    resume: str | None = None  # checkpoint (.zip) to continue from
    progress: bool = True
    ray_address: str | None = None  # connect RLlib to an existing cluster


PARTS: dict[str, type] = {"env": EnvConfig, "algorithm": AlgorithmConfig, "backend": BackendConfig}
P = TypeVar("P", EnvConfig, AlgorithmConfig, BackendConfig)


def part_of(name: str) -> str:
    """The part (``env``, ``algorithm``, ``backend``) a setting belongs to."""
    return next(part for part, cls in PARTS.items() if name in {f.name for f in fields(cls)})


@dataclass
class TrainConfig(BackendConfig, AlgorithmConfig, EnvConfig):
    """Everything a training run needs (RL4ReAl's knobs included): the flat union of its
    three parts, as flags and TOML keys see it. Consumers take their part only:
    :meth:`env_part` (the env), :meth:`algorithm_part` (the algorithm),
    :meth:`backend_part` (where it runs); the run itself (``agents.train``) sees all."""

    def part(self, cls: type[P]) -> P:
        return cls(**{f.name: getattr(self, f.name) for f in fields(cls)})

    def env_part(self) -> EnvConfig:
        return self.part(EnvConfig)

    def algorithm_part(self) -> AlgorithmConfig:
        return self.part(AlgorithmConfig)

    def backend_part(self) -> BackendConfig:
        return self.part(BackendConfig)

    def resolved_run_name(self) -> str:
        return self.run_name or f"{algo_label(self.algo)}-{self.policy}-{self.target}-s{self.seed}"

    def resolved_model_dir(self) -> Path:
        return Path(self.model_dir) if self.model_dir else settings().model_dir

    def validate(self) -> TrainConfig:
        check_algo(self.algo)
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}")
        for name in ("workers", "timesteps", "batch_size", "n_steps", "n_epochs", "max_nodes", "max_edges",
                     "torch_threads"):  # fmt: skip
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.warm_start is not None and self.warm_start not in WARM_STARTS:
            raise ConfigError(f"warm_start must be one of {', '.join(WARM_STARTS)}, not {self.warm_start!r}")
        for name in ("bc_episodes", "bc_search_width", "bc_search_budget"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.bc_learning_rate <= 0:
            raise ConfigError("bc_learning_rate must be positive")
        if self.bc_epochs < 0:
            raise ConfigError("bc_epochs must be at least 0")
        if self.ei_iterations < 1 or self.ei_max_labels < 0 or not 0 <= self.ei_label_share <= 1:
            raise ConfigError("ei_iterations must be at least 1, ei_max_labels at least 0, ei_label_share in [0, 1]")
        if self.episodes is not None and self.episodes < 1:
            raise ConfigError("episodes must be at least 1")
        return self


def algo_label(algo: str) -> str:
    """A file-name-safe label: the built-in name, or a custom algorithm's class name."""
    return algo.rpartition(":")[2].lower() if ":" in algo else algo


ENTRY_POINT_GROUP = "rl4real.algorithms"  # the entry point group of installed algorithms


def entry_point_algorithms() -> dict[str, importlib.metadata.EntryPoint]:
    """The algorithms installed packages declare in ``ENTRY_POINT_GROUP``, by name."""
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def check_algo(algo: str) -> None:
    if algo in ALGOS or ":" in algo or algo in entry_point_algorithms():
        return
    close = difflib.get_close_matches(algo, ALGOS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"algo must be one of {', '.join(ALGOS)}, an {ENTRY_POINT_GROUP} entry point, or package.module:Class / "
        f"file.py:Class (an agents.algorithm class), not {algo!r}{hint}"
    )


def misplaced_settings(extra: dict[str, Any]) -> tuple[list[str], str]:
    """The keys of ``extra`` that are TrainConfig's own settings, and what to do about them
    ('' if none): ``[train.extra] n_steps`` is never read as ``n_steps``."""
    names = {f.name for f in fields(TrainConfig)}
    keys = [key for key in extra if key.replace("-", "_") in names]
    if not keys:
        return keys, ""
    one = len(keys) == 1
    flags = ", ".join("--" + key.replace("_", "-") for key in keys)
    return keys, (f"{', '.join(keys)} {'is a training setting' if one else 'are training settings'}: move "
                  f"{'it' if one else 'them'} from [train.extra] to [train] (or pass {flags})")  # fmt: skip


def check_builtin_extra(extra: dict[str, Any], algo: str) -> None:
    """A ConfigError for a non-empty ``[train.extra]`` table handed to a built-in algorithm:
    the built-ins read only TrainConfig's own fields, so ``[train.extra] n_steps = 512``
    (however the algorithm is named, e.g. ``agents.algorithms.builtin:MaskablePPOAlgorithm``)
    would otherwise be ignored. The table is for ``--backend rllib`` and custom algorithms."""
    if not extra:
        return
    settings, hint = misplaced_settings(extra)
    others = [key for key in extra if key not in settings]
    parts = [hint] if hint else []
    if others:
        one = len(others) == 1
        parts.append(f"{', '.join(others)} {'is' if one else 'are'} not read by it ([train.extra] is for "
                     f"--backend rllib and custom algorithms): remove {'it' if one else 'them'}")  # fmt: skip
    raise ConfigError(f"the built-in algorithm {algo!r} ignores [train.extra]; " + "; ".join(parts))


def _field_types() -> dict[str, Any]:
    return typing.get_type_hints(TrainConfig)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """``int | None`` -> (int, True); anything else (e.g. ``dict[str, Any]``) unchanged."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), type(None) in args
    return annotation, False


def _coerce(name: str, value: Any, annotation: Any) -> Any:
    """Checks a TOML value against the field's type (ints accepted for floats)."""
    base, optional = _unwrap_optional(annotation)
    if value is None and optional:
        return None
    origin = typing.get_origin(base) or base
    if origin is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if origin is dict and isinstance(value, dict):
        return value
    if isinstance(origin, type) and isinstance(value, origin) and not (origin is int and isinstance(value, bool)):
        return value
    raise ConfigError(f"{name} must be {getattr(base, '__name__', base)}, got {value!r}")


def known_name(key: str, known: Iterable[str], what: str) -> str:
    """``key`` as a field name (dashes to underscores); a ConfigError naming the key and
    the closest known one if there is no such field."""
    name = key.replace("-", "_")
    names = list(known)
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"{what} {key!r}{hint}")
    return name


def config_from_mapping(values: dict[str, Any], source: str = "config") -> dict[str, Any]:
    """Validates keys and types of a mapping (e.g. a parsed TOML file)."""
    field_types = _field_types()
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in PARTS and isinstance(value, dict):  # a [train.env], [train.algorithm] or [train.backend] table
            for inner, setting in value.items():
                name = known_name(inner, field_types, f"{source}: [train.{key}]: unknown setting")
                if part_of(name) != key:
                    raise ConfigError(f"{source}: {name} belongs in [train.{part_of(name)}], not [train.{key}]")
                out[name] = _coerce(name, setting, field_types[name])
            continue
        name = known_name(key, field_types, f"{source}: unknown setting")
        out[name] = _coerce(name, value, field_types[name])
    return out


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Reads a TOML file (a ``[train]`` table or top-level keys)."""
    p = Path(path)
    if not p.is_file():
        cfg_dir = settings().config_dir
        if (cfg_dir / p).is_file():
            p = cfg_dir / p
        elif (cfg_dir / f"{p}.toml").is_file():
            p = cfg_dir / f"{p}.toml"
        else:
            raise ConfigError(f"config file {path} not found (also looked in CONFIG_DIR={cfg_dir})")
    try:
        data = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{p}: not valid TOML ({err})") from err
    if "train" in data and isinstance(data["train"], dict):
        data = data["train"]
    return config_from_mapping(data, source=str(p))


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field (``--batch-size``), defaults left unset."""
    parser.add_argument("--config", help="TOML file with settings (keys as below; a [train] table also works)")
    field_types = _field_types()
    for f in fields(TrainConfig):
        if f.name == "extra":
            continue
        flag = "--" + f.name.replace("_", "-")
        base, _ = _unwrap_optional(field_types[f.name])
        default = f.default if f.default is not dataclasses.MISSING else None
        help_text = f"default: {default}"
        if f.name in CHOICES:
            help_text = f"one of {', '.join(CHOICES[f.name])}; {help_text}"
        if f.name == "algo":
            help_text = (f"one of {', '.join(ALGOS)}, an {ENTRY_POINT_GROUP} entry point, or package.module:Class / "
                         f"file.py:Class (see docs/algorithms.md); {help_text}")  # fmt: skip
        if f.name == "warm_start":
            help_text = f"behaviour cloning from {' or '.join(WARM_STARTS)} before PPO; {help_text}"
        if base is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        else:
            parser.add_argument(flag, type=base, default=None, metavar=f.name.upper(), help=help_text)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    values: dict[str, Any] = {}
    if getattr(args, "config", None):
        values.update(load_config_file(args.config))
    for f in fields(TrainConfig):
        value = getattr(args, f.name, None)
        if value is not None:
            values[f.name] = value
    return TrainConfig(**values).validate()
