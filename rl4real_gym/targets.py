"""The supported targets and how llc and clang are invoked for each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rl4real_gym.errors import TargetMismatchError, UnknownTargetError


@dataclass(frozen=True)
class Target:
    """A code-generation target.

    ``num_colours`` is the size of the plugin's colour table for this target (the
    physical registers of the general-purpose and FP/vector classes); the plugin
    reports its table at the start of every session and the driver checks it.
    ``allocated_after`` is the ``-stop-after`` pass whose MIR is wholly allocated:
    RISC-V allocates its vector registers first, in a pass of its own with its own
    rewriter, so there it is the second rewriter.
    """

    name: str
    triple: str
    num_colours: int
    clang_args: tuple[str, ...]
    llc_args: tuple[str, ...]
    run_prefix: tuple[str, ...]
    link_cmd: tuple[str, ...]
    allocated_after: str = "virtregrewriter"


X86 = Target(
    name="x86",
    triple="x86_64-linux-gnu",
    num_colours=165,  # GR8/16/32/64 (incl. APX R16-R31, masked unless +egpr), XMM0-15, YMM0-15
    clang_args=("--target=x86_64-linux-gnu",),
    llc_args=("-mtriple=x86_64-linux-gnu", "-relocation-model=pic"),
    run_prefix=(),
    link_cmd=("clang-19", "--target=x86_64-linux-gnu"),
)

AARCH64 = Target(
    name="aarch64",
    triple="aarch64-linux-gnu",
    num_colours=224,  # W0-30, X0-28/FP/LR/XZR..., B/H/S/D/Q 0-31
    clang_args=("--target=aarch64-linux-gnu", "--sysroot=/usr/aarch64-linux-gnu"),
    llc_args=("-mtriple=aarch64-linux-gnu", "-relocation-model=pic"),
    run_prefix=("qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"),
    link_cmd=("aarch64-linux-gnu-gcc",),
)

RISCV64 = Target(
    name="riscv64",
    triple="riscv64-linux-gnu",
    num_colours=128,  # X0-31 (X0 and the reserved ones never free), F0-31 as H/F/D
    clang_args=("--target=riscv64-linux-gnu", "--sysroot=/usr/riscv64-linux-gnu", "-march=rv64gc", "-mabi=lp64d"),
    llc_args=("-mtriple=riscv64-linux-gnu", "-mattr=+m,+a,+f,+d,+c", "-target-abi=lp64d", "-relocation-model=pic"),
    run_prefix=("qemu-riscv64-static", "-L", "/usr/riscv64-linux-gnu"),
    link_cmd=("riscv64-linux-gnu-gcc",),
    allocated_after="virtregrewriter,1",  # 0-based instance: the scalar allocation's rewriter
)

TARGETS: dict[str, Target] = {"x86": X86, "aarch64": AARCH64, "riscv64": RISCV64}
ALIASES = {
    "x86": "x86", "x86_64": "x86", "x86-64": "x86", "aarch64": "aarch64", "arm64": "aarch64",
    "riscv64": "riscv64", "riscv": "riscv64", "rv64": "riscv64", "rv64gc": "riscv64",
}  # fmt: skip


def get_target(name: str | Target) -> Target:
    """Returns the target called ``name`` (x86, x86_64, aarch64, arm64, riscv64, rv64)."""
    if isinstance(name, Target):
        return name
    key = ALIASES.get(str(name).lower())
    if key is None:
        raise UnknownTargetError(f"unknown target {name!r}; supported targets are: {', '.join(TARGETS)}")
    return TARGETS[key]


_TRIPLE = re.compile(rb'^target triple = "([^"]*)"', re.M)


def module_triple(module: str | Path) -> str | None:
    """The target triple of a textual IR module, or None (bitcode, or no triple)."""
    with open(module, "rb") as f:
        head = f.read(1 << 16)
    if head.startswith(b"BC") or head.startswith(b"\xde\xc0\x17\x0b"):
        return None
    match = _TRIPLE.search(head)
    return match.group(1).decode() if match else None


def check_module_target(module: str | Path, target: Target) -> None:
    """Raises TargetMismatchError if ``module`` names a triple of another architecture."""
    triple = module_triple(module)
    if triple is None:
        return
    arch = triple.split("-", 1)[0]
    if arch != target.triple.split("-", 1)[0]:
        raise TargetMismatchError(
            f"{module} was compiled for {triple}, not for {target.name} ({target.triple}); "
            f"rebuild it with --target={target.triple} or use the matching environment"
        )
