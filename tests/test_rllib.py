"""RLlib backend: masking RLModule, PPO with 2 EnvRunners, masks never violated, a crashed
EnvRunner survived. Ray runs in-process on 2 CPUs; budgets are tiny (a few minutes in all)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("ray.rllib")
import ray
import torch
from ray.rllib.core.columns import Columns
from ray.rllib.core.distribution.torch.torch_distribution import TorchCategorical
from ray.rllib.core.rl_module.rl_module import RLModule

import rl4real_gym  # noqa: F401
from agents.config import TrainConfig
from agents.rllib.algo import AllocationMetrics
from agents.rllib.envs import audit_counts
from agents.rllib.module import MASKED_LOGIT, MaskedRegAllocModule
from agents.rllib.train import CONFIG_FILE, run_rllib

KW = {"max_nodes": 64, "max_edges": 1024, "max_split_points": 16, "max_steps": 300}


@pytest.fixture(scope="module")
def ray_local() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def tiny_config(tmp_path: Path, **extra: Any) -> TrainConfig:
    return TrainConfig(
        backend="rllib",
        target="x86",
        workers=2,
        timesteps=512,
        n_steps=128,
        batch_size=64,
        n_epochs=1,
        seed=0,
        model_dir=str(tmp_path / "models"),
        run_name="tiny",
        progress=False,
        extra={"ray_results": str(tmp_path / "ray_results"), **extra},
        **KW,
    )


def collect_observations(target: str, count: int) -> tuple[gym.Env, dict[str, torch.Tensor]]:
    """Observations of a random masked agent, in every phase, batched as RLlib does."""
    env = gym.make(f"RL4ReAl-{target}-v1", **KW)
    rng = np.random.default_rng(0)
    obs, _ = env.reset(seed=0)
    seen = []
    while len(seen) < count:
        seen.append(obs)
        obs, _, terminated, truncated, _ = env.step(int(rng.choice(np.flatnonzero(obs["action_mask"]))))
        if terminated or truncated:
            obs, _ = env.reset()
    batch = {key: torch.as_tensor(np.stack([np.asarray(o[key]) for o in seen])) for key in seen[0]}
    return env, batch


def test_import_does_not_need_ray() -> None:
    code = "import sys, agents.rllib; assert 'ray' not in sys.modules and 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("target", ["x86", "aarch64"])
def test_module_masks_logits_in_every_forward_pass(target: str) -> None:
    env, obs = collect_observations(target, 64)
    try:
        module = MaskedRegAllocModule(
            observation_space=env.observation_space,
            action_space=env.action_space,
            model_config={"hidden": 32, "message_passing": 1},
        )
    finally:
        env.close()
    legal = obs["action_mask"].bool()
    batch = {Columns.OBS: obs}
    for forward in (module.forward_exploration, module.forward_inference, module.forward_train):
        logits = forward(batch)[Columns.ACTION_DIST_INPUTS]
        assert logits.shape == legal.shape
        assert torch.all(logits[~legal] == MASKED_LOGIT) and torch.all(logits[legal] > MASKED_LOGIT / 2)
        dist = TorchCategorical.from_logits(logits)
        for _ in range(5):
            assert legal.gather(1, dist.sample().unsqueeze(1)).all()
        assert legal.gather(1, dist.to_deterministic().sample().unsqueeze(1)).all()
        assert torch.isfinite(dist.entropy()).all()
    values = module.compute_values(batch)
    assert values.shape == (64,) and torch.isfinite(values).all()
    loss = module.forward_train(batch)[Columns.ACTION_DIST_INPUTS].logsumexp(-1).mean() + values.mean()
    loss.backward()  # gradients flow through every head
    assert all(p.grad is not None for p in module.parameters())


def test_episode_figures_are_logged_from_the_final_info() -> None:
    logged: dict[str, float] = {}

    class Logger:
        def log_value(self, key: str, value: float, **_: Any) -> None:
            logged[key] = value

    class Episode:
        def get_infos(self, index: int) -> dict[str, Any]:
            return {"cost": np.float64(30.0), "greedy_cost": 20.0, "spills": np.int64(3), "splits": True}

    AllocationMetrics().on_episode_end(episode=Episode(), metrics_logger=Logger(), env_index=0)
    assert logged == {"alloc_cost": 30.0, "alloc_greedy_cost": 20.0, "alloc_spills": 3.0, "alloc_vs_greedy": -0.5}


def test_ppo_two_env_runners_never_take_masked_actions(ray_local: None, tmp_path: Path) -> None:
    audit = tmp_path / "audit"
    results: list[dict[str, Any]] = []
    checkpoint = run_rllib(tiny_config(tmp_path, audit_dir=str(audit)), on_result=lambda _a, r: results.append(r))

    checked, violations = audit_counts(audit)
    assert violations == []
    assert checked >= 512  # every sampled step went through the auditor
    steps = results[-1]["env_runners"]["num_env_steps_sampled_lifetime"]
    assert steps >= 512 and len(results) >= 2
    assert results[-1]["learners"]["default_policy"]["num_module_steps_trained_lifetime"] > 0

    assert checkpoint == tmp_path / "models" / "tiny" and (checkpoint / CONFIG_FILE).is_file()
    module = RLModule.from_checkpoint(checkpoint / "learner_group" / "learner" / "rl_module" / "default_policy")
    assert isinstance(module, MaskedRegAllocModule)
    (log_dir,) = (tmp_path / "ray_results").glob("tiny_*")
    assert len((log_dir / "result.json").read_text().splitlines()) == len(results)
    assert "env_runners/episode_return_mean" in (log_dir / "progress.csv").read_text().splitlines()[0]
    assert list(log_dir.glob("events.out.tfevents.*"))


def test_training_survives_an_env_runner_crash(ray_local: None, tmp_path: Path) -> None:
    flag = tmp_path / "crash-once"
    flag.touch()
    restarts: list[int] = []

    def watch(algo: Any, result: dict[str, Any]) -> bool:
        restarts.append(algo.env_runner_group.num_remote_worker_restarts())
        steps = result["env_runners"]["num_env_steps_sampled_lifetime"]
        return restarts[-1] >= 1 and steps >= 1024  # trained on after the restart: done

    # Up to 12 iterations of 256 steps: the killed runner's replacement needs a few.
    config = tiny_config(tmp_path, crash_flag=str(flag), crash_after=40, max_iterations=12)
    config.timesteps = 10**6
    checkpoint = run_rllib(config, on_result=watch)

    assert not flag.exists(), "no env runner reached the crash"
    assert restarts[-1] >= 1, f"the killed env runner was not restarted: {restarts}"
    assert checkpoint.is_dir()
