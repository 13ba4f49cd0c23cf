"""SB3's side of the run's books (:class:`agents.algorithm.RunBook`): how the built-in
MaskablePPO (:mod:`agents.algorithms.builtin`) trains through the algorithm interface
with SB3's own vectorised loop.

- :class:`BookKeepingVecEnv` hands every sub-env step to the book (episodes.csv, the
  progress bar, ``rl4real/`` scalars, checkpoints with meta), as a training env's
  ``step`` does for any other algorithm;
- :class:`EpisodeBudgetCallback` stops SB3 once the book's episode budget is spent (SB3
  counts the timestep budget itself, to the end of its last rollout);
- :class:`RecordOutput` sends SB3's own scalars (``train/*``, ``time/*``) to the run's
  TensorBoard writer through the book;
- :class:`TorchThreadsCallback`: one torch thread while collecting, more for the update.
"""

from __future__ import annotations

import numbers
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.logger import KVWriter
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper

from agents.algorithm import RunBook

__all__ = ["BookKeepingVecEnv", "EpisodeBudgetCallback", "RecordOutput", "TorchThreadsCallback"]


class BookKeepingVecEnv(VecEnvWrapper):
    """A VecEnv whose every sub-env step is counted by ``book``, with the finished
    episode's ``info["episode_figures"]`` (set by the vec env's episode tallies)."""

    def __init__(self, venv: VecEnv, book: RunBook) -> None:
        super().__init__(venv)
        self.book = book

    def reset(self) -> Any:
        return self.venv.reset()

    def step_wait(self) -> Any:
        obs, rewards, dones, infos = self.venv.step_wait()
        for info in infos:
            self.book.step(info.get("episode_figures"))
        return obs, rewards, dones, infos


class EpisodeBudgetCallback(BaseCallback):
    """Ends SB3's ``learn`` once ``book`` has logged its episode budget (if it has one)."""

    def __init__(self, book: RunBook) -> None:
        super().__init__()
        self.book = book

    def _on_step(self) -> bool:
        return not self.book.episodes_spent()


class RecordOutput(KVWriter):
    """SB3's logger output that records every numeric value with ``record(name, value)``
    (the run's :meth:`RunBook.record`: its TensorBoard writer, at the book's timestep)."""

    def __init__(self, record: Any) -> None:
        self.record = record

    def write(self, key_values: dict[str, Any], key_excluded: dict[str, Any], step: int = 0) -> None:
        for key, value in key_values.items():
            excluded = key_excluded.get(key) or ()
            if "tensorboard" in excluded or isinstance(value, bool) or not isinstance(value, numbers.Real):
                continue
            self.record(key, float(value))

    def close(self) -> None:
        pass


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
