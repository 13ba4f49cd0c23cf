"""Real C programs allocated by rl4real print exactly what greedy-built ones print.

Each program of a sample of the corpus (20 programs on x86 and AArch64, 8 on RISC-V 64,
whose programs run slower under qemu; the whole corpus on RISC-V with --runslow) is built
per target with ``-regalloc=greedy`` and with the rl4real plugin driven over the protocol
by a legal-only policy, under ``-verify-machineinstrs``; both executables run (AArch64
and RISC-V under qemu-user) and must print the same (and the corpus's expected output).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TARGETS, corpus_programs, sample_programs

from rl4real_gym.driver.policies import HeuristicPolicy, RandomPolicy
from rl4real_gym.programs import codegen, link, run

PROGRAMS = sample_programs(20)
SAMPLE = {"x86": PROGRAMS, "aarch64": PROGRAMS, "riscv64": sample_programs(8, offset=3)}
CASES = [(t, p) for t in TARGETS for p in SAMPLE[t]]
WHOLE_CORPUS = [pytest.param("riscv64", p, marks=pytest.mark.slow) for p in corpus_programs()]


def _case_id(case: object) -> str:
    return case.stem if isinstance(case, Path) else str(case)


def _build_and_run(ir: Path, target: str, out: Path, **kwargs) -> tuple[str, dict]:
    asm = out.with_suffix(".s")
    figures = codegen(ir, target, asm, verify=True, **kwargs)
    link([asm], target, out)
    result = run(out, target)
    assert not result.timed_out, f"{out} timed out"
    assert result.returncode == 0, f"{out} exited with {result.returncode}"
    return result.stdout, figures


def test_sample_is_large_enough() -> None:
    assert len(PROGRAMS) >= 20, "the corpus must provide at least 20 programs with expected output"


@pytest.mark.parametrize(("target", "program"), [*CASES, *WHOLE_CORPUS], ids=_case_id)
def test_heuristic_policy_matches_greedy(program: Path, target: str, tmp_path: Path, ir_cache) -> None:
    ir = ir_cache(program, target)
    greedy_out, _ = _build_and_run(ir, target, tmp_path / "greedy", regalloc="greedy")
    ours_out, figures = _build_and_run(ir, target, tmp_path / "ours", regalloc="rl4real", policy=HeuristicPolicy())
    assert greedy_out == program.with_suffix(".expected").read_text()
    assert ours_out == greedy_out
    assert figures, "the driven run reported no functions"
    assert sum(f.agent_decisions for f in figures.values()) > 0


@pytest.mark.parametrize(("target", "program"), [*CASES, *WHOLE_CORPUS], ids=_case_id)
def test_random_policy_with_splits_matches_greedy(program: Path, target: str, tmp_path: Path, ir_cache) -> None:
    ir = ir_cache(program, target)
    expected = program.with_suffix(".expected").read_text()
    seed = sum(map(ord, program.stem + target))
    ours_out, figures = _build_and_run(
        ir, target, tmp_path / "ours", regalloc="rl4real", policy=RandomPolicy(seed=seed, split_prob=0.5)
    )
    assert ours_out == expected
    assert sum(f.splits for f in figures.values()) > 0, "the random policy never split"


@pytest.mark.parametrize("target", TARGETS)
def test_pressure_program_spills_and_splits(target: str, tmp_path: Path, small_ir) -> None:
    ir = small_ir[target]
    greedy_out, _ = _build_and_run(ir, target, tmp_path / "greedy", regalloc="greedy")
    heur_out, _heur = _build_and_run(ir, target, tmp_path / "heur", regalloc="rl4real", policy=HeuristicPolicy())
    rand_out, rand = _build_and_run(
        ir, target, tmp_path / "rand", regalloc="rl4real", policy=RandomPolicy(seed=7, split_prob=0.5)
    )
    assert heur_out == greedy_out == rand_out
    assert sum(f.splits for f in rand.values()) > 0
    # The random policy spills where registers would have sufficed.
    assert sum(f.spilled_vregs for f in rand.values()) > 0


NATIVE_TARGETS = ("x86", "aarch64")  # the targets with a shipped native policy
NATIVE_SAMPLE = [(t, p) for t in NATIVE_TARGETS for p in sample_programs(3, offset=5)]
NATIVE_CORPUS = [pytest.param(t, p, marks=pytest.mark.slow) for t in NATIVE_TARGETS for p in corpus_programs()]


@pytest.mark.parametrize(("target", "program"), [*NATIVE_SAMPLE, *NATIVE_CORPUS], ids=_case_id)
def test_in_process_policy_prints_what_greedy_builds_print(
    program: Path, target: str, tmp_path: Path, ir_cache
) -> None:
    """The shipped policy deciding inside llc (``-rl4real-model``, no driver) builds programs
    that print their expected output (what the greedy builds print, see above): a sample by
    default, every corpus program on both targets with --runslow."""
    from agents.inference import shipped_native_model

    model = shipped_native_model(target)
    assert model is not None
    ir = ir_cache(program, target)
    figures_file = tmp_path / "figures.jsonl"
    options = [f"-rl4real-model={model}", f"-rl4real-figures-output={figures_file}"]
    ours_out, _ = _build_and_run(ir, target, tmp_path / "ours", regalloc="rl4real", options=options)
    assert ours_out == program.with_suffix(".expected").read_text()
    decided = [json.loads(line) for line in figures_file.read_text().splitlines()]
    assert decided and sum(f["agent_decisions"] for f in decided) > 0, "the policy decided nothing"
