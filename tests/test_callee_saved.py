"""The callee-saved save/restore cost: measured after PEI, the same in every host."""

from __future__ import annotations

import re
import subprocess
from dataclasses import fields
from pathlib import Path

import pytest
from conftest import TARGETS

from rl4real_gym.baselines import drop_cfi, run_llvm_allocator
from rl4real_gym.dataset import load_dataset
from rl4real_gym.driver import AllocationFigures
from rl4real_gym.driver.session import ServerSession
from rl4real_gym.programs import compile_to_ir
from rl4real_gym.proto import load as load_proto
from rl4real_gym.targets import get_target
from rl4real_gym.tools import tool

# keep: values live across calls, so it must use callee-saved registers.
# leaf: no call, few values: caller-saved registers suffice.
# cold: the values live across calls only on the unlikely path, where shrink wrapping
# puts the saves and restores (block frequency < 1).
CSR_C = r"""
extern int g(int);
__attribute__((noinline)) int keep(int a, int b, int c, int d) {
  int x = g(a); int y = g(b + x); int z = g(c + y);
  return x + y + z + a + b + c + d;
}
__attribute__((noinline)) int leaf(int a, int b) { return a * b + 3; }
__attribute__((noinline)) int cold(int a, int *p) {
  if (__builtin_expect(a > 100, 0)) { int x = g(a); return x + g(x) + a; }
  return *p;
}
"""
FUNCTIONS = ("keep", "leaf", "cold")
# Callee-saved registers an allocation can use (the frame record x29/x30 is not counted).
X86_CSR = {"rbx", "rbp", "r12", "r13", "r14", "r15"}
AARCH64_CSR = {f"x{i}" for i in range(19, 29)} | {f"d{i}" for i in range(8, 16)}
# RISC-V lp64d: s0-s11, fs0-fs11 (ra, and s0 as the frame pointer, are not counted).
RISCV64_CSR = {f"s{i}" for i in range(12)} | {f"fs{i}" for i in range(12)}


@pytest.fixture(scope="module")
def csr_ir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("csr")
    src = root / "csr.c"
    src.write_text(CSR_C)
    return {t: compile_to_ir(src, t, root / f"csr.{t}.ll") for t in TARGETS}


def saved_in_assembly(ir: Path, target: str, function: str, tmp: Path) -> int:
    """Callee-saved registers that greedy's assembly of ``function`` stores (push on x86,
    str/stp on AArch64, sd/fsd on RISC-V): an account independent of the cost pass."""
    asm = tmp / f"{function}.s"
    subprocess.run([tool("llc"), "-O2", *get_target(target).llc_args, "-regalloc=greedy", str(ir), "-o", str(asm)],
                   check=True)  # fmt: skip
    text = asm.read_text()
    body = text[text.index(f"\n{function}:") : text.index(f".Lfunc_end{FUNCTIONS.index(function)}")]
    if target == "x86":
        return sum(reg in X86_CSR for reg in re.findall(r"pushq\s+%(\w+)", body))
    if target == "riscv64":  # sd/fsd of the register into its slot off sp
        return sum(reg in RISCV64_CSR for reg in re.findall(r"\n\s*f?sd\s+(\w+),\s*-?\d+\(sp\)", body))
    stores = re.findall(r"\n\s*(?:stp|str)\s+([^\[]+)\[sp", body)
    return sum(reg.strip() in AARCH64_CSR for regs in stores for reg in regs.split(",") if reg.strip())


@pytest.mark.parametrize("target", TARGETS)
def test_csr_cost_positive_when_needed_zero_for_a_leaf(target: str, csr_ir, tmp_path: Path) -> None:
    result = run_llvm_allocator(csr_ir[target], target, "greedy")
    assert result.ok, result.failure
    figs = result.figures
    for name in FUNCTIONS:
        assert figs[name].csr_measured, f"{name}: no callee-saved figures"
    keep, leaf, cold = figs["keep"], figs["leaf"], figs["cold"]
    assert keep.csr_saves == saved_in_assembly(csr_ir[target], target, "keep", tmp_path) > 0
    assert keep.csr_restores == keep.csr_saves  # one return
    assert keep.csr_save_cost == pytest.approx(keep.csr_saves)  # saved at entry (frequency 1)
    assert keep.csr_cost == pytest.approx(keep.csr_save_cost + 4 * keep.csr_restore_cost)
    assert keep.csr_cost > 0
    assert keep.cost_with_csr == pytest.approx(keep.weighted_cost + keep.csr_cost)
    assert (leaf.csr_saves, leaf.csr_restores, leaf.csr_cost) == (0, 0, 0.0)
    assert saved_in_assembly(csr_ir[target], target, "leaf", tmp_path) == 0
    # Shrink-wrapped onto the cold path: weighted by that block's frequency.
    assert cold.csr_saves > 0
    assert 0 < cold.csr_save_cost < cold.csr_saves


