"""Dataset building (rl4real dataset build), the bundled envs_data, DATA_DIR and IR dirs."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from conftest import TARGETS

from rl4real_gym.cli import main as cli_main
from rl4real_gym.dataset.builder import BuildOptions, BuildReport, build_dataset
from rl4real_gym.dataset.extract import content_key, defined_functions, normalize_module
from rl4real_gym.dataset.loading import load_dataset
from rl4real_gym.dataset.manifest import MANIFEST, SPLITS, read_manifest
from rl4real_gym.dataset.measure import count_mir
from rl4real_gym.dataset.naming import function_id, parse_opt_levels, safe_component, split_for
from rl4real_gym.dataset.stats import markdown_stats, size_bucket
from rl4real_gym.driver import LlcSession
from rl4real_gym.driver.policies import HeuristicPolicy, drive
from rl4real_gym.errors import DatasetError
from rl4real_gym.plugin import plugin_path
from rl4real_gym.programs import compile_to_ir
from rl4real_gym.targets import get_target

ROOT = Path(__file__).resolve().parent.parent
ENVS_DATA = ROOT / "envs_data"

MULTI_C = r"""
#include <stdint.h>
int clamp(int x, int lo, int hi) { return x < lo ? lo : (x > hi ? hi : x); }
uint32_t fnv(const uint8_t *p, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; h ^= h >> 13; }
  return h;
}
long dot3(const long *a, const long *b, int n) {
  long s0 = 0, s1 = 0, s2 = 0;
  for (int i = 0; i + 3 <= n; i += 3) { s0 += a[i] * b[i]; s1 += a[i+1] * b[i+1]; s2 += a[i+2] * b[i+2]; }
  return s0 ^ (s1 << 1) ^ (s2 << 2);
}
int answer(void) { return 42; }
"""

PRESSURE_C = r"""
#include <stdint.h>
uint64_t churn(const uint64_t *a, int n) {
  uint64_t s0=1,s1=2,s2=3,s3=4,s4=5,s5=6,s6=7,s7=8,s8=9,s9=10,s10=11,s11=12,s12=13,s13=14;
  for (int i = 0; i < n; i++) {
    uint64_t x = a[i];
    s0 += x*3; s1 ^= s0 + x; s2 += s1*7; s3 ^= s2>>3; s4 += s3*x; s5 ^= s4<<5; s6 += s5^x;
    s7 ^= s6*11; s8 += s7>>2; s9 ^= s8*13; s10 += s9^s0; s11 ^= s10+s1; s12 += s11*s2; s13 ^= s12>>7;
  }
  return s0^s1^s2^s3^s4^s5^s6^s7^s8^s9^s10^s11^s12^s13;
}
"""

MAIN_C = r"""
#include <stdio.h>
static int tri(int n) { int s = 0; for (int i = 1; i <= n; i++) s += i * (n - i); return s; }
int main(int argc, char **argv) { (void)argv; printf("%d\n", tri(argc + 36)); return 0; }
"""


def write_sources(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "multi.c").write_text(MULTI_C)
    (root / "pressure.c").write_text(PRESSURE_C)
    (root / "sub").mkdir(exist_ok=True)
    (root / "sub" / "tri.c").write_text(MAIN_C)
    return root


def build(sources: list[Path], out: Path, jobs: int = 1, target: str = "x86") -> BuildReport:
    options = BuildOptions(target=get_target(target), out=out, sources=tuple(sources),
                           opt_levels=("-O1", "-O2"), jobs=jobs, progress=False)  # fmt: skip
    return build_dataset(options, log=lambda _: None)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sources(tmp_path_factory.mktemp("src"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, sources: Path) -> tuple[Path, BuildReport]:
    """A tiny x86 dataset in DATA_DIR layout: <data>/x86."""
    out = tmp_path_factory.mktemp("data") / "x86"
    return out, build([sources], out)


# -- pure functions ---------------------------------------------------------------------------
def test_naming() -> None:
    assert function_id("sort_quick", "-O2", "partition") == "sort_quick.O2.partition"
    assert function_id("prog", "", "f") == "prog.f"
    assert safe_component("a/b c") != safe_component("a_b_c") and "/" not in safe_component("a/b c")
    assert len(safe_component("x" * 500)) <= 80
    assert parse_opt_levels("O1,-O2,3,O2") == ("-O1", "-O2", "-O3")
    with pytest.raises(ValueError):
        parse_opt_levels("O7")
    splits = [split_for(f"p{i}") for i in range(1000)]
    assert split_for("p1") == split_for("p1")
    assert 700 < splits.count("train") < 900 and splits.count("validation") > 50 and splits.count("test") > 50


def test_ir_text_helpers() -> None:
    ir = 'define i32 @f() {\n}\ndeclare void @g()\ndefine internal fastcc void @"a\\2Eb"(i32 %0) #1 {\n}\n'
    assert defined_functions(ir) == ["f", "a.b"]
    text = "; ModuleID = '/tmp/x/y.ll'\nsource_filename = \"/abs/y.c\"\ndefine void @f() {\n}\n"
    norm = normalize_module(text, "p.O2.f", "y.c")
    assert norm.startswith("; ModuleID = 'p.O2.f'\nsource_filename = \"y.c\"\n")
    assert content_key(norm) == content_key(text)
    mir = "name: f\nbody:             |\n  bb.0 (%ir-block.0):\n    successors: %bb.1\n\n    %0:gr32 = COPY $edi\n" \
          "    undef %3.sub_32bit:gr64 = MOV32rm %0, 1, $noreg, 0, $noreg\n    RET 0, %3\n...\n"  # fmt: skip
    assert count_mir(mir) == (3, 2)
    assert [size_bucket(n) for n in (0, 1, 10, 11, 120, 121, 600, 601)] == [
        "0", "1-10", "1-10", "11-50", "51-120", "121-300", "301-600", ">600"
    ]  # fmt: skip


# -- building ------------------------------------------------------------------------------------
def test_manifest_fields_and_modules(tiny: tuple[Path, BuildReport], sources: Path) -> None:
    out, report = tiny
    assert not report.problems, report.problems
    entries = read_manifest(out / MANIFEST)
    assert report.total == report.built == len(entries) > 0
    by_id = {e.id: e for e in entries}
    multi = {e.function for e in entries if e.program == "multi"}
    assert multi == {"clamp", "fnv", "dot3"}  # answer() has no virtual registers
    assert report.skipped["no virtual registers to allocate"] == 1  # answer() at -O2 is a duplicate
    assert any(e.program == "sub/tri" and e.function == "main" for e in entries)
    for e in entries:
        assert e.file == f"modules/{e.id}.ll.gz" and (out / e.file).is_file()
        assert e.opt_level in ("-O1", "-O2") and e.split in SPLITS and e.split == split_for(e.program)
        assert e.source == f"{e.program}.c"
        assert e.num_instrs > 0 and e.num_vregs > 0 and e.num_nodes > 0 and e.num_edges >= 0
        assert "weighted_cost" in e.greedy and "reload_cost" in e.greedy
        text = gzip.decompress((out / e.file).read_bytes()).decode()
        assert defined_functions(text) == [e.function]
        assert f"; ModuleID = '{e.id}'" in text and str(sources) not in text
    churn = by_id["pressure.O1.churn"]
    assert churn.num_nodes >= 14 and churn.num_edges > churn.num_nodes
    dataset = load_dataset("x86", out.parent)
    assert len(dataset) == len(entries)
    with LlcSession(dataset.module_path(churn), "x86", verify=True) as session:
        assert "churn" in drive(session, HeuristicPolicy()).figures


def test_deterministic_across_dirs_and_jobs(tiny: tuple[Path, BuildReport], sources: Path, tmp_path: Path) -> None:
    out, _ = tiny
    again = tmp_path / "again"
    build([sources], again, jobs=2)
    assert tree(again) == tree(out)


def test_resume_rebuilds_nothing(tiny: tuple[Path, BuildReport], sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "resume"
    shutil.copytree(tiny[0], out)
    before = tree(out)
    report = build([sources], out)
    assert report.built == 0 and report.kept == report.total == tiny[1].total
    assert tree(out) == before
    lost = read_manifest(out / MANIFEST)[0]
    (out / lost.file).unlink()
    report = build([sources], out)
    assert report.built == 1 and tree(out) == before


def test_bad_inputs_are_reported_and_the_rest_is_built(
    tiny: tuple[Path, BuildReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "good.c").write_text(PRESSURE_C.replace("churn", "churn2"))
    (bad / "broken.c").write_text("int f(int x) { return x +; }\n")
    (bad / "corrupt.bc").write_bytes(b"BC\xc0\xde" + bytes(range(256)) * 4)
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    shutil.copytree(tiny[0], out)
    before = {e.id for e in read_manifest(out / MANIFEST)}
    code = cli_main(["dataset", "build", "--target", "x86", "--source", str(bad), "--source", str(empty),
                     "--out", str(out), "--jobs", "1", "--no-progress"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "broken.c -O2: does not compile" in err and "error:" in err
    assert "corrupt.bc: reading the bitcode failed" in err
    assert f"{empty}: no C, C++ or LLVM IR files" in err
    assert "3 problem(s)" in err
    after = {e.id for e in read_manifest(out / MANIFEST)}
    assert before < after and "good.O2.churn2" in after


def test_nothing_to_build_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["dataset", "build", "--target", "x86", "--out", str(tmp_path / "o")]) == 1
    assert "nothing to build from" in capsys.readouterr().err


def test_data_dir_picks_the_dataset(tiny: tuple[Path, BuildReport], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_DIR", str(tiny[0].parent))
    dataset = load_dataset("x86")
    assert dataset.root == tiny[0] and len(dataset) == tiny[1].total
    assert "x86: " in markdown_stats(dataset)
    with pytest.raises(DatasetError, match="x86_64 modules, not aarch64"):
        load_dataset("aarch64", tiny[0])


def test_plain_ir_directory(sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RL4REAL_PLUGIN", str(plugin_path()))
    monkeypatch.setenv("BUILD_DIR", str(tmp_path / "build"))
    irdir = tmp_path / "ir"
    irdir.mkdir()
    compile_to_ir(sources / "multi.c", "x86", irdir / "multi.ll")
    compile_to_ir(sources / "pressure.c", "x86", irdir / "pressure.ll")
    dataset = load_dataset("x86", irdir)
    assert dataset.root.is_relative_to(tmp_path / "build" / "cache" / "datasets")
    assert {"multi.clamp", "multi.fnv", "pressure.churn"} <= {e.id for e in dataset.entries}
    assert all(e.opt_level == "" and e.source.endswith(".ll") for e in dataset.entries)
    marker = dataset.root / "complete.json"
    stamp = marker.stat().st_mtime_ns
    assert load_dataset("x86", irdir).root == dataset.root and marker.stat().st_mtime_ns == stamp
    (irdir / "multi.ll").write_text((irdir / "multi.ll").read_text().replace("16777619", "16777633"))
    assert load_dataset("x86", irdir).root != dataset.root  # changed files: rebuilt elsewhere


# -- the bundled dataset ---------------------------------------------------------------------------
@pytest.mark.parametrize("target", TARGETS)
def test_bundled_split_is_leak_free(target: str) -> None:
    dataset = load_dataset(target, ENVS_DATA)
    assert dataset.root == ENVS_DATA / target and len(dataset) > 500
    splits: dict[str, set[str]] = {}
    for e in dataset.entries:
        splits.setdefault(e.program, set()).add(e.split)
        assert e.split == split_for(e.program)
    assert all(len(s) == 1 for s in splits.values())
    assert {e.split for e in dataset.entries} == set(SPLITS)
    assert len({e.id for e in dataset.entries}) == len(dataset)


@pytest.mark.parametrize("target", TARGETS)
def test_bundled_sample_allocates_verified(target: str) -> None:
    dataset = load_dataset(target, ENVS_DATA)
    pool = sorted((e for e in dataset.entries if e.num_nodes <= 400), key=lambda e: (e.num_nodes, e.id))
    sample = [pool[i * (len(pool) - 1) // 9] for i in range(10)]
    for entry in sample:
        with LlcSession(dataset.module_path(entry), target, verify=True) as session:
            result = drive(session, HeuristicPolicy())
        assert entry.function in result.figures, entry.id
