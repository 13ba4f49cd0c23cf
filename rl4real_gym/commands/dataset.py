"""Build or inspect datasets of one-function LLVM IR modules.

``rl4real dataset build`` compiles C/C++ sources (or takes .ll/.bc files as they are, or
generates csmith programs), extracts one module per defined function, measures each
(sizes, interference graph, LLVM greedy's figures) and writes ``<out>/manifest.jsonl`` +
``<out>/modules/``. It resumes where a previous build into the same --out stopped, and
extends an existing dataset with new inputs. ``rl4real dataset stats`` prints a dataset's
statistics as Markdown tables. ``rl4real dataset remeasure`` measures the interference
graphs of an existing dataset again after a plugin change altered them.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rl4real_gym.targets import TARGETS

HELP = "build a dataset of one-function IR modules (or print a dataset's statistics)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    b = sub.add_parser("build", help="build or extend a dataset", description=__doc__)
    b.add_argument("--target", required=True, choices=list(TARGETS))
    b.add_argument("--source", action="append", type=Path, default=[], metavar="DIR",
                   help="directory of C/C++ sources and/or .ll/.bc files (repeatable)")  # fmt: skip
    b.add_argument("--csmith", type=int, default=0, metavar="N", help="also generate N csmith programs")
    b.add_argument("--csmith-seed-start", type=int, default=1, metavar="S", help="first csmith seed (default: 1)")
    b.add_argument("--out", required=True, type=Path, metavar="DIR", help="dataset directory to create or extend")
    b.add_argument("--opt-levels", default="O2", metavar="LIST",
                   help="clang levels for C/C++ sources, e.g. O1,O2,O3 (default: O2)")  # fmt: skip
    b.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="parallel processes (default: all cores)")  # fmt: skip
    b.add_argument("--min-nodes", type=int, default=1, metavar="K",
                   help="leave out functions with fewer interference-graph nodes (default: 1)")  # fmt: skip
    b.add_argument("--no-progress", action="store_true", help="no progress bars")
    r = sub.add_parser("remeasure", help="measure the functions' interference graphs again (after a plugin change)")
    r.add_argument("--target", required=True, choices=list(TARGETS))
    r.add_argument("--data", type=Path, default=None, help="dataset directory (default: DATA_DIR or envs_data)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    s = sub.add_parser("stats", help="print a dataset's statistics (Markdown)")
    s.add_argument("--target", required=True, choices=list(TARGETS))
    s.add_argument("--data", type=Path, default=None, help="dataset directory (default: DATA_DIR or envs_data)")


def run(args: argparse.Namespace) -> int:
    return {"build": run_build, "remeasure": run_remeasure, "stats": run_stats}[args.action](args)


def run_remeasure(args: argparse.Namespace) -> int:
    from rl4real_gym.dataset.builder import remeasure_graphs
    from rl4real_gym.dataset.manifest import resolve_dataset_dir
    from rl4real_gym.targets import get_target

    target = get_target(args.target)
    root = resolve_dataset_dir(target, args.data)
    total, changed = remeasure_graphs(root, target, progress=not args.no_progress)
    print(f"{root}: measured {total} functions again; {changed} interference graphs changed size")
    return 0


def run_build(args: argparse.Namespace) -> int:
    import sys

    from rl4real_gym.dataset.builder import BuildOptions, build_dataset
    from rl4real_gym.dataset.naming import parse_opt_levels
    from rl4real_gym.errors import DatasetError
    from rl4real_gym.targets import get_target

    if not args.source and args.csmith <= 0:
        raise DatasetError("nothing to build from: give --source DIR and/or --csmith N")
    if args.jobs < 1 or args.min_nodes < 0 or args.csmith < 0:
        raise DatasetError("--jobs must be at least 1, --min-nodes and --csmith at least 0")
    try:
        levels = parse_opt_levels(args.opt_levels)
    except ValueError as err:
        raise DatasetError(str(err)) from err
    options = BuildOptions(
        target=get_target(args.target), out=args.out, sources=tuple(args.source), csmith=args.csmith,
        csmith_seed_start=args.csmith_seed_start, opt_levels=levels, jobs=args.jobs, min_nodes=args.min_nodes,
        progress=not args.no_progress,
    )  # fmt: skip
    report = build_dataset(options)
    print(report.summary(), file=sys.stderr if report.problems else sys.stdout)
    return 1 if report.problems else 0


def run_stats(args: argparse.Namespace) -> int:
    from rl4real_gym.dataset.loading import load_dataset
    from rl4real_gym.dataset.stats import markdown_stats

    dataset = load_dataset(args.target, args.data)
    print(markdown_stats(dataset))
    return 0
