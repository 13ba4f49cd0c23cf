"""Build a real executable whose register allocation is decided by a trained policy
(RL4ReAl's inference flow): C sources -> LLVM IR (clang-19 -O2) -> llc-19 with the
rl4real plugin, every function's decisions taken by the policy (the plugin's heuristic
finishes only what the policy is not asked about) under -verify-machineinstrs -> link.

Without --model (and without MODEL_PATH) the policy shipped for the target allocates
(agents/models/<target>/policy.onnx, when there is one); with --model none, or for a
target without one, the plugin's own heuristic.
AArch64 executables run with: qemu-aarch64-static -L /usr/aarch64-linux-gnu ./prog
RISC-V 64 executables run with: qemu-riscv64-static -L /usr/riscv64-linux-gnu ./prog
"""

from __future__ import annotations

import argparse

from rl4real_gym.targets import TARGETS

HELP = "compile C programs with a trained policy allocating registers"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", help="C/C++ source files or LLVM IR (.ll/.bc)")
    p.add_argument("-o", "--output", required=True, help="executable to write")
    p.add_argument("--target", default=None, help=f"{', '.join(TARGETS)} (default: the model's, else x86)")
    p.add_argument("--model", default=None,
                   help="trained model (.zip/.pt/.onnx); default: MODEL_PATH, else the policy shipped for the "
                        "target (agents/models/<target>/), else none; none: the plugin's heuristic")  # fmt: skip
    p.add_argument("--opt", default="-O2", help="clang optimisation level for C sources (default -O2)")
    p.add_argument("--keep", default=None, help="directory to keep the IR and assembly in")
    p.add_argument("--no-verify", action="store_true", help="skip -verify-machineinstrs")


def run(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    from agents.inference import load_policy, resolve_model
    from rl4real_gym.programs import codegen, compile_to_ir, link
    from rl4real_gym.targets import get_target

    model = resolve_model(args.model, args.target)
    policy = load_policy(model, args.target) if model else None
    target = get_target(args.target or (policy.meta.target if policy else "x86"))
    with tempfile.TemporaryDirectory(prefix="rl4real-compile-") as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        asm_files = []
        total_agent = total_cost = 0.0
        for i, src in enumerate(map(Path, args.sources)):
            stem = f"{i}_{src.stem}"
            ir = src if src.suffix in (".ll", ".bc") else compile_to_ir(src, target, work / f"{stem}.ll",
                                                                       opt_level=args.opt)  # fmt: skip
            asm = work / f"{stem}.s"
            figures = codegen(ir, target, asm, regalloc="rl4real", policy=policy, verify=not args.no_verify)
            total_agent += sum(f.agent_decisions for f in figures.values())
            total_cost += sum(f.weighted_cost for f in figures.values())
            asm_files.append(asm)
        link(asm_files, target, args.output)
    who = f"policy {model}" if policy else "the plugin's heuristic"
    detail = f": {int(total_agent)} decisions by the policy, weighted spill cost {total_cost:.1f}" if policy else ""
    print(f"built {args.output} for {target.name} with registers allocated by {who}{detail}")
    return 0
