"""RLlib-only settings, read from ``TrainConfig.extra`` (TOML: a ``[train.extra]`` table).

Everything else comes from TrainConfig itself: ``workers`` (EnvRunner actors),
``num_gpus`` (learner GPUs), ``n_steps`` (rollout fragment per env), ``batch_size``
(PPO minibatch), ``n_epochs``, ``timesteps``/``episodes``, ``learning_rate``, ``gamma``,
``gae_lambda``, ``ent_coef``, ``clip_range``, ``seed``, ``policy`` with ``gnn_hidden``,
``gnn_layers`` and ``spill_gate`` (MaskablePPO's network for it), ``warm_start`` and
``bc_*``, ``torch_threads``, ``checkpoint_every``, ``resume`` (a run directory, or a
MaskablePPO ``.zip`` to start from), ``ray_address``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from agents.config import ConfigError, TrainConfig, known_name, misplaced_settings

DEFAULT_RAY_RESULTS = "~/ray_results"


@dataclass(frozen=True)
class RllibOptions:
    """Keys accepted in ``TrainConfig.extra`` by the RLlib backend."""

    ray_results: str = DEFAULT_RAY_RESULTS  # log root (Ray's convention); also RL4REAL_RAY_RESULTS
    envs_per_runner: int = 1  # environments stepped in turn by each EnvRunner
    num_cpus: int | None = None  # CPUs of a Ray instance started here (default: all, at least workers)
    max_iterations: int | None = None  # stop after this many training iterations as well
    time_limit_s: float | None = None  # stop after this much wall time as well
    restart_failed_env_runners: bool = True  # a crashed EnvRunner process is replaced
    max_env_runner_restarts: int = 1000
    restart_failed_sub_environments: bool = True  # an env that raises is rebuilt, its runner lives on
    sample_timeout_s: float = 300.0
    torch_threads: int | None = None  # torch threads of the local learner (default: TrainConfig.torch_threads)
    audit_dir: str | None = None  # tests: check every action against the mask (agents.rllib.envs)
    crash_flag: str | None = None  # tests: kill one EnvRunner once while this file exists
    crash_after: int = 50

    @classmethod
    def from_extra(cls, extra: dict[str, Any]) -> RllibOptions:
        names = {f.name: f for f in fields(cls)}
        _, hint = misplaced_settings({k: v for k, v in extra.items() if k.replace("-", "_") not in names})
        if hint:
            raise ConfigError(f"extra: {hint}")
        values: dict[str, Any] = {}
        for key, value in extra.items():
            name = known_name(key, names, "extra: unknown RLlib setting")
            values[name] = value
        options = cls(**values)
        options.check()
        return options

    @classmethod
    def from_train_config(cls, config: TrainConfig) -> RllibOptions:
        extra = dict(config.extra)
        if "ray_results" not in extra and os.environ.get("RL4REAL_RAY_RESULTS"):
            extra["ray_results"] = os.environ["RL4REAL_RAY_RESULTS"]
        return cls.from_extra(extra)

    def check(self) -> None:
        for name in ("envs_per_runner", "max_env_runner_restarts", "crash_after"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ConfigError(f"extra.{name} must be a positive integer, not {getattr(self, name)!r}")
        for name in ("num_cpus", "max_iterations", "torch_threads"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ConfigError(f"extra.{name} must be a positive integer, not {value!r}")

    def results_root(self) -> Path:
        return Path(self.ray_results).expanduser().resolve()
