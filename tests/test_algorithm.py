"""The algorithm interface: a custom algorithm in a file outside the package trains with
``rl4real train --algo file.py:Class`` and gets the run directory, episodes.csv,
TensorBoard scalars, checkpoints with meta; its model works with evaluate, compile and
export, all through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import CORPUS

from rl4real_gym.cli import main
from rl4real_gym.programs import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "masked_a2c.py"
TINY = ["--max-nodes", "64", "--max-edges", "1024", "--max-split-points", "16", "--max-steps", "24", "--no-progress"]

# A custom algorithm with a network of its own and no export hook: export must refuse it.
FIRST_LEGAL = """
import json
from pathlib import Path

import numpy as np


class FirstLegal:
    def __init__(self, spec):
        self.layout = spec.layout

    def learn(self, envs, total_timesteps):
        env = envs[0]
        while True:  # never stops by itself: the run's budget ends it
            env.reset()
            done = False
            while not done:
                _, _, terminated, truncated, _ = env.step(int(np.flatnonzero(env.action_masks())[0]))
                done = terminated or truncated

    def predict(self, obs, action_mask):
        return int(np.flatnonzero(action_mask)[0])

    def save(self, path):
        Path(path).write_text(json.dumps({"first": "legal"}))

    @classmethod
    def load(cls, path):
        assert json.loads(Path(path).read_text()) == {"first": "legal"}
        return cls.__new__(cls)
