"""Compare a trained policy with the random and heuristic agents and with LLVM's greedy,
basic, fast and pbqp allocators on held-out functions, all measured alike
(block-frequency-weighted 4 x reloads + spills + 0.2 x copies).

Prints a table (per allocator: geomean of (cost+1)/(greedy+1), wins/ties/losses against
greedy, total and mean cost, spills, reloads, failed) and writes to --out: summary.csv,
functions.csv, cost_vs_greedy.png and, when the model's run directory has episodes.csv,
learning_curve.png.

Every function of the split has a row per allocator. Agents play in an env of the
policy's layout (without a model: --max-nodes, --max-edges); a function above it is played
by the hint-aware heuristic agent in an env large enough for every function of the split,
flagged in functions.csv's ``fallback`` column and counted in the table's ``by-heur``
column (and summary.csv's ``fallback``). The heuristic agent's own rows on those functions
are its own (the same agent at a larger size), so they are not flagged.

``--agents search`` adds the rollout search over ``env.fork()`` guided by the heuristic
(agents/algorithms/search.py), with its budget: ``--search-width`` candidates per decision,
``--search-budget`` rollouts per function (and optionally ``--search-seconds``). It prints
its budget and wall time, and writes search.csv (rollouts, improvements, heuristic's and
search's cost, seconds per function).

``--agents optimum`` adds the exact floor of ``agents.algorithms.optimum``: on functions of
at most --optimum-max-nodes nodes, the optimum of an integer program over colour and spill
choices (spill estimates and copy costs), solved by HiGHS within --optimum-time-limit
seconds per function and replayed through the env. Larger or unsolved functions are its
failed rows. A second table compares every allocator with it on the functions it solved,
and optimum.csv has the model's side per function.

Every cost is also given with the callee-saved save/restore cost (measured after
prologue/epilogue insertion: 1 x saves + 4 x restores, block-frequency weighted) added to
both sides: the table's ``geomean +CSR`` and ``total +CSR`` columns, summary.csv's
``*_with_csr`` and functions.csv's ``csr_cost`` and ``greedy_csr_cost``.

``--programs`` instead builds the corpus programs (``corpus/programs``, or the comma list
given) with each of --program-allocators, runs each build once and checks its output
against ``.expected``. On x86-64 the run is under valgrind's cachegrind, which counts
instructions executed (Ir) and data reads and writes (Dr + Dw). On AArch64 it is under
qemu-user with its translation-block trace (Debian 12's qemu-aarch64-static has no TCG
plugins), which counts instructions executed and load and store instructions (several times
slower than a plain run; --no-counts only checks outputs). It prints a per-program table of
each build's counts over the greedy build's (held-out programs, whose functions are all
outside the training split, marked *) and the geomeans, and writes programs.csv,
programs_summary.csv and programs_vs_greedy.png. Builds and runs are sequential; the 73
programs with the 4 default allocators took 3.6 minutes on x86 (2 cores, load average
1.7-3.3).

An LLVM allocator that crashes, hangs (past --baseline-timeout) or fails the verifier on
a function costs only that function: functions.csv gives the reason in its failure
column, the table counts it as failed, and that allocator's geomean and totals cover the
functions it completed.
"""

from __future__ import annotations

import argparse

from rl4real_gym.targets import TARGETS