@pytest.mark.parametrize("target", TARGETS)
def test_csr_cost_agrees_between_hosts(target: str, csr_ir) -> None:
    """rl4real-server's FUNCTION_DONE (measured in-process after PEI) and the llc +
    rl4real-csr-cost measurement agree on the plugin heuristic's allocation, and so do
    the other figures."""
    with ServerSession(csr_ir[target], target) as session:
        session.start()
        session.finish()  # FINISH at once: the plugin's heuristic allocates everything
        served = session.figures
    measured = run_llvm_allocator(csr_ir[target], target, "rl4real").figures
    for name in FUNCTIONS:
        a, b = served[name], measured[name]
        assert a.csr_measured and b.csr_measured
        assert (a.csr_saves, a.csr_restores) == (b.csr_saves, b.csr_restores)
        assert a.csr_cost == pytest.approx(b.csr_cost, abs=1e-6)
        assert a.weighted_cost == pytest.approx(b.weighted_cost, abs=1e-6)
    assert served["keep"].csr_cost > 0 and served["leaf"].csr_cost == 0


def test_figures_dataclass_has_every_protocol_field() -> None:
    """decode_figures copies the Figures message field by field name: both must agree."""
    pb = load_proto()
    proto = {f.name for f in pb.Figures.DESCRIPTOR.fields}
    assert proto == {f.name for f in fields(AllocationFigures)}


@pytest.mark.parametrize("target", TARGETS)
def test_env_info_has_csr_cost_at_the_end(target: str) -> None:
    """The env's final info carries the episode's callee-saved cost (measured after PEI)."""
    import gymnasium as gym
    import numpy as np

    import rl4real_gym  # noqa: F401

    env = gym.make(f"RL4ReAl-{target}-v2", split="test")
    try:
        for seed in range(3):
            env.reset(seed=seed)
            while True:
                action = int(np.flatnonzero(env.unwrapped.action_masks())[0])
                _, _, terminated, truncated, info = env.step(action)
                if terminated or truncated:
                    break
            assert info["figures"]["csr_measured"]
            assert info["csr_cost"] == info["figures"]["csr_cost"] >= 0
    finally:
        env.close()


def test_mir_after_pei_that_llvm_cannot_read_back_is_still_measured() -> None:
    """LLVM 19 prints some AArch64 CFI in a form its MIR parser rejects ("expected a cfi
    offset"): the measurement drops CFI, which it never reads, instead of failing greedy."""
    line = "    frame-setup CFI_INSTRUCTION def_cfa_offset <mcsymbol >16\n"
    kept = "    $sp = frame-setup SUBXri $sp, 16, 0\n"
    assert drop_cfi(kept + line + kept) == kept + kept
    dataset = load_dataset("aarch64")
    module = dataset.module_path(dataset.get("csmith_168.O2.func_43"))
    result = run_llvm_allocator(module, "aarch64", "greedy")
    assert result.ok, result.failure
    assert result.figures["func_43"].csr_measured


def test_server_pipeline_cut_before_pei_still_ends_the_function(csr_ir) -> None:
    """With -stop-after=virtregrewriter PEI never runs: the allocator sends FUNCTION_DONE
    itself (no callee-saved figures) instead of leaving it to a pass that never comes."""
    with ServerSession(csr_ir["x86"], "x86", extra_args=("-stop-after=virtregrewriter",)) as session:
        session.start()
        session.finish()
        figures = session.figures
    assert set(figures) == set(FUNCTIONS)
    assert not any(f.csr_measured for f in figures.values())