"""


def train(tmp_path: Path, algo: str, name: str, *flags: str) -> Path:
    args = ["train", "--algo", algo, *TINY, "--model-dir", str(tmp_path / "models"), "--run-name", name,
            "--log-dir", str(tmp_path / "runs"), *flags]  # fmt: skip
    assert main(args) == 0
    return tmp_path / "models" / name / "model.pt"


def test_custom_algorithm_trains_evaluates_compiles_and_exports(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)  # --algo takes the example's path as a user types it
    model = train(tmp_path, f"{EXAMPLE.relative_to(ROOT)}:MaskedA2C", "a2c", "--timesteps", "96",
                  "--checkpoint-every", "48")  # fmt: skip
    printed = capsys.readouterr().out
    assert f"evaluate it with: rl4real evaluate --model {model}" in printed
    run_dir = model.parent
    meta = json.loads(Path(f"{model}.meta.json").read_text())
    assert meta["format"] == "algorithm" and meta["algo"] == f"{EXAMPLE}:MaskedA2C"
    assert sorted(p.name for p in (run_dir / "checkpoints").glob("*.pt")) == ["model_48.pt", "model_96.pt"]
    assert all(Path(f"{p}.meta.json").is_file() for p in (run_dir / "checkpoints").glob("*.pt"))
    assert (run_dir / "config.toml").is_file()
    with open(run_dir / "episodes.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 3 and all(r["function"] and r["cost"] for r in rows)
    assert [int(r["episode"]) for r in rows] == list(range(1, len(rows) + 1))
    events = list((tmp_path / "runs").glob("a2c_1/events.out.tfevents.*"))
    assert events, "no TensorBoard event file"
    data = events[0].read_bytes()
    assert b"rl4real/cost_ratio_to_greedy" in data and b"train/loss" in data

    out = tmp_path / "eval"
    assert main(["evaluate", "--model", str(model), "--split", "test", "--limit", "2", "--agents", "heuristic",
                 "--llvm", "greedy", "--out", str(out), "--no-progress"]) == 0  # fmt: skip
    table = capsys.readouterr().out
    assert "\npolicy " in table and "\nheuristic " in table
    with open(out / "functions.csv") as f:
        policy_rows = [r for r in csv.DictReader(f) if r["allocator"] == "policy"]
    assert len(policy_rows) == 2 and all(float(r["cost"]) >= 0 for r in policy_rows)

    program, exe = CORPUS / "hash_crc32.c", tmp_path / "prog"
    assert main(["compile", str(program), "-o", str(exe), "--model", str(model)]) == 0
    assert "decisions by the policy" in capsys.readouterr().out
    result = run(exe, "x86")
    assert result.returncode == 0 and result.stdout == program.with_suffix(".expected").read_text()

    onnx = tmp_path / "a2c.onnx"
    assert main(["export", "--model", str(model), "-o", str(onnx)]) == 0
    assert onnx.stat().st_size > 0 and Path(f"{onnx}.meta.json").is_file()


def test_algorithm_without_library_network_or_hook_cannot_export(tmp_path: Path, capsys) -> None:
    source = tmp_path / "first_legal.py"
    source.write_text(FIRST_LEGAL)
    model = train(tmp_path, f"{source}:FirstLegal", "first", "--episodes", "2")
    with open(model.parent / "episodes.csv") as f:
        assert len(list(csv.DictReader(f))) == 2  # the budget stopped a learn() that never returns
    capsys.readouterr()
    assert main(["export", "--model", str(model), "-o", str(tmp_path / "x.onnx")]) == 1
    err = capsys.readouterr().err
    assert "cannot export" in err and "export_module()" in err
    assert not (tmp_path / "x.onnx").exists()


@pytest.mark.parametrize(
    ("algo", "message"),
    [
        ("no-such-algo", "algo must be one of"),
        ("examples/nowhere.py:Nothing", "is not a file"),
        ("examples/masked_a2c.py:Nothing", "has no Nothing"),
        ("json:JSONDecoder", "is not an Algorithm class"),
    ],
)
def test_bad_algo_is_a_clear_error(algo: str, message: str, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    args = ["train", "--algo", algo, *TINY, "--timesteps", "8", "--model-dir", str(tmp_path)]
    assert main(args) == 1
    assert message in capsys.readouterr().err


PPO_FLAGS = ["--policy", "gnn-scoring", "--reward", "cost", "--workers", "2", "--n-steps", "32", "--batch-size", "32",
             "--n-epochs", "1", "--timesteps", "64", "--checkpoint-every", "32"]  # fmt: skip


def test_maskable_ppo_trains_through_the_interface(tmp_path: Path, capsys) -> None:
    """``--algo maskable-ppo`` is the Algorithm class of agents.algorithms.builtin: named
    either way, the same run (same seed, same envs stepped together) plays the same
    episodes to the same weights; the run's books are the interface's (checkpoints with meta, episodes.csv,
    rl4real/ and SB3's own scalars in the run's TensorBoard directory)."""
    import torch

    from agents.inference import load_agent

    models = {}
    for name, algo in (("builtin", "maskable-ppo"), ("class", "agents.algorithms.builtin:MaskablePPOAlgorithm")):
        args = ["train", "--algo", algo, *TINY, *PPO_FLAGS, "--model-dir", str(tmp_path / "models"),
                "--run-name", name, "--log-dir", str(tmp_path / "runs")]  # fmt: skip
        assert main(args) == 0
        models[name] = tmp_path / "models" / name / "model.zip"
    model = models["builtin"]
    meta = json.loads(Path(f"{model}.meta.json").read_text())
    assert meta["format"] == "maskable-ppo" and meta["policy"] == "gnn-scoring"
    checkpoints = sorted(p.name for p in (model.parent / "checkpoints").glob("*.zip"))
    assert checkpoints == ["model_32.zip", "model_64.zip"]
    assert all(Path(f"{model.parent / 'checkpoints' / c}.meta.json").is_file() for c in checkpoints)
    with open(model.parent / "episodes.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(r["function"] and r["cost"] for r in rows)
    assert all(0 < int(r["timestep"]) <= 64 for r in rows)
    (events,) = (tmp_path / "runs").glob("builtin_1/events.out.tfevents.*")
    data = events.read_bytes()
    assert b"rl4real/cost_ratio_to_greedy" in data and b"train/value_loss" in data

    (builtin, _), (named, _) = load_agent(models["builtin"]), load_agent(models["class"])
    trained = builtin.policy.state_dict()
    for key, value in trained.items():  # the same episodes, the same updates (but for float summation order)
        assert torch.allclose(value, named.policy.state_dict()[key], atol=1e-5), key
    assert (model.parent / "episodes.csv").read_text() == (models["class"].parent / "episodes.csv").read_text()

    assert main(["evaluate", "--model", str(model), "--limit", "1", "--agents", "", "--llvm", "greedy",
                 "--out", str(tmp_path / "eval"), "--no-progress"]) == 0  # fmt: skip
    assert "\npolicy " in capsys.readouterr().out


def test_maskable_ppo_episode_budget_and_resume(tmp_path: Path) -> None:
    """``--episodes N`` stops SB3's loop after N episodes (one env: exactly N rows), and
    ``--resume`` continues a saved model through the same path."""
    flags = [*TINY, "--n-steps", "32", "--batch-size", "32", "--n-epochs", "1", "--model-dir", str(tmp_path / "m"),
             "--log-dir", str(tmp_path / "runs")]  # fmt: skip
    assert main(["train", "--episodes", "3", "--run-name", "budget", *flags]) == 0
    with open(tmp_path / "m" / "budget" / "episodes.csv") as f:
        assert [int(r["episode"]) for r in csv.DictReader(f)] == [1, 2, 3]
    model = tmp_path / "m" / "budget" / "model.zip"
    assert main(["train", "--timesteps", "32", "--resume", str(model), "--run-name", "more", "--workers", "2",
                 *flags]) == 0  # fmt: skip
    assert (tmp_path / "m" / "more" / "model.zip").is_file()


def test_warm_start_needs_maskable_ppo(tmp_path: Path, capsys) -> None:
    args = ["train", "--algo", "reinforce", "--warm-start", "heuristic", *TINY, "--model-dir", str(tmp_path)]
    assert main(args) == 1
    assert "--warm-start clones into a MaskablePPO policy" in capsys.readouterr().err


def test_no_import_cycles_among_agents_modules() -> None:
    """The training stack's modules (function-level imports included) import one way:
    the harness does not import the RLlib backend that uses it, the config does not import
    the algorithm interface, the episode tally lives below both vec envs, and the built-in
    algorithms own their export modules."""
    from test_layers import import_cycles, imported_modules, module_name

    paths = sorted((ROOT / "agents").rglob("*.py"))
    modules = {module_name(p) for p in paths}
    graph = {module_name(p): imported_modules(p, modules) for p in paths}
    assert len(graph) > 30
    assert "agents.rllib" in graph["agents.commands.train"]  # the command layer picks the backend
    assert not any(m.startswith("agents.rllib") for m in graph["agents.train"])
    assert import_cycles(graph) == []
    graph["agents.train"].add("agents.rllib.train")  # the check can fail: the old dispatch was a cycle
    assert ["agents.rllib.train", "agents.train"] in import_cycles(graph)
