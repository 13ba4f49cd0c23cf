"""``python -m agents.rllib [--config FILE.toml] [TrainConfig flags]``: train with RLlib.

Same settings as ``rl4real train --backend rllib``, plus the RLlib options of
``agents.rllib.options`` from the file's ``[train.extra]`` (or ``[extra]``) table.
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path
from typing import Any

import tomllib

from agents.config import ConfigError, TrainConfig, add_config_arguments, config_from_mapping


def read_config_file(path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(TrainConfig settings, extra) from a TOML file."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: cannot read it as TOML ({err})") from err
    if isinstance(data.get("train"), dict):
        data = data["train"]
    extra = data.pop("extra", {})
    if not isinstance(extra, dict):
        raise ConfigError(f"{path}: extra must be a table")
    return config_from_mapping(data, source=str(file)), extra


def config_from_cli(argv: list[str] | None = None) -> TrainConfig:
    parser = argparse.ArgumentParser(prog="python -m agents.rllib", description=__doc__)
    add_config_arguments(parser)
    args = parser.parse_args(argv)
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if args.config:
        values, extra = read_config_file(args.config)
    for f in fields(TrainConfig):
        if getattr(args, f.name, None) is not None:
            values[f.name] = getattr(args, f.name)
    values["backend"] = "rllib"
    return TrainConfig(**values, extra=extra).validate()


def main(argv: list[str] | None = None) -> int:
    from agents.rllib import run_rllib

    path = run_rllib(config_from_cli(argv))
    print(f"model saved to {path} (the RLlib checkpoint: {path.parent / 'rllib'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
