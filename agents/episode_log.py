"""The one writer of a training run's episode record: ``episodes.csv`` (one row per
episode), the progress bar, and the ``rl4real/`` scalars computed over a window of
episodes, written to the run's TensorBoard directory (:func:`run_writer`).

Every training path feeds it the same figures (:func:`episode_figures`): the training
env of every algorithm (:mod:`agents.algorithm`; SB3's vectorised envs through
:mod:`agents.callbacks`) from :class:`EpisodeTally`'s ``info["episode_figures"]``, and
the RLlib backend from its EnvRunners' finished episodes (:mod:`agents.rllib.algo`)."""

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


# the figures an episode's final info gives (``info[name]``), after its return and length
INFO_FIGURES = ("cost", "greedy_cost", "spills", "reloads", "splits", "invalid_actions", "function")


def episode_figures(episode_return: float, length: int, info: dict[str, Any]) -> dict[str, Any]:
    """What :class:`EpisodeLog` records of a finished episode, from its final ``info``."""
    figures: dict[str, Any] = {"return": float(episode_return), "length": int(length)}
    figures.update({name: info.get(name) for name in INFO_FIGURES})
    if figures["invalid_actions"] is None:
        figures["invalid_actions"] = 0
    return figures


class EpisodeTally:
    """Return and length of the running episode; at its end, ``info["episode_figures"]``."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total, self.length = 0.0, 0

    def add(self, reward: float, done: bool, info: dict[str, Any]) -> dict[str, Any]:
        """Counts one step; returns ``info``, with the episode's figures if it ended."""
        self.total += reward
        self.length += 1
        if not done:
            return info
        info = dict(info)
        info["episode_figures"] = episode_figures(self.total, self.length, info)
        self.reset()
        return info


def run_writer(log_dir: str | Path, run_name: str) -> Any:
    """The run's TensorBoard writer: ``<log_dir>/<run_name>_1`` (``tensorboard --logdir``)."""
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(str(Path(log_dir) / f"{run_name}_1"))


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
