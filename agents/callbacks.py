"""SB3 callbacks: allocation figures to TensorBoard and CSV, a live progress bar,
episode budgets and checkpoints that carry the model's metadata."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback
from tqdm import tqdm

from agents.inference import ModelMeta, save_meta

EPISODE_FIELDS = (
    "timestep", "episode", "function", "return", "length", "cost", "greedy_cost",
    "spills", "reloads", "splits", "invalid_actions",
)  # fmt: skip


def cost_ratio(cost: float, greedy: float) -> float:
    """Cost relative to greedy, smoothed by 1 so that zero-cost functions compare."""
    return (cost + 1.0) / (greedy + 1.0)


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


class AllocationFiguresCallback(BaseCallback):
    """Per rollout: mean cost, geomean ratio to greedy, spills/reloads/splits per function,
    episode length and illegal actions, logged under ``rl4real/`` (TensorBoard) and every
    episode appended to ``episodes.csv``. Stops training after ``max_episodes``."""

    def __init__(self, csv_path: Path, max_episodes: int | None = None, total_timesteps: int = 0,
                 progress: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.csv_path = csv_path
        self.max_episodes = max_episodes
        self.total = max_episodes or total_timesteps
        self.progress = progress
        self.episodes = 0
        self._window: list[dict[str, Any]] = []
        self._recent: list[dict[str, Any]] = []
        self._bar: tqdm | None = None
        self._file: Any = None
        self._writer: Any = None

    def _on_training_start(self) -> None:
        self.csv_path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.csv_path.exists()
        self._file = open(self.csv_path, "a", newline="")  # noqa: SIM115 (closed at training end)
        self._writer = csv.DictWriter(self._file, fieldnames=EPISODE_FIELDS)
        if new:
            self._writer.writeheader()
        if self.progress:
            unit = "episode" if self.max_episodes else "step"
            self._bar = tqdm(total=self.total, unit=unit, dynamic_ncols=True, desc="training")

    def _on_step(self) -> bool:
        for info in self.locals.get("infos", []):
            fig = info.get("episode_figures")
            if not fig:
                continue
            self.episodes += 1
            row = {k: fig.get(k) for k in EPISODE_FIELDS if k in fig}
            row.update(timestep=self.num_timesteps, episode=self.episodes)
            self._writer.writerow(row)
            self._window.append(fig)
            self._recent = ([*self._recent, fig])[-50:]
            if self._bar is not None and self.max_episodes:
                self._bar.update(1)
        if self._bar is not None:
            if not self.max_episodes:
                self._bar.n = min(self.num_timesteps, self.total)
            if self._recent and self.n_calls % 20 == 0:
                self._bar.set_postfix(self._summary(self._recent), refresh=False)
            self._bar.refresh() if self.n_calls % 20 == 0 else None
        return self.max_episodes is None or self.episodes < self.max_episodes

    @staticmethod
    def _summary(figs: list[dict[str, Any]]) -> dict[str, str]:
        done = [f for f in figs if f.get("cost") is not None]
        ret = sum(f["return"] for f in figs) / len(figs)
        ratio = geomean([cost_ratio(f["cost"], f["greedy_cost"] or 0.0) for f in done]) if done else float("nan")
        return {"return": f"{ret:.2f}", "cost/greedy": f"{ratio:.2f}"}

    def _on_rollout_end(self) -> None:
        if self._file is not None:
            self._file.flush()  # episodes.csv is readable (e.g. plotted) while training runs
        figs = [f for f in self._window if f.get("cost") is not None]
        self._window = []
        if not figs:
            return
        n = len(figs)
        self.logger.record("rl4real/episodes", self.episodes)
        self.logger.record("rl4real/cost_mean", sum(f["cost"] for f in figs) / n)
        self.logger.record("rl4real/greedy_cost_mean", sum(f["greedy_cost"] or 0 for f in figs) / n)
        ratios = [cost_ratio(f["cost"], f["greedy_cost"] or 0) for f in figs]
        self.logger.record("rl4real/cost_ratio_to_greedy", geomean(ratios))
        for key in ("spills", "reloads", "splits"):
            self.logger.record(f"rl4real/{key}_per_function", sum(f[key] or 0 for f in figs) / n)
        self.logger.record("rl4real/episode_length", sum(f["length"] for f in figs) / n)
        self.logger.record("rl4real/episode_return", sum(f["return"] for f in figs) / n)
        self.logger.record("rl4real/illegal_actions", sum(f["invalid_actions"] or 0 for f in figs))

    def _on_training_end(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._bar is not None:
            self._bar.close()


class MetaCheckpointCallback(BaseCallback):
    """Saves ``checkpoints/model_<steps>.zip`` (+ metadata) every ``every`` timesteps."""

    def __init__(self, directory: Path, every: int, meta: ModelMeta) -> None:
        super().__init__()
        self.directory = directory
        self.every = max(1, every)
        self.meta = meta
        self._next = every

    def _on_step(self) -> bool:
        if self.num_timesteps >= self._next:
            self._next += self.every
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"model_{self.num_timesteps}.zip"
            self.model.save(path)
            save_meta(path, self.meta)
        return True


class TorchThreadsCallback(BaseCallback):
    """One torch thread while collecting rollouts (a forward pass over a couple of
    observations only pays for the threads' synchronisation, and the allocation
    processes want the cores), ``learner`` threads for PPO's update."""

    def __init__(self, learner: int) -> None:
        super().__init__()
        self.learner = learner

    def _on_training_start(self) -> None:
        import torch

        torch.set_num_threads(1)

    def _on_rollout_start(self) -> None:
        import torch

        torch.set_num_threads(1)

    def _on_rollout_end(self) -> None:
        import torch

        torch.set_num_threads(self.learner)

    def _on_step(self) -> bool:
        return True
