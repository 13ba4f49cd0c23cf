"""One-way layers: ``rl4real_gym`` works with ``agents`` unimportable, and its modules
import each other without cycles (function-level imports included)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "rl4real_gym"

# Runs in a fresh interpreter where any import of ``agents`` fails as if it were not installed.
WITHOUT_AGENTS = r"""
import importlib, json, pkgutil, sys, tempfile
from pathlib import Path

class NoAgents:
    def find_spec(self, name, path=None, target=None):
        if name == "agents" or name.startswith("agents."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoAgents())

import rl4real_gym
modules = [m.name for m in pkgutil.walk_packages(rl4real_gym.__path__, "rl4real_gym.")]
for name in modules:
    importlib.import_module(name)

import gymnasium as gym
from rl4real_gym.policy import HeuristicPolicy, RuleAgent

env = gym.make("RL4ReAl-x86-v2")
small = min(env.unwrapped.candidates, key=lambda e: (e.num_nodes, e.id))
obs, info = env.reset(seed=0, options={"function": small.id})
agent = RuleAgent(HeuristicPolicy(), env.unwrapped.layout)
steps, done = 0, False
while not done:
    action, _ = agent.predict(obs, env.unwrapped.action_masks())
    obs, reward, terminated, truncated, info = env.step(action)
    steps, done = steps + 1, terminated or truncated
env.close()

from rl4real_gym import cli
from rl4real_gym.commands import fuzz

parser = cli.build_parser()
with tempfile.TemporaryDirectory() as tmp:
    model = Path(tmp) / "model.zip"
    model.write_bytes(b"")
    fuzz_run = parser.parse_args(["fuzz", "--policy", "heuristic"])._run
    refused = cli.main(["fuzz", "--programs", "1", "--policy", str(model), "--no-progress"])
    fuzzed = cli.main(["fuzz", "--programs", "1", "--seed-start", "2", "--policy", "heuristic", "--no-progress",
                       "--findings", str(Path(tmp) / "findings")])
print(json.dumps({
    "modules": len(modules), "steps": steps, "cost": info["cost"], "fuzz_is_env_command": fuzz_run is fuzz.run,
    "refused": refused, "fuzzed": fuzzed,
    "agents_loaded": sorted(m for m in sys.modules if m.split(".")[0] == "agents"),
}))
"""


def test_rl4real_gym_works_without_agents() -> None:
    """Every module imports, a heuristic episode runs and ``rl4real fuzz`` runs the
    built-in policies (and says clearly that a model needs the agents package)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", WITHOUT_AGENTS], capture_output=True, text=True,
                          env=env, timeout=600, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["agents_loaded"] == []
    assert result["modules"] > 40
    assert result["steps"] > 0 and result["cost"] is not None
    assert result["fuzz_is_env_command"]
    assert result["refused"] == 1 and "loaded by the agents package" in proc.stderr
    assert result["fuzzed"] == 0, proc.stdout


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The package modules ``path`` imports anywhere (``if TYPE_CHECKING`` blocks aside);
    ``from pkg import sub`` counts as importing ``pkg.sub``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                subs = {f"{base}.{alias.name}" for alias in child.names}
                found.update(subs & modules)
                if subs - modules:
                    found.add(base)
            visit(child)

    visit(ast.parse(path.read_text()))
    return (found & modules) - {name}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return cycles


def package_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imported_modules(p, modules) for p in paths}


def test_no_import_cycles_among_rl4real_gym_modules() -> None:
    graph = package_graph()
    assert len(graph) > 40
    assert import_cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    """The check can fail: the manifest importing the builder (as it once did) is a cycle."""
    graph = package_graph()
    graph["rl4real_gym.dataset.manifest"].add("rl4real_gym.dataset.builder")
    assert ["rl4real_gym.dataset.builder", "rl4real_gym.dataset.manifest"] in import_cycles(graph)


def test_reading_a_dataset_does_not_import_the_builder() -> None:
    graph = package_graph()
    assert "rl4real_gym.dataset.builder" not in graph["rl4real_gym.dataset.manifest"]


def test_nothing_in_rl4real_gym_imports_agents() -> None:
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "agents" or n.startswith("agents.") for n in names), path


def test_llc_command_lines_are_built_in_one_place() -> None:
    """Only rl4real_gym/llc.py names the llc executable; the rest ask it for command lines."""
    callers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tool"):
                continue
            if node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "llc":
                callers.append(path.relative_to(ROOT).as_posix())
    # baselines hashes the llc path into its cache key (not a command line)
    assert sorted(set(callers)) == ["rl4real_gym/baselines.py", "rl4real_gym/llc.py"]


def test_llc_command_order() -> None:
    from rl4real_gym.llc import llc_command
    from rl4real_gym.plugin import plugin_path
    from rl4real_gym.targets import get_target
    from rl4real_gym.tools import tool

    x86 = get_target("x86")
    assert llc_command(x86, "m.ll", "m.mir", load_plugin=True, opt_level="-O2", regalloc="rl4real", verify=True,
                       stop_after="virtregrewriter", options=("-x",)) == [
        tool("llc"), "-load", str(plugin_path()), "-O2", "-mtriple=x86_64-linux-gnu", "-relocation-model=pic",
        "-regalloc=rl4real", "-verify-machineinstrs", "-stop-after=virtregrewriter", "-x", "m.ll", "-o", "m.mir",
    ]  # fmt: skip
    assert llc_command(x86, "m.ll", stop_before="greedy")[-4:] == ["-stop-before=greedy", "m.ll", "-o", "-"]
