"""TrainConfig in three parts (env, algorithm, backend): the flat flags and TOML files keep
working, sectioned TOML tables are checked, and consumers take only their part."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from pathlib import Path

import pytest

from agents.config import (
    PARTS,
    AlgorithmConfig,
    BackendConfig,
    ConfigError,
    EnvConfig,
    TrainConfig,
    config_from_args,
    load_config_file,
)
from rl4real_gym.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_parts_partition_the_settings() -> None:
    names = [f.name for cls in PARTS.values() for f in dataclasses.fields(cls)]
    assert len(names) == len(set(names))
    assert set(names) == {f.name for f in dataclasses.fields(TrainConfig)}
    config = TrainConfig(target="aarch64", max_nodes=64, workers=3, learning_rate=1e-4)
    assert config.env_part() == EnvConfig(target="aarch64", max_nodes=64)
    assert config.backend_part() == BackendConfig(workers=3)
    assert config.algorithm_part() == AlgorithmConfig(learning_rate=1e-4)
    assert config.env_part().env_kwargs()["max_nodes"] == 64


@pytest.mark.parametrize("path", [*sorted((ROOT / "agents" / "configs").glob("*.toml")),
                                  *sorted((ROOT / "agents" / "rllib" / "configs").glob("*.toml"))])  # fmt: skip
def test_shipped_config_files_still_load(path: Path) -> None:
    config = TrainConfig(**load_config_file(path)).validate()
    assert config.target in ("x86", "aarch64", "riscv64")


def test_flat_flags_and_sectioned_tables(tmp_path: Path) -> None:
    cfg = tmp_path / "run.toml"
    cfg.write_text("[train.env]\nmax_nodes = 48\n[train.algorithm]\ngamma = 0.9\n[train.backend]\nworkers = 2\n")
    args = build_parser().parse_args(["train", "--config", str(cfg), "--workers", "3"])
    config = config_from_args(args)
    assert (config.max_nodes, config.gamma, config.workers) == (48, 0.9, 3)  # flags win over the file
    cfg.write_text("[train.env]\ngamma = 0.9\n")
    with pytest.raises(ConfigError, match=r"gamma belongs in \[train.algorithm\], not \[train.env\]"):
        load_config_file(cfg)


def test_consumers_take_only_their_part() -> None:
    from agents.algorithms.maskable_ppo import build, policy_kwargs
    from agents.envs import make_env_fn, make_vec_env
    from agents.train import model_meta

    def annotations(fn: typing.Callable[..., object]) -> set[str]:
        hints = typing.get_type_hints(fn)
        return {getattr(hints[p], "__name__", str(hints[p])) for p in inspect.signature(fn).parameters if p in hints}

    assert "TrainConfig" not in set().union(*(annotations(f) for f in (build, policy_kwargs, make_env_fn,
                                                                       make_vec_env, model_meta)))  # fmt: skip
    assert {"AlgorithmConfig", "BackendConfig"} <= annotations(build)
    assert "EnvConfig" in annotations(make_vec_env) and "EnvConfig" in annotations(model_meta)
    assert policy_kwargs(AlgorithmConfig(policy="gnn", gnn_hidden=16))["features_extractor_kwargs"]["hidden"] == 16


@pytest.mark.parametrize("algo", ["maskable-ppo", "agents.algorithms.builtin:MaskablePPOAlgorithm"])
def test_builtin_algorithm_refuses_extra_settings_it_would_ignore(tmp_path: Path, algo: str) -> None:
    """``[train.extra] n_steps`` on a built-in algorithm was silently dropped; now it says where the key goes,
    before a run directory is made."""
    from agents.train import train

    config_file = tmp_path / "run.toml"
    config_file.write_text(f'[train]\nalgo = "{algo}"\nmodel_dir = "{tmp_path / "models"}"\n'
                           '[train.extra]\nn_steps = 64\nbatch_size = 32\nflavour = 1\n')  # fmt: skip
    args = build_parser().parse_args(["train", "--config", str(config_file)])
    with pytest.raises(ConfigError, match=r"n_steps, batch_size are training settings: move them from "
                                          r"\[train.extra\] to \[train\] \(or pass --n-steps, --batch-size\); "
                                          r"flavour is not read by it"):  # fmt: skip
        train(config_from_args(args))
    assert not (tmp_path / "models").exists()


def test_rllib_options_name_a_training_setting_put_in_extra() -> None:
    from agents.rllib.options import RllibOptions

    with pytest.raises(ConfigError, match=r"n_steps is a training setting: move it from \[train.extra\] to \[train\]"):
        RllibOptions.from_extra({"n_steps": 512, "envs_per_runner": 2})
    assert RllibOptions.from_extra({"envs_per_runner": 2}).envs_per_runner == 2
    # torch_threads is both a training setting and an RLlib one (the local learner's): the shipped config uses it
    long_run = load_config_file(ROOT / "agents" / "rllib" / "configs" / "ppo-x86-long.toml")
    assert RllibOptions.from_extra(long_run["extra"]).torch_threads == 1
