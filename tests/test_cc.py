"""``rl4real cc`` as a project's compiler: a multi-file C project (headers, -I, -D, a static
library) built by its own Makefile and by CMake with ``CC`` = rl4real cc, run, and its output
compared with the same project built by plain clang; on x86 and AArch64 (qemu). Real
clang, llc, plugin, make and cmake; nothing is mocked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rl4real_gym.commands.cc import llc_opt_level, parse_clang_args, split_own
from rl4real_gym.programs import run
from rl4real_gym.tools import tool

ROOT = Path(__file__).resolve().parent.parent
AARCH64 = "aarch64-linux-gnu"

HEADER = r"""
#ifndef PROJECT_H
#define PROJECT_H
#include <stdint.h>
#ifndef SCALE
#error "SCALE must be defined with -D"
#endif
uint64_t mix(const uint32_t *v, int n);
int histogram(const uint32_t *v, int n, int *bins, int nbins);
double mean(const uint32_t *v, int n);
long checksum_bins(const int *bins, int nbins);
#endif
"""
MAIN_C = r"""
#include <stdio.h>
#include "project.h"
#define N 500
static uint32_t data[N];
int main(void) {
  uint32_t x = 12345u;
  for (int i = 0; i < N; i++) { x = x * 1103515245u + 12345u; data[i] = (x >> 8) % 1000u; }
  int bins[16] = {0};
  int used = histogram(data, N, bins, 16);
  printf("mix=%llx used=%d bins=%ld\n", (unsigned long long)mix(data, N), used, checksum_bins(bins, 16));
  printf("mean=%.2f scale=%d\n", mean(data, N), SCALE);
  return 0;
}
"""
UTIL_C = r"""
#include "project.h"
uint64_t mix(const uint32_t *v, int n) {
  uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
  for (int i = 0; i < n; i++) {
    uint64_t t = v[i] * (uint64_t)SCALE;
    a += t ^ h; b ^= a * 31; c += b >> 3; d ^= c + t; e += d * 17; f ^= e >> 5; g += f ^ a; h ^= g * 13;
  }
  return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
}
int histogram(const uint32_t *v, int n, int *bins, int nbins) {
  int used = 0;
  for (int i = 0; i < n; i++) {
    int k = (int)(v[i] * SCALE % (uint32_t)nbins);
    if (bins[k]++ == 0) used++;
  }
  return used;
}
"""
STATS_C = r"""
#include "project.h"
double mean(const uint32_t *v, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += v[i];
  return n ? s / n : 0.0;
}
long checksum_bins(const int *bins, int nbins) {
  long s = 0;
  for (int i = 0; i < nbins; i++) s = s * 7 + bins[i];
  return s;
}
"""
MAKEFILE = """\
CC ?= cc
AR ?= ar
CFLAGS ?= -O2
ALL_CFLAGS = $(CFLAGS) -Iinclude -DSCALE=3 -Wall -MMD -MP
OBJS = src/main.o src/util.o

prog: $(OBJS) lib/libstats.a
\t$(CC) $(CFLAGS) $(OBJS) -Llib -lstats -o $@

lib/libstats.a: lib/stats.o
\t$(AR) rcs $@ $^

%.o: %.c
\t$(CC) $(ALL_CFLAGS) -c $< -o $@

-include $(OBJS:.o=.d) lib/stats.d
"""
CMAKELISTS = """\
cmake_minimum_required(VERSION 3.16)
project(ccproject C)
add_library(stats STATIC lib/stats.c)
target_include_directories(stats PUBLIC include)
target_compile_definitions(stats PUBLIC SCALE=3)
add_executable(prog src/main.c src/util.c)
target_link_libraries(prog PRIVATE stats)
"""
FILES = {"include/project.h": HEADER, "src/main.c": MAIN_C, "src/util.c": UTIL_C, "lib/stats.c": STATS_C,
         "Makefile": MAKEFILE, "CMakeLists.txt": CMAKELISTS}  # fmt: skip


def write_project(root: Path) -> Path:
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture(scope="session")
def wrappers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``rl4real-cc`` / ``rl4real-c++`` executables for this checkout (what the console
    scripts declared in pyproject.toml are once installed)."""
    bindir = tmp_path_factory.mktemp("bin")
    out = {}
    for name, command, entry in (("rl4real-cc", "cc", "main_c"), ("rl4real-c++", "c++", "main_cxx")):
        path = bindir / name
        code = f"import sys; from agents.commands.cc import {entry}; sys.exit({entry}())"
        path.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}${{PYTHONPATH:+:$PYTHONPATH}}" '
                        f'exec "{sys.executable}" -c "{code}" "$@"\n')  # fmt: skip
        path.chmod(0o755)
        out[command] = path
    return out


