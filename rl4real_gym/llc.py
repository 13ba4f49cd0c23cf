"""Every llc command line the package runs is built here: the LLVM allocators'
baselines and their measurements, rl4real allocations (the driver's sessions, their
options shared with the allocation server), code generation of programs and the
dataset's MIR counts. Options follow one order: ``-load`` (it must precede the plugin's
options and ``-regalloc=rl4real``), optimisation level, the target's options, file type,
allocator, verifier, stop point, pass to run, the caller's options, then input and
output."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rl4real_gym.plugin import plugin_path
from rl4real_gym.targets import Target
from rl4real_gym.tools import tool


def llc_options(
    target: Target | None = None,
    *,
    opt_level: str | None = None,
    filetype: str | None = None,
    regalloc: str | None = None,
    verify: bool = False,
    stop_after: str | None = None,
    stop_before: str | None = None,
    run_pass: str | None = None,
    options: Sequence[str] = (),
) -> list[str]:
    """llc's options (no executable, no input or output): what both allocation hosts
    (llc with the plugin, the allocation server) take."""
    out: list[str] = []
    if opt_level:
        out.append(opt_level)
    if target is not None:
        out += target.llc_args
    if filetype:
        out.append(f"-filetype={filetype}")
    if regalloc:
        out.append(f"-regalloc={regalloc}")
    if verify:
        out.append("-verify-machineinstrs")
    if stop_after:
        out.append(f"-stop-after={stop_after}")
    if stop_before:
        out.append(f"-stop-before={stop_before}")
    if run_pass:
        out.append(f"-run-pass={run_pass}")
    return [*out, *options]


def llc_command(
    target: Target | None = None,
    module: str | Path | None = None,
    output: str | Path | None = None,
    *,
    load_plugin: bool = False,
    opt_level: str | None = None,
    filetype: str | None = None,
    regalloc: str | None = None,
    verify: bool = False,
    stop_after: str | None = None,
    stop_before: str | None = None,
    run_pass: str | None = None,
    options: Sequence[str] = (),
) -> list[str]:
    """``llc-19`` (or ``RL4REAL_LLC``) with ``-load <plugin>`` when asked, the
    :func:`llc_options`, then ``module -o output`` when a module is given (output
    default: stdout)."""
    cmd = [tool("llc")]
    if load_plugin:
        cmd += ["-load", str(plugin_path())]
    cmd += llc_options(target, opt_level=opt_level, filetype=filetype, regalloc=regalloc, verify=verify,
                       stop_after=stop_after, stop_before=stop_before, run_pass=run_pass, options=options)  # fmt: skip
    if module is not None:
        cmd += [str(module), "-o", str(output if output is not None else "-")]
    return cmd
