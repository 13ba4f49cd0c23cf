"""``rl4real evaluate --programs``: corpus programs built with each allocator, run, checked
against their expected output and (x86-64, valgrind) counted."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS

from agents.programs_eval import (
    corpus_programs,
    evaluate_programs,
    format_programs_summary,
    format_programs_table,
    held_out_programs,
    summarize_programs,
)
from rl4real_gym.cli import main as cli_main
from rl4real_gym.dynamic import QemuTrace, parse_cachegrind, run_counted
from rl4real_gym.errors import RL4ReAlError
from rl4real_gym.programs import build_program
from rl4real_gym.targets import get_target

needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")

CACHEGRIND = """desc: I1 cache: 65536 B, 64 B, 16-way associative
cmd: ./p
events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw
fl=???
fn=main
10 100 1 1 20 0 0 5
11 50
fn=printf
0 1000 0 0 300 0 0 200
fn=helper
3 7 0 0 1 0 0 1 0 0
summary: 1157 1 1 321 0 0 206 0 0
"""


def test_parse_cachegrind_totals_and_own_functions() -> None:
    total, own = parse_cachegrind(CACHEGRIND, {"main", "helper"})
    assert total == {"Ir": 1157, "Dr": 321, "Dw": 206}
    # Trailing zeros may be left out of a line (the "11 50" line).
    assert own == {"Ir": 157, "Dr": 21, "Dw": 6}
    with pytest.raises(ValueError, match="Dr"):
        parse_cachegrind("events: Ir\nfn=main\n1 5\n")


def test_held_out_programs_from_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.jsonl"
    rows = [("a", "train"), ("a", "test"), ("b", "test"), ("b", "validation"), ("c", "train")]
    manifest.write_text("".join(json.dumps({"program": p, "split": s}) + "\n" for p, s in rows))
    assert held_out_programs(manifest) == {"b"}


def test_unknown_program_is_a_clear_error() -> None:
    with pytest.raises(RL4ReAlError, match="no corpus program nosuch"):
        corpus_programs("sort_quick,nosuch")


def _corpus_with_wrong_expected(tmp_path: Path, good: str, bad: str) -> list[Path]:
    """Copies of two corpus programs; the second's .expected is wrong."""
    for name in (good, bad):
        shutil.copy(CORPUS / f"{name}.c", tmp_path / f"{name}.c")
        shutil.copy(CORPUS / f"{name}.expected", tmp_path / f"{name}.expected")
    (tmp_path / f"{bad}.expected").write_text("checksum: 0000000000000000\n")
    return corpus_programs(f"{good},{bad}", corpus=tmp_path)


