"""RLlib backend: the masking RLModule wraps the library's policy network (same outputs as
MaskablePPO's policy), PPO with 2 EnvRunners (one env each, or several in the env's vector
env), masks never violated, a crashed EnvRunner survived, and the trained model goes
through evaluate, compile and export from the CLI. Ray runs in-process on 2 CPUs;
budgets are tiny (a few minutes in all)."""

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
from agents.algorithms.maskable_ppo import policy_class, policy_kwargs
from agents.config import TrainConfig
from agents.rllib.algo import EPISODES_KEY, AllocationMetrics
from agents.rllib.envs import audit_counts
from agents.rllib.module import MASKED_LOGIT, MaskedPolicyModule, module_state, policy_state
from agents.rllib.train import CHECKPOINT_DIR, CONFIG_FILE, run_rllib, sb3_model, set_weights, stop_algorithm

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
        log_dir=str(tmp_path / "runs"),
        run_name="tiny",
        progress=False,
        extra={"ray_results": str(tmp_path / "ray_results"), **extra},
        **KW,
    )


def collect_observations(target: str, count: int) -> tuple[gym.Env, dict[str, torch.Tensor]]:
    """Observations of a random masked agent, in every phase, batched as RLlib does."""
    env = gym.make(f"RL4ReAl-{target}-v2", **KW)
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


def policy_config(policy: str) -> TrainConfig:
    return TrainConfig(policy=policy, gnn_hidden=32, gnn_layers=1, spill_gate=policy == "gnn-scoring")


def build_module(env: gym.Env, policy: str) -> MaskedPolicyModule:
    config = policy_config(policy)
    return MaskedPolicyModule(
        observation_space=env.observation_space,
        action_space=env.action_space,
        model_config={"policy_class": policy_class(config), "policy_kwargs": policy_kwargs(config)},
    )


@pytest.mark.parametrize(("target", "policy"), [("x86", "gnn-scoring"), ("aarch64", "gnn-scoring"), ("x86", "mlp")])
def test_module_masks_logits_in_every_forward_pass(target: str, policy: str) -> None:
    env, obs = collect_observations(target, 64)
    try:
        module = build_module(env, policy)
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
    loss.backward()  # gradients flow through the network
    assert any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in module.parameters())


def test_uniform_module_picks_legal_actions_evenly() -> None:
    """``uniform`` (benchmarks' random masked policy): equal probabilities on legal actions;
    the network is still built, so RLlib's Learner has parameters to give its optimizer."""
    env, obs = collect_observations("x86", 16)
    config = policy_config("gnn-scoring")
    model_config = {"policy_class": policy_class(config), "policy_kwargs": policy_kwargs(config), "uniform": True}
    try:
        module = MaskedPolicyModule(
            observation_space=env.observation_space, action_space=env.action_space, model_config=model_config
        )
    finally:
        env.close()
    probs = torch.softmax(module.forward_inference({Columns.OBS: obs})[Columns.ACTION_DIST_INPUTS], dim=-1)
    legal = obs["action_mask"].bool()
    expected = legal.float() / legal.sum(dim=1, keepdim=True)
    assert torch.allclose(probs, expected) and any(True for _ in module.parameters())


@pytest.mark.parametrize("policy", ["gnn-scoring", "gnn"])
def test_module_computes_what_maskable_ppo_computes(policy: str) -> None:
    """Weights from a MaskablePPO policy give the module the same action probabilities
    and values as that policy (the shared network), and they round-trip."""
    from sb3_contrib import MaskablePPO
    from stable_baselines3.common.utils import obs_as_tensor

    env, obs = collect_observations("x86", 48)
    config = policy_config(policy)
    try:
        sb3 = MaskablePPO(policy_class(config), env, policy_kwargs=policy_kwargs(config), seed=3, device="cpu")
        module = build_module(env, policy)
    finally:
        env.close()
    module.set_state(module_state(sb3.policy.state_dict()))
    batch = {Columns.OBS: obs}
    logits = module.forward_inference(batch)[Columns.ACTION_DIST_INPUTS]
    with torch.no_grad():
        tensors = obs_as_tensor({k: v.numpy() for k, v in obs.items()}, "cpu")
        dist = sb3.policy.get_distribution(tensors, action_masks=obs["action_mask"].numpy())
        expected_values = sb3.policy.predict_values(tensors).squeeze(-1)
    probs = torch.softmax(logits, dim=-1)
    assert torch.allclose(probs, dist.distribution.probs, atol=1e-5)
    assert torch.allclose(module.compute_values(batch).detach(), expected_values, atol=1e-5)
    restored = policy_state(module.get_state())
    for key, value in sb3.policy.state_dict().items():
        assert torch.equal(restored[key], value), key


