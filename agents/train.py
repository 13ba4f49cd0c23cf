"""Training runs on the SB3 backend: every algorithm, built-in (MaskablePPO, masked
REINFORCE) or custom, through the :mod:`agents.algorithm` interface and one harness
(:func:`train`). The RLlib backend is ``agents.rllib.run_rllib``; it shares this
module's run helpers (config file, model meta, warm start, device).

Outputs of a run named R (``TrainConfig.resolved_run_name()``):
``MODEL_DIR/R/model.zip`` (MaskablePPO; ``model.pt`` for REINFORCE, or the algorithm's
suffix) + ``.meta.json``, ``MODEL_DIR/R/checkpoints/`` (each with its meta),
``MODEL_DIR/R/episodes.csv`` (one row per episode), ``MODEL_DIR/R/config.toml``, with a
warm start ``bc.csv`` and ``bc_model.zip``, and TensorBoard logs under ``<log_dir>/R_1``.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from agents.algorithm import AlgorithmSpec, canonical_spec
from agents.config import AlgorithmConfig, ConfigError, EnvConfig, TrainConfig, check_builtin_extra
from agents.inference import FORMATS, ModelMeta, save_meta
from rl4real_gym.registration import ENV_VERSION
from rl4real_gym.targets import get_target


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda was requested but torch sees no CUDA device; use --device cpu")
    return device


def write_config(config: TrainConfig, path: Path) -> None:
    lines = ["[train]"]
    for f in fields(config):
        value = getattr(config, f.name)
        if value is None or f.name == "extra":
            continue
        lines.append(f"{f.name} = {json.dumps(value)}")
    if config.extra:
        lines.append("[train.extra]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in config.extra.items()]
    path.write_text("\n".join(lines) + "\n")


def model_meta(env: EnvConfig, algorithm: AlgorithmConfig, fmt: str) -> ModelMeta:
    return ModelMeta(
        target=get_target(env.target).name,
        algo=canonical_spec(algorithm.algo),
        policy=algorithm.policy,
        max_nodes=env.max_nodes,
        max_edges=env.max_edges,
        max_split_points=env.max_split_points,
        num_colours=get_target(env.target).num_colours,
        format=fmt,
        env_version=ENV_VERSION,
    )


def train(config: TrainConfig) -> Path:
    """Runs training as configured; returns the saved model's path."""
    config.validate()
    if config.algo in ("random", "heuristic"):
        raise ConfigError(
            f"{config.algo} is a fixed baseline with nothing to train; "
            f"compare it with `rl4real evaluate --agents {config.algo}`"
        )
    if config.backend == "rllib":
        raise ConfigError("the rllib backend trains through agents.rllib.run_rllib (rl4real train --backend rllib)")
    from agents.algorithm import resolve_algorithm

    if getattr(resolve_algorithm(config.algo), "format", None) in FORMATS:  # before the run directory exists
        check_builtin_extra(config.extra, config.algo)
    config.device = resolve_device(config.device)
    run_dir = config.resolved_model_dir() / config.resolved_run_name()
    run_dir.mkdir(parents=True, exist_ok=True)
    write_config(config, run_dir / "config.toml")
    return _train_algorithm(config, run_dir)


