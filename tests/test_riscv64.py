"""RISC-V 64 specifics: what rv64gc lacks, or classes outside the colour table, are the
heuristic's and never a crash. (The target's env, dataset and differential runs are
covered with the other targets through conftest.TARGETS.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

from rl4real_gym.driver import LlcSession
from rl4real_gym.driver.policies import RandomPolicy
from rl4real_gym.programs import codegen, compile_to_ir, link
from rl4real_gym.targets import get_target

VECTOR_C = r"""
#include <stdio.h>
#include <stdint.h>
__attribute__((noinline)) void saxpy(float *restrict y, const float *restrict x, float a, int n) {
  for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}
__attribute__((noinline)) uint64_t mix(const uint32_t *p, int n) {
  uint64_t s = 0;
  for (int i = 0; i < n; i++) s += (uint64_t)p[i] * (uint64_t)(p[i] ^ 0x9e3779b9u);
  return s;
}
int main(void) {
  static float x[1000], y[1000];
  static uint32_t p[777];
  for (int i = 0; i < 1000; i++) { x[i] = (float)i * 0.25f; y[i] = (float)(1000 - i); }
  for (int i = 0; i < 777; i++) p[i] = (uint32_t)i * 2654435761u;
  saxpy(y, x, 3.0f, 1000);
  double t = 0;
  for (int i = 0; i < 1000; i++) t += y[i];
  printf("%.1f %llu\n", t, (unsigned long long)mix(p, 777));
  return 0;
}
"""


def test_the_colour_table_is_rv64gcs_integer_and_fp_registers(small_ir) -> None:
    with LlcSession(small_ir["riscv64"], "riscv64") as session:
        state = session.start()
        colours = state.colours
        assert len(colours) == get_target("riscv64").num_colours
        assert {f"X{i}" for i in range(32)} <= set(colours)
        assert {f"F{i}_D" for i in range(32)} <= set(colours) and {f"F{i}_F" for i in range(32)} <= set(colours)
        assert not any(c.startswith("V") for c in colours)
        session.finish()


def test_vector_code_stays_out_of_the_agents_hands_and_runs(tmp_path: Path) -> None:
    """With -march=rv64gcv the loops are vectorised. Their vector registers (classes
    outside the colour table) are allocated by LLVM's own RVV pass, which runs before the
    scalar allocation, and never offered to the agent; what else the plugin cannot offer
    goes to its heuristic. The program, allocated by a random policy under the verifier,
    prints what greedy's build prints under qemu (with the vector extension on)."""
    src = tmp_path / "vec.c"
    src.write_text(VECTOR_C)
    ir = compile_to_ir(src, "riscv64", tmp_path / "vec.ll", extra_args=("-march=rv64gcv",))
    assert "<vscale x" in ir.read_text(), "clang did not vectorise: the test would prove nothing"
    outputs = {}
    for name, policy in (("greedy", None), ("random", RandomPolicy(seed=5, split_prob=0.3))):
        asm = tmp_path / f"{name}.s"
        if policy is None:
            codegen(ir, "riscv64", asm, regalloc="greedy", verify=True)
        else:
            figures = codegen(ir, "riscv64", asm, regalloc="rl4real", policy=policy, verify=True)
            assert sum(f.heuristic_decisions for f in figures.values()) > 0
            assert sum(f.agent_decisions for f in figures.values()) > 0
        exe = tmp_path / name
        link([asm], "riscv64", exe)
        qemu, *rest = get_target("riscv64").run_prefix
        out = subprocess.run([qemu, "-cpu", "rv64,v=true,vlen=128", *rest, str(exe)],
                             capture_output=True, text=True, timeout=120)  # fmt: skip
        assert out.returncode == 0, out.stderr
        outputs[name] = out.stdout
    assert outputs["random"] == outputs["greedy"]