def test_episode_figures_are_logged_from_the_final_info() -> None:
    """Means of the allocation figures, and the whole episode (all its chunks: return and
    length summed) as one item of the series the driver writes to episodes.csv."""
    logged: dict[str, Any] = {}

    class Logger:
        def log_value(self, key: str, value: Any, **kwargs: Any) -> None:
            logged[key] = (value, kwargs.get("reduce"))

    class Chunk:
        def __init__(self, rewards: list[float]) -> None:
            self.rewards = rewards

        def get_return(self) -> float:
            return sum(self.rewards)

        def __len__(self) -> int:
            return len(self.rewards)

        def get_infos(self, index: int) -> dict[str, Any]:
            return {"cost": np.float64(30.0), "greedy_cost": 20.0, "spills": np.int64(3), "splits": True,
                    "function": "f.O2.g"}  # fmt: skip

    AllocationMetrics().on_episode_end(episode=Chunk([-1.0, -2.0]), prev_episode_chunks=[Chunk([-0.5] * 4)],
                                       metrics_logger=Logger(), env_index=0)  # fmt: skip
    episode, reduce = logged.pop(EPISODES_KEY)
    assert {k: v[0] for k, v in logged.items()} == {
        "alloc_cost": 30.0, "alloc_greedy_cost": 20.0, "alloc_spills": 3.0, "alloc_vs_greedy": -0.5,
    }  # fmt: skip
    assert reduce == "item_series"
    assert episode == {"return": -5.0, "length": 6, "cost": 30.0, "greedy_cost": 20.0, "spills": 3, "reloads": None,
                       "splits": True, "invalid_actions": 0, "function": "f.O2.g"}  # fmt: skip
    assert type(episode["cost"]) is float and type(episode["spills"]) is int  # numpy scalars made plain


