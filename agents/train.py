"""Training runs: MaskablePPO (SB3 + sb3-contrib), masked REINFORCE, or RLlib.

Outputs of a run named R (``TrainConfig.resolved_run_name()``):
``MODEL_DIR/R/model.zip`` (or ``model.pt``) + ``.meta.json``, ``MODEL_DIR/R/checkpoints/``,
``MODEL_DIR/R/episodes.csv`` (one row per episode), ``MODEL_DIR/R/config.toml``, and
TensorBoard logs under ``<log_dir>/R_1``.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from agents.config import ConfigError, TrainConfig
from agents.inference import ModelMeta, save_meta
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


def model_meta(config: TrainConfig, fmt: str) -> ModelMeta:
    return ModelMeta(
        target=get_target(config.target).name,
        algo=config.algo,
        policy=config.policy,
        max_nodes=config.max_nodes,
        max_edges=config.max_edges,
        max_split_points=config.max_split_points,
        num_colours=get_target(config.target).num_colours,
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
    if config.algo == "reinforce":
        return _train_reinforce(config, run_dir)
    return _train_maskable_ppo(config, run_dir)


def _train_maskable_ppo(config: TrainConfig, run_dir: Path) -> Path:
    from stable_baselines3.common.callbacks import CallbackList

    from agents.algorithms.maskable_ppo import build
    from agents.callbacks import AllocationFiguresCallback, MetaCheckpointCallback, TorchThreadsCallback
    from agents.envs import make_vec_env

    meta = model_meta(config, "maskable-ppo")
    venv = make_vec_env(config)
    try:
        model = build(config, venv, tensorboard_log=config.log_dir)
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
    env = RegAllocEnv(config.target, **config.env_kwargs())
    try:
        expert = make_expert(config.warm_start, env, search_width=config.bc_search_width,
                             search_budget=config.bc_search_budget)  # fmt: skip
        demos = collect(env, expert, config.bc_episodes, config.gamma, seed=config.seed + 17, progress=config.progress)
    finally:
        env.close()
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


def _train_reinforce(config: TrainConfig, run_dir: Path) -> Path:
    import csv

    from torch.utils.tensorboard import SummaryWriter
    from tqdm import tqdm

    from agents.algorithms.reinforce import MaskedReinforce
    from agents.callbacks import EPISODE_FIELDS, cost_ratio
    from agents.envs import make_env_fn
    from rl4real_gym.driver.state import NUM_NODE_FEATURES, NUM_SPLIT_FEATURES

    meta = model_meta(config, "reinforce")
    if config.resume:
        agent = MaskedReinforce.load(config.resume, device=config.device)
    else:
        agent = MaskedReinforce(
            meta.layout, NUM_NODE_FEATURES, NUM_SPLIT_FEATURES, learning_rate=config.learning_rate,
            gamma=config.gamma, seed=config.seed, device=config.device,
        )  # fmt: skip
    envs = [make_env_fn(config, rank)() for rank in range(config.workers)]
    writer = SummaryWriter(str(Path(config.log_dir) / f"{config.resolved_run_name()}_1"))
    total = config.episodes or config.timesteps
    bar = tqdm(total=total, unit="episode" if config.episodes else "step", disable=not config.progress)
    episodes = 0
    csv_file = open(run_dir / "episodes.csv", "a", newline="")  # noqa: SIM115
    rows = csv.DictWriter(csv_file, fieldnames=EPISODE_FIELDS)
    rows.writeheader()

    def on_episode(info: dict, steps: int) -> None:
        nonlocal episodes
        episodes += 1
        fig = info.get("episode_figures", {})
        rows.writerow({**{k: fig.get(k) for k in EPISODE_FIELDS if k in fig}, "timestep": steps, "episode": episodes})
        if fig.get("cost") is not None:
            writer.add_scalar("rl4real/cost", fig["cost"], steps)
            writer.add_scalar("rl4real/cost_ratio_to_greedy", cost_ratio(fig["cost"], fig["greedy_cost"] or 0), steps)
            for key in ("spills", "reloads", "splits", "length", "return", "invalid_actions"):
                writer.add_scalar(f"rl4real/{key}", fig.get(key) or 0, steps)
            bar.set_postfix({"return": f"{fig['return']:.2f}", "cost": f"{fig['cost']:.1f}"}, refresh=False)
        bar.update(1 if config.episodes else steps - bar.n)

    def on_update(stats: dict, steps: int) -> None:
        for key, value in stats.items():
            writer.add_scalar(f"train/{key}", value, steps)

    try:
        agent.learn(envs, config.timesteps if config.episodes is None else 10**12, max_episodes=config.episodes,
                    on_episode=on_episode, on_update=on_update)  # fmt: skip
    finally:
        bar.close()
        writer.close()
        csv_file.close()
        for env in envs:
            env.close()
    path = run_dir / "model.pt"
    agent.save(path)
    save_meta(path, meta)
    return path
