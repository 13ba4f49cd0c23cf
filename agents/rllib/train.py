"""``run_rllib(config)``: PPO with action masking on Ray RLlib (``rl4real train --backend rllib``).

Ray: if Ray is already initialised in this process it is used as it is; otherwise
``config.ray_address`` connects to an existing cluster (``ray start --head`` on one
machine, ``ray start --address=HEAD:6379`` on the others, then ``--ray-address auto`` or
``HEAD:6379``), or a private local instance is started and shut down at the end.

Outputs: the algorithm checkpoint in ``MODEL_DIR/<run name>/`` (saved every
``checkpoint_every`` env steps and at the end; ``Algorithm.from_checkpoint(path)`` or
``--resume path`` continue from it; the trained RLModule alone is under
``learner_group/learner/rl_module/default_policy``), with ``train_config.json``; results
in ``~/ray_results/<run name>_<time>/`` (see ``agents.rllib.logs``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ray
from ray.rllib.algorithms.algorithm import Algorithm

from agents.config import TrainConfig
from agents.rllib.algo import build_ppo_config
from agents.rllib.logs import ResultLogger, env_steps, episodes_done, summary_line
from agents.rllib.options import RllibOptions

ResultHook = Callable[[Algorithm, dict[str, Any]], bool | None]  # True: stop training now
CONFIG_FILE = "train_config.json"


def ensure_ray(config: TrainConfig, options: RllibOptions) -> bool:
    """Connects to or starts Ray; True when this call started it (and must stop it)."""
    if ray.is_initialized():
        return False
    if config.ray_address:
        ray.init(address=config.ray_address)
    else:
        cpus = options.num_cpus or max(os.cpu_count() or 1, config.workers)
        ray.init(num_cpus=cpus, include_dashboard=False)
    return True


def run_rllib(config: TrainConfig, *, on_result: ResultHook | None = None) -> Path:
    """Trains until ``config.timesteps`` env steps (or ``config.episodes`` episodes);
    returns the checkpoint directory. ``on_result(algo, result)`` sees every iteration's
    result and may stop the run early by returning True."""
    config.validate()
    options = RllibOptions.from_train_config(config)
    if options.torch_threads is not None:
        import torch

        torch.set_num_threads(options.torch_threads)
    started = ensure_ray(config, options)
    try:
        algo = build_ppo_config(config, options).build_algo()
        try:
            return train_loop(algo, config, options, on_result)
        finally:
            stop_algorithm(algo)
    finally:
        if started:
            ray.shutdown()


def stop_algorithm(algo: Algorithm) -> None:
    """Stops the actors; removes the empty ``~/ray_results/<time><random>`` folder that an
    Algorithm run outside Ray Tune creates for itself (results go to ``ResultLogger``)."""
    algo.stop()
    own_dir = Path(algo.logdir) if algo.logdir else None
    if own_dir is not None and own_dir.is_dir() and not any(own_dir.iterdir()):
        own_dir.rmdir()


def finished(config: TrainConfig, options: RllibOptions, result: dict[str, Any], started_at: float) -> bool:
    if config.episodes is not None:
        done = episodes_done(result) >= config.episodes
    else:
        done = env_steps(result) >= config.timesteps
    if options.max_iterations is not None and int(result.get("training_iteration", 0)) >= options.max_iterations:
        done = True
    if options.time_limit_s is not None and time.monotonic() - started_at >= options.time_limit_s:
        done = True
    return done


def save_checkpoint(algo: Algorithm, path: Path, config: TrainConfig) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    algo.save_to_path(str(path))
    (path / CONFIG_FILE).write_text(json.dumps(dataclasses.asdict(config), indent=2, default=str))
    return path


def train_loop(algo: Algorithm, config: TrainConfig, options: RllibOptions, on_result: ResultHook | None) -> Path:
    checkpoint = config.resolved_model_dir() / config.resolved_run_name()
    if config.resume:
        algo.restore_from_path(str(Path(config.resume).expanduser().resolve()))
    params = {"train_config": dataclasses.asdict(config), "rllib_options": dataclasses.asdict(options)}
    logger = ResultLogger(options.results_root(), config.resolved_run_name(), params)
    if config.progress:
        print(f"RLlib PPO: {config.workers} env runner(s); results in {logger.dir}; checkpoints in {checkpoint}")
    started_at = time.monotonic()
    next_save = config.checkpoint_every
    try:
        while True:
            result = algo.train()
            logger.write(result)
            stop = bool(on_result(algo, result)) if on_result is not None else False
            if config.progress:
                print(summary_line(result), flush=True)
            if env_steps(result) >= next_save:
                save_checkpoint(algo, checkpoint, config)
                next_save = env_steps(result) + config.checkpoint_every
            if stop or finished(config, options, result, started_at):
                break
    finally:
        logger.close()
    return save_checkpoint(algo, checkpoint, config)
