"""Env versions: the ids carry the version, and a model records the one it was trained on."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import pytest

from rl4real_gym.errors import ModelError
from rl4real_gym.registration import ENV_IDS, ENV_VERSION

pytest.importorskip("stable_baselines3")

from agents.inference import ModelMeta, load_meta, save_meta


def meta(**overrides: object) -> ModelMeta:
    values = dict(target="x86", algo="maskable-ppo", policy="mlp", max_nodes=8, max_edges=16,
                  max_split_points=4, num_colours=165, format="maskable-ppo")  # fmt: skip
    values.update(overrides)
    return ModelMeta(**values)  # type: ignore[arg-type]


def test_ids_carry_the_version() -> None:
    assert all(env_id.endswith(f"-v{ENV_VERSION}") for env_id in ENV_IDS)
    assert all(env_id in gym.registry for env_id in ENV_IDS)


def test_a_model_records_the_env_version(tmp_path: Path) -> None:
    model = tmp_path / "m.zip"
    model.write_bytes(b"")
    save_meta(model, meta(env_version=ENV_VERSION))
    assert json.loads(Path(f"{model}.meta.json").read_text())["env_version"] == ENV_VERSION
    assert load_meta(model).env_version == ENV_VERSION


def test_a_model_of_another_env_version_is_a_clear_error(tmp_path: Path) -> None:
    model = tmp_path / "m.zip"
    model.write_bytes(b"")
    save_meta(model, meta(env_version=ENV_VERSION + 1))
    wanted = rf"trained on RL4ReAl-x86-v{ENV_VERSION + 1}.*provides RL4ReAl-x86-v{ENV_VERSION}"
    with pytest.raises(ModelError, match=wanted):
        load_meta(model)


def test_models_saved_before_versions_were_recorded_are_v0(tmp_path: Path) -> None:
    """They (and every v0 model) were trained without the colour phase's register features:
    loading one names the version it needs."""
    assert ENV_VERSION == 2
    model = tmp_path / "m.zip"
    model.write_bytes(b"")
    data = {k: v for k, v in meta().__dict__.items() if k != "env_version"}
    Path(f"{model}.meta.json").write_text(json.dumps(data))
    with pytest.raises(ModelError, match=r"trained on RL4ReAl-x86-v0.*provides RL4ReAl-x86-v2.*retrain it"):
        load_meta(model)
    save_meta(model, meta(env_version=0))
    with pytest.raises(ModelError, match=r"trained on RL4ReAl-x86-v0.*provides RL4ReAl-x86-v2"):
        load_meta(model)
