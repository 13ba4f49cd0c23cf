"""Comparing agents with LLVM's allocators on held-out functions: rows, summary, plots.

Every function of the split gets a row for every allocator. An agent plays in an env of
its own size (a policy: the layout it was trained with); a function above that size (more
nodes or edges than the env holds) is played instead by the hint-aware heuristic agent in
an env large enough for every function of the split (:class:`Fallback`), and its row says
so (``fallback``); the summary counts those rows. Nothing is left out.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
from tqdm import tqdm

from agents.algorithms.simple import HeuristicAgent
from agents.envs import env_id
from agents.result_row import ResultRow
from rl4real_gym.baselines import LLC_TIMEOUT, LLVM_ALLOCATORS, PLUGIN_HEURISTIC, BaselineResult, baseline_result
from rl4real_gym.dataset import FunctionEntry
from rl4real_gym.driver import AllocationFigures
from rl4real_gym.envs.spaces import Layout

TIE = 1e-6
FALLBACK = "heuristic"  # who plays the functions above an agent's size: the hint-aware heuristic agent


@dataclass(frozen=True)
class Summary:
    allocator: str
    functions: int
    geomean_ratio: float  # geomean of (cost + 1) / (greedy + 1)
    wins: int
    ties: int
    losses: int
    total_cost: float
    mean_cost: float
    total_spills: int
    total_reloads: int
    failed: int = 0  # functions it crashed, hung or failed the verifier on (not in the figures above)
    # The same with the callee-saved save/restore cost added to both sides (functions where
    # both are measured; NaN when none is).
    geomean_ratio_with_csr: float = math.nan
    total_cost_with_csr: float = math.nan
    total_csr_cost: float = math.nan
    fallback: int = 0  # completed functions above its size, played by FALLBACK (in the figures above)


def csr_of(figures: AllocationFigures | dict[str, Any] | None) -> float:
    """The callee-saved cost of some figures, NaN when it was not measured."""
    if isinstance(figures, AllocationFigures):
        figures = figures.as_dict()
    if not figures or not figures.get("csr_measured"):
        return math.nan
    return float(figures.get("csr_cost", 0.0))


def greedy_csr(env: Any, entry: FunctionEntry, timeout: float = LLC_TIMEOUT) -> float:
    """Greedy's callee-saved cost on the entry's function (measured and cached like every
    baseline: the manifest's greedy figures predate it); NaN when greedy fails on it."""
    base = env.unwrapped
    result = baseline_result(base.dataset.module_path(entry), base.target, "greedy", timeout=timeout)
    return csr_of(result.figures.get(entry.function))


def fits(entry: FunctionEntry, layout: Layout) -> bool:
    """Whether the entry's graph fits an env of ``layout`` (the env's own selection rule)."""
    return entry.num_nodes <= layout.max_nodes and entry.num_edges <= layout.max_edges


def covering_layout(entries: Iterable[FunctionEntry], layout: Layout) -> Layout:
    """``layout`` grown to hold every entry's graph."""
    es = list(entries)
    nodes = max([layout.max_nodes, *(e.num_nodes for e in es)])
    edges = max([layout.max_edges, *(e.num_edges for e in es)])
    return Layout(nodes, edges, layout.num_colours, layout.max_split_points)


def split_entries(env: Any, split: str | None, limit: int | None = None) -> list[FunctionEntry]:
    """Every function of ``split`` (None: all) in manifest order, whatever its size (the
    first ``limit``)."""
    entries, _ = env.unwrapped.dataset.select(split=split, min_nodes=0)
    return entries[:limit] if limit else entries


@dataclass
class Fallback:
    """Plays the functions an agent's env cannot hold: ``agent`` (the hint-aware heuristic
    agent) in ``env``, an env large enough for all of them (``covering_layout``)."""

    env: Any
    agent: Any
    name: str = FALLBACK

    @classmethod
    def make(cls, target: str, entries: Sequence[FunctionEntry], layout: Layout, data: str | None,
             split: str | None) -> Fallback:  # fmt: skip
        full = covering_layout(entries, layout)
        return cls(make_eval_env(target, full, data, split), HeuristicAgent(full))

    def close(self) -> None:
        self.env.close()


def play(env: Any, agent: Any, entry: FunctionEntry) -> dict[str, Any]:
    """One deterministic episode of ``agent`` on the entry's function; its final info."""
    obs, _ = env.reset(options={"function": entry.id})
    while True:
        action, _ = agent.predict(obs, action_masks=env.unwrapped.action_masks(), deterministic=True)
        obs, _, terminated, truncated, info = env.step(int(action))
        if terminated or truncated:
            return dict(info)


def is_fallback_agent(agent: Any) -> bool:
    """Whether ``agent`` is FALLBACK itself (its rows on large functions are its own)."""
    return isinstance(agent, HeuristicAgent) and agent.hints and not agent.split_when_blocked


def run_agent(
    env: Any, agent: Any, entries: Iterable[FunctionEntry], name: str, progress: bool,
    fallback: Fallback | None = None,
) -> list[ResultRow]:  # fmt: skip
    """One deterministic episode per function: ``agent`` in ``env`` where the function fits
    its layout, else ``fallback`` (flagged in the row, unless the agent is the fallback's
    own kind); without a fallback a function that does not fit is an error, never a
    missing row."""
    layout = env.unwrapped.layout
    rows = []
    for entry in tqdm(list(entries), desc=name, disable=not progress, leave=False):
        by = ""
        if fits(entry, layout):
            info = play(env, agent, entry)
        elif fallback is not None:
            info = play(fallback.env, fallback.agent, entry)
            by = "" if is_fallback_agent(agent) else fallback.name
        else:
            raise ValueError(
                f"{entry.id} ({entry.num_nodes} nodes, {entry.num_edges} edges) does not fit {name}'s "
                f"env ({layout.max_nodes} nodes, {layout.max_edges} edges) and there is no fallback"
            )
        rows.append(ResultRow(entry.id, name, info.get("cost", math.nan), info.get("greedy_cost", 0.0),
                              info.get("spills", 0), info.get("reloads", 0), info.get("splits", 0),
                              csr_cost=csr_of(info.get("figures")),
                              greedy_csr_cost=greedy_csr(env, entry), fallback=by))  # fmt: skip
    return rows


class _TerminalInfo(gym.Wrapper):  # type: ignore[type-arg]
    """Keeps the final info of the last episode of each function played through it."""

    def __init__(self, env: gym.Env) -> None:  # type: ignore[type-arg]
        super().__init__(env)
        self.finals: dict[str, dict[str, Any]] = {}

    def step(self, action: Any) -> Any:
        obs, reward, terminated, truncated, info = self.env.step(action)
        entry = self.env.unwrapped._entry
        if (terminated or truncated) and entry is not None:
            self.finals[entry.id] = dict(info)
        return obs, reward, terminated, truncated, info


def optimum_rows(
    env: Any, entries: Sequence[FunctionEntry], *, max_nodes: int, time_limit: float, callee_saved: bool,
    progress: bool,
) -> tuple[list[ResultRow], list[Any]]:  # fmt: skip
    """``agents.algorithms.optimum.run_optimum`` over every entry: a function that does not
    fit ``env`` is a skipped row like one above ``max_nodes``; every solved row carries its
    replay's callee-saved cost (the replay is the last episode run_optimum plays on it)."""
    from agents.algorithms.optimum import run_optimum

    layout = env.unwrapped.layout
    watched = _TerminalInfo(env)
    solved, records = run_optimum(watched, [e for e in entries if fits(e, layout)], max_nodes=max_nodes,
                                  time_limit=time_limit, callee_saved=callee_saved, progress=progress)  # fmt: skip
    by_id = {r.function: r for r in solved}
    rows = []
    for entry in entries:
        r = by_id.get(entry.id)
        if r is None:
            greedy = float(env.unwrapped.greedy_figures(entry).get("weighted_cost", 0.0))
            why = f"skipped: {entry.num_nodes} nodes, {entry.num_edges} edges: above the env's size"
            rows.append(ResultRow(entry.id, "optimum", math.nan, greedy, 0, 0, 0, why))
        elif r.completed:
            final = watched.finals.get(entry.id, {})
            rows.append(ResultRow(**{**asdict(r), "csr_cost": csr_of(final.get("figures")),
                                     "greedy_csr_cost": greedy_csr(env, entry)}))  # fmt: skip
        else:
            rows.append(r)
    return rows, records


def llvm_row(entry: FunctionEntry, result: BaselineResult, greedy: float, greedy_csr: float = math.nan) -> ResultRow:
    """One LLVM allocator's row for one function: its figures, or why it has none. The
    plugin's standalone heuristic (``rl4real``) is reported as ``plugin-heuristic``."""
    name = "plugin-heuristic" if result.allocator == PLUGIN_HEURISTIC else result.allocator
    fig = result.figures.get(entry.function)
    if result.failure is not None or fig is None:
        why = result.failure.summary() if result.failure else f"crash: no figures reported for {entry.function}"
        return ResultRow(entry.id, name, math.nan, greedy, 0, 0, 0, why)
    return ResultRow(entry.id, name, fig.weighted_cost, greedy, fig.spills + fig.folded_spills,
                     fig.reloads + fig.folded_reloads, 0, csr_cost=csr_of(fig), greedy_csr_cost=greedy_csr)  # fmt: skip


def llvm_rows(
    env: Any, entries: Iterable[FunctionEntry], allocators: Iterable[str], progress: bool,
    timeout: float = LLC_TIMEOUT,
) -> list[ResultRow]:  # fmt: skip
    """A row per function and LLVM allocator; an allocator that crashes, hangs (past
    ``timeout`` seconds per llc run) or fails the verifier gets a row with its reason."""
    base = env.unwrapped
    rows = []
    for entry in tqdm(list(entries), desc="llvm", disable=not progress, leave=False):
        module = base.dataset.module_path(entry)
        greedy = float(base.greedy_figures(entry).get("weighted_cost", 0.0))
        g_csr = greedy_csr(env, entry, timeout)
        for ra in allocators:
            rows.append(llvm_row(entry, baseline_result(module, base.target, ra, timeout=timeout), greedy, g_csr))
    return rows


def summarize(rows: list[ResultRow]) -> list[Summary]:
    """Per allocator, over the functions it completed; the others are counted as failed."""
    by: dict[str, list[ResultRow]] = {}
    for r in rows:
        by.setdefault(r.allocator, []).append(r)
    out = []
    for name, rs in by.items():
        ok = [r for r in rs if r.completed]
        ratios = [(r.cost + 1.0) / (r.greedy_cost + 1.0) for r in ok]
        geo = math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else math.nan
        wins = sum(r.cost < r.greedy_cost * (1 - TIE) - TIE for r in ok)
        losses = sum(r.cost > r.greedy_cost * (1 + TIE) + TIE for r in ok)
        total = sum(r.cost for r in ok)
        mean = total / len(ok) if ok else math.nan
        csr = [r for r in ok if r.has_csr]
        geo_csr, total_csr, csr_only = math.nan, math.nan, math.nan
        if csr:
            logs = [math.log((r.cost + r.csr_cost + 1.0) / (r.greedy_cost + r.greedy_csr_cost + 1.0)) for r in csr]
            geo_csr = math.exp(sum(logs) / len(logs))
            total_csr = sum(r.cost + r.csr_cost for r in csr)
            csr_only = sum(r.csr_cost for r in csr)
        out.append(Summary(name, len(ok), geo, wins, len(ok) - wins - losses, losses, total, mean,
                           sum(r.spills for r in ok), sum(r.reloads for r in ok), len(rs) - len(ok),
                           geo_csr, total_csr, csr_only, sum(bool(r.fallback) for r in ok)))  # fmt: skip
    return sorted(out, key=lambda s: (math.isnan(s.geomean_ratio), s.geomean_ratio))


def format_table(summaries: list[Summary]) -> str:
    """The summary table; a note under it when some allocator failed on some functions."""
    head = f"{'allocator':<16}{'funcs':>6}{'geomean cost/greedy':>21}{'W/T/L vs greedy':>18}{'total cost':>13}" \
           f"{'mean cost':>12}{'spills':>8}{'reloads':>9}{'geomean +CSR':>14}{'total +CSR':>13}" \
           f"{'by-heur':>9}{'failed':>8}"  # fmt: skip
    lines = [head, "-" * len(head)]
    for s in summaries:
        wtl = f"{s.wins}/{s.ties}/{s.losses}"
        lines.append(f"{s.allocator:<16}{s.functions:>6}{s.geomean_ratio:>21.3f}{wtl:>18}{s.total_cost:>13.1f}"
                     f"{s.mean_cost:>12.1f}{s.total_spills:>8}{s.total_reloads:>9}"
                     f"{s.geomean_ratio_with_csr:>14.3f}{s.total_cost_with_csr:>13.1f}{s.fallback:>9}"
                     f"{s.failed:>8}")  # fmt: skip
    note = [
        "+CSR: with the callee-saved save/restore cost (after PEI, 1 x saves + 4 x restores) added to "
        "both sides; nan where it is not measured."
    ]
    return "\n".join(lines + note + fallback_note(summaries) + failure_note(summaries))


def fallback_note(summaries: list[Summary]) -> list[str]:
    """Says which allocators' rows include functions played by FALLBACK."""
    by = [s for s in summaries if s.fallback]
    if not by:
        return []
    which = ", ".join(f"{s.allocator} on {s.fallback}" for s in by)
    return [
        f"by-heur: functions above the allocator's size, played by the hint-aware {FALLBACK} agent in an env "
        f"that holds every function (in its figures; fallback column of functions.csv): {which}."
    ]


def failure_note(summaries: list[Summary]) -> list[str]:
    """Says which allocators failed where, and that their figures leave those functions out."""
    failed = [s for s in summaries if s.failed]
    if not failed:
        return []
    which = ", ".join(f"{s.allocator} on {s.failed}" for s in failed)
    why = "crash, hang or verifier error"
    if any(s.allocator == "optimum" for s in failed):  # the exact floor's are functions it does not handle
        why += "; optimum: too large or not solved in time"
    return [
        f"failed ({why}; reasons in the failure column of functions.csv): {which}.",
        "funcs counts the functions each allocator completed; its geomean, W/T/L and totals cover only those.",
    ]


def write_csv(path: Path, items: Sequence[Any]) -> None:
    """The dataclass ``items`` as CSV rows under their field names (nothing when empty)."""
    if not items:
        return
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(asdict(items[0])))
        writer.writeheader()
        for item in items:
            writer.writerow(asdict(item))


