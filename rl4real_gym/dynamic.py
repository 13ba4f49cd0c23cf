"""Dynamic counts of real programs: what an allocation costs when the program runs.

x86-64 executables run under valgrind's cachegrind with its cache simulation on. One run is
deterministic (no timing noise) and gives the three counts: instructions executed (Ir),
data reads (Dr) and data writes (Dw). They are given for the whole run (loader and libc
included: what the program pays) and for the program's own functions only (the code the
allocator compiled; libc and the loader are the same binaries in every build). Lackey
would count the same accesses about ten times slower.

AArch64 executables run under qemu-user, which here cannot count: Debian 12's
``qemu-aarch64-static`` (7.2) is a static build without TCG plugin support (it has no
``-plugin`` option), and valgrind does not run foreign binaries. :data:`NO_AARCH64_COUNTS`
says so; their output is still checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rl4real_gym.driver.process import run_guarded
from rl4real_gym.errors import ToolNotFoundError
from rl4real_gym.targets import Target, get_target

COUNTED = ("Ir", "Dr", "Dw")
NO_AARCH64_COUNTS = (
    "no dynamic counts on AArch64: Debian 12's qemu-aarch64-static (7.2) is built without TCG "
    "plugins (no -plugin option), and valgrind runs only host binaries; outputs are still checked"
)


@dataclass(frozen=True)
class DynamicRun:
    """One run of a program: its output and, where the target can count, its counts."""

    stdout: str
    returncode: int
    timed_out: bool
    counts: dict[str, int] | None = None  # COUNTED over the whole run
    own_counts: dict[str, int] | None = None  # COUNTED in the program's own functions

    @property
    def accesses(self) -> int | None:
        return None if self.counts is None else self.counts["Dr"] + self.counts["Dw"]

    @property
    def own_accesses(self) -> int | None:
        return None if self.own_counts is None else self.own_counts["Dr"] + self.own_counts["Dw"]


def can_count(target: str | Target) -> bool:
    """Whether :func:`run_counted` gives counts for the target's programs (x86-64 under valgrind)."""
    return get_target(target).name == "x86"


def own_functions(exe: str | Path) -> set[str]:
    """The functions defined in the executable itself (its text symbols)."""
    nm = shutil.which("nm") or shutil.which("llvm-nm-19")
    if nm is None:
        raise ToolNotFoundError("nm is not installed (binutils); run `bash scripts/setup.sh`")
    proc = run_guarded([nm, "--defined-only", str(exe)], capture_output=True, text=True, timeout=60)
    names = set()
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            names.add(parts[2])
    return names


def parse_cachegrind(text: str, own: set[str] | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """The COUNTED totals of a cachegrind output file, over the whole run and over the
    functions in ``own``. Raises ValueError when the file lacks the counted events."""
    events: list[str] = []
    total = dict.fromkeys(COUNTED, 0)
    mine = dict.fromkeys(COUNTED, 0)
    summary: dict[str, int] | None = None
    in_own = False
    for line in text.splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
            missing = [e for e in COUNTED if e not in events]
            if missing:
                raise ValueError(f"cachegrind output has no {', '.join(missing)} (was --cache-sim=yes given?)")
        elif line.startswith("fn="):
            in_own = own is not None and line[3:] in own
        elif line.startswith("summary:"):
            values = [int(v) for v in line.split()[1:]]
            summary = {e: values[events.index(e)] if events.index(e) < len(values) else 0 for e in COUNTED}
        elif line[:1].isdigit() and events:
            values = line.split()[1:]  # the first number is the source line
            for e in COUNTED:
                i = events.index(e)
                v = int(values[i]) if i < len(values) else 0
                total[e] += v
                if in_own:
                    mine[e] += v
    if not events:
        raise ValueError("not a cachegrind output file (no events line)")
    return (summary if summary is not None else total), mine


def run_counted(exe: str | Path, target: str | Target, *, timeout: float = 600.0) -> DynamicRun:
    """Runs the executable once and captures its output: x86-64 under cachegrind (with the
    counts), AArch64 under qemu-user (output only: see :data:`NO_AARCH64_COUNTS`)."""
    tgt = get_target(target)
    env = {**os.environ, "LC_ALL": "C"}
    if not can_count(tgt):
        from rl4real_gym.programs import run  # the one way programs of other targets are run

        result = run(exe, tgt, timeout=timeout)
        return DynamicRun(result.stdout, result.returncode, result.timed_out)
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise ToolNotFoundError("valgrind is not installed; run `bash scripts/setup.sh`")
    with tempfile.TemporaryDirectory(prefix="rl4real-cachegrind-") as tmp:
        out = Path(tmp) / "cachegrind.out"
        cmd = [valgrind, "--tool=cachegrind", "--cache-sim=yes", f"--cachegrind-out-file={out}",
               "--log-fd=2", "-q", str(exe)]  # fmt: skip
        try:
            proc = run_guarded(cmd, capture_output=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as err:
            return DynamicRun(err.stdout.decode(errors="replace") if err.stdout else "", -1, True)
        stdout = proc.stdout.decode(errors="replace")
        if not out.exists():
            stderr = proc.stderr.decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"valgrind wrote no counts for {exe}: {stderr[-1] if stderr else 'no output'}")
        counts, own = parse_cachegrind(out.read_text(), own_functions(exe))
    return DynamicRun(stdout, proc.returncode, False, counts, own)
