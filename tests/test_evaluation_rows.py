"""``rl4real evaluate`` has a row for every held-out function and every allocator: the
functions above an agent's env are played by the hint-aware heuristic agent in an env that
holds them all, and flagged, never left out (issue 14, "Must show")."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import pytest

from agents.algorithms.simple import HeuristicAgent, RandomAgent
from agents.evaluation import (
    FALLBACK,
    Fallback,
    covering_layout,
    fits,
    make_eval_env,
    play,
    run_agent,
    split_entries,
    summarize,
)
from rl4real_gym.cli import main
from rl4real_gym.envs.spaces import Layout
from rl4real_gym.targets import get_target

ENVS_DATA = Path(__file__).resolve().parents[1] / "envs_data" / "x86"
SMALL = 20  # the agents' env in these tests: functions above it need the fallback


def small_and_large(count: int = 3) -> tuple[list[dict], list[dict]]:
    """``count`` x86 test functions of at most SMALL nodes and ``count`` of 30-60 nodes."""
    rows = [json.loads(line) for line in (ENVS_DATA / "manifest.jsonl").read_text().splitlines() if line.strip()]
    test = [r for r in rows if r["split"] == "test"]
    small = [r for r in test if 3 <= r["num_nodes"] <= SMALL][:count]
    large = [r for r in test if 30 <= r["num_nodes"] <= 60][:count]
    assert len(small) == count and len(large) == count
    return small, large


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str], set[str]]:
    """A dataset of six test functions (three above SMALL nodes) and one training function;
    returns its directory and the ids of its small and large test functions."""
    small, large = small_and_large()
    rows = [json.loads(line) for line in (ENVS_DATA / "manifest.jsonl").read_text().splitlines() if line.strip()]
    train = next(r for r in rows if r["split"] == "train" and r["num_nodes"] <= SMALL)
    root = tmp_path_factory.mktemp("data") / "x86"
    (root / "modules").mkdir(parents=True)
    for r in [*small, *large, train]:
        shutil.copy(ENVS_DATA / r["file"], root / r["file"])
    (root / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [*small, *large, train]))
    return root, {r["id"] for r in small}, {r["id"] for r in large}


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_every_held_out_function_has_a_row_per_allocator(
    dataset: tuple[Path, set[str], set[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, small, large = dataset
    out = tmp_path / "eval"
    assert main(["evaluate", "--data", str(root), "--split", "test", "--model", "none", "--max-nodes", str(SMALL),
                 "--agents", "heuristic,random,search,optimum", "--search-budget", "4", "--optimum-max-nodes",
                 str(SMALL), "--llvm", "greedy,basic", "--out", str(out), "--no-progress"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    rows = read_rows(out / "functions.csv")
    allocators = {"heuristic", "random", "search", "optimum", "greedy", "basic"}
    assert {r["allocator"] for r in rows} == allocators
    for name in allocators:
        assert sorted(r["function"] for r in rows if r["allocator"] == name) == sorted(small | large), name
    # Above the agents' env, random and search rows are the heuristic's, flagged; the
    # heuristic's own rows and LLVM's are never flagged.
    for r in rows:
        flagged = r["allocator"] in ("random", "search") and r["function"] in large
        assert r["fallback"] == (FALLBACK if flagged else ""), r
    by = {(r["function"], r["allocator"]): r for r in rows}
    for f in large:
        for name in ("random", "search"):
            assert float(by[(f, name)]["cost"]) == pytest.approx(float(by[(f, "heuristic")]["cost"]))
            assert not by[(f, name)]["failure"]
        assert by[(f, "optimum")]["failure"].startswith("skipped:")
    summary = {r["allocator"]: r for r in read_rows(out / "summary.csv")}
    assert {name: int(summary[name]["fallback"]) for name in allocators} == {
        "heuristic": 0, "random": len(large), "search": len(large), "optimum": 0, "greedy": 0, "basic": 0}  # fmt: skip
    assert int(summary["random"]["functions"]) == len(small | large)
    assert f"random on {len(large)}" in text and f"search on {len(large)}" in text
    assert f"{len(large)} above the agents' env ({SMALL} nodes" in text


def test_split_entries_are_the_whole_split_whatever_the_size() -> None:
    env = make_eval_env("x86", Layout(SMALL, 200, get_target("x86").num_colours, 8), None, "test")
    try:
        entries = split_entries(env, "test")
        rows = [json.loads(line) for line in (ENVS_DATA / "manifest.jsonl").read_text().splitlines() if line.strip()]
        assert [e.id for e in entries] == [r["id"] for r in rows if r["split"] == "test"]
        assert any(not fits(e, env.unwrapped.layout) for e in entries)
        assert [e.id for e in split_entries(env, "test", 5)] == [e.id for e in entries[:5]]
        big = covering_layout(entries, env.unwrapped.layout)
        assert all(fits(e, big) for e in entries)
        assert big.max_nodes == max(e.num_nodes for e in entries)
    finally:
        env.close()


def test_the_heuristic_plays_alike_in_a_small_and_a_covering_env() -> None:
    """Why the heuristic's rows at full size are its own: on a function both envs hold it
    makes the same allocation; and without a fallback a function that does not fit is an
    error, not a missing row."""
    small, large = small_and_large(2)
    layout = Layout(SMALL, 400, get_target("x86").num_colours, 8)
    env = make_eval_env("x86", layout, None, "test")
    entries = {e.id: e for e in split_entries(env, "test")}
    fallback = Fallback.make("x86", list(entries.values()), layout, None, "test")
    try:
        for r in small:
            entry = entries[r["id"]]
            a = play(env, HeuristicAgent(layout), entry)
            b = play(fallback.env, fallback.agent, entry)
            assert a["cost"] == pytest.approx(b["cost"])
            assert (a["spills"], a["reloads"]) == (b["spills"], b["reloads"])
        wide = [entries[r["id"]] for r in large]
        rows = run_agent(env, RandomAgent(layout, 0), wide, "random", False, fallback)
        assert [r.fallback for r in rows] == [FALLBACK] * len(wide)
        assert all(math.isfinite(r.cost) for r in rows)
        assert summarize(rows)[0].fallback == len(wide)
        with pytest.raises(ValueError, match="does not fit random's env"):
            run_agent(env, RandomAgent(layout, 0), wide, "random", False)
    finally:
        env.close()
        fallback.close()