HELP = "compare a policy with random, heuristic and LLVM's allocators on held-out functions"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from rl4real_gym.baselines import LLC_TIMEOUT

    p.add_argument("--model", help="trained model (.zip/.pt/.onnx); default: MODEL_PATH, else the policy shipped for "
                   "the target (agents/models/<target>/), else none; none: baselines only")  # fmt: skip
    p.add_argument("--target", default=None, help=f"{', '.join(TARGETS)} (default: the model's)")
    p.add_argument("--split", default="test", help="dataset split: train, validation, test or all")
    p.add_argument("--data", default=None, help="dataset directory (default: DATA_DIR or envs_data)")
    p.add_argument(
        "--agents",
        default="random,heuristic",
        help="baseline agents to include (comma list of random, heuristic, first-free, search, optimum)",
    )
    p.add_argument("--optimum-max-nodes", type=int, default=40, metavar="N",
                   help="optimum: largest function (agent nodes) it solves (default: 40)")  # fmt: skip
    p.add_argument("--optimum-time-limit", type=float, default=10.0, metavar="SEC",
                   help="optimum: HiGHS time limit per function (default: 10)")  # fmt: skip
    p.add_argument("--optimum-callee-saved", action="store_true",
                   help="optimum: also charge the first use of a callee-saved register 5 (save + restore) "
                        "in the model (the measured cost does not count it)")  # fmt: skip
    p.add_argument("--search-width", type=int, default=8, metavar="K",
                   help="search: candidate actions rolled out per decision (default: 8)")  # fmt: skip
    p.add_argument("--search-budget", type=int, default=512, metavar="ROLLOUTS",
                   help="search: rollouts (forks finished by the heuristic) per function (default: 512)")  # fmt: skip
    p.add_argument("--search-seconds", type=float, default=None, metavar="SEC",
                   help="search: stop searching a function after SEC s (then machine-dependent)")  # fmt: skip
    p.add_argument(
        "--llvm",
        default="greedy,basic,fast,pbqp",
        help="LLVM allocators to include (comma list; rl4real: the plugin's standalone heuristic)",
    )
    p.add_argument("--limit", type=int, default=None, help="evaluate at most this many functions")
    p.add_argument("--max-nodes", type=int, default=128,
                   help="agents' env size without a model (larger functions: the heuristic plays them)")  # fmt: skip
    p.add_argument("--max-edges", type=int, default=2048)
    p.add_argument("--max-split-points", type=int, default=32)
    p.add_argument("--out", default="eval", help="output directory (default: ./eval)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--baseline-timeout", type=float, default=LLC_TIMEOUT, metavar="SEC",
                   help=f"time limit of each llc run of LLVM's allocators (default: {LLC_TIMEOUT:g})")  # fmt: skip
    p.add_argument("--no-progress", action="store_true")
    g = p.add_argument_group("real programs (--programs)")
    g.add_argument("--programs", nargs="?", const="all", default=None, metavar="NAMES",
                   help="evaluate corpus programs instead of dataset functions: all of them, or a comma list "
                        "of names (e.g. sort_quick,dsp_fir)")  # fmt: skip
    g.add_argument("--program-allocators", default=None, metavar="LIST",
                   help="comma list of greedy, basic, heuristic (the env's hint-aware HeuristicPolicy over "
                        "the protocol), plugin-heuristic (-regalloc=rl4real alone), policy (--model), fast, "
                        "pbqp (default: greedy,basic,heuristic,plugin-heuristic, and policy with a model)")  # fmt: skip
    g.add_argument("--program-timeout", type=float, default=600.0, metavar="SEC",
                   help="time limit of each program run (default: 600)")  # fmt: skip
    g.add_argument("--no-counts", action="store_true",
                   help="run the programs plainly: check outputs, count nothing (faster, above all on "
                        "AArch64)")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from agents.algorithms.optimum import OptimumRecord, floor_table, model_summary
    from agents.algorithms.search import SearchAgent
    from agents.algorithms.simple import HeuristicAgent, RandomAgent
    from agents.evaluation import (
        Fallback,
        fits,
        format_table,
        llvm_rows,
        make_eval_env,
        optimum_rows,
        plot_learning_curve,
        plot_scatter,
        run_agent,
        split_entries,
        summarize,
        write_csv,
    )
    from agents.inference import load_agent, resolve_model
    from rl4real_gym.envs.spaces import Layout
    from rl4real_gym.errors import ModelError, RL4ReAlError
    from rl4real_gym.targets import get_target

    if args.baseline_timeout <= 0:
        raise RL4ReAlError("--baseline-timeout must be a positive number of seconds")
    model_path = resolve_model(args.model, args.target)
    if args.programs is not None:
        return run_programs(args, model_path)
    agents: dict[str, object] = {}
    if model_path:
        model, meta = load_agent(model_path, args.target)
        target = meta.target
        layout = meta.layout
        agents["policy"] = model
    else:
        target = get_target(args.target or "x86").name
        layout = Layout(args.max_nodes, args.max_edges, get_target(target).num_colours, args.max_split_points)
    split = None if args.split == "all" else args.split
    env = make_eval_env(target, layout, args.data, split)
    entries = split_entries(env, split, args.limit)
    large = [e for e in entries if not fits(e, layout)]
    fallback = Fallback.make(target, entries, layout, args.data, split) if large else None
    print(f"{target}: {len(entries)} {args.split} functions; {len(large)} above the agents' env "
          f"({layout.max_nodes} nodes, {layout.max_edges} edges) are played by the hint-aware heuristic agent"
          + (f" in an env of {fallback.env.unwrapped.layout.max_nodes} nodes, "
             f"{fallback.env.unwrapped.layout.max_edges} edges" if fallback else ""))  # fmt: skip
    names = [a for a in args.agents.split(",") if a]
    with_optimum = "optimum" in names
    for name in names:
        if name == "optimum":
            continue
        if name == "random":
            agents["random"] = RandomAgent(layout, args.seed)
        elif name == "heuristic":
            agents["heuristic"] = HeuristicAgent(layout)
        elif name == "first-free":
            agents["first-free"] = HeuristicAgent(layout, hints=False)
        elif name == "search":
            agents["search"] = SearchAgent(env, layout, width=args.search_width, max_rollouts=args.search_budget,
                                           seconds=args.search_seconds, seed=args.seed)  # fmt: skip
        else:
            raise ModelError(f"unknown baseline agent {name!r} (choose random, heuristic, first-free, search, optimum)")
    progress = not args.no_progress
    rows = []
    records: list[OptimumRecord] = []
    try:
        for name, agent in agents.items():
            start = time.perf_counter()
            rows += run_agent(env, agent, entries, name, progress, fallback)
            elapsed = time.perf_counter() - start
            if isinstance(agent, SearchAgent):
                rollouts = sum(s.rollouts for s in agent.stats)
                print(f"search ({agent.budget}): {len(entries) - len(large)} functions searched, {len(large)} "
                      f"played by the heuristic, in {elapsed:.1f} s, {rollouts} rollouts")  # fmt: skip
            else:
                print(f"{name}: {len(entries)} functions in {elapsed:.1f} s")
        if with_optimum:
            opt_rows, records = optimum_rows(env, entries, max_nodes=args.optimum_max_nodes,
                                             time_limit=args.optimum_time_limit,
                                             callee_saved=args.optimum_callee_saved, progress=progress)  # fmt: skip
            rows += opt_rows
        rows += llvm_rows(env, entries, [a for a in args.llvm.split(",") if a], progress, args.baseline_timeout)
    finally:
        env.close()
        if fallback is not None:
            fallback.close()
    summaries = summarize(rows)
    print(format_table(summaries))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "summary.csv", summaries)
    write_csv(out / "functions.csv", rows)
    plot_scatter(rows, out / "cost_vs_greedy.png")
    written = ["summary.csv", "functions.csv", "cost_vs_greedy.png"]
    if with_optimum:
        print(f"optimum: functions of at most {args.optimum_max_nodes} nodes, HiGHS limit "
              f"{args.optimum_time_limit:g} s each; its failed rows are the larger or unsolved ones")  # fmt: skip
        print(floor_table(rows))
        print(model_summary(records))
        write_csv(out / "optimum.csv", records)
        written.append("optimum.csv")
    search = agents.get("search")
    if isinstance(search, SearchAgent):
        write_csv(out / "search.csv", search.stats)
        written.append("search.csv")
    if model_path and plot_learning_curve(Path(model_path).parent / "episodes.csv", out / "learning_curve.png"):
        written.append("learning_curve.png")
    print(f"wrote {', '.join(written)} to {out}/")
    return 0


