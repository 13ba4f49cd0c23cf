"""Measuring one function's module: sizes before allocation, interference graph, greedy.

- ``num_instrs``/``num_vregs``: machine instructions and distinct virtual registers in
  ``llc -stop-before=greedy`` MIR (what the allocator is handed);
- ``num_nodes``/``num_edges``: the interference graph the plugin offers at the start of
  allocation (nothing capped);
- ``greedy``: LLVM greedy's figures, measured like rl4real's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rl4real_gym.dataset.extract import run_tool
from rl4real_gym.llc import llc_command
from rl4real_gym.targets import Target

UNCAPPED_NODES = 100_000
UNCAPPED_EDGES = 10_000_000
_VREG = re.compile(r"%([0-9]+)\b")
_NOT_AN_INSTRUCTION = re.compile(r"^(bb\.[0-9]+|successors:|liveins:|;|\.\.\.|---|$)")


@dataclass(frozen=True)
class GraphSize:
    num_nodes: int
    num_edges: int


def mir_body(mir: str) -> str:
    """The ``body:`` block of a single-function MIR file."""
    start = mir.find("\nbody:")
    return mir[start + 1 :] if start >= 0 else ""


def count_mir(mir: str) -> tuple[int, int]:
    """(machine instructions, distinct virtual registers) in a function's MIR."""
    body = mir_body(mir)
    lines = body.splitlines()[1:]  # skip the "body: |" line
    instrs = sum(1 for line in lines if not _NOT_AN_INSTRUCTION.match(line.strip()))
    vregs = {m.group(1) for m in _VREG.finditer(body)}
    return instrs, len(vregs)


def mir_counts(module: Path, target: Target) -> tuple[int, int]:
    """Counts in ``llc -O2 -stop-before=greedy`` output for ``module``."""
    mir = run_tool(
        llc_command(target, module, "-", opt_level="-O2", regalloc="greedy", stop_before="greedy"),
        "llc -stop-before=greedy",
    )
    return count_mir(mir)


def graph_size(module: Path, target: Target, function: str) -> GraphSize:
    """The initial interference graph of ``function`` as the plugin offers it."""
    from rl4real_gym.driver import LlcSession, Phase, SessionLimits

    limits = SessionLimits(max_nodes=UNCAPPED_NODES, max_edges=UNCAPPED_EDGES)
    with LlcSession(module, target, verify=False, limits=limits) as session:
        state = session.start()
        offered = state.function == function and state.phase not in (Phase.FUNCTION_DONE, Phase.MODULE_DONE)
        size = GraphSize(state.graph.num_nodes, state.graph.num_edges) if offered else GraphSize(0, 0)
        session.finish()
    return size


def greedy_figures(module: Path, target: Target, function: str) -> dict[str, object]:
    """LLVM greedy's figures for ``function`` (cached by module content); raises
    ``BaselineFailedError`` when greedy crashes, hangs or fails the verifier on the module."""
    from rl4real_gym.baselines import llvm_figures

    figures = llvm_figures(module, target, "greedy")
    if function not in figures:
        raise RuntimeError(f"the cost pass reported no figures for {function}")
    return figures[function].as_dict()