def warm_start(config: TrainConfig, model: Any, run_dir: Path, meta: ModelMeta) -> Path:
    """Behaviour cloning of ``config.warm_start``'s decisions on the training split into
    ``model``'s policy; writes ``bc.csv`` (per epoch) and ``bc_model.zip`` (the cloned
    policy before PPO) in ``run_dir`` and returns the latter."""
    import csv
    from dataclasses import asdict

    import torch

    from agents.algorithms.imitation import clone, collect, make_expert
    from rl4real_gym.envs.regalloc_env import RegAllocEnv

    assert config.warm_start is not None
    torch.set_num_threads(config.torch_threads)
    env_config = config.env_part()
    env = RegAllocEnv(env_config.target, **env_config.env_kwargs())
    try:
        if config.warm_start == "expert-iteration":
            from agents.algorithms.expert_iteration import iterate, write_records

            records = iterate(model.policy, env, config, progress=config.progress)
            write_records(records, run_dir / "expert_iteration.csv")
            history = records[-1].epochs
        else:
            expert = make_expert(config.warm_start, env, search_width=config.bc_search_width,
                                 search_budget=config.bc_search_budget)  # fmt: skip
            demos = collect(env, expert, config.bc_episodes, config.gamma, seed=config.seed + 17,
                            progress=config.progress)  # fmt: skip
    finally:
        env.close()
    if config.warm_start != "expert-iteration":
        print(f"warm start: {demos.episodes} {config.warm_start} episodes, {len(demos)} decisions, "
              f"expert geomean (cost+1)/(greedy+1) {demos.mean_cost_ratio:.4f}")  # fmt: skip
        history = clone(model.policy, demos, epochs=config.bc_epochs, batch_size=config.batch_size, seed=config.seed,
                        learning_rate=config.bc_learning_rate, progress=config.progress)  # fmt: skip
    with open(run_dir / "bc.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["epoch", "actor_loss", "value_loss", "accuracy"])
        writer.writeheader()
        writer.writerows(asdict(h) for h in history)
    if history:
        last = history[-1]
        print(f"behaviour cloning: {last.epoch} epochs, expert's action top-1 {last.accuracy:.3f}, "
              f"-log p {last.actor_loss:.3f}")  # fmt: skip
    path = run_dir / "bc_model.zip"
    model.save(path)
    save_meta(path, meta)
    return path


def algorithm_spec(config: TrainConfig) -> AlgorithmSpec:
    from gymnasium import spaces

    from rl4real_gym.envs.spaces import observation_space

    layout = model_meta(config.env_part(), config.algorithm_part(), "algorithm").layout
    return AlgorithmSpec(
        target=get_target(config.target).name, layout=layout, observation_space=observation_space(layout),
        action_space=spaces.Discrete(layout.num_actions), seed=config.seed, device=config.device,
        learning_rate=config.learning_rate, gamma=config.gamma, max_episodes=config.episodes,
        options=dict(config.extra), config=config.algorithm_part(), env=config.env_part(), workers=config.workers,
        vec_env=config.vec_env, torch_threads=config.torch_threads,
    )  # fmt: skip


def _train_algorithm(config: TrainConfig, run_dir: Path) -> Path:
    """Any Algorithm (MaskablePPO, REINFORCE, a custom one): ``learn`` on ``workers``
    TrainingEnvs that keep the run's books (episodes.csv, progress bar, TensorBoard,
    checkpoints with meta), after a warm start if one is asked for."""
    import gymnasium as gym

    from agents.algorithm import BudgetSpent, RunBook, TrainingEnv, model_suffix, resolve_algorithm
    from agents.algorithms.builtin import MaskablePPOAlgorithm
    from agents.envs import env_id
    from agents.episode_log import EpisodeLog, run_writer

    cls = resolve_algorithm(config.algo)
    if config.warm_start and not issubclass(cls, MaskablePPOAlgorithm):
        raise ConfigError(f"--warm-start clones into a MaskablePPO policy: use it with --algo maskable-ppo, "
                          f"not {config.algo}")  # fmt: skip
    builtin = getattr(cls, "format", None) in FORMATS
    meta = model_meta(config.env_part(), config.algorithm_part(), cls.format if builtin else "algorithm")
    suffix = model_suffix(cls)
    spec = algorithm_spec(config)
    if config.resume:
        device = {"device": config.device} if "device" in inspect.signature(cls.load).parameters else {}
        algorithm = cls.load(Path(config.resume), **device)
        if getattr(algorithm, "spec", False) is None:  # the built-ins keep the run's spec (its episode budget)
            algorithm.spec = spec
    else:
        algorithm = cls(spec)
        if config.warm_start:
            warm_start(config, algorithm.model, run_dir, meta)

    def checkpoint(steps: int) -> None:
        (run_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
        path = run_dir / "checkpoints" / f"model_{steps}{suffix}"
        algorithm.save(path)
        save_meta(path, meta)

    total = config.timesteps if config.episodes is None else 10**12
    writer = run_writer(config.log_dir, config.resolved_run_name())
    log = EpisodeLog(run_dir / "episodes.csv", config.episodes or config.timesteps, by_episode=bool(config.episodes),
                     progress=config.progress)  # fmt: skip
    book = RunBook(log, writer.add_scalar, total_timesteps=total, max_episodes=config.episodes,
                   checkpoint_every=config.checkpoint_every, checkpoint=checkpoint)  # fmt: skip
    env_config = config.env_part()
    envs = [TrainingEnv(gym.make(env_id(env_config.target), **env_config.env_kwargs()), book,
                        seed=config.seed + 1000 * rank) for rank in range(config.workers)]  # fmt: skip
    try:
        with contextlib.suppress(BudgetSpent):  # the budget ended learn() at a reset
            algorithm.learn(envs, total)
        book.finish()
    finally:
        log.close()
        writer.close()
        for env in envs:
            env.close()
    path = run_dir / f"model{suffix}"
    algorithm.save(path)
    save_meta(path, meta)
    return path
