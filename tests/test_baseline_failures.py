"""A failing LLVM baseline (crash, hang, verifier error) costs exactly its own figures.

The reproducer in ``tests/data/repro`` is a real LLVM 19 bug: ``-regalloc=fast`` fails
``-verify-machineinstrs`` on it. The other kinds of failure are forced with
``tests/data/faulty-llc.sh``, a wrapper around the real llc that ``RL4REAL_LLC`` points
to: for one ``-regalloc`` value it kills itself with SIGSEGV, sleeps until it is killed,
or corrupts the real allocation so that the real machine verifier rejects it; every other
llc run (our allocator, the other baselines) is the real llc.
"""

from __future__ import annotations

import csv
import importlib.util
import math
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from rl4real_gym.baselines import (
    BaselineFailedError,
    BaselineFailure,
    BaselineResult,
    baseline_result,
    classify_failure,
    exit_description,
    llvm_figures,
    reusable,
    telling_line,
    verifier_reason,
)
from rl4real_gym.cli import main
from rl4real_gym.dataset.builder import BuildOptions, build_dataset
from rl4real_gym.dataset.manifest import MANIFEST, read_manifest
from rl4real_gym.plugin import plugin_path
from rl4real_gym.targets import get_target
from rl4real_gym.tools import tool

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
REPRO_DIR = DATA / "repro"
REPRO = REPRO_DIR / "fast-verifier-failure.ll"
FAULTY_LLC = DATA / "faulty-llc.sh"
FUNCTIONS = ("dot", "kernel", "mac", "widen")
HANG_TIMEOUT = 4.0  # seconds; only how long the forced hang waits before it is killed
# what the run must say for each forced kind of failure
SAYS = {
    "crash": "crashed (killed by SIGSEGV)",
    "hang": f"did not finish within {HANG_TIMEOUT:g} s (the llc time limit)",
    "verifier": "failed -verify-machineinstrs: Using an undefined physical register",
}
Faulty = Callable[..., None]


@pytest.fixture(scope="module")
def real_tools() -> tuple[str, str]:
    """(llc, plugin) as found before any test overrides them."""
    return tool("llc"), str(plugin_path())


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_tools: tuple[str, str]) -> Path:
    """A BUILD_DIR of the test's own (empty caches), with the already built plugin."""
    monkeypatch.setenv("BUILD_DIR", str(tmp_path / "build"))
    monkeypatch.setenv("RL4REAL_PLUGIN", real_tools[1])
    monkeypatch.delenv("RL4REAL_LLC", raising=False)
    return tmp_path


@pytest.fixture
def faulty(isolated: Path, monkeypatch: pytest.MonkeyPatch, real_tools: tuple[str, str]) -> Faulty:
    """``faulty(kind, allocator, function=None)``: llc fails that way for that allocator."""

    def install(kind: str, allocator: str, function: str | None = None) -> None:
        monkeypatch.setenv("RL4REAL_LLC", str(FAULTY_LLC))
        monkeypatch.setenv("FAULTY_LLC_REAL", real_tools[0])
        monkeypatch.setenv("FAULTY_LLC_KIND", kind)
        monkeypatch.setenv("FAULTY_LLC_ALLOCATOR", allocator)
        if function:
            monkeypatch.setenv("FAULTY_LLC_FUNCTION", function)
        else:
            monkeypatch.delenv("FAULTY_LLC_FUNCTION", raising=False)

    return install


def table_rows(out: str) -> dict[str, list[str]]:
    """``rl4real evaluate``'s summary table: allocator -> its columns."""
    names = ("greedy", "basic", "fast", "pbqp", "heuristic", "random", "policy")
    return {line.split()[0]: line.split() for line in out.splitlines() if line.split()[:1] and line.split()[0] in names}


def allocate_rows(out: str) -> dict[str, dict[str, float]]:
    """``rl4real allocate``'s figure lines: allocator -> function -> cost."""
    rows: dict[str, dict[str, float]] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 8 and parts[1] in FUNCTIONS:  # allocator, function, cost, ..., csr
            rows.setdefault(parts[0], {})[parts[1]] = float(parts[2])
    return rows


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# -- the reproducer: LLVM 19's fast fails the verifier --------------------------------------------
def test_reproducer_through_allocate(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["allocate", str(REPRO), "--target", "x86"]) == 0
    out = capsys.readouterr().out
    rows = allocate_rows(out)
    for name in ("rl4real/heuristic", "greedy", "basic", "pbqp"):
        assert set(rows[name]) == set(FUNCTIONS), name
        assert all(math.isfinite(cost) and cost >= 0 for cost in rows[name].values())
    assert "fast" not in rows
    assert "fast                 failed: verifier, so no figures" in out
    assert "llc -regalloc=fast failed -verify-machineinstrs: Tied physical registers must match (in mac" in out


