"""An exact floor for small functions: an integer program over colour and spill choices.

At the start of an episode the env shows everything a colour-or-spill allocation of the
agent's nodes is charged for, and this module reads it out with ``fork()`` (every fork is
closed again):

* per node, the colours legal for it (the colour phase's mask after selecting it in a
  fork), whether it may be spilled, and its spill estimate
  (``rl4real_gym.envs.rewards.spill_estimates``: every use reloads in its hottest block);
* per node and legal colour, the copy weight to already-allocated registers that the
  colour removes (``register_features`` column ``log_copy_weight``) out of the weight at
  stake (node feature ``log_fixed_copy_weight``), and whether the colour is the first use
  of a callee-saved register (``callee_saved_unused``);
* per pair of nodes, the copy weight between them: after colouring node ``n`` in a fork,
  every other node's ``log_fixed_copy_weight`` grows by the weight of its copies with ``n``;
* the interference edges (``edge_index``) and which colours alias (x86 ``AL``/``AX``/
  ``EAX``/``RAX``, ``XMM0``/``YMM0``; AArch64 ``W0``/``X0``, ``B0``..``Q0``), from the colour
  table's names as sets of register units (``AL`` and ``AH`` do not alias; ``AX`` has both).

The program (binary ``x[n, c]`` for legal colours, binary ``s[n]`` for spillable nodes):

    minimise   sum spill_estimate[n] s[n] + sum 0.2 x (copies to allocated registers that c
               keeps) x[n, c] + sum 0.2 x copy[i, j] k[i, j] (+ 5 y[r] with ``callee_saved``)
    subject to sum_c x[n, c] + s[n] = 1                       one decision per node
               sum_{c has u} x[i, c] + sum_{c has u} x[j, c] <= 1   per edge, per register unit u
               k[i, j] + s[i] + s[j] + sum_u m[i, j, u] >= 1,  m[i, j, u] <= x-sums of i and of j
                                                                 a copy between two coloured nodes
                                                                 is kept unless their registers alias
               y[r] >= x[n, c] for c the first use of callee-saved register r (with ``callee_saved``)

solved by HiGHS through ``scipy.optimize.milp`` with a time limit per function. The solution
is then replayed through the env (coloured nodes first, spilled ones last, so that the
spiller's new intervals cannot take a register a planned colour needs); a planned action
that is illegal at replay time is replaced by the hint-aware heuristic's choice and counted.
The env measures the replay's cost like every other agent's (``info["cost"]``).

This is the optimum of a *model* of the cost: the spill estimate is an upper estimate of
what the spiller's reloads cost, and splitting, which the action space allows, is left out.
So the measured cost of the replay is not a lower bound of what the env can reach; the
model objective of the solution is a lower bound of every colour-or-spill allocation's
model objective, and :func:`model_objective` scores any allocation (the heuristic's, say)
on the same scale.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from agents.algorithms.simple import HeuristicAgent
from rl4real_gym.dataset import FunctionEntry
from rl4real_gym.envs.rewards import (
    CALLEE_SAVED_COST,
    CALLEE_SAVED_FEATURE,
    COPY_WEIGHT,
    FIXED_COPIES_FEATURE,
    REMOVED_COPIES_FEATURE,
    spill_estimates,
)
from rl4real_gym.envs.spaces import Layout
from rl4real_gym.schema import NODE_FEATURES

SPILL = -1  # the assignment value of a spilled node
DEFAULT_MAX_NODES = 40
DEFAULT_TIME_LIMIT = 10.0  # seconds of HiGHS per function
PENDING_FEATURE = NODE_FEATURES["pending"]

_X86_LEGACY = {"A": "A", "B": "B", "C": "C", "D": "D"}
_X86_INDEX = {"SI", "DI", "BP", "SP"}


def register_units(name: str) -> tuple[str, frozenset[str]]:
    """A register's family (the full register it is part of) and its register units, from
    its name: two registers alias exactly when their unit sets meet."""
    n = name.upper()
    m = re.fullmatch(r"([ABCD])([LHX])|E([ABCD])X|R([ABCD])X", n)
    if m:  # x86 legacy: AL, AH, AX, EAX, RAX
        fam = next(g for g in (m.group(1), m.group(3), m.group(4)) if g)
        part = m.group(2)
        units = {"L": {"l"}, "H": {"h"}}.get(part or "", {"l", "h"})
        return f"x86:{fam}", frozenset(f"x86:{fam}.{u}" for u in units)
    m = re.fullmatch(r"(SI|DI|BP|SP)L|[ER]?(SI|DI|BP|SP)", n)
    if m:
        fam = m.group(1) or m.group(2)
        units = {"l"} if m.group(1) else {"l", "h"}
        return f"x86:{fam}", frozenset(f"x86:{fam}.{u}" for u in units)
    m = re.fullmatch(r"R(\d+)([BWD]?)", n)
    if m:
        fam = f"R{m.group(1)}"
        units = {"l"} if m.group(2) == "B" else {"l", "h"}
        return f"x86:{fam}", frozenset(f"x86:{fam}.{u}" for u in units)
    m = re.fullmatch(r"[XY]MM(\d+)", n)
    if m:
        fam = f"x86:V{m.group(1)}"
        return fam, frozenset({fam})
    m = re.fullmatch(r"[WX](\d+)", n)
    if m:
        fam = f"a64:G{m.group(1)}"
        return fam, frozenset({fam})
    if n in ("FP", "LR"):
        fam = f"a64:G{29 if n == 'FP' else 30}"
        return fam, frozenset({fam})
    if n in ("WZR", "XZR"):
        return "a64:ZR", frozenset({"a64:ZR"})
    if n in ("WSP", "SP"):
        return "a64:SP", frozenset({"a64:SP"})
    m = re.fullmatch(r"[BHSDQ](\d+)", n)
    if m:
        fam = f"a64:V{m.group(1)}"
        return fam, frozenset({fam})
    return n, frozenset({n})


@dataclass
class Problem:
    """What an allocation of a function's agent nodes is charged for, read at its start."""

    nodes: list[int]  # env node ids, in the order of the arrays below
    legal: list[np.ndarray]  # per node: colour indices legal for it at the start
    spillable: list[bool]
    spill_cost: list[float]  # per node: the spill estimate
    colour_cost: list[np.ndarray]  # per node, per legal colour: 0.2 x copies to allocated registers kept
    callee_saved: list[np.ndarray]  # per node, per legal colour: first use of a callee-saved register
    copies: dict[tuple[int, int], float]  # (i, j) positions, i < j: block-frequency copy weight between them
    edges: list[tuple[int, int]]  # positions, i < j
    units: list[frozenset[str]]  # per colour of the table
    families: list[str]  # per colour of the table
    blocked: list[int] = field(default_factory=list)  # positions of nodes that cannot be colour-or-spilled

    @property
    def size(self) -> int:
        return len(self.nodes)

    def overlaps(self, a: int, b: int) -> bool:
        return bool(self.units[a] & self.units[b])


