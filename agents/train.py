"""Training runs: MaskablePPO (SB3 + sb3-contrib), any :mod:`agents.algorithm` (masked
REINFORCE, a custom one), or RLlib.

Outputs of a run named R (``TrainConfig.resolved_run_name()``):
``MODEL_DIR/R/model.zip`` (or ``model.pt``, or the algorithm's suffix) + ``.meta.json``, ``MODEL_DIR/R/checkpoints/``,
``MODEL_DIR/R/episodes.csv`` (one row per episode), ``MODEL_DIR/R/config.toml``, and
TensorBoard logs under ``<log_dir>/R_1``.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from agents.algorithm import AlgorithmSpec, canonical_spec
from agents.config import AlgorithmConfig, ConfigError, EnvConfig, TrainConfig
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
        if config.algo != "maskable-ppo":
            raise ConfigError("the rllib backend trains PPO with masking only (--algo maskable-ppo)")
        from agents.rllib.train import run_rllib

        return run_rllib(config)
    config.device = resolve_device(config.device)
    run_dir = config.resolved_model_dir() / config.resolved_run_name()
    run_dir.mkdir(parents=True, exist_ok=True)
    write_config(config, run_dir / "config.toml")
    if config.algo == "maskable-ppo":
        return _train_maskable_ppo(config, run_dir)
    return _train_algorithm(config, run_dir)


def _train_maskable_ppo(config: TrainConfig, run_dir: Path) -> Path:
    from stable_baselines3.common.callbacks import CallbackList

    from agents.algorithms.maskable_ppo import build
    from agents.callbacks import AllocationFiguresCallback, MetaCheckpointCallback, TorchThreadsCallback
    from agents.envs import make_vec_env

    meta = model_meta(config.env_part(), config.algorithm_part(), "maskable-ppo")
    venv = make_vec_env(config.env_part(), config.backend_part(), config.seed)
    try:
        model = build(config.algorithm_part(), config.backend_part(), venv, tensorboard_log=config.log_dir)
        if config.warm_start and not config.resume:
            warm_start(config, model, run_dir, meta)
        budget = config.timesteps if config.episodes is None else 10**12
        callbacks = CallbackList([
            AllocationFiguresCallback(run_dir / "episodes.csv", config.episodes, config.timesteps, config.progress),
            MetaCheckpointCallback(run_dir / "checkpoints", config.checkpoint_every, meta),
            TorchThreadsCallback(config.torch_threads),
        ])  # fmt: skip
        model.learn(
            total_timesteps=budget,
            callback=callbacks,
            tb_log_name=config.resolved_run_name(),
            reset_num_timesteps=not config.resume,
        )
        path = run_dir / "model.zip"
        model.save(path)
        save_meta(path, meta)
        return path
    finally:
        venv.close()


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
        options=dict(config.extra),
    )  # fmt: skip


def _train_algorithm(config: TrainConfig, run_dir: Path) -> Path:
    """Any Algorithm (REINFORCE, a custom one): ``learn`` on ``workers`` TrainingEnvs that
    keep the run's books (episodes.csv, progress bar, TensorBoard, checkpoints)."""
    import gymnasium as gym
    from torch.utils.tensorboard import SummaryWriter

    from agents.algorithm import BudgetSpent, RunBook, TrainingEnv, model_suffix, resolve_algorithm
    from agents.envs import env_id
    from agents.episode_log import EpisodeLog

    cls = resolve_algorithm(config.algo)
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
    writer = SummaryWriter(str(Path(config.log_dir) / f"{config.resolved_run_name()}_1"))

    def checkpoint(steps: int) -> None:
        (run_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
        path = run_dir / "checkpoints" / f"model_{steps}{suffix}"
        algorithm.save(path)
        save_meta(path, meta)

    total = config.timesteps if config.episodes is None else 10**12
    log = EpisodeLog(run_dir / "episodes.csv", config.episodes or config.timesteps, by_episode=bool(config.episodes),
                     progress=config.progress)  # fmt: skip
    book = RunBook(log, writer.add_scalar, total_timesteps=total, max_episodes=config.episodes,
                   checkpoint_every=config.checkpoint_every, checkpoint=checkpoint)  # fmt: skip
    envs: list[TrainingEnv] = []
    env_config = config.env_part()
    try:
        for rank in range(config.workers):
            env = TrainingEnv(gym.make(env_id(env_config.target), **env_config.env_kwargs()), book)
            envs.append(env)
            env.reset(seed=config.seed + 1000 * rank)
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
