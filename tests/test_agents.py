"""Baseline agents through the same CLI a user runs: train (MaskablePPO MLP/GNN,
REINFORCE), evaluate, export to ONNX, compile real programs with a policy, and the
errors users hit (missing/corrupt models, wrong target, config typos)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS

pytest.importorskip("sb3_contrib")

from agents.config import ConfigError, TrainConfig, load_config_file
from agents.inference import load_agent, load_policy
from rl4real_gym.cli import main
from rl4real_gym.errors import ModelError
from rl4real_gym.programs import run

TINY = ["--max-nodes", "64", "--max-edges", "1024", "--max-split-points", "16", "--max-steps", "60",
        "--n-steps", "128", "--batch-size", "64", "--n-epochs", "1", "--no-progress"]  # fmt: skip


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny models trained once through the CLI."""
    root = tmp_path_factory.mktemp("models")
    runs = {
        "ppo-x86": ["--target", "x86", "--timesteps", "256", "--checkpoint-every", "128"],
        "ppo-aarch64": ["--target", "aarch64", "--timesteps", "256"],
        "gnn-x86": ["--target", "x86", "--policy", "gnn", "--timesteps", "256"],
        "scoring-x86": [
            "--target",
            "x86",
            "--policy",
            "gnn-scoring",
            "--spill-gate",
            "--reward",
            "cost",
            "--timesteps",
            "256",
        ],
        "reinforce-x86": ["--target", "x86", "--algo", "reinforce", "--timesteps", "300"],
    }
    out = {}
    for name, flags in runs.items():
        args = ["train", *flags, *TINY, "--model-dir", str(root), "--run-name", name,
                "--log-dir", str(root / "runs")]  # fmt: skip
        assert main(args) == 0
        suffix = "model.pt" if "reinforce" in name else "model.zip"
        out[name] = root / name / suffix
    return out


def test_training_outputs(models: dict[str, Path]) -> None:
    run_dir = models["ppo-x86"].parent
    assert models["ppo-x86"].exists() and Path(f"{models['ppo-x86']}.meta.json").exists()
    assert sorted(p.name for p in (run_dir / "checkpoints").glob("*.zip")) == ["model_128.zip", "model_256.zip"]
    assert (run_dir / "config.toml").exists()
    lines = (run_dir / "episodes.csv").read_text().splitlines()
    assert lines[0].startswith("timestep,episode,function,return") and len(lines) > 1
    events = list((run_dir.parent / "runs").glob("ppo-x86_*/events.out.tfevents.*"))
    assert events, "no TensorBoard event file"
    assert b"rl4real/cost_ratio_to_greedy" in events[0].read_bytes()


@pytest.mark.parametrize("name", ["ppo-x86", "gnn-x86", "scoring-x86", "reinforce-x86", "ppo-aarch64"])
def test_models_load_and_take_legal_actions(models: dict[str, Path], name: str) -> None:
    import gymnasium as gym

    agent, meta = load_agent(models[name])
    env = gym.make(f"RL4ReAl-{meta.target}-v2", max_nodes=meta.max_nodes, max_edges=meta.max_edges,
                   max_split_points=meta.max_split_points)  # fmt: skip
    obs, _ = env.reset(seed=0)
    for _ in range(30):
        mask = env.unwrapped.action_masks()
        action, _ = agent.predict(obs, action_masks=mask, deterministic=True)
        assert mask[int(action)]
        obs, _, terminated, truncated, _ = env.step(int(action))
        if terminated or truncated:
            obs, _ = env.reset()
    env.close()


def test_resume_continues_training(models: dict[str, Path], tmp_path: Path) -> None:
    ckpt = models["ppo-x86"].parent / "checkpoints" / "model_128.zip"
    args = ["train", "--target", "x86", "--timesteps", "128", *TINY, "--model-dir", str(tmp_path),
            "--run-name", "resumed", "--resume", str(ckpt), "--log-dir", str(tmp_path / "runs")]  # fmt: skip
    assert main(args) == 0
    assert (tmp_path / "resumed" / "model.zip").exists()