@dataclass
class Solution:
    assignment: dict[int, int]  # env node id -> colour index, or SPILL
    objective: float  # model objective (nan when not solved)
    status: str  # "optimal", "time limit", "infeasible", ...
    seconds: float
    variables: int = 0
    constraints: int = 0

    @property
    def solved(self) -> bool:
        return self.status == "optimal"


# -- reading the problem -------------------------------------------------------------
def _colour_phase(fork: Any, node: int, layout: Layout) -> dict[str, Any] | None:
    """Selects ``node`` in ``fork`` and asks to colour or spill it: the colour phase's
    observation, or None if the node cannot be colour-or-spilled now."""
    obs, _, terminated, truncated, _ = fork.step(node)
    if terminated or truncated or int(obs["phase"]) != 1 or not obs["action_mask"][layout.task_start]:
        return None
    obs, _, terminated, truncated, _ = fork.step(layout.task_start)
    if terminated or truncated or int(obs["phase"]) != 2:
        return None
    return obs


def read_problem(env: Any, obs: dict[str, Any]) -> Problem:
    """The allocation problem of the episode ``env`` has just reset to (``obs``: its first
    observation). Forks the env once per node; every fork is closed."""
    base = env.unwrapped
    lay: Layout = base.layout
    C = lay.num_colours
    feats = np.asarray(obs["node_features"], np.float64)
    select = np.asarray(obs["action_mask"][: lay.max_nodes], bool)
    nodes = [int(n) for n in np.flatnonzero(select & (feats[:, PENDING_FEATURE] > 0.5))]
    pos = {n: k for k, n in enumerate(nodes)}
    fixed0 = np.expm1(feats[:, FIXED_COPIES_FEATURE]).clip(min=0.0)
    estimates = spill_estimates(feats.astype(np.float32))
    names = list(base.colours)
    fam_units = [register_units(name) for name in names]
    legal: list[np.ndarray] = []
    spillable: list[bool] = []
    colour_cost: list[np.ndarray] = []
    callee: list[np.ndarray] = []
    blocked: list[int] = []
    seen: dict[tuple[int, int], float] = {}
    for k, n in enumerate(nodes):
        fork = base.fork()
        try:
            cobs = _colour_phase(fork, n, lay)
            if cobs is None:
                blocked.append(k)
                legal.append(np.zeros(0, np.int64))
                spillable.append(False)
                colour_cost.append(np.zeros(0))
                callee.append(np.zeros(0, bool))
                continue
            mask = np.asarray(cobs["action_mask"][lay.colour_start : lay.colour_start + C + 1], bool)
            regs = np.asarray(cobs["register_features"], np.float64)
            colours = np.flatnonzero(mask[:C])
            removed = np.expm1(regs[colours, REMOVED_COPIES_FEATURE]).clip(min=0.0)
            legal.append(colours)
            spillable.append(bool(mask[C]))
            colour_cost.append(COPY_WEIGHT * np.maximum(fixed0[n] - removed, 0.0))
            callee.append(regs[colours, CALLEE_SAVED_FEATURE] > 0.5)
            if colours.size:  # colour it: every node's copies with it become "fixed"
                after, _, terminated, truncated, _ = fork.step(lay.colour_start + int(colours[0]))
                if not (terminated or truncated):
                    grown = np.expm1(np.asarray(after["node_features"], np.float64)[:, FIXED_COPIES_FEATURE])
                    delta = grown.clip(min=0.0) - fixed0
                    for other in np.flatnonzero(delta > 1e-5 * (1.0 + fixed0)):
                        j = pos.get(int(other))
                        if j is not None and j != k:
                            key = (min(k, j), max(k, j))
                            seen[key] = max(seen.get(key, 0.0), float(delta[other]))
        finally:
            fork.close()
    num_edges = int(np.asarray(obs["num_edges"]).reshape(-1)[0])
    edges = []
    for a, b in np.asarray(obs["edge_index"])[:num_edges]:
        i, j = pos.get(int(a)), pos.get(int(b))
        if i is not None and j is not None and i != j:
            edges.append((min(i, j), max(i, j)))
    return Problem(
        nodes=nodes,
        legal=legal,
        spillable=spillable,
        spill_cost=[float(estimates[n]) for n in nodes],
        colour_cost=colour_cost,
        callee_saved=callee,
        copies=seen,
        edges=sorted(set(edges)),
        units=[u for _, u in fam_units],
        families=[f for f, _ in fam_units],
        blocked=blocked,
    )