def run_programs(args: argparse.Namespace, model_path: str | None) -> int:
    """``--programs``: the corpus programs built with each allocator, run and counted."""
    import tempfile
    from pathlib import Path

    from agents.evaluation import write_csv
    from agents.inference import load_policy
    from agents.programs_eval import (
        PROGRAM_ALLOCATORS,
        corpus_programs,
        evaluate_programs,
        format_programs_summary,
        format_programs_table,
        held_out_programs,
        plot_programs,
        summarize_programs,
    )
    from rl4real_gym.dataset.manifest import resolve_dataset_dir
    from rl4real_gym.targets import get_target

    policy = load_policy(model_path, args.target) if model_path else None
    target = get_target(args.target or (policy.meta.target if policy else "x86")).name
    default = [a for a in PROGRAM_ALLOCATORS if a != "policy" or policy is not None]
    allocators = [a for a in (args.program_allocators.split(",") if args.program_allocators else default) if a]
    if "greedy" not in allocators:
        allocators.insert(0, "greedy")  # the reference of every ratio
    programs = corpus_programs(args.programs)
    manifest = resolve_dataset_dir(get_target(target), args.data) / "manifest.jsonl"
    held = held_out_programs(manifest) if manifest.exists() else set()
    print(f"{target}: {len(programs)} corpus programs x {len(allocators)} allocators ({', '.join(allocators)}); "
          f"{sum(p.stem in held for p in programs)} held out per {manifest}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="rl4real-programs-") as tmp:
        rows = evaluate_programs(programs, target, allocators, Path(tmp), policy=policy, held_out=held,
                                 timeout=args.program_timeout, progress=not args.no_progress,
                                 count=not args.no_counts)  # fmt: skip
    summaries = summarize_programs(rows)
    print(format_programs_table(rows))
    print()
    print(format_programs_summary(summaries, target))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "programs.csv", rows)
    write_csv(out / "programs_summary.csv", summaries)
    written = ["programs.csv", "programs_summary.csv"]
    if plot_programs(rows, out / "programs_vs_greedy.png"):
        written.append("programs_vs_greedy.png")
    print(f"wrote {', '.join(written)} to {out}/")
    bad = [f"{r.program} ({r.allocator})" for r in rows if not r.output_ok]
    if bad:
        print(f"{len(bad)} build(s) did not print their expected output: {', '.join(bad)}")
    return 1 if bad else 0
