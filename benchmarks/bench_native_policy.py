"""The shipped policy deciding inside llc (``-rl4real-model``) against LLVM's greedy, in one run:

1. every corpus program's module (clang-19 -O2 IR), whole llc runs to an object file:
   greedy (plain llc) and the in-process policy (the plugin with the shipped
   ``policy.rlpolicy``), alternated, ``--repeats`` times each; per module the fastest run
   counts (the machine is shared: the minimum is the least disturbed). The plugin's own
   heuristic (no model) is measured the same way for reference. Ratios of the summed times,
   wall clock and CPU (user + system of llc);
2. the multi-file C project of tests/test_cc.py built by its own Makefile (``make -j2``)
   with plain clang (greedy), with ``rl4real cc`` and the shipped policy in-process, and
   with ``rl4real cc`` driving the same policy from Python (its ONNX file, copied where no
   native file sits next to it), every build from scratch, ``--builds`` times each.

    .venv/bin/python benchmarks/bench_native_policy.py --targets x86,aarch64 --repeats 3
    .venv/bin/python benchmarks/bench_native_policy.py --programs 10 --json out.json

Prints a table per part and the load average before and after; writes --json if given.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from agents.inference import shipped_native_model  # noqa: E402
from rl4real_gym.llc import llc_command  # noqa: E402
from rl4real_gym.plugin import plugin_path  # noqa: E402
from rl4real_gym.programs import compile_to_ir  # noqa: E402
from rl4real_gym.targets import get_target  # noqa: E402
from rl4real_gym.tools import tool  # noqa: E402

CORPUS = ROOT / "corpus" / "programs"


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (children's user + system) of one command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def llc_runs(target: str, programs: list[Path], repeats: int, work: Path) -> dict[str, Any]:
    model = shipped_native_model(target)
    if model is None:
        raise SystemExit(f"no shipped native policy for {target}")
    plugin = str(plugin_path())
    tgt = get_target(target)
    kinds = {
        "greedy": lambda ir, out: llc_command(tgt, ir, out, opt_level="-O2", filetype="obj", regalloc="greedy"),
        "policy": lambda ir, out: llc_command(tgt, ir, out, load_plugin=True, opt_level="-O2", filetype="obj",
                                              regalloc="rl4real", options=[f"-rl4real-model={model}"]),
        "heuristic": lambda ir, out: llc_command(tgt, ir, out, load_plugin=True, opt_level="-O2", filetype="obj",
                                                 regalloc="rl4real"),
    }  # fmt: skip
    assert plugin
    rows = []
    for program in programs:
        ir = compile_to_ir(program, target, work / f"{program.stem}.{target}.ll")
        best = {k: [float("inf"), float("inf")] for k in kinds}
        for _ in range(repeats):
            for kind, command in kinds.items():  # alternated, so load changes hit all alike
                wall, cpu = timed(command(ir, work / f"{program.stem}.{kind}.o"))
                best[kind] = [min(best[kind][0], wall), min(best[kind][1], cpu)]
        rows.append({"program": program.stem, **{f"{k}_wall": v[0] for k, v in best.items()},
                     **{f"{k}_cpu": v[1] for k, v in best.items()}})  # fmt: skip
    total = {f"{k}_{m}": sum(r[f"{k}_{m}"] for r in rows) for k in kinds for m in ("wall", "cpu")}
    ratios = [r["policy_wall"] / r["greedy_wall"] for r in rows]
    worst = max(rows, key=lambda r: r["policy_wall"] / r["greedy_wall"])
    return {
        "target": target, "modules": len(rows), "totals": total,
        "policy_vs_greedy_wall": total["policy_wall"] / total["greedy_wall"],
        "policy_vs_greedy_cpu": total["policy_cpu"] / total["greedy_cpu"],
        "heuristic_vs_greedy_wall": total["heuristic_wall"] / total["greedy_wall"],
        "median_module_ratio": statistics.median(ratios),
        "worst_module": worst["program"], "worst_module_ratio": worst["policy_wall"] / worst["greedy_wall"],
        "rows": rows,
    }  # fmt: skip


def wrapper(bindir: Path) -> Path:
    """An ``rl4real-cc`` executable for this checkout (what the console script is)."""
    path = bindir / "rl4real-cc"
    code = "import sys; from agents.commands.cc import main_c; sys.exit(main_c())"
    path.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}${{PYTHONPATH:+:$PYTHONPATH}}" exec "{sys.executable}" '
                    f'-c "{code}" "$@"\n')  # fmt: skip
    path.chmod(0o755)
    return path


def project_builds(builds: int, work: Path) -> dict[str, Any]:
    from test_cc import write_project

    cc = wrapper(work)
    python_model = work / "python-model" / "policy.onnx"  # no policy.rlpolicy next to it: the Python path
    python_model.parent.mkdir()
    shipped = ROOT / "agents" / "models" / "x86"
    shutil.copy(shipped / "policy.onnx", python_model)
    shutil.copy(shipped / "policy.onnx.meta.json", f"{python_model}.meta.json")
    compilers = {
        "clang (greedy)": tool("clang"),
        "rl4real cc, policy in-process": str(cc),
        "rl4real cc, policy from Python": f"{cc} --rl4real-model {python_model}",
    }
    times: dict[str, list[float]] = {name: [] for name in compilers}
    for n in range(builds):
        for name, compiler in compilers.items():
            root = write_project(work / f"project-{n}-{len(times[name])}-{abs(hash(name))}")
            wall, _ = timed(["make", "-C", str(root), "-j2", f"CC={compiler}", "CFLAGS=-O2"])
            times[name].append(wall)
            assert (root / "prog").is_file()
    return {name: {"best": min(t), "all": t} for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--targets", default="x86,aarch64")
    p.add_argument("--programs", type=int, default=0, help="first N corpus programs (0: all)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--builds", type=int, default=2)
    p.add_argument("--no-build", action="store_true", help="skip the Makefile project part")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    programs = sorted(q for q in CORPUS.glob("*.c") if q.with_suffix(".expected").exists())
    if args.programs:
        programs = programs[: args.programs]
    result: dict[str, Any] = {"load_before": os.getloadavg(), "started": time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                                                                       time.gmtime())}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-native-") as tmp:
        work = Path(tmp)
        result["llc"] = [llc_runs(t, programs, args.repeats, work) for t in args.targets.split(",")]
        if not args.no_build:
            result["build"] = project_builds(args.builds, work)
    result["load_after"] = os.getloadavg()
    print(f"load average before {result['load_before'][0]:.2f}, after {result['load_after'][0]:.2f} "
          f"(started {result['started']})")  # fmt: skip
    print(f"{'target':<8} {'modules':>7} {'greedy s':>9} {'policy s':>9} {'policy/greedy':>13} {'cpu ratio':>9} "
          f"{'heuristic/greedy':>16} {'median module':>13} {'worst module':>24}")  # fmt: skip
    for r in result["llc"]:
        t = r["totals"]
        worst = f"{r['worst_module']} {r['worst_module_ratio']:.2f}"
        print(f"{r['target']:<8} {r['modules']:>7} {t['greedy_wall']:>9.2f} {t['policy_wall']:>9.2f} "
              f"{r['policy_vs_greedy_wall']:>13.2f} {r['policy_vs_greedy_cpu']:>9.2f} "
              f"{r['heuristic_vs_greedy_wall']:>16.2f} {r['median_module_ratio']:>13.2f} "
              f"{worst:>24}")  # fmt: skip
    for name, b in result.get("build", {}).items():
        print(f"make -j2 (3 sources, a static library, a link) with {name}: best {b['best']:.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in b['all'])})")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
