"""``run_rllib(config)``: PPO with action masking on Ray RLlib (``rl4real train --backend rllib``).

Ray: if Ray is already initialised in this process it is used as it is; otherwise
``config.ray_address`` connects to an existing cluster (``ray start --head`` on one
machine, ``ray start --address=HEAD:6379`` on the others, then ``--ray-address auto`` or
``HEAD:6379``), or a private local instance is started and shut down at the end.

The network is MaskablePPO's (``agents.rllib.module``): a MaskablePPO model is built
from the config as the SB3 backend builds it (same seed, so the same initial weights),
warm-started by behaviour cloning if ``config.warm_start`` says so (SB3's recipe,
``agents.train.warm_start``), and its policy's weights are RLlib's initial weights.
After training, RLlib's weights go back into that model, saved as SB3 runs save theirs.

Outputs of a run named R, in ``MODEL_DIR/R/``:

* ``model.zip`` + ``model.zip.meta.json``: the trained policy as a MaskablePPO model,
  for ``rl4real evaluate/compile/export --model`` (``agents.inference``);
* ``rllib/``: the algorithm checkpoint (saved every ``checkpoint_every`` env steps and at
  the end; ``--resume MODEL_DIR/R`` or ``Algorithm.from_checkpoint(MODEL_DIR/R/rllib)``
  continue from it; the RLModule alone is under
  ``rllib/learner_group/learner/rl_module/default_policy``), with ``train_config.json``;
  ``--resume`` naming a MaskablePPO ``.zip`` instead (e.g. a warm start's
  ``bc_model.zip``, so that an SB3 run and an RLlib run share one cloning) starts a
  fresh RLlib run from that policy's weights;
* ``config.toml`` (the TrainConfig, as SB3 runs write it); with a warm start, ``bc.csv``
  and ``bc_model.zip``;
* ``episodes.csv`` (the EnvRunners' finished episodes, gathered every iteration) and the
  ``rl4real/`` TensorBoard scalars under ``<log_dir>/R_1``, written by
  ``agents.episode_log`` as for SB3 runs.

Results go to ``~/ray_results/<run name>_<time>/`` (see ``agents.rllib.logs``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ray
from ray.rllib.algorithms.algorithm import Algorithm
from ray.rllib.core import DEFAULT_MODULE_ID
from ray.rllib.utils.metrics import ENV_RUNNER_RESULTS

from agents.config import ConfigError, TrainConfig
from agents.inference import save_meta
from agents.rllib.algo import EPISODES_KEY, build_ppo_config
from agents.rllib.logs import ResultLogger, env_steps, episodes_done, summary_line
from agents.rllib.module import module_state, policy_state
from agents.rllib.options import RllibOptions

ResultHook = Callable[[Algorithm, dict[str, Any]], bool | None]  # True: stop training now
CONFIG_FILE = "train_config.json"
CHECKPOINT_DIR = "rllib"  # the algorithm checkpoint, inside the run directory
MODEL_FILE = "model.zip"


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
    returns the saved model (``MODEL_DIR/<run name>/model.zip``). ``on_result(algo,
    result)`` sees every iteration's result and may stop the run early by returning True."""
    from agents.train import model_meta, resolve_device, warm_start, write_config

    config.validate()
    if config.algo != "maskable-ppo":
        raise ConfigError("the rllib backend trains PPO with masking only (--algo maskable-ppo)")
    options = RllibOptions.from_train_config(config)
    start = sb3_start(config.resume) if config.resume else None
    resume = checkpoint_to_resume(config.resume) if config.resume and start is None else None
    config.device = resolve_device(config.device)
    run_dir = config.resolved_model_dir() / config.resolved_run_name()
    run_dir.mkdir(parents=True, exist_ok=True)
    write_config(config, run_dir / "config.toml")
    meta = model_meta(config.env_part(), config.algorithm_part(), "maskable-ppo")
    model = sb3_model(config)
    if start is not None:
        load_start_weights(model, start, config)
    elif config.warm_start and resume is None:
        warm_start(config, model, run_dir, meta)
    import torch

    # the learner's threads: extra.torch_threads, else TrainConfig's (as SB3's learner uses it)
    torch.set_num_threads(options.torch_threads or config.torch_threads)
    started = ensure_ray(config, options)
    try:
        algo = build_ppo_config(config, options).build_algo()
        try:
            if resume is not None:
                algo.restore_from_path(str(resume))
            else:
                set_weights(algo, model.policy.state_dict())
            steps = train_loop(algo, config, options, on_result, run_dir / CHECKPOINT_DIR)
            model.policy.load_state_dict(policy_state(trained_weights(algo)))
        finally:
            stop_algorithm(algo)
    finally:
        if started:
            ray.shutdown()
    model.num_timesteps = steps
    path = run_dir / MODEL_FILE
    model.save(path)
    save_meta(path, meta)
    return path


