"""Building and running real programs: C -> LLVM IR -> (any allocator) -> executable.

AArch64 and RISC-V 64 executables run under qemu-user (the target's ``run_prefix``). These functions are what
``rl4real compile``, the differential tests and the fuzzer are made of.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rl4real_gym.driver.policies import Policy, drive, policy_limits
from rl4real_gym.driver.process import run_guarded
from rl4real_gym.driver.session import LlcSession, SessionLimits
from rl4real_gym.driver.state import AllocationFigures
from rl4real_gym.errors import LlcCrashedError, LlcTimeoutError, RL4ReAlError, ToolNotFoundError
from rl4real_gym.llc import llc_command
from rl4real_gym.targets import Target, get_target
from rl4real_gym.tools import tool

# Same floating-point results on both targets (no FMA contraction).
CLANG_FLAGS = ("-ffp-contract=off", "-w")


class BuildError(RL4ReAlError):
    """A compile or link step failed; the message holds the tool's output."""


@dataclass(frozen=True)
class RunResult:
    stdout: str
    returncode: int
    timed_out: bool


def _check(cmd: Sequence[str], what: str, timeout: float = 600.0) -> None:
    try:
        proc = run_guarded(list(cmd), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise BuildError(f"{what} timed out after {timeout} s") from err
    except FileNotFoundError as err:
        raise ToolNotFoundError(f"{cmd[0]} is not installed; run `bash scripts/setup.sh`") from err
    if proc.returncode != 0:
        raise BuildError(f"{what} failed ({' '.join(cmd)}):\n{proc.stderr[-3000:]}")


def compile_to_ir(
    source: str | Path, target: str | Target, out: str | Path, *, opt_level: str = "-O2",
    extra_args: Sequence[str] = (),
) -> Path:  # fmt: skip
    """``clang -S -emit-llvm`` for the target."""
    tgt = get_target(target)
    out = Path(out)
    cmd = [tool("clang"), *tgt.clang_args, opt_level, *CLANG_FLAGS, "-S", "-emit-llvm", *extra_args,
           str(source), "-o", str(out)]  # fmt: skip
    _check(cmd, f"compiling {source} to LLVM IR")
    return out


def codegen(
    ir: str | Path,
    target: str | Target,
    out: str | Path,
    *,
    regalloc: str = "greedy",
    policy: Policy | None = None,
    verify: bool = True,
    limits: SessionLimits | None = None,
    filetype: str = "asm",
    opt_level: str = "-O2",
    options: Sequence[str] = (),
) -> dict[str, AllocationFigures]:
    """Generates code for ``ir`` with ``regalloc`` at llc's ``opt_level``, with llc
    ``options`` added (e.g. ``-function-sections``).

    ``regalloc="rl4real"`` with a ``policy`` drives every decision through the
    protocol, within ``limits`` (default: the policy's own, see ``policy_limits``);
    without a policy the plugin's own heuristic allocates. Returns the rl4real
    figures per function (empty for LLVM's allocators).
    """
    tgt = get_target(target)
    if regalloc == "rl4real" and policy is not None:
        limits = limits if limits is not None else policy_limits(policy)
        with LlcSession(ir, tgt, output=out, verify=verify, limits=limits, filetype=filetype, opt_level=opt_level,
                        extra_args=tuple(options)) as s:  # fmt: skip
            return drive(s, policy).figures
    cmd = llc_command(tgt, ir, out, load_plugin=regalloc == "rl4real", opt_level=opt_level, filetype=filetype,
                      regalloc=regalloc, verify=verify, options=options)  # fmt: skip
    try:
        proc = run_guarded(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired as err:
        raise LlcTimeoutError(f"llc -regalloc={regalloc} timed out on {ir}") from err
    if proc.returncode != 0:
        raise LlcCrashedError(f"llc -regalloc={regalloc} failed on {ir}", proc.stderr, proc.returncode)
    return {}


def link(objects: Sequence[str | Path], target: str | Target, exe: str | Path) -> Path:
    """Links assembly/object files with libc and libm into an executable."""
    tgt = get_target(target)
    driver = tgt.link_cmd[0]
    if shutil.which(driver) is None and driver.startswith("clang"):
        driver = tool("clang")
    cmd = [driver, *tgt.link_cmd[1:], *map(str, objects), "-o", str(exe), "-lm"]
    _check(cmd, f"linking {exe}")
    return Path(exe)


def run(exe: str | Path, target: str | Target, *, timeout: float = 60.0) -> RunResult:
    """Runs an executable (AArch64 under qemu-user) and captures its output."""
    tgt = get_target(target)
    if tgt.run_prefix and shutil.which(tgt.run_prefix[0]) is None:
        raise ToolNotFoundError(f"{tgt.run_prefix[0]} is not installed; run `bash scripts/setup.sh`")
    try:
        proc = run_guarded(  # a program that loops must not outlive a killed caller
            [*tgt.run_prefix, str(exe)], capture_output=True, timeout=timeout, env={**os.environ, "LC_ALL": "C"}
        )
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode(errors="replace") if err.stdout else ""
        return RunResult(out, -1, True)
    return RunResult(proc.stdout.decode(errors="replace"), proc.returncode, False)


def build_program(
    source: str | Path,
    target: str | Target,
    exe: str | Path,
    *,
    regalloc: str = "greedy",
    policy: Policy | None = None,
    workdir: str | Path | None = None,
    verify: bool = True,
) -> dict[str, AllocationFigures]:
    """C source -> executable with the chosen allocator; returns rl4real's figures."""
    exe = Path(exe)
    work = Path(workdir) if workdir is not None else exe.parent
    work.mkdir(parents=True, exist_ok=True)
    stem = exe.name
    ir = compile_to_ir(source, target, work / f"{stem}.ll")
    asm = work / f"{stem}.s"
    figures = codegen(ir, target, asm, regalloc=regalloc, policy=policy, verify=verify)
    link([asm], target, exe)
    return figures