def elf_machine(path: Path) -> int:
    """e_machine of an ELF file (62: x86-64, 183: AArch64)."""
    head = path.read_bytes()[:20]
    assert head[:4] == b"\x7fELF"
    return int.from_bytes(head[18:20], "little")


def ar_for(target: str) -> str:
    found = shutil.which("aarch64-linux-gnu-ar") if target == "aarch64" else shutil.which("ar")
    return found or tool("llvm-ar")


def reference_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The project built by make with plain clang (x86), run."""
    root = write_project(tmp_path_factory.mktemp("reference"))
    make(root, [f"CC={tool('clang')}", "CFLAGS=-O2"])
    result = run(root / "prog", "x86")
    assert result.returncode == 0
    return result.stdout


@pytest.fixture(scope="session")
def expected(tmp_path_factory: pytest.TempPathFactory) -> str:
    return reference_output(tmp_path_factory)


def make(root: Path, variables: list[str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["make", "-C", str(root), "-j2", *variables], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def cmake_build(root: Path, compiler: Path, flags: list[str]) -> tuple[Path, str]:
    """Configures (CMake's compiler checks run through ``compiler`` too) and builds, with
    a report line per file; returns the executable and the build's log."""
    build = root / "build"
    configure = ["cmake", "-S", str(root), "-B", str(build), f"-DCMAKE_C_COMPILER={compiler}", *flags]
    log = ""
    for cmd in (configure, ["cmake", "--build", str(build), "-j2"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "RL4REAL_CC_REPORT": "files"})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        log = proc.stdout + proc.stderr
    return build / "prog", log


def cc(wrappers: dict[str, Path], *args: str, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run([str(wrappers["cc"]), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})  # fmt: skip


CROSS = {"x86": [], "aarch64": [f"--target={AARCH64}"]}


@pytest.mark.parametrize("target", ["x86", "aarch64"])
def test_makefile_build_matches_clang(target: str, wrappers, expected: str, tmp_path: Path) -> None:
    root = write_project(tmp_path)
    cc_value = " ".join([str(wrappers["cc"]), *CROSS[target]])  # CC with spaces: make splits it
    proc = make(root, [f"CC={cc_value}", f"AR={ar_for(target)}", "CFLAGS=-O2"])
    assert "rl4real" not in proc.stderr  # a clean build log by default
    result = run(root / "prog", target)
    assert (result.returncode, result.stdout) == (0, expected)
    # -MMD dependency files name the real object (not the IR step's temporary file)
    deps = (root / "src" / "util.d").read_text()
    assert deps.startswith("src/util.o:") and "include/project.h" in deps
    assert elf_machine(root / "src" / "main.o") == {"x86": 62, "aarch64": 183}[target]


@pytest.mark.parametrize("target", ["x86", "aarch64"])
def test_cmake_build_matches_clang(target: str, wrappers, expected: str, tmp_path: Path) -> None:
    root = write_project(tmp_path)
    flags = ["-DCMAKE_BUILD_TYPE=Release"]
    if target == "aarch64":
        flags += [f"-DCMAKE_C_COMPILER_TARGET={AARCH64}", "-DCMAKE_SYSTEM_NAME=Linux",
                  "-DCMAKE_SYSTEM_PROCESSOR=aarch64", f"-DCMAKE_AR={ar_for(target)}"]  # fmt: skip
    prog, log = cmake_build(root, wrappers["cc"], flags)
    result = run(prog, target)
    assert (result.returncode, result.stdout) == (0, expected)
    # every source of the project went through the plugin (RL4REAL_CC_REPORT=files: a line per file)
    files = sorted(Path(line.split(": ")[1]).name for line in log.splitlines() if line.startswith("rl4real cc: /"))
    assert files == ["main.c", "stats.c", "util.c"], log


SLOW = pytest.mark.slow
FLAGS = [["-O0", "-g"], ["-O2", "-g"], pytest.param(["-O0"], marks=SLOW), pytest.param(["-O1"], marks=SLOW),
         pytest.param(["-O3", "-g"], marks=SLOW)]  # fmt: skip


@pytest.mark.parametrize("target", ["x86", "aarch64"])
@pytest.mark.parametrize("flags", FLAGS)
def test_one_call_several_sources_and_report(target: str, flags: list[str], wrappers, expected: str,
                                             tmp_path: Path) -> None:  # fmt: skip
    """All sources and the link in one call; at -O0 too the plugin allocates (the report
    counts the functions it allocated: llc's -O0 pipeline would otherwise take only fast)."""
    root = write_project(tmp_path)
    proc = cc(wrappers, *CROSS[target], *flags, "-Iinclude", "-DSCALE=3", "src/main.c", "src/util.c",
              "lib/stats.c", "-o", "prog", "-lm", "--rl4real-report", cwd=root)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("rl4real cc:")]
    assert len(lines) == 4, proc.stderr  # three files and the summary
    assert "src/main.c: 1 functions" in lines[0] and "src/util.c: 2 functions" in lines[1]
    # by default the shipped policy decides, inside llc (its native file)
    assert f"3 files for {target} allocated by policy " in lines[3] and "policy.rlpolicy (in-process)" in lines[3]
    assert ": 5 functions" in lines[3] and "vregs decided by the policy" in lines[3]
    result = run(root / "prog", target)
    assert (result.returncode, result.stdout) == (0, expected)
    if "-g" in flags:
        dump = subprocess.run([tool("llvm-dwarfdump"), "--debug-info", str(root / "prog")], capture_output=True,
                              text=True)  # fmt: skip
        assert 'DW_AT_name\t("histogram")' in dump.stdout


def test_summary_from_environment_and_objects_in_place(wrappers, tmp_path: Path) -> None:
    root = write_project(tmp_path)
    proc = cc(wrappers, "-c", "-O2", "-Iinclude", "-DSCALE=3", "src/util.c", "lib/stats.c", cwd=root,
              env={"RL4REAL_CC_REPORT": "1"})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("rl4real cc:") == 1 and "2 files for x86" in proc.stderr
    assert (root / "util.o").is_file() and (root / "stats.o").is_file()  # clang's default names, in the cwd
    asm = cc(wrappers, "-S", "-O2", "-Iinclude", "-DSCALE=3", "src/util.c", "-o", "-", cwd=root)
    assert asm.returncode == 0 and "histogram:" in asm.stdout


def test_flto_is_refused(wrappers, tmp_path: Path) -> None:
    root = write_project(tmp_path)
    for flag in ("-flto", "-flto=thin"):
        proc = cc(wrappers, flag, "-O2", "-Iinclude", "-DSCALE=3", "-c", "src/util.c", "-o", "util.o", cwd=root)
        assert proc.returncode != 0 and "-flto is not supported" in proc.stderr and "greedy" in proc.stderr
        assert not (root / "util.o").exists()
    ok = cc(wrappers, "-flto", "-fno-lto", "-O2", "-Iinclude", "-DSCALE=3", "-c", "src/util.c", cwd=root)
    assert ok.returncode == 0, ok.stderr


def test_bad_input_leaves_no_object(wrappers, tmp_path: Path) -> None:
    (tmp_path / "bad.c").write_text("int f(void) { return 1 }\n")
    (tmp_path / "good.c").write_text("int g(int x) { return x * 3; }\n")
    proc = cc(wrappers, "-c", "bad.c", "-o", "bad.o", cwd=tmp_path)
    assert proc.returncode != 0 and "expected ';'" in proc.stderr
    (tmp_path / "corrupt.rlpolicy").write_bytes(b"RL4ReAl-policy\n\xff\xff\xff\xff")
    bad = [
        ("--rl4real-model", str(tmp_path / "missing.zip")),  # a missing model
        ("--rl4real-model", str(tmp_path / "missing.rlpolicy")),  # a missing native policy
        ("--rl4real-model", str(tmp_path / "corrupt.rlpolicy")),  # a corrupt one: llc's error
        ("--rl4real-model", str(ROOT / "agents" / "models" / "aarch64" / "policy.rlpolicy")),  # another target's
        ("--rl4real-frobnicate",),  # an unknown option of ours
        ("--target=mips-linux-gnu",),  # a target it cannot allocate for
        ("-m32",),  # IR for another architecture than the target's
    ]
    for args in bad:
        proc = cc(wrappers, *args, "-c", "good.c", "-o", "good.o", cwd=tmp_path)
        assert proc.returncode != 0 and "rl4real cc: error:" in proc.stderr, (args, proc.stderr)
    proc = cc(wrappers, "-c", "good.c", "-o", "no/such/dir/good.o", cwd=tmp_path)
    assert proc.returncode != 0 and "rl4real cc: error: cannot write" in proc.stderr
    # nothing written, no temporaries
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.c", "corrupt.rlpolicy", "good.c"]


def test_no_code_modes_are_clangs(wrappers, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.c").write_text("#define TWICE(x) ((x) * 2)\nint v = TWICE(FOO);\n")
    ours = cc(wrappers, "-E", "-DFOO=21", "m.c", cwd=tmp_path)
    theirs = subprocess.run([tool("clang"), "-E", "-DFOO=21", "m.c"], cwd=tmp_path, capture_output=True, text=True)
    assert ours.returncode == 0 and ours.stdout == theirs.stdout and "((21) * 2)" in ours.stdout
    assert "clang version 19" in cc(wrappers, "--version", cwd=tmp_path).stdout
    assert cc(wrappers, "-fsyntax-only", "m.c", cwd=tmp_path).returncode != 0  # FOO undeclared: clang's error
    assert "--rl4real-model FILE" in cc(wrappers, "--help", cwd=tmp_path).stdout
    from rl4real_gym.cli import main  # `rl4real cc` itself: clang's arguments untouched by argparse

    assert main(["cc", "--rl4real-help"]) == 0 and "--rl4real-report" in capsys.readouterr().out
    assert main(["cc", "-fsyntax-only", "-DFOO=1", str(tmp_path / "m.c")]) == 0


def test_cxx(wrappers, tmp_path: Path) -> None:
    (tmp_path / "v.cpp").write_text(
        "#include <vector>\n#include <cstdio>\n#include <numeric>\n"
        "int main() { std::vector<long> v(100); std::iota(v.begin(), v.end(), 1);\n"
        '  std::printf("%ld\\n", std::accumulate(v.begin(), v.end(), 0L)); }\n'
    )
    proc = subprocess.run([str(wrappers["c++"]), "-O2", "-std=c++17", "v.cpp", "-o", "v", "--rl4real-summary",
                           "--rl4real-no-model"], cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "1 file for x86 allocated by the plugin's heuristic" in proc.stderr
    assert run(tmp_path / "v", "x86").stdout == "5050\n"


def test_command_line_parsing() -> None:
    own, rest = split_own(["--rl4real-model=m.zip", "-c", "--rl4real-report", "a.c"])
    assert (own.model, own.report, rest) == ("m.zip", True, ["-c", "a.c"])
    cl = parse_clang_args(["-I", "inc", "-o", "x", "-x", "c", "f.in", "-x", "none", "g.o", "-lm", "h.cpp"])
    assert [(i.path, i.lang, i.kind) for i in cl.inputs] == [
        ("f.in", "c", "codegen"), ("g.o", "object", "linker"), ("h.cpp", "c++", "codegen")]  # fmt: skip
    assert cl.value("-o") == "x"
    levels = {(): "-O0", ("-O",): "-O1", ("-Og",): "-O1", ("-O2",): "-O2", ("-Os",): "-O2", ("-Oz",): "-O2",
              ("-O3",): "-O3", ("-Ofast",): "-O3", ("-O3", "-O0"): "-O0"}  # fmt: skip
    for flags, level in levels.items():
        assert llc_opt_level(parse_clang_args(list(flags))) == level


@pytest.mark.slow
def test_with_a_model_the_policy_decides(wrappers, expected: str, tmp_path: Path) -> None:
    """A tiny model trained here through the CLI: the summary counts the policy's decisions
    and the functions left wholly to the heuristic."""
    from rl4real_gym.cli import main

    tiny = ["--max-nodes", "64", "--max-edges", "1024", "--max-split-points", "16", "--max-steps", "60",
            "--n-steps", "128", "--batch-size", "64", "--n-epochs", "1", "--no-progress"]  # fmt: skip
    assert main(["train", "--target", "x86", "--timesteps", "128", *tiny, "--model-dir", str(tmp_path / "m"),
                 "--run-name", "tiny", "--log-dir", str(tmp_path / "runs")]) == 0  # fmt: skip
    model = tmp_path / "m" / "tiny" / "model.zip"
    root = write_project(tmp_path / "p")
    proc = cc(wrappers, "--rl4real-model", str(model), "-O2", "-g", "-Iinclude", "-DSCALE=3", "src/main.c",
              "src/util.c", "lib/stats.c", "-o", "prog", "--rl4real-summary", cwd=root)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"allocated by policy {model}" in proc.stderr and "vregs decided by the policy" in proc.stderr
    result = run(root / "prog", "x86")
    assert (result.returncode, result.stdout) == (0, expected)


VECTOR_C = r"""
#include <stdio.h>
#define N 1024
float a[N], b[N], c[N];
__attribute__((noinline)) void saxpy(float k, int n) { for (int i = 0; i < n; i++) c[i] = k * a[i] + b[i] * c[i]; }
int main(void) {
  for (int i = 0; i < N; i++) { a[i] = i * 0.5f; b[i] = 1.0f / (i + 1); c[i] = 2; }
  for (int r = 0; r < 3; r++) saxpy(1.5f, N);
  double s = 0;
  for (int i = 0; i < N; i++) s += c[i];
  printf("%.3f\n", s);
  return 0;
}
"""


@pytest.mark.parametrize(
    ("target", "flags", "register"),
    [("x86", ["-march=x86-64-v4", "-mprefer-vector-width=512"], "%zmm"), ("aarch64", ["-march=armv8-a+sve"], "z0.")],
)
def test_register_classes_outside_the_colour_table(target: str, flags: list[str], register: str, wrappers,
                                                   tmp_path: Path) -> None:  # fmt: skip
    """AVX-512 (ZMM) and SVE (Z) registers, which the colour table leaves out: the plugin's
    heuristic allocates them, and the program is right (AVX-512 run only on a host with it)."""
    (tmp_path / "v.c").write_text(VECTOR_C)
    common = [*CROSS[target], "-O3", "-ffp-contract=off", *flags, "v.c"]
    asm = cc(wrappers, *common, "-S", "-o", "-", cwd=tmp_path)
    assert asm.returncode == 0 and register in asm.stdout, asm.stderr
    proc = cc(wrappers, *common, "-o", "v", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    reference = subprocess.run([tool("clang"), "-O2", "-ffp-contract=off", "v.c", "-o", "ref"], cwd=tmp_path)
    assert reference.returncode == 0
    if target == "x86" and "avx512f" not in Path("/proc/cpuinfo").read_text():
        pytest.skip("this host has no AVX-512 to run the program")
    assert run(tmp_path / "v", target).stdout == run(tmp_path / "ref", "x86").stdout