def sb3_model(config: TrainConfig) -> Any:
    """The MaskablePPO model the SB3 backend would build for ``config`` (the built-in
    algorithm's: same seed, same initial weights; nothing is started)."""
    from agents.algorithms.builtin import MaskablePPOAlgorithm
    from agents.train import algorithm_spec

    return MaskablePPOAlgorithm.build(algorithm_spec(config))


def sb3_start(resume: str) -> Path | None:
    """``--resume`` when it names an SB3 model file (``.zip``, e.g. a warm start's
    ``bc_model.zip``): RLlib then starts a fresh run from that policy's weights."""
    path = Path(resume).expanduser()
    return path if path.is_file() and zipfile.is_zipfile(path) else None


def load_start_weights(model: Any, path: Path, config: TrainConfig) -> None:
    """The policy weights of the MaskablePPO model at ``path`` into ``model`` (built
    for ``config``); a ConfigError when that model is for another target or network."""
    from sb3_contrib import MaskablePPO

    from agents.inference import check_target, load_meta

    meta = load_meta(path)
    check_target(meta, config.target, path)
    if meta.format != "maskable-ppo":
        raise ConfigError(f"--resume {path}: a {meta.format} model; the rllib backend starts from MaskablePPO models")
    source = MaskablePPO.load(path, device="cpu")
    try:
        model.policy.load_state_dict(source.policy.state_dict())
    except RuntimeError as err:
        raise ConfigError(
            f"--resume {path}: its network ({meta.policy}) is not the one --policy {config.policy} builds "
            f"(give the --policy and network settings it was trained with): {err}"
        ) from err


def checkpoint_to_resume(resume: str) -> Path:
    """An algorithm checkpoint: ``resume`` itself, or the one inside a run directory."""
    path = Path(resume).expanduser().resolve()
    for candidate in (path / CHECKPOINT_DIR, path):
        if (candidate / "learner_group").is_dir():
            return candidate
    raise ConfigError(
        f"--resume {resume}: no RLlib algorithm checkpoint there (the rllib backend resumes from a run directory "
        f"MODEL_DIR/<run name> or its {CHECKPOINT_DIR}/ folder, or starts from a MaskablePPO model.zip)"
    )


def set_weights(algo: Algorithm, policy_state_dict: dict[str, Any]) -> None:
    """``policy_state_dict`` (a MaskablePPO policy's) into the learner and every EnvRunner."""
    algo.learner_group.set_weights({DEFAULT_MODULE_ID: module_state(policy_state_dict)})
    algo.env_runner_group.sync_weights(
        from_worker_or_learner_group=algo.learner_group, inference_only=True, timeout_seconds=120.0
    )


def trained_weights(algo: Algorithm) -> dict[str, Any]:
    """The learner's module state (numpy arrays, keys ``policy.*``)."""
    return algo.learner_group.get_weights([DEFAULT_MODULE_ID])[DEFAULT_MODULE_ID]


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


def train_loop(
    algo: Algorithm, config: TrainConfig, options: RllibOptions, on_result: ResultHook | None, checkpoint: Path
) -> int:
    """Trains, saving the algorithm to ``checkpoint`` on the way and at the end; returns
    the env steps sampled."""
    from agents.episode_log import EpisodeLog, run_writer

    params = {"train_config": dataclasses.asdict(config), "rllib_options": dataclasses.asdict(options)}
    logger = ResultLogger(options.results_root(), config.resolved_run_name(), params)
    if config.progress:
        print(f"RLlib PPO: {config.workers} env runner(s); results in {logger.dir}; checkpoints in {checkpoint}")
    # the run's episode record and TensorBoard scalars, as SB3 runs write them
    log = EpisodeLog(checkpoint.parent / "episodes.csv", config.episodes or config.timesteps, progress=False)
    writer = run_writer(config.log_dir, config.resolved_run_name())
    started_at = time.monotonic()
    next_save = config.checkpoint_every
    try:
        while True:
            result = algo.train()
            log_episodes(result, log, writer)
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
        log.close()
        writer.close()
    save_checkpoint(algo, checkpoint, config)
    return env_steps(result)


def log_episodes(result: dict[str, Any], log: Any, writer: Any) -> None:
    """The iteration's finished episodes (taken out of ``result``) into the episode log,
    at the iteration's env steps, and the log's ``rl4real/`` scalars to TensorBoard."""
    episodes = result.get(ENV_RUNNER_RESULTS, {}).pop(EPISODES_KEY, None)
    if isinstance(episodes, dict):  # RLlib's item series compiles a single item to the item itself
        episodes = [episodes]
    steps = env_steps(result)
    for figures in episodes if isinstance(episodes, list) else []:  # none: nan
        log.add(figures, steps)
    log.scalars(lambda name, value: writer.add_scalar(name, value, steps))
