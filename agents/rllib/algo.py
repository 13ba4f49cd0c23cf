"""TrainConfig -> RLlib ``PPOConfig`` on the new API stack (RLModule, Learner, EnvRunner).

PPO is set up as SB3's MaskablePPO runs it, so that both backends train the same thing:
the same policy network (``agents.rllib.module``), clipped surrogate without RLlib's KL
penalty, value loss weight 0.5 and not clipped, gradients clipped to a global norm of 0.5,
Adam with eps 1e-5. Left as RLlib does it: advantages are standardised over the train
batch (SB3: per minibatch).
"""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from ray.rllib.algorithms.ppo import PPOConfig
from ray.rllib.algorithms.ppo.torch.ppo_torch_learner import PPOTorchLearner
from ray.rllib.callbacks.callbacks import RLlibCallback
from ray.rllib.core.rl_module.rl_module import RLModuleSpec

from agents.algorithms.maskable_ppo import policy_class, policy_kwargs
from agents.config import TrainConfig
from agents.episode_log import INFO_FIGURES, episode_figures
from agents.rllib.envs import register_rllib_envs, rllib_env_name
from agents.rllib.module import MASK_KEY, MaskedPolicyModule
from agents.rllib.options import RllibOptions
from rl4real_gym.config import PROJECT_DIR, settings

EPISODE_METRICS = tuple(name for name in INFO_FIGURES if name != "function")  # logged as means


def is_number(value: Any) -> bool:
    """Python or numpy int/float (the env's info mixes both), not bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


EPISODES_KEY = "rl4real_episodes"  # env_runners/<this>: the iteration's finished episodes' figures


class AllocationMetrics(RLlibCallback):
    """Logs each finished episode's allocation figures (``info`` at the end) as
    ``env_runners/alloc_<name>`` and ``env_runners/alloc_vs_greedy`` means, and the
    episode's figures for the run's episode log (``agents.episode_log.episode_figures``)
    as the series ``env_runners/rl4real_episodes``: every EnvRunner's, gathered by the
    driver once per iteration, wherever the EnvRunners run."""

    def on_episode_end(self, *, episode: Any, metrics_logger: Any = None, prev_episode_chunks: Any = None,
                       **kwargs: Any) -> None:  # fmt: skip
        if metrics_logger is None:
            return
        info = episode.get_infos(-1) or {}
        chunks = [*(prev_episode_chunks or []), episode]  # an episode longer than a fragment comes in chunks
        figures = episode_figures(sum(c.get_return() for c in chunks), sum(len(c) for c in chunks), info)
        metrics_logger.log_value(EPISODES_KEY, plain(figures), reduce="item_series")
        means = {name: float(info[name]) for name in EPISODE_METRICS if is_number(info.get(name))}
        for name, value in means.items():
            metrics_logger.log_value(f"alloc_{name}", value, reduce="mean", window=100)
        if "cost" in means and "greedy_cost" in means:
            gain = (means["greedy_cost"] - means["cost"]) / max(means["greedy_cost"], 1.0)
            metrics_logger.log_value("alloc_vs_greedy", gain, reduce="mean", window=100)


def plain(figures: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars as Python numbers (the figures travel to the driver and into a CSV)."""
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in figures.items()}


def dataset_for_workers(config: TrainConfig) -> str | None:
    """An absolute dataset path (Ray workers do not share the driver's cwd or ``.env``);
    None keeps the bundled default, found on every node where the package is installed."""
    if config.data:
        return str(Path(config.data).expanduser().resolve())
    data_dir = settings().data_dir
    return None if data_dir == PROJECT_DIR / "envs_data" else str(data_dir)


