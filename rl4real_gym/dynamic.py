"""Dynamic counts of real programs: what an allocation costs when the program runs.

x86-64 executables run under valgrind's cachegrind with its cache simulation on. One run is
deterministic (no timing noise) and gives the three counts: instructions executed (Ir),
data reads (Dr) and data writes (Dw). They are given for the whole run (loader and libc
included: what the program pays) and for the program's own functions only (the code the
allocator compiled; libc and the loader are the same binaries in every build). Lackey
would count the same accesses about ten times slower.

AArch64 executables run under qemu-user, which cannot load counting plugins here: Debian
12's ``qemu-aarch64-static`` (7.2) is a static build without TCG plugin support (no
``-plugin`` option), and valgrind runs only host binaries. What qemu can do is log
(``-d in_asm,exec,nochain``) every translation block it translates, with its guest
instructions, and every execution of a block (chaining off, so none is skipped). Streamed
through a pipe and joined, that gives the instructions executed (exact: a block runs to its
end in user mode, the exceptions being signals and faults, which these programs do not
take) and the load and store *instructions* executed (mnemonics ``ld*``/``st*``: an ``ldp``
counts one read, where cachegrind counts data accesses of x86 instructions). The run is
several times slower than a plain qemu run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from rl4real_gym.driver.process import run_guarded
from rl4real_gym.errors import ToolNotFoundError
from rl4real_gym.targets import Target, get_target
from rl4real_gym.tools import tool

COUNTED = ("Ir", "Dr", "Dw")
QEMU_COUNTS_NOTE = (
    "AArch64 counts come from qemu's translation-block trace (Debian 12's qemu-aarch64-static has no "
    "TCG plugins): instructions exact; Dr+Dw are load and store instructions (an ldp counts once)"
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
    """Whether :func:`run_counted` gives counts for the target's programs (x86-64 under
    valgrind, AArch64 under qemu-user's trace)."""
    return get_target(target).name in ("x86", "aarch64")


def own_functions(exe: str | Path) -> set[str]:
    """The functions defined in the executable itself (its text symbols), for any target."""
    proc = run_guarded([tool("llvm-nm"), "--defined-only", str(exe)], capture_output=True, text=True, timeout=60)
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


_TRACE_OR_BLOCK = re.compile(
    rb"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/|^IN: ?([^\n]*)\n((?:0x[^\n]*\n)+)", re.M
)


class QemuTrace:
    """Joins qemu's ``-d in_asm,exec,nochain`` log, fed in chunks, into counts: each block's
    instructions, loads and stores at translation (``IN:``), times its executions
    (``Trace``). A block translated again replaces the old one from then on."""

    def __init__(self, own: set[str]) -> None:
        self.own = own
        self.blocks: list[tuple[int, int, int, bool]] = []  # instructions, loads, stores, own
        self.executions: list[int] = []
        self.current: dict[int, int] = {}  # guest pc -> index of its current block
        self.unknown = 0  # executions of a block whose translation was not seen
        self._rest = b""

    def feed(self, chunk: bytes) -> None:
        data = self._rest + chunk
        end = data.rfind(b"\n") + 1  # whole lines only, and a block only when it is whole:
        block = data.rfind(b"----------------\n", 0, end)  # its lines end with a blank line
        if block >= 0 and data.find(b"\n\n", block, end) < 0:
            end = block
        self._rest = data[end:]
        self._parse(data[:end])

    def close(self) -> None:
        self._parse(self._rest)
        self._rest = b""

    def _parse(self, data: bytes) -> None:
        current, executions = self.current, self.executions
        for match in _TRACE_OR_BLOCK.finditer(data):
            pc = match.group(1)
            if pc is not None:
                index = current.get(int(pc, 16))
                if index is None:
                    self.unknown += 1
                else:
                    executions[index] += 1
                continue
            lines = match.group(3).splitlines()
            loads = stores = 0
            for line in lines:
                parts = line.split(None, 3)
                mnemonic = parts[2] if len(parts) > 2 else b""
                loads += mnemonic.startswith(b"ld")
                stores += mnemonic.startswith(b"st")
            name = match.group(2).strip().decode(errors="replace")
            current[int(lines[0].split(b":", 1)[0], 16)] = len(self.blocks)
            self.blocks.append((len(lines), loads, stores, name in self.own))
            executions.append(0)

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """COUNTED over the whole run and over the blocks of the program's own functions."""
        total = dict.fromkeys(COUNTED, 0)
        mine = dict.fromkeys(COUNTED, 0)
        for (size, loads, stores, own), times in zip(self.blocks, self.executions, strict=True):
            for counts in (total, mine) if own else (total,):
                counts["Ir"] += size * times
                counts["Dr"] += loads * times
                counts["Dw"] += stores * times
        return total, mine


def _run_qemu_traced(exe: Path, tgt: Target, timeout: float, env: dict[str, str]) -> DynamicRun:
    qemu = tgt.run_prefix[0] if tgt.run_prefix else ""
    if not qemu or shutil.which(qemu) is None:
        raise ToolNotFoundError(f"{qemu or 'qemu-user'} is not installed; run `bash scripts/setup.sh`")
    trace = QemuTrace(own_functions(exe))
    with tempfile.TemporaryDirectory(prefix="rl4real-qemu-trace-") as tmp:
        fifo = Path(tmp) / "trace"
        os.mkfifo(fifo)
        errors: list[BaseException] = []

        def read() -> None:
            try:
                with open(fifo, "rb") as f:
                    while chunk := f.read(1 << 22):
                        trace.feed(chunk)
                trace.close()
            except BaseException as err:  # reported by the caller
                errors.append(err)

        reader = threading.Thread(target=read, name="qemu-trace", daemon=True)
        reader.start()
        cmd = [*tgt.run_prefix, "-d", "in_asm,exec,nochain", "-D", str(fifo), str(exe)]
        timed_out = False
        try:
            proc = run_guarded(cmd, capture_output=True, timeout=timeout, env=env)
            stdout, returncode = proc.stdout.decode(errors="replace"), proc.returncode
        except subprocess.TimeoutExpired as err:
            stdout, returncode, timed_out = (err.stdout.decode(errors="replace") if err.stdout else ""), -1, True
        finally:
            # A qemu that never opened the pipe must not leave the reader waiting (if the
            # reader is gone already, qemu opened and closed the pipe and this fails).
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            reader.join()
    if errors:
        raise RuntimeError(f"reading qemu's trace of {exe} failed: {errors[0]}")
    if timed_out:
        return DynamicRun(stdout, returncode, True)
    if not trace.blocks or trace.unknown:
        raise RuntimeError(f"qemu's trace of {exe} is incomplete ({len(trace.blocks)} blocks, "
                           f"{trace.unknown} executions of unknown blocks)")  # fmt: skip
    counts, own = trace.counts()
    return DynamicRun(stdout, returncode, False, counts, own)


def run_counted(exe: str | Path, target: str | Target, *, timeout: float = 600.0, count: bool = True) -> DynamicRun:
    """Runs the executable once and captures its output, with its counts unless ``count``
    is false: x86-64 under cachegrind, AArch64 under qemu-user's trace."""
    tgt = get_target(target)
    env = {**os.environ, "LC_ALL": "C"}
    if not count or not can_count(tgt):
        from rl4real_gym.programs import run  # the one way programs are run without counting

        result = run(exe, tgt, timeout=timeout)
        return DynamicRun(result.stdout, result.returncode, result.timed_out)
    if tgt.run_prefix:
        return _run_qemu_traced(Path(exe), tgt, timeout, env)
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
