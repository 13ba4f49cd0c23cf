"""Ray RLlib backend: PPO with action masking on RLlib's new API stack.

``run_rllib(config)`` trains the library's policy network (MaskablePPO's, wrapped in a
masking RLModule: ``agents.rllib.module``) with PPO on the registered environment,
``config.workers`` EnvRunner actors sampling in parallel (each stepping the env's vector
env of ``extra.envs_per_runner`` envs), failed EnvRunners restarted; it saves
``MODEL_DIR/<run name>/model.zip`` (+ meta, loadable like an SB3 run's) and the algorithm
checkpoint in ``MODEL_DIR/<run name>/rllib/``, and logs results in
``~/ray_results/<run name>_<time>/`` (``result.json``, ``progress.csv``, TensorBoard).

Importing this package does not import Ray (nor torch): only ``run_rllib`` and the
submodules ``module``, ``algo`` and ``train`` need ``ray[rllib]``
(``pip install -e ".[ray]"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from agents.config import TrainConfig


def ray_available() -> bool:
    """True when ``ray[rllib]`` can be imported (without importing it)."""
    from importlib.util import find_spec

    return find_spec("ray") is not None and find_spec("ray.rllib") is not None


def run_rllib(config: TrainConfig, **kwargs: Any) -> Path:
    """Trains PPO on RLlib; returns the saved model (see ``agents.rllib.train``)."""
    from agents.rllib.train import run_rllib as _run

    return _run(config, **kwargs)


__all__ = ["ray_available", "run_rllib"]