def test_evaluate_writes_table_csv_and_plots(models: dict[str, Path], tmp_path: Path, capsys) -> None:
    out = tmp_path / "eval"
    assert main(["evaluate", "--model", str(models["ppo-x86"]), "--split", "test", "--limit", "4",
                 "--out", str(out), "--no-progress"]) == 0  # fmt: skip
    table = capsys.readouterr().out
    for name in ("policy", "random", "heuristic", "greedy", "basic", "fast", "pbqp"):
        assert f"\n{name} " in table
    assert (out / "summary.csv").exists() and (out / "functions.csv").exists()
    assert (out / "cost_vs_greedy.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "learning_curve.png").exists()


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
def test_evaluate_programs_with_a_model(models: dict[str, Path], tmp_path: Path, capsys) -> None:
    """``--programs`` with a model adds the policy's builds, counted and checked like the others."""
    out = tmp_path / "programs"
    assert main(["evaluate", "--programs", "call_tak", "--model", str(models["ppo-x86"]), "--no-progress",
                 "--out", str(out)]) == 0  # fmt: skip
    table = capsys.readouterr().out
    for name in ("greedy", "basic", "heuristic", "plugin-heuristic", "policy"):
        assert f"\n{name} " in table
    with open(out / "programs.csv") as f:
        rows = {r["allocator"]: r for r in csv.DictReader(f)}
    assert rows["policy"]["output_ok"] == "True" and int(rows["policy"]["instructions"]) > 0


@pytest.mark.parametrize("name", ["ppo-x86", "scoring-x86"])
def test_onnx_export_matches_the_trained_policy(models: dict[str, Path], name: str, tmp_path: Path) -> None:
    import gymnasium as gym

    onnx = tmp_path / "policy.onnx"
    assert main(["export", "--model", str(models[name]), "-o", str(onnx)]) == 0
    sb3, meta = load_agent(models[name])
    ort, _ = load_agent(onnx)
    env = gym.make("RL4ReAl-x86-v2", max_nodes=meta.max_nodes, max_edges=meta.max_edges,
                   max_split_points=meta.max_split_points)  # fmt: skip
    obs, _ = env.reset(seed=3)
    for _ in range(25):
        mask = env.unwrapped.action_masks()
        a, _ = sb3.predict(obs, action_masks=mask, deterministic=True)
        b, _ = ort.predict(obs, action_masks=mask, deterministic=True)
        assert int(a) == int(b)
        obs, _, terminated, truncated, _ = env.step(int(a))
        if terminated or truncated:
            obs, _ = env.reset()
    env.close()


@pytest.mark.parametrize("target", ["x86", "aarch64"])
def test_compile_with_a_policy_runs_like_greedy(models: dict[str, Path], target: str, tmp_path: Path) -> None:
    program = CORPUS / "hash_crc32.c"
    exe = tmp_path / "prog"
    assert main(["compile", str(program), "-o", str(exe), "--model", str(models[f"ppo-{target}"])]) == 0
    result = run(exe, target)
    assert result.returncode == 0
    assert result.stdout == program.with_suffix(".expected").read_text()


def test_missing_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        load_policy(tmp_path / "nope.zip")
    assert main(["compile", str(CORPUS / "hash_crc32.c"), "-o", str(tmp_path / "p"),
                 "--model", str(tmp_path / "nope.zip")]) == 1  # fmt: skip


def test_corrupt_model(models: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "model.zip"
    bad.write_bytes(b"this is not a zip file")
    Path(f"{bad}.meta.json").write_text(Path(f"{models['ppo-x86']}.meta.json").read_text())
    with pytest.raises(ModelError, match="corrupt"):
        load_agent(bad)
    Path(f"{bad}.meta.json").write_text("{ not json")
    with pytest.raises(ModelError, match=r"meta\.json is corrupt"):
        load_agent(bad)


def test_model_for_the_other_target(models: dict[str, Path], tmp_path: Path, capsys) -> None:
    with pytest.raises(ModelError, match="trained for x86, not aarch64"):
        load_policy(models["ppo-x86"], "aarch64")
    assert main(["compile", str(CORPUS / "hash_crc32.c"), "-o", str(tmp_path / "p"), "--target", "aarch64",
                 "--model", str(models["ppo-x86"])]) == 1  # fmt: skip
    assert "trained for x86" in capsys.readouterr().err


def test_config_typo_and_types(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[train]\nbatch_sise = 64\n")
    with pytest.raises(ConfigError, match="unknown setting 'batch_sise'; did you mean 'batch_size'"):
        load_config_file(cfg)
    cfg.write_text("workers = 'two'\n")
    with pytest.raises(ConfigError, match="workers must be int"):
        load_config_file(cfg)
    cfg.write_text("algo = 'ppo2'\n")
    with pytest.raises(ConfigError, match="algo must be one of"):
        TrainConfig(**load_config_file(cfg)).validate()
    assert main(["train", "--config", str(tmp_path / "missing.toml")]) == 1
    cfg.write_text("[train]\nworkers = 1\nepisodes = 5\n[train.extra]\nray_results = '/tmp/x'\n")
    values = load_config_file(cfg)
    assert values == {"workers": 1, "episodes": 5, "extra": {"ray_results": "/tmp/x"}}


def test_flags_override_config_file(tmp_path: Path) -> None:
    import argparse

    from agents.config import add_config_arguments, config_from_args

    cfg = tmp_path / "c.toml"
    cfg.write_text("[train]\nworkers = 2\nbatch_size = 32\nlearning_rate = 1\n")
    parser = argparse.ArgumentParser()
    add_config_arguments(parser)
    config = config_from_args(parser.parse_args(["--config", str(cfg), "--batch-size", "128"]))
    assert (config.workers, config.batch_size, config.learning_rate) == (2, 128, 1.0)


def test_fixed_baselines_need_no_training(capsys) -> None:
    assert main(["train", "--algo", "heuristic"]) == 1
    assert "nothing to train" in capsys.readouterr().err


def test_heuristic_agent_beats_random_on_held_out_functions(tmp_path: Path, capsys) -> None:
    assert main(["evaluate", "--split", "test", "--limit", "6", "--llvm", "greedy", "--out", str(tmp_path),
                 "--no-progress", "--max-nodes", "64", "--max-edges", "1024", "--model", "none"]) == 0  # fmt: skip
    rows = {line.split()[0]: float(line.split()[2]) for line in capsys.readouterr().out.splitlines()
            if line.split() and line.split()[0] in ("heuristic", "random", "greedy")}  # fmt: skip
    assert rows["greedy"] == 1.0
    assert rows["heuristic"] < rows["random"]
    assert np.isfinite(rows["random"])


def test_fuzz_with_a_trained_model_uses_its_graph_sizes(models: dict[str, Path], tmp_path: Path) -> None:
    """A model trained on 64-node graphs drives csmith programs whose functions are larger:
    the plugin must offer it no more than its layout holds (once an IndexError)."""
    import json

    pytest.importorskip("rl4real_gym.fuzzing")
    from rl4real_gym.fuzzing.csmith import csmith_binary

    try:
        csmith_binary()
    except Exception:
        pytest.skip("csmith is not installed")
    report = tmp_path / "summary.json"
    args = ["fuzz", "--target", "x86", "--programs", "2", "--policy", str(models["scoring-x86"]),
            "--findings", str(tmp_path / "findings"), "--json", str(report), "--no-progress"]  # fmt: skip
    assert main(args) == 0
    summary = json.loads(report.read_text())
    assert summary["ok"] + summary["skipped"] == 2 and summary["ok"] >= 1 and summary["decisions"] > 0


def test_config_rejects_an_unknown_reward_and_help_lists_choices(capsys) -> None:
    with pytest.raises(ConfigError, match=r"reward must be one of .*cost"):
        TrainConfig(reward="spills").validate()
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "one of mlp, gnn, gnn-scoring" in capsys.readouterr().out


def test_a_model_policy_brings_its_graph_sizes_to_any_session(models: dict[str, Path], tmp_path: Path) -> None:
    """build_program/codegen with a model trained on 64-node graphs, on a program with larger
    functions, and no limits given: the session must use the model's sizes."""
    from rl4real_gym.driver.policies import policy_limits
    from rl4real_gym.programs import build_program

    policy = load_policy(models["ppo-x86"])
    assert policy_limits(policy).max_nodes == 64
    program = CORPUS / "big_arith.c"
    exe = tmp_path / "prog"
    figures = build_program(program, "x86", exe, regalloc="rl4real", policy=policy)
    assert sum(f.agent_decisions for f in figures.values()) > 0
    assert run(exe, "x86").stdout == program.with_suffix(".expected").read_text()
