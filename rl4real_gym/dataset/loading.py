"""Loading a target's dataset: read its manifest, or build a cached dataset from a plain
directory of IR files first. Reading (:mod:`rl4real_gym.dataset.manifest`) never builds;
this module is the one place that combines both."""

from __future__ import annotations

from pathlib import Path

from rl4real_gym.dataset.builder import build_cached_from_ir_dir
from rl4real_gym.dataset.manifest import MANIFEST, Dataset, read_dataset, resolve_dataset_dir
from rl4real_gym.targets import Target, get_target


def load_dataset(target: str | Target, data: str | Path | None = None) -> Dataset:
    """Loads the dataset of ``target`` from ``data``, DATA_DIR or the bundled envs_data.

    A plain directory of IR files is built into a cached dataset first.
    """
    tgt = get_target(target)
    root = resolve_dataset_dir(tgt, data)
    if not (root / MANIFEST).is_file():
        root = build_cached_from_ir_dir(root, tgt)
    return read_dataset(root, tgt)
