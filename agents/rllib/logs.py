"""Training results written where Ray users look for them, in Ray Tune's formats.

``<ray_results>/<run name>_<YYYY-mm-dd_HH-MM-SS>/``:

* ``params.json``: the TrainConfig and the RLlib options;
* ``result.json``: one JSON line per training iteration (RLlib's full result dict);
* ``progress.csv``: the scalar results flattened with ``/`` (rewritten when keys appear);
* ``events.out.tfevents.*``: TensorBoard scalars under ``ray/tune/...``, step = env steps
  sampled (``tensorboard --logdir ~/ray_results``).
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ray.rllib.utils.metrics import (
    ENV_RUNNER_RESULTS,
    EPISODE_RETURN_MEAN,
    NUM_ENV_STEPS_SAMPLED_LIFETIME,
    NUM_EPISODES_LIFETIME,
)


def flatten_scalars(result: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, float]]:
    """(``a/b/c``, value) for every finite int/float/bool leaf."""
    for key, value in result.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten_scalars(value, name + "/")
        elif isinstance(value, bool | int | float) and math.isfinite(float(value)):
            yield name, float(value)


def env_steps(result: Mapping[str, Any]) -> int:
    return int(result.get(ENV_RUNNER_RESULTS, {}).get(NUM_ENV_STEPS_SAMPLED_LIFETIME, 0))


def episodes_done(result: Mapping[str, Any]) -> int:
    return int(result.get(ENV_RUNNER_RESULTS, {}).get(NUM_EPISODES_LIFETIME, 0))


def return_mean(result: Mapping[str, Any]) -> float:
    return float(result.get(ENV_RUNNER_RESULTS, {}).get(EPISODE_RETURN_MEAN, math.nan))


def summary_line(result: Mapping[str, Any]) -> str:
    runners = result.get(ENV_RUNNER_RESULTS, {})
    return (
        f"iter {result.get('training_iteration', 0):>4}  steps {env_steps(result):>8}  "
        f"episodes {episodes_done(result):>6}  return_mean {return_mean(result):>9.3f}  "
        f"len_mean {float(runners.get('episode_len_mean', math.nan)):>7.1f}  "
        f"vs_greedy {float(runners.get('alloc_vs_greedy', math.nan)):>7.3f}"
    )


class ResultLogger:
    """Appends each iteration's result to ``result.json``, ``progress.csv`` and TensorBoard."""

    def __init__(self, root: Path, run_name: str, params: Mapping[str, Any]) -> None:
        stamp = time.strftime("%Y-%m-%d_%H-%M-%S")
        self.dir = root / f"{run_name}_{stamp}"
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "params.json").write_text(json.dumps(params, indent=2, default=str))
        self._rows: list[dict[str, float]] = []
        self._header: list[str] = []
        self._tb = self._tensorboard()

    def _tensorboard(self) -> Any:
        try:
            from tensorboardX import SummaryWriter
        except ImportError:
            return None
        return SummaryWriter(str(self.dir), flush_secs=30)

    def write(self, result: Mapping[str, Any]) -> None:
        with open(self.dir / "result.json", "a") as out:
            out.write(json.dumps(result, default=str) + "\n")
        row = dict(flatten_scalars(result))
        self._rows.append(row)
        self._write_csv(row)
        if self._tb is not None:
            step = env_steps(result)
            for key, value in row.items():
                self._tb.add_scalar(f"ray/tune/{key}", value, global_step=step)

    def _write_csv(self, row: dict[str, float]) -> None:
        path = self.dir / "progress.csv"
        new_keys = [k for k in row if k not in self._header]
        if new_keys or not path.exists():
            self._header.extend(new_keys)
            with open(path, "w", newline="") as out:
                writer = csv.DictWriter(out, fieldnames=self._header)
                writer.writeheader()
                writer.writerows(self._rows)
            return
        with open(path, "a", newline="") as out:
            csv.DictWriter(out, fieldnames=self._header).writerow(row)

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()
            self._tb = None