def env_config(config: TrainConfig, options: RllibOptions) -> dict[str, Any]:
    """The ``env_config`` dict each EnvRunner's env creator receives."""
    kwargs = {**config.env_kwargs(), "data": dataset_for_workers(config)}
    out: dict[str, Any] = {"target": config.target, "env_kwargs": kwargs}
    if options.audit_dir:
        out["audit_dir"] = str(Path(options.audit_dir).resolve())
    if options.crash_flag:
        out["crash_flag"] = str(Path(options.crash_flag).resolve())
        out["crash_after"] = options.crash_after
    return out


SB3_ADAM_EPS = 1e-5  # SB3's ActorCriticPolicy: Adam(eps=1e-5); torch's default is 1e-8
SB3_MAX_GRAD_NORM = 0.5
SB3_VF_COEF = 0.5


class SB3AdamPPOLearner(PPOTorchLearner):
    """RLlib's PPO learner with the optimizer SB3's PPO uses (Adam, eps 1e-5)."""

    def configure_optimizers_for_module(self, module_id: str, config: Any = None) -> None:
        params = self.get_parameters(self._module[module_id])
        optimizer = torch.optim.Adam(params, eps=SB3_ADAM_EPS)
        self.register_optimizer(module_id=module_id, optimizer=optimizer, params=params, lr_or_lr_schedule=config.lr)


def module_spec(config: TrainConfig, *, uniform: bool = False) -> RLModuleSpec:
    """The module wrapping the policy network MaskablePPO builds for ``config.policy``."""
    model = {"policy_class": policy_class(config), "policy_kwargs": policy_kwargs(config), "uniform": uniform}
    return RLModuleSpec(module_class=MaskedPolicyModule, model_config=model)


def train_batch_size(config: TrainConfig, options: RllibOptions) -> int:
    """One PPO update per ``n_steps`` steps of every env of every worker (as SB3 does)."""
    return config.n_steps * config.workers * options.envs_per_runner


def build_ppo_config(config: TrainConfig, options: RllibOptions, *, uniform: bool = False) -> PPOConfig:
    """PPO with the masking module, ``config.workers`` EnvRunners and fault tolerance on."""
    register_rllib_envs()
    batch = train_batch_size(config, options)
    return (
        PPOConfig()
        .api_stack(enable_rl_module_and_learner=True, enable_env_runner_and_connector_v2=True)
        .framework("torch")
        .environment(rllib_env_name(config.target), env_config=env_config(config, options), action_mask_key=MASK_KEY)
        .env_runners(
            num_env_runners=config.workers,
            num_envs_per_env_runner=options.envs_per_runner,
            # the creator gets num_envs and returns the env's own vector env (RegAllocVectorEnv):
            # all of a runner's envs step at once, and the module runs once per batch of them
            gym_env_vectorize_mode=gym.VectorizeMode.VECTOR_ENTRY_POINT,
            num_cpus_per_env_runner=1,
            rollout_fragment_length=config.n_steps,
            sample_timeout_s=options.sample_timeout_s,
        )
        .learners(num_learners=0, num_gpus_per_learner=config.num_gpus, learner_class=SB3AdamPPOLearner)
        .training(
            lr=config.learning_rate,
            gamma=config.gamma,
            lambda_=config.gae_lambda,
            clip_param=config.clip_range,
            entropy_coeff=config.ent_coef,
            num_epochs=config.n_epochs,
            train_batch_size_per_learner=batch,
            minibatch_size=min(config.batch_size, batch),
            use_kl_loss=False,
            vf_loss_coeff=SB3_VF_COEF,
            vf_clip_param=float("inf"),
            grad_clip=SB3_MAX_GRAD_NORM,
            grad_clip_by="global_norm",
        )
        .rl_module(rl_module_spec=module_spec(config, uniform=uniform))
        .callbacks(AllocationMetrics)
        .fault_tolerance(
            restart_failed_env_runners=options.restart_failed_env_runners,
            max_num_env_runner_restarts=options.max_env_runner_restarts,
            restart_failed_sub_environments=options.restart_failed_sub_environments,
            delay_between_env_runner_restarts_s=1.0,
        )
        .debugging(seed=config.seed, log_level="WARN")
    )