# -- the integer program -------------------------------------------------------------
def model_objective(problem: Problem, assignment: dict[int, int], callee_saved: bool = False) -> float:
    """The model's cost of an allocation (env node id -> colour or SPILL) of the problem's
    nodes: spill estimates, copies kept and, with ``callee_saved``, 5 per callee-saved
    register first used. Nodes left out of ``assignment`` cost nothing."""
    total = 0.0
    chosen: dict[int, int] = {}
    families: set[str] = set()
    for k, n in enumerate(problem.nodes):
        c = assignment.get(n)
        if c is None:
            continue
        if c == SPILL:
            total += problem.spill_cost[k]
            continue
        chosen[k] = c
        hit = np.flatnonzero(problem.legal[k] == c)
        if hit.size:
            total += float(problem.colour_cost[k][hit[0]])
            if callee_saved and problem.callee_saved[k][hit[0]]:
                families.add(problem.families[c])
    for (i, j), w in problem.copies.items():
        if i in chosen and j in chosen and not problem.overlaps(chosen[i], chosen[j]):
            total += COPY_WEIGHT * w
    return total + CALLEE_SAVED_COST * len(families)


def solve(problem: Problem, time_limit: float = DEFAULT_TIME_LIMIT, callee_saved: bool = False) -> Solution:
    """The model's optimum by HiGHS (``scipy.optimize.milp``) within ``time_limit`` seconds."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    start = time.perf_counter()
    if problem.blocked:
        return Solution({}, math.nan, "blocked node", 0.0)
    cost: list[float] = []
    integral: list[int] = []
    upper: list[float] = []

    def var(c: float, is_int: bool = True, ub: float = 1.0) -> int:
        cost.append(c)
        integral.append(1 if is_int else 0)
        upper.append(ub)
        return len(cost) - 1

    x: list[dict[int, int]] = []
    s: list[int | None] = []
    for k in range(problem.size):
        x.append({int(c): var(float(problem.colour_cost[k][t])) for t, c in enumerate(problem.legal[k])})
        s.append(var(problem.spill_cost[k]) if problem.spillable[k] else None)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(terms: Iterable[tuple[int, float]], lb: float, ub: float) -> None:
        r = len(lo)
        for v, a in terms:
            rows.append(r)
            cols.append(v)
            vals.append(a)
        lo.append(lb)
        hi.append(ub)

    for k in range(problem.size):  # one decision per node
        terms = [(v, 1.0) for v in x[k].values()]
        sk = s[k]
        if sk is not None:
            terms.append((sk, 1.0))
        row(terms, 1.0, 1.0)

    def by_unit(k: int) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for c, v in x[k].items():
            for u in problem.units[c]:
                out.setdefault(u, []).append(v)
        return out

    units = [by_unit(k) for k in range(problem.size)]
    for i, j in problem.edges:  # interfering nodes take no aliasing registers
        for u in units[i].keys() & units[j].keys():
            row([(v, 1.0) for v in units[i][u] + units[j][u]], -np.inf, 1.0)
    for (i, j), w in problem.copies.items():  # a copy between coloured nodes is kept unless they alias
        kept = var(COPY_WEIGHT * w, is_int=False)
        terms = [(kept, 1.0)]
        for sk in (s[i], s[j]):
            if sk is not None:
                terms.append((sk, 1.0))
        for u in units[i].keys() & units[j].keys():
            m = var(0.0, is_int=False)
            terms.append((m, 1.0))
            row([(m, 1.0)] + [(v, -1.0) for v in units[i][u]], -np.inf, 0.0)
            row([(m, 1.0)] + [(v, -1.0) for v in units[j][u]], -np.inf, 0.0)
        row(terms, 1.0, np.inf)
    if callee_saved:
        first: dict[str, list[int]] = {}
        for k in range(problem.size):
            for t, c in enumerate(problem.legal[k]):
                if problem.callee_saved[k][t]:
                    first.setdefault(problem.families[int(c)], []).append(x[k][int(c)])
        for users in first.values():
            y = var(CALLEE_SAVED_COST, is_int=False)
            for v in users:
                row([(y, 1.0), (v, -1.0)], 0.0, np.inf)
    nvars, ncons = len(cost), len(lo)
    constraints = []
    if ncons:
        matrix = coo_matrix((vals, (rows, cols)), shape=(ncons, nvars)).tocsr()
        constraints.append(LinearConstraint(matrix, np.array(lo), np.array(hi)))
    result = milp(
        np.array(cost),
        integrality=np.array(integral),
        bounds=Bounds(np.zeros(nvars), np.array(upper)),
        constraints=constraints,
        options={"time_limit": float(time_limit), "mip_rel_gap": 1e-9, "disp": False},
    )
    seconds = time.perf_counter() - start
    status = {0: "optimal", 1: "time limit", 2: "infeasible", 3: "unbounded"}.get(int(result.status), "error")
    if result.x is None or status != "optimal":
        return Solution({}, math.nan, status, seconds, nvars, ncons)
    values = np.asarray(result.x)
    assignment: dict[int, int] = {}
    for k, n in enumerate(problem.nodes):
        colours = [c for c, v in x[k].items() if values[v] > 0.5]
        assignment[n] = colours[0] if colours else SPILL
    return Solution(assignment, float(result.fun), status, seconds, nvars, ncons)


# -- replay --------------------------------------------------------------------------
@dataclass
class Replay:
    info: dict[str, Any]
    assignment: dict[int, int]  # what was actually decided for the problem's nodes
    fallbacks: int  # planned decisions the heuristic made instead (illegal at replay time)
    extra: int  # decisions on nodes outside the plan (left to the heuristic)


def replay(env: Any, obs: dict[str, Any], plan: dict[int, int], order: Sequence[int] | None = None) -> Replay:
    """Plays ``plan`` (env node id -> colour or SPILL) from the episode's current state to
    its end: coloured nodes first, spilled ones last (or in ``order``); the heuristic makes
    any decision the plan cannot, and finishes nodes outside it."""
    lay: Layout = env.unwrapped.layout
    C = lay.num_colours
    heuristic = HeuristicAgent(lay)
    if order is None:
        order = [n for n in plan if plan[n] != SPILL] + [n for n in plan if plan[n] == SPILL]
    todo = list(order)
    decided: dict[int, int] = {}
    fallbacks = extra = 0
    node: int | None = None
    info: dict[str, Any] = {}
    while True:
        mask = env.unwrapped.action_masks()
        phase = int(obs["phase"])
        if phase == 0:
            while todo and not mask[todo[0]]:
                fallbacks += 1  # planned node no longer selectable
                todo.pop(0)
            if todo:
                action = node = todo.pop(0)
            else:
                action, _ = heuristic.predict(obs, action_masks=mask)
                node = int(action)
                extra += 1
        elif phase == 1:
            action = lay.task_start if mask[lay.task_start] else int(heuristic.predict(obs, action_masks=mask)[0])
        elif phase == 2:
            want = plan.get(node) if node is not None else None
            action = None
            if want is not None:
                planned = lay.colour_start + (C if want == SPILL else want)
                if mask[planned]:
                    action = planned
                else:
                    fallbacks += 1
            if action is None:
                action = int(heuristic.predict(obs, action_masks=mask)[0])
            if node is not None:
                value = int(action) - lay.colour_start
                decided[node] = SPILL if value == C else value
        else:
            action = int(heuristic.predict(obs, action_masks=mask)[0])
        obs, _, terminated, truncated, info = env.step(int(action))
        if terminated or truncated:
            return Replay(info, decided, fallbacks, extra)


# -- evaluation ----------------------------------------------------------------------
@dataclass(frozen=True)
class OptimumRecord:
    """One function: the model and what the env measured."""

    function: str
    nodes: int
    edges: int
    copies: int  # node pairs with copies between them
    status: str
    solve_seconds: float
    model_optimum: float  # the solver's objective
    model_replayed: float  # the model objective of what the replay decided
    model_heuristic: float  # the model objective of the hint-aware heuristic's allocation
    cost: float  # the replay's measured cost (info["cost"])
    heuristic_cost: float
    greedy_cost: float
    fallbacks: int
    spilled: int


def heuristic_run(env: Any, obs: dict[str, Any]) -> tuple[dict[int, int], dict[str, Any]]:
    """The hint-aware heuristic from the current state (``obs``), in a fork (closed): what
    it decided per node and the final info."""
    fork = env.unwrapped.fork()
    try:
        lay: Layout = fork.layout
        agent = HeuristicAgent(lay)
        node = -1
        decided: dict[int, int] = {}
        while True:
            mask = fork.action_masks()
            action, _ = agent.predict(obs, action_masks=mask)
            phase = int(obs["phase"])
            if phase == 0:
                node = int(action)
            elif phase == 2:
                value = int(action) - lay.colour_start
                decided[node] = SPILL if value == lay.num_colours else value
            obs, _, terminated, truncated, info = fork.step(int(action))
            if terminated or truncated:
                return decided, info
    finally:
        fork.close()


def run_optimum(
    env: Any,
    entries: Iterable[FunctionEntry],
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    time_limit: float = DEFAULT_TIME_LIMIT,
    callee_saved: bool = False,
    name: str = "optimum",
    progress: bool = False,
) -> tuple[list[Any], list[OptimumRecord]]:
    """Per function: the model's optimum replayed through the env (a ResultRow named
    ``name``), or a row with why not (more than ``max_nodes`` nodes, not solved within
    ``time_limit`` seconds); and a record per function it solved."""
    from agents.result_row import ResultRow

    rows: list[ResultRow] = []
    records: list[OptimumRecord] = []
    for entry in tqdm(list(entries), desc=name, disable=not progress, leave=False):
        obs, _ = env.reset(options={"function": entry.id})
        greedy = float(env.unwrapped.greedy_figures(entry).get("weighted_cost", 0.0))
        size = int(np.asarray(obs["node_mask"]).sum())
        if size > max_nodes:
            rows.append(ResultRow(entry.id, name, math.nan, greedy, 0, 0, 0, f"skipped: {size} nodes > {max_nodes}"))
            continue
        problem = read_problem(env, obs)
        solution = solve(problem, time_limit, callee_saved)
        if not solution.solved:
            why = f"not solved: {solution.status} ({solution.seconds:.1f} s, limit {time_limit:g} s)"
            rows.append(ResultRow(entry.id, name, math.nan, greedy, 0, 0, 0, why))
            continue
        heur_plan, heur_info = heuristic_run(env, obs)
        done = replay(env, obs, solution.assignment)
        info = done.info
        rows.append(ResultRow(entry.id, name, info.get("cost", math.nan), info.get("greedy_cost", greedy),
                              info.get("spills", 0), info.get("reloads", 0), info.get("splits", 0)))  # fmt: skip
        records.append(OptimumRecord(
            function=entry.id, nodes=problem.size, edges=len(problem.edges), copies=len(problem.copies),
            status=solution.status, solve_seconds=solution.seconds, model_optimum=solution.objective,
            model_replayed=model_objective(problem, done.assignment, callee_saved),
            model_heuristic=model_objective(problem, heur_plan, callee_saved),
            cost=float(info.get("cost", math.nan)), heuristic_cost=float(heur_info.get("cost", math.nan)),
            greedy_cost=greedy, fallbacks=done.fallbacks,
            spilled=sum(1 for c in solution.assignment.values() if c == SPILL),
        ))  # fmt: skip
    return rows, records


def floor_table(rows: list[Any], name: str = "optimum") -> str:
    """On the functions the optimum completed: every allocator's geomean (cost+1)/(greedy+1)
    and its gap to the optimum, geomean (cost+1)/(optimum+1)."""
    opt = {r.function: r for r in rows if r.allocator == name and r.completed}
    if not opt:
        return f"{name}: no function solved"
    by: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.function in opt and r.completed:
            by.setdefault(r.allocator, {})[r.function] = r
    head = f"{'allocator':<18}{'funcs':>6}{'geomean cost/greedy':>21}{'geomean cost/optimum':>22}" \
           f"{'W/T/L vs optimum':>18}"  # fmt: skip
    lines = [f"exact floor: {len(opt)} functions the solver handled", head, "-" * len(head)]
    for alloc, rs in sorted(by.items()):
        fs = sorted(rs)
        g = math.exp(sum(math.log((rs[f].cost + 1) / (rs[f].greedy_cost + 1)) for f in fs) / len(fs))
        o = math.exp(sum(math.log((rs[f].cost + 1) / (opt[f].cost + 1)) for f in fs) / len(fs))
        w = sum(rs[f].cost < opt[f].cost * (1 - 1e-6) - 1e-6 for f in fs)
        loss = sum(rs[f].cost > opt[f].cost * (1 + 1e-6) + 1e-6 for f in fs)
        lines.append(f"{alloc:<18}{len(fs):>6}{g:>21.4f}{o:>22.4f}{f'{w}/{len(fs) - w - loss}/{loss}':>18}")
    return "\n".join(lines)


def model_summary(records: list[OptimumRecord]) -> str:
    """The model's side: its optimum against the heuristic's model objective, fallbacks, time."""
    if not records:
        return ""
    n = len(records)
    geo = math.exp(sum(math.log((r.model_optimum + 1) / (r.model_heuristic + 1)) for r in records) / n)
    worse = sum(r.model_optimum > r.model_heuristic + 1e-6 * (1 + r.model_heuristic) for r in records)
    exact = sum(abs(r.model_replayed - r.model_optimum) <= 1e-6 * (1 + r.model_optimum) for r in records)
    fb = sum(r.fallbacks for r in records)
    secs = [r.solve_seconds for r in records]
    return (
        f"model: geomean (optimum+1)/(heuristic+1) = {geo:.4f} over {n} functions ({worse} above the heuristic); "
        f"the replay's model objective equals the optimum on {exact}; "
        f"fallbacks {fb} on {sum(r.fallbacks > 0 for r in records)} functions; "
        f"solve time mean {sum(secs) / n:.3f} s, max {max(secs):.3f} s"
    )