@needs_valgrind
def test_x86_programs_counted_and_checked(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    programs = _corpus_with_wrong_expected(corpus, "call_tak", "sort_quick")
    rows = evaluate_programs(programs, "x86", ["greedy", "heuristic"], tmp_path / "work",
                             held_out={"call_tak"}, progress=False)  # fmt: skip
    cell = {(r.program, r.allocator): r for r in rows}
    assert len(rows) == 4
    for alloc in ("greedy", "heuristic"):
        good, bad = cell[("call_tak", alloc)], cell[("sort_quick", alloc)]
        assert good.output_ok and good.detail == ""
        assert not bad.output_ok and "differs" in bad.detail  # the wrong .expected is caught
        for r in (good, bad):  # counted either way
            assert r.instructions > r.own_instructions > 0
            assert r.accesses == r.reads + r.writes > r.own_accesses > 0
        assert good.held_out and not bad.held_out
    summary = {s.allocator: s for s in summarize_programs(rows)}
    assert summary["greedy"].geomean_instructions == pytest.approx(1.0)
    assert summary["heuristic"].counted == 1  # only the program whose output is right
    assert summary["heuristic"].outputs_ok == 1
    ratio = cell[("call_tak", "heuristic")].instructions / cell[("call_tak", "greedy")].instructions
    assert summary["heuristic"].geomean_instructions == pytest.approx(ratio)
    assert summary["heuristic"].held_out_geomean_instructions == pytest.approx(ratio)
    table = format_programs_table(rows)
    assert "*call_tak" in table and " sort_quick" in table and "! output differs" in table


def test_aarch64_programs_checked_and_counted_under_qemu(tmp_path: Path) -> None:
    programs = corpus_programs("call_tak")
    rows = evaluate_programs(programs, "aarch64", ["greedy", "plugin-heuristic"], tmp_path, progress=False)
    assert [r.output_ok for r in rows] == [True, True]
    for r in rows:
        assert r.counted and r.instructions > r.own_instructions > 0
        assert r.accesses == r.reads + r.writes > r.own_accesses > 0
    assert "translation-block trace" in format_programs_summary(summarize_programs(rows), "aarch64")
    plain = evaluate_programs(programs, "aarch64", ["greedy"], tmp_path / "plain", progress=False, count=False)
    assert plain[0].output_ok and plain[0].instructions == -1 and not plain[0].counted


QEMU_LOG = b"""----------------
IN: main
0x0000005500000000:  d503201f  nop
0x0000005500000004:  f9400000  ldr      x0, [x0]
0x0000005500000008:  a9bf7bfd  stp      x29, x30, [sp, #-0x10]!

Trace 0: 0x7f0000000100 [00000000/0000005500000000/00000001/00000200] main
Trace 0: 0x7f0000000100 [00000000/0000005500000000/00000001/00000200] main
----------------
IN:
0x0000005500001000:  d65f03c0  ret

Trace 0: 0x7f0000000200 [00000000/0000005500001000/00000001/00000200]
----------------
IN: main
0x0000005500000000:  f9400000  ldr      x0, [x0]

Trace 0: 0x7f0000000300 [00000000/0000005500000000/00000001/00000200] main
"""


@pytest.mark.parametrize("chunk", [len(QEMU_LOG), 7, 1])
def test_qemu_trace_joins_blocks_and_executions(chunk: int) -> None:
    trace = QemuTrace({"main"})
    for i in range(0, len(QEMU_LOG), chunk):
        trace.feed(QEMU_LOG[i : i + chunk])
    trace.close()
    total, own = trace.counts()
    # main's first translation (3 instructions, 1 load, 1 store) twice, the unnamed block
    # once, main's retranslation (1 load) once.
    assert total == {"Ir": 3 * 2 + 1 + 1, "Dr": 2 + 1, "Dw": 2}
    assert own == {"Ir": 7, "Dr": 3, "Dw": 2}
    assert trace.unknown == 0


@pytest.mark.skipif(shutil.which("qemu-x86_64-static") is None or shutil.which("valgrind") is None,
                    reason="needs qemu-x86_64-static and valgrind")  # fmt: skip
def test_qemu_trace_counts_what_cachegrind_counts(tmp_path: Path) -> None:
    """The AArch64 method, checked on x86-64 where cachegrind is the reference: the same
    executable traced under qemu-x86_64 executes within 1% of cachegrind's Ir."""
    exe = tmp_path / "call_tak"
    build_program(CORPUS / "call_tak.c", "x86", exe)
    reference = run_counted(exe, "x86")
    under_qemu = dataclasses.replace(get_target("x86"), run_prefix=("qemu-x86_64-static",))
    traced = run_counted(exe, under_qemu)
    assert traced.stdout == reference.stdout == (CORPUS / "call_tak.expected").read_text()
    assert reference.counts and traced.counts and reference.own_counts and traced.own_counts
    assert traced.counts["Ir"] == pytest.approx(reference.counts["Ir"], rel=0.01)
    assert traced.own_counts["Ir"] == pytest.approx(reference.own_counts["Ir"], rel=0.01)


@needs_valgrind
def test_evaluate_programs_command_writes_table_csv_and_plot(tmp_path: Path, capsys) -> None:
    code = cli_main(["evaluate", "--model", "none", "--programs", "hash_crc32,call_tak", "--target", "x86",
                     "--program-allocators", "greedy,basic,plugin-heuristic", "--no-progress",
                     "--out", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "geo Ir" in out and "hash_crc32" in out and "call_tak" in out
    with open(tmp_path / "programs.csv") as f:
        rows = list(csv.DictReader(f))
    assert {(r["program"], r["allocator"]) for r in rows} == {
        (p, a) for p in ("hash_crc32", "call_tak") for a in ("greedy", "basic", "plugin-heuristic")
    }
    assert all(r["output_ok"] == "True" and int(r["instructions"]) > 0 for r in rows)
    with open(tmp_path / "programs_summary.csv") as f:
        assert {r["allocator"] for r in csv.DictReader(f)} == {"greedy", "basic", "plugin-heuristic"}
    assert (tmp_path / "programs_vs_greedy.png").stat().st_size > 0


def test_policy_without_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RL4ReAlError, match="--model"):
        evaluate_programs(corpus_programs("call_tak"), "x86", ["greedy", "policy"], tmp_path, progress=False)
