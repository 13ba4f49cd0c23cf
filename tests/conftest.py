"""Shared fixtures: the C corpus compiled to IR per target, cached for the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from rl4real_gym.programs import compile_to_ir

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "programs"
TARGETS = ("x86", "aarch64", "riscv64")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="also run the long tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="long test: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def corpus_programs() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.c") if p.with_suffix(".expected").exists())


def sample_programs(count: int, offset: int = 0) -> list[Path]:
    """A deterministic, spread-out sample of the corpus."""
    progs = corpus_programs()
    if len(progs) <= count:
        return progs
    step = len(progs) / count
    return [progs[int(i * step + offset) % len(progs)] for i in range(count)]


@pytest.fixture(scope="session")
def ir_cache(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("ir")
    cache: dict[tuple[str, str], Path] = {}

    def get(program: Path, target: str) -> Path:
        key = (program.stem, target)
        if key not in cache:
            cache[key] = compile_to_ir(program, target, root / f"{program.stem}.{target}.ll")
        return cache[key]

    return get


@pytest.fixture(scope="session")
def small_ir(tmp_path_factory: pytest.TempPathFactory):
    """A small program with high register pressure, per target."""
    root = tmp_path_factory.mktemp("small")
    src = root / "pressure.c"
    src.write_text(PRESSURE_C)
    return {t: compile_to_ir(src, t, root / f"pressure.{t}.ll") for t in TARGETS}


PRESSURE_C = r"""
#include <stdio.h>
#include <stdint.h>
__attribute__((noinline)) uint64_t mix(const uint64_t *a, int n) {
  uint64_t s0=1,s1=2,s2=3,s3=4,s4=5,s5=6,s6=7,s7=8,s8=9,s9=10,s10=11,s11=12,s12=13,s13=14,s14=15,s15=16;
  for (int i = 0; i < n; i++) {
    uint64_t x = a[i];
    s0 += x*3; s1 ^= s0 + x; s2 += s1*7; s3 ^= s2>>3; s4 += s3*x; s5 ^= s4<<5; s6 += s5^x; s7 ^= s6*11;
    s8 += s7>>2; s9 ^= s8*13; s10 += s9^s0; s11 ^= s10+s1; s12 += s11*s2; s13 ^= s12>>7; s14 += s13*s3;
    s15 ^= s14+x;
    if (x & 1) s0 += (uint64_t)printf("");
  }
  return s0^s1^s2^s3^s4^s5^s6^s7^s8^s9^s10^s11^s12^s13^s14^s15;
}
__attribute__((noinline)) double dot(const double *a, const double *b, int n) {
  double t0=0,t1=0,t2=0,t3=0,t4=0,t5=0,t6=0,t7=0;
  for (int i = 0; i + 8 <= n; i += 8) {
    t0 += a[i]*b[i]; t1 += a[i+1]*b[i+1]; t2 += a[i+2]*b[i+2]; t3 += a[i+3]*b[i+3];
    t4 += a[i+4]*b[i+4]; t5 += a[i+5]*b[i+5]; t6 += a[i+6]*b[i+6]; t7 += a[i+7]*b[i+7];
  }
  return ((t0+t1)+(t2+t3))+((t4+t5)+(t6+t7));
}
int main(void) {
  uint64_t a[256]; double x[64], y[64];
  for (int i = 0; i < 256; i++) a[i] = (uint64_t)i * 2654435761u;
  for (int i = 0; i < 64; i++) { x[i] = i * 0.5; y[i] = 64 - i; }
  printf("%llx %lld\n", (unsigned long long)mix(a, 256), (long long)dot(x, y, 64));
  return 0;
}
"""
