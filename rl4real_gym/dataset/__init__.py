"""Datasets of one-function LLVM IR modules per target.

Layout of a dataset directory (``envs_data/<target>/`` or ``$DATA_DIR/<target>/``)::

    manifest.jsonl        one JSON object per function (see FunctionEntry)
    modules/<id>.ll[.gz]  the function's module (gzip-compressed or plain; .bc also works)

A directory of plain ``.ll``/``.bc`` files without a manifest also works: it is built
into a cached dataset on first use (see ``rl4real_gym.dataset.builder``).
"""

from rl4real_gym.dataset.loading import load_dataset
from rl4real_gym.dataset.manifest import Dataset, FunctionEntry, SelectionReport

__all__ = ["Dataset", "FunctionEntry", "SelectionReport", "load_dataset"]