def test_reproducer_through_evaluate(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = isolated / "eval"
    assert main(["evaluate", "--model", "none", "--data", str(REPRO_DIR), "--split", "all", "--agents", "heuristic",
                 "--no-progress", "--out", str(out_dir)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    table = table_rows(out)
    assert set(table) == {"greedy", "basic", "fast", "pbqp", "heuristic"}
    for name in ("greedy", "basic", "pbqp", "heuristic"):
        assert table[name][1] == "4" and table[name][-1] == "0", table[name]  # 4 functions done, 0 failed
    fast = table["fast"]
    assert int(fast[1]) + int(fast[-1]) == 4 and int(fast[-1]) >= 1, fast
    assert "failed (crash, hang or verifier error; reasons in the failure column of functions.csv): fast on" in out
    assert "cover only those" in out
    rows = {(r["function"].rsplit(".", 1)[1], r["allocator"]): r for r in read_csv(out_dir / "functions.csv")}
    mac = rows[("mac", "fast")]
    assert mac["cost"] == "nan"
    assert mac["failure"].startswith("verifier: llc -regalloc=fast failed -verify-machineinstrs: Tied physical")
    for fn in FUNCTIONS:
        for name in ("greedy", "basic", "pbqp", "heuristic"):
            assert rows[(fn, name)]["failure"] == "" and math.isfinite(float(rows[(fn, name)]["cost"]))
    summary = {r["allocator"]: r for r in read_csv(out_dir / "summary.csv")}
    assert summary["fast"]["failed"] == fast[-1] and summary["greedy"]["failed"] == "0"
    assert (out_dir / "cost_vs_greedy.png").read_bytes()[:4] == b"\x89PNG"


# -- each kind of failure, forced ------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["crash", "hang", "verifier"])
def test_forced_failure_through_allocate(
    kind: str, faulty: Faulty, small_ir: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    faulty(kind, "basic")
    assert main(["allocate", str(small_ir["x86"]), "--target", "x86", "--baseline-timeout", str(HANG_TIMEOUT)]) == 0
    out = capsys.readouterr().out
    assert f"basic                failed: {kind}, so no figures" in out
    assert f"llc -regalloc=basic {SAYS[kind]}" in out
    figured = {line.split()[0] for line in out.splitlines()[1:] if len(line.split()) == 8}
    assert figured == {"rl4real/heuristic", "greedy", "fast", "pbqp"}


@pytest.mark.parametrize("kind", ["crash", "hang", "verifier"])
def test_forced_failure_through_evaluate(
    kind: str, faulty: Faulty, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faulty(kind, "basic")
    out_dir = isolated / "eval"
    args = ["evaluate", "--data", str(REPRO_DIR), "--split", "all", "--agents", "", "--llvm", "greedy,basic",
            "--limit", "2", "--baseline-timeout", str(HANG_TIMEOUT), "--no-progress", "--out", str(out_dir),
            "--model", "none"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    table = table_rows(out)
    assert table["greedy"][1] == "2" and table["greedy"][-1] == "0"
    assert table["basic"][1] == "0" and table["basic"][-1] == "2"
    assert "basic on 2." in out
    basic = [r for r in read_csv(out_dir / "functions.csv") if r["allocator"] == "basic"]
    assert len(basic) == 2
    assert all(r["failure"].startswith(f"{kind}: llc -regalloc=basic {SAYS[kind]}") for r in basic), basic


def test_our_own_failure_stays_an_error(
    faulty: Faulty, small_ir: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    faulty("crash", "rl4real")
    assert main(["allocate", str(small_ir["x86"]), "--target", "x86"]) == 1
    assert "rl4real allocate: error:" in capsys.readouterr().err


# -- the dataset build, the fuzzer's reference, the corpus benchmark ---------------------------------
def test_dataset_build_leaves_out_a_function_whose_greedy_fails(faulty: Faulty, isolated: Path) -> None:
    faulty("crash", "greedy", function="mac")
    out = isolated / "dataset"
    options = BuildOptions(target=get_target("x86"), out=out, sources=(REPRO_DIR,), ir_only=True, progress=False)
    report = build_dataset(options)
    assert report.problems == []
    assert report.left_out == ["fast-verifier-failure.mac: crash: llc -regalloc=greedy crashed (killed by SIGSEGV)"]
    assert "left out 1: greedy's figures could not be measured (the rewards need them):" in report.summary()
    assert "fast-verifier-failure.mac: crash:" in report.summary()
    functions = {e.function for e in read_manifest(out / MANIFEST)}
    assert functions == {"dot", "kernel", "widen"}
    assert not any(p.name.startswith("fast-verifier-failure.mac") for p in (out / "modules").iterdir())


def test_fuzzing_skips_a_program_without_a_greedy_reference(faulty: Faulty, isolated: Path) -> None:
    from rl4real_gym.fuzzing import FuzzConfig, Kind, check_program

    faulty("crash", "greedy")
    outcome = check_program(1, FuzzConfig("x86", "heuristic", isolated / "findings"))
    assert outcome.kind == Kind.SKIP
    assert outcome.detail == "no greedy reference (crash): llc -regalloc=greedy crashed (killed by SIGSEGV)"
    assert not (isolated / "findings").exists()


def load_compile_corpus(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """benchmarks/compile_corpus.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("compile_corpus", ROOT / "benchmarks" / "compile_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_corpus_benchmark_reports_greedy_failures(faulty: Faulty, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = load_compile_corpus(monkeypatch)
    faulty("verifier", "greedy")
    with pytest.raises(BaselineFailedError, match="LLVM's greedy allocator gave no figures"):
        llvm_figures(REPRO, "x86", "greedy")
    cost, why = bench.greedy_cost(REPRO, "x86")
    assert math.isnan(cost)
    assert why.startswith(f"verifier: llc -regalloc=greedy {SAYS['verifier']}")
    rows = [bench.ProgramRow("a", True, 3, 5.0, 4.0), bench.ProgramRow("b", True, 3, 7.0, cost, why)]
    assert bench.cost_totals(rows) == (5.0, 4.0, 1)


# -- the cache: failures are kept like figures --------------------------------------------------------
def test_failures_are_cached_and_a_hang_is_retried_with_a_longer_limit(
    faulty: Faulty, monkeypatch: pytest.MonkeyPatch
) -> None:
    faulty("crash", "basic")
    first = baseline_result(REPRO, "x86", "basic")
    assert first.failure is not None and first.failure.kind == "crash"
    monkeypatch.setenv("FAULTY_LLC_KIND", "verifier")  # a new run would now fail otherwise
    assert baseline_result(REPRO, "x86", "basic") == first  # from the cache: not run again

    faulty("hang", "pbqp")
    hung = baseline_result(REPRO, "x86", "pbqp", timeout=1.0)
    assert hung.failure is not None and hung.failure.kind == "hang" and hung.failure.timeout == 1.0
    monkeypatch.setenv("FAULTY_LLC_KIND", "crash")
    assert baseline_result(REPRO, "x86", "pbqp", timeout=1.0) == hung  # cached for this limit
    longer = baseline_result(REPRO, "x86", "pbqp", timeout=HANG_TIMEOUT)  # a longer limit runs it again
    assert longer.failure is not None and longer.failure.kind == "crash"


# -- reading llc's output (pure) -------------------------------------------------------------------------
VERIFIER_STDERR = """# After Fast Register Allocator
# Machine code for function mac: NoPHIs, TracksLiveness, NoVRegs
bb.0:
  RET 0
# End machine code for function mac.

*** Bad machine code: Tied physical registers must match. ***
- function:    mac
- basic block: %bb.10  (0x55a0abe43d78)
- instruction: renamable $xmm5 = PUNPCKHWDrr undef renamable $xmm0(tied-def 0), renamable $xmm1
- operand 0:   renamable $xmm5
*** Bad machine code: Two-address instruction operands must be identical ***
- function:    mac
LLVM ERROR: Found 8 machine code errors.
Stack dump:
0.	Program arguments: llc-19 -O2 -regalloc=fast
 #0 0x00007f6a89b0e3a6 llvm::sys::PrintStackTrace(llvm::raw_ostream&, int)
"""


def test_verifier_reports_are_summarised() -> None:
    assert verifier_reason(VERIFIER_STDERR) == (
        "Tied physical registers must match (in mac, after Fast Register Allocator, at "
        "`renamable $xmm5 = PUNPCKHWDrr undef renamable $xmm0(tied-def 0), renamable $xmm1`, "
        "8 machine code errors in all)"
    )
    assert verifier_reason("LLVM ERROR: out of memory\n") is None


def test_crash_output_is_summarised() -> None:
    assert telling_line(VERIFIER_STDERR) == "LLVM ERROR: Found 8 machine code errors."
    assert telling_line("Stack dump:\n #0 0x0000 foo\nsomething odd\n #1 0x0001 bar\n") == "something odd"
    assert exit_description(-11) == "killed by SIGSEGV"
    assert exit_description(1) == "exit status 1"
    assert classify_failure("basic", "llc -regalloc=basic", "", -11).cacheable  # its own crash: kept
    assert not classify_failure("basic", "llc -regalloc=basic", "", -9).cacheable  # killed from outside: retried


def test_cached_hangs_answer_only_shorter_limits() -> None:
    hang = BaselineResult("fast", failure=BaselineFailure("fast", "hang", "slow", timeout=10.0))
    crash = BaselineResult("fast", failure=BaselineFailure("fast", "crash", "boom"))
    assert reusable(hang, 10.0) and not reusable(hang, 20.0)
    assert reusable(crash, 1e9) and reusable(BaselineResult("fast"), 1e9)
    assert BaselineResult.from_dict("fast", hang.as_dict()) == hang