@pytest.mark.parametrize("envs_per_runner", [1, 2])
def test_ppo_two_env_runners_never_take_masked_actions(ray_local: None, tmp_path: Path, envs_per_runner: int) -> None:
    audit = tmp_path / "audit"
    results: list[dict[str, Any]] = []
    config = tiny_config(tmp_path, audit_dir=str(audit), envs_per_runner=envs_per_runner)
    config.n_steps //= envs_per_runner  # the same train batch: n_steps x workers x envs_per_runner
    model = run_rllib(config, on_result=lambda _a, r: results.append(r))

    checked, violations = audit_counts(audit)
    assert violations == []
    assert checked >= 512  # every sampled step went through the auditor
    steps = results[-1]["env_runners"]["num_env_steps_sampled_lifetime"]
    assert steps >= 512 and len(results) >= 2
    assert results[-1]["learners"]["default_policy"]["num_module_steps_trained_lifetime"] > 0

    run_dir = tmp_path / "models" / "tiny"
    assert model == run_dir / "model.zip" and Path(f"{model}.meta.json").is_file()
    checkpoint = run_dir / CHECKPOINT_DIR
    assert (checkpoint / CONFIG_FILE).is_file() and (run_dir / "config.toml").is_file()
    module = RLModule.from_checkpoint(checkpoint / "learner_group" / "learner" / "rl_module" / "default_policy")
    assert isinstance(module, MaskedPolicyModule)
    # the saved MaskablePPO model holds the trained module's weights
    from agents.inference import load_agent

    agent, meta = load_agent(model)
    assert meta.format == "maskable-ppo" and meta.policy == "mlp"
    trained = policy_state(module.get_state())
    for key, value in agent.policy.state_dict().items():
        assert torch.equal(trained[key], value), key
    (log_dir,) = (tmp_path / "ray_results").glob("tiny_*")
    assert len((log_dir / "result.json").read_text().splitlines()) == len(results)
    header = (log_dir / "progress.csv").read_text().splitlines()[0]
    assert "env_runners/num_env_steps_sampled_lifetime" in header
    if envs_per_runner == 1:  # with 2 envs a runner, each env may not finish an episode (up to 300 steps) in 128
        assert "env_runners/episode_return_mean" in header
    assert list(log_dir.glob("events.out.tfevents.*"))
    # every finished episode in the run's episodes.csv, and rl4real/ scalars in its TensorBoard directory
    import csv

    with open(run_dir / "episodes.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == results[-1]["env_runners"]["num_episodes_lifetime"]
    assert all(r["function"] and float(r["cost"]) >= 0 and int(r["length"]) >= 1 for r in rows)
    assert [int(r["episode"]) for r in rows] == list(range(1, len(rows) + 1))
    if rows:
        (events,) = (tmp_path / "runs").glob("tiny_1/events.out.tfevents.*")
        assert b"rl4real/cost_ratio_to_greedy" in events.read_bytes()


def test_initial_weights_are_the_maskable_ppo_models(ray_local: None, tmp_path: Path) -> None:
    """What run_rllib starts from (a seeded or warm-started MaskablePPO model's policy)
    reaches the learner and every EnvRunner."""
    from agents.rllib.algo import build_ppo_config
    from agents.rllib.options import RllibOptions

    config = tiny_config(tmp_path)
    config.policy = "gnn-scoring"
    model = sb3_model(config)
    with torch.no_grad():
        for param in model.policy.parameters():
            param.add_(0.5)  # not what either side would initialise
    expected = model.policy.state_dict()
    algo = build_ppo_config(config, RllibOptions()).build_algo()
    try:
        set_weights(algo, expected)
        states = algo.env_runner_group.foreach_env_runner(lambda er: er.module.get_state(), local_env_runner=False)
        states.append(algo.learner_group.get_weights()["default_policy"])
    finally:
        stop_algorithm(algo)
    assert len(states) == 3
    for state in states:
        got = policy_state(state)
        assert got.keys() == expected.keys()
        for key, value in expected.items():
            assert torch.equal(got[key], value), key


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
    model = run_rllib(config, on_result=watch)

    assert not flag.exists(), "no env runner reached the crash"
    assert restarts[-1] >= 1, f"the killed env runner was not restarted: {restarts}"
    assert model.is_file() and (model.parent / CHECKPOINT_DIR).is_dir()


def test_cli_rllib_model_evaluates_compiles_and_exports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``rl4real train --backend rllib`` with the gnn-scoring policy and the cost reward,
    then the evaluate command it prints, compile and export, all through the CLI."""
    import shlex

    from conftest import CORPUS

    from rl4real_gym.cli import main
    from rl4real_gym.programs import run

    models = tmp_path / "models"
    args = ["train", "--backend", "rllib", "--policy", "gnn-scoring", "--reward", "cost", "--workers", "1",
            "--timesteps", "256", "--n-steps", "128", "--batch-size", "64", "--n-epochs", "1", "--max-nodes", "64",
            "--max-edges", "1024", "--max-split-points", "16", "--max-steps", "300", "--model-dir", str(models),
            "--run-name", "cli", "--log-dir", str(tmp_path / "runs"), "--no-progress"]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out.splitlines()
    line = next(x for x in printed if x.startswith("evaluate it with: "))
    command = shlex.split(line.removeprefix("evaluate it with: "))
    assert command[:2] == ["rl4real", "evaluate"]
    model = Path(command[command.index("--model") + 1])
    assert model == models / "cli" / "model.zip"
    out = tmp_path / "eval"
    assert main([*command[1:], "--limit", "2", "--agents", "heuristic", "--out", str(out), "--no-progress"]) == 0
    assert "\npolicy " in capsys.readouterr().out and (out / "summary.csv").is_file()

    program = CORPUS / "hash_crc32.c"
    exe = tmp_path / "prog"
    assert main(["compile", str(program), "-o", str(exe), "--model", str(model)]) == 0
    assert run(exe, "x86").stdout == program.with_suffix(".expected").read_text()

    onnx = tmp_path / "policy.onnx"
    assert main(["export", "--model", str(model), "-o", str(onnx)]) == 0
    assert onnx.is_file() and Path(f"{onnx}.meta.json").is_file()


def test_rllib_starts_from_a_maskable_ppo_zip(tmp_path: Path) -> None:
    """``--resume model.zip`` (e.g. a warm start's bc_model.zip) gives RLlib that policy's
    weights; a model of another network is a clear error."""
    from agents.config import ConfigError
    from agents.inference import ModelMeta, save_meta
    from agents.rllib.train import load_start_weights, sb3_start
    from rl4real_gym.registration import ENV_VERSION

    config = tiny_config(tmp_path)
    config.policy = "gnn-scoring"
    source = sb3_model(config)
    with torch.no_grad():
        for param in source.policy.parameters():
            param.add_(0.25)
    path = tmp_path / "bc_model.zip"
    source.save(path)
    meta = ModelMeta(target="x86", algo="maskable-ppo", policy="gnn-scoring", max_nodes=64, max_edges=1024,
                     max_split_points=16, num_colours=165, format="maskable-ppo", env_version=ENV_VERSION)  # fmt: skip
    save_meta(path, meta)
    assert sb3_start(str(path)) == path and sb3_start(str(tmp_path)) is None
    model = sb3_model(config)
    load_start_weights(model, path, config)
    for key, value in source.policy.state_dict().items():
        assert torch.equal(model.policy.state_dict()[key], value), key
    config.policy = "mlp"
    with pytest.raises(ConfigError, match="is not the one --policy mlp builds"):
        load_start_weights(sb3_model(config), path, config)
