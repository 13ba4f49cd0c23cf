"""Statistics of a dataset, as Markdown tables (what envs_data/README.md shows)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rl4real_gym.dataset.manifest import SPLITS, Dataset, FunctionEntry

# (label, lowest num_nodes, highest num_nodes or None)
SIZE_BUCKETS = (("1-10", 1, 10), ("11-50", 11, 50), ("51-120", 51, 120), ("121-300", 121, 300),
                ("301-600", 301, 600), (">600", 601, None))  # fmt: skip


def size_bucket(num_nodes: int) -> str:
    """The SIZE_BUCKETS label of a graph with ``num_nodes`` nodes ("0" below the first)."""
    for label, low, high in SIZE_BUCKETS:
        if num_nodes >= low and (high is None or num_nodes <= high):
            return label
    return "0"


def greedy_spills(entry: FunctionEntry) -> bool:
    """Whether LLVM greedy spills in this function (reload or spill cost above zero)."""
    g = entry.greedy
    return float(g.get("reload_cost", 0.0)) + float(g.get("spill_cost", 0.0)) > 0.0


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; the first column is left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join([" --- "] + [" ---: "] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def split_rows(entries: Sequence[FunctionEntry]) -> list[list[object]]:
    """Per split: functions, programs, greedy spills, median nodes."""
    rows: list[list[object]] = []
    for split in (*SPLITS, "all"):
        chosen = [e for e in entries if split in ("all", e.split)]
        nodes = sorted(e.num_nodes for e in chosen)
        median = nodes[len(nodes) // 2] if nodes else 0
        spills = sum(greedy_spills(e) for e in chosen)
        rows.append([split, len(chosen), len({e.program for e in chosen}), percent(spills, len(chosen)), median])
    return rows


def bucket_rows(entries: Sequence[FunctionEntry]) -> list[list[object]]:
    """Per num_nodes bucket: functions per split and the fraction greedy spills in."""
    rows: list[list[object]] = []
    for label, *_ in SIZE_BUCKETS:
        chosen = [e for e in entries if size_bucket(e.num_nodes) == label]
        per_split = Counter(e.split for e in chosen)
        spills = sum(greedy_spills(e) for e in chosen)
        rows.append([label, len(chosen), *(per_split[s] for s in SPLITS), percent(spills, len(chosen))])
    return rows


def markdown_stats(dataset: Dataset) -> str:
    """Both tables for one dataset, with a one-line header."""
    entries = dataset.entries
    disk = sum((dataset.root / e.file).stat().st_size for e in entries if (dataset.root / e.file).is_file())
    manifest = dataset.root / "manifest.jsonl"
    disk += manifest.stat().st_size if manifest.is_file() else 0
    sources = Counter("csmith" if e.source.startswith("csmith:") else "corpus" for e in entries)
    levels = Counter(e.opt_level or "as is" for e in entries)
    head = (
        f"{dataset.target.name}: {len(entries)} functions from {len({e.program for e in entries})} programs "
        f"({', '.join(f'{n} {k}' for k, n in sorted(sources.items()))}; "
        f"{', '.join(f'{n} at {k}' for k, n in sorted(levels.items()))}), {disk / 1e6:.2f} MB on disk"
    )
    split_table = table(["split", "functions", "programs", "greedy spills", "median nodes"], split_rows(entries))
    bucket_table = table(["nodes", "functions", *SPLITS, "greedy spills"], bucket_rows(entries))
    return f"{head}\n\n{split_table}\n\n{bucket_table}"
