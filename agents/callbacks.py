"""SB3 callbacks: allocation figures to TensorBoard and CSV, a live progress bar,
episode budgets and checkpoints that carry the model's metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from agents.episode_log import EPISODE_FIELDS, EpisodeLog, cost_ratio, geomean
from agents.inference import ModelMeta, save_meta

__all__ = ["EPISODE_FIELDS", "AllocationFiguresCallback", "MetaCheckpointCallback", "TorchThreadsCallback",
           "cost_ratio", "geomean"]  # fmt: skip


class AllocationFiguresCallback(BaseCallback):
    """Feeds every finished episode to the run's :class:`EpisodeLog` (episodes.csv, the
    progress bar); per rollout, its ``rl4real/`` scalars go to SB3's logger (TensorBoard).
    Stops training after ``max_episodes``."""

    def __init__(self, csv_path: Path, max_episodes: int | None = None, total_timesteps: int = 0,
                 progress: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.csv_path = csv_path
        self.max_episodes = max_episodes
        self.total = max_episodes or total_timesteps
        self.progress = progress
        self.log: EpisodeLog | None = None

    @property
    def episodes(self) -> int:
        return self.log.episodes if self.log is not None else 0

    def _on_training_start(self) -> None:
        self.log = EpisodeLog(self.csv_path, self.total, by_episode=bool(self.max_episodes), progress=self.progress)

    def _on_step(self) -> bool:
        assert self.log is not None
        for info in self.locals.get("infos", []):
            fig: dict[str, Any] | None = info.get("episode_figures")
            if fig:
                self.log.add(fig, self.num_timesteps)
        self.log.progress(self.num_timesteps, refresh=self.n_calls % 20 == 0)
        return self.max_episodes is None or self.episodes < self.max_episodes

    def _on_rollout_end(self) -> None:
        if self.log is not None:
            self.log.scalars(self.logger.record)

    def _on_training_end(self) -> None:
        if self.log is not None:
            self.log.close()


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