def plot_scatter(rows: list[ResultRow], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 6))
    done = [r for r in rows if r.completed]
    names = sorted({r.allocator for r in rows} - {"greedy"})
    for name in names:
        pts = [(r.greedy_cost + 1, r.cost + 1) for r in done if r.allocator == name]
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.scatter(xs, ys, s=12, alpha=0.6, label=name)
    lim = max([r.cost + 1 for r in done] + [r.greedy_cost + 1 for r in done] + [10])
    ax.plot([1, lim], [1, lim], "k--", lw=1, label="= greedy")
    ax.set(xscale="log", yscale="log", xlabel="greedy cost + 1", ylabel="allocator cost + 1",
           title="Per-function weighted spill cost vs LLVM greedy (below the line: better)")  # fmt: skip
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_learning_curve(episodes_csv: Path, path: Path, window: int = 50) -> bool:
    """Rolling mean of episode return and cost/greedy ratio against timesteps."""
    if not episodes_csv.exists():
        return False
    with open(episodes_csv) as f:
        data = [r for r in csv.DictReader(f) if r.get("cost") not in (None, "")]
    if len(data) < 2:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    t = np.array([float(r["timestep"]) for r in data])
    ret = np.array([float(r["return"]) for r in data])
    ratio = np.array([(float(r["cost"]) + 1) / (float(r["greedy_cost"] or 0) + 1) for r in data])
    w = max(1, min(window, len(data) // 5 or 1))
    kernel = np.ones(w) / w
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    a1.plot(t, ret, ".", alpha=0.2, ms=3)
    a1.plot(t[w - 1 :], np.convolve(ret, kernel, "valid"), lw=2)
    a1.set(ylabel="episode return", title=f"Learning curve ({episodes_csv.parent.name})")
    a2.plot(t, ratio, ".", alpha=0.2, ms=3)
    a2.plot(t[w - 1 :], np.exp(np.convolve(np.log(ratio), kernel, "valid")), lw=2)
    a2.axhline(1.0, color="k", ls="--", lw=1)
    a2.set(yscale="log", xlabel="timestep", ylabel="(cost+1)/(greedy+1)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def make_eval_env(target: str, layout: Layout, data: str | None, split: str | None) -> gym.Env:
    import rl4real_gym  # noqa: F401

    return gym.make(env_id(target), data=data, split=split, max_nodes=layout.max_nodes,
                    max_edges=layout.max_edges, max_split_points=layout.max_split_points)  # fmt: skip


__all__ = [
    "FALLBACK",
    "LLVM_ALLOCATORS",
    "Fallback",
    "ResultRow",
    "Summary",
    "covering_layout",
    "fits",
    "format_table",
    "llvm_row",
    "llvm_rows",
    "optimum_rows",
    "run_agent",
    "split_entries",
    "summarize",
]
