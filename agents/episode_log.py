"""The one writer of a training run's episode record: ``episodes.csv`` (one row per
episode), the progress bar, and the ``rl4real/`` scalars computed over a window of
episodes. SB3's callback (:mod:`agents.callbacks`) and the training env of every other
algorithm (:mod:`agents.algorithm`) feed it the ``info["episode_figures"]`` of
:class:`agents.envs.EpisodeTally`."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

EPISODE_FIELDS = (
    "timestep", "episode", "function", "return", "length", "cost", "greedy_cost",
    "spills", "reloads", "splits", "invalid_actions",
)  # fmt: skip


def cost_ratio(cost: float, greedy: float) -> float:
    """Cost relative to greedy, smoothed by 1 so that zero-cost functions compare."""
    return (cost + 1.0) / (greedy + 1.0)


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def episode_scalars(figs: Sequence[dict[str, Any]], episodes: int) -> dict[str, float]:
    """The ``rl4real/`` scalars of a window of episodes (those with a cost; none: {})."""
    done = [f for f in figs if f.get("cost") is not None]
    if not done:
        return {}
    n = len(done)
    out = {
        "rl4real/episodes": float(episodes),
        "rl4real/cost_mean": sum(f["cost"] for f in done) / n,
        "rl4real/greedy_cost_mean": sum(f["greedy_cost"] or 0 for f in done) / n,
        "rl4real/cost_ratio_to_greedy": geomean([cost_ratio(f["cost"], f["greedy_cost"] or 0) for f in done]),
    }
    for key in ("spills", "reloads", "splits"):
        out[f"rl4real/{key}_per_function"] = sum(f[key] or 0 for f in done) / n
    out["rl4real/episode_length"] = sum(f["length"] for f in done) / n
    out["rl4real/episode_return"] = sum(f["return"] for f in done) / n
    out["rl4real/illegal_actions"] = float(sum(f["invalid_actions"] or 0 for f in done))
    return out


class EpisodeLog:
    """Appends episodes to ``csv_path`` (header when new), shows a progress bar over
    ``total`` steps (or episodes with ``by_episode``), and keeps the window of episodes
    since the last :meth:`scalars` call."""

    def __init__(self, csv_path: Path, total: int, *, by_episode: bool = False, progress: bool = True) -> None:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        new = not csv_path.exists()
        self._file = open(csv_path, "a", newline="")  # noqa: SIM115 (closed by close())
        self._writer = csv.DictWriter(self._file, fieldnames=EPISODE_FIELDS)
        if new:
            self._writer.writeheader()
        self.by_episode = by_episode
        self.total = total
        self.episodes = 0
        self._window: list[dict[str, Any]] = []
        self._recent: list[dict[str, Any]] = []
        unit = "episode" if by_episode else "step"
        self._bar = tqdm(total=total, unit=unit, dynamic_ncols=True, desc="training") if progress else None

    def add(self, fig: dict[str, Any], timestep: int) -> None:
        """One finished episode (its ``episode_figures``) at ``timestep``."""
        self.episodes += 1
        row = {k: fig.get(k) for k in EPISODE_FIELDS if k in fig}
        row.update(timestep=timestep, episode=self.episodes)
        self._writer.writerow(row)
        self._window.append(fig)
        self._recent = [*self._recent, fig][-50:]
        if self._bar is not None and self.by_episode:
            self._bar.update(1)

    def progress(self, timestep: int, refresh: bool = True) -> None:
        """Moves the bar to ``timestep`` (step budgets) and shows the recent episodes."""
        if self._bar is None:
            return
        if not self.by_episode:
            self._bar.n = min(timestep, self.total)
        if refresh:
            if self._recent:
                self._bar.set_postfix(self.postfix(self._recent), refresh=False)
            self._bar.refresh()

    @staticmethod
    def postfix(figs: list[dict[str, Any]]) -> dict[str, str]:
        done = [f for f in figs if f.get("cost") is not None]
        ret = sum(f["return"] for f in figs) / len(figs)
        ratio = geomean([cost_ratio(f["cost"], f["greedy_cost"] or 0.0) for f in done]) if done else float("nan")
        return {"return": f"{ret:.2f}", "cost/greedy": f"{ratio:.2f}"}

    def scalars(self, record: Callable[[str, float], None]) -> None:
        """Flushes the CSV (readable while training runs) and records the window's
        scalars with ``record(name, value)``; a new window starts."""
        self._file.flush()
        window, self._window = self._window, []
        for name, value in episode_scalars(window, self.episodes).items():
            record(name, value)

    def close(self) -> None:
        self._file.close()
        if self._bar is not None:
            self._bar.close()
