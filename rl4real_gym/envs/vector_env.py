"""N register-allocation envs driven from one Python process.

Each sub-env's episode runs in its own allocation process. A step first sends every
sub-env's action, then waits for every answer, so the allocation processes compute at
once while Python waits; the Python work per sub-env step is the same as in one env.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from rl4real_gym.envs.regalloc_env import RegAllocEnv

Step = tuple[dict[str, Any], float, bool, bool, dict[str, Any]]


def reset_all(
    envs: Sequence[RegAllocEnv], seeds: Sequence[int | None], options: Sequence[dict[str, Any] | None]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Resets every env in ``envs``: all episodes start before any is waited for."""
    for env, seed, opts in zip(envs, seeds, options, strict=True):
        env._begin_reset(seed=seed, options=opts)
    return [env._end_reset() for env in envs]


def batch_observations(observations: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Stacks per-env observations into the batched Dict space's arrays (new arrays: the
    caller may keep them)."""
    out: dict[str, np.ndarray] = {}
    n = len(observations)
    for key, first in observations[0].items():
        first = np.asarray(first)
        batch = np.empty((n, *first.shape), first.dtype)
        batch[0] = first
        for i in range(1, n):
            batch[i] = observations[i][key]
        out[key] = batch
    return out


_NUMBER_DTYPES = {bool: np.bool_, int: np.int64, float: np.float64}


def batch_infos(infos: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Gymnasium's vector info layout: per key an array over the envs and a ``_key`` mask
    of the envs that have it; nested dicts likewise."""
    out: dict[str, Any] = {}
    n = len(infos)
    keys = infos[0].keys() if n == 1 else dict.fromkeys(key for info in infos for key in info)
    for key in keys:
        values = [info.get(key) for info in infos]
        kinds = {type(v) for v in values}
        if kinds == {dict} or (dict in kinds and kinds <= {dict, type(None)}):
            out[key] = batch_infos([v if isinstance(v, dict) else {} for v in values])
        elif len(kinds) == 1 and (kind := next(iter(kinds))) in _NUMBER_DTYPES:
            out[key] = np.array(values, dtype=_NUMBER_DTYPES[kind])
        else:
            arr = np.empty(n, dtype=object)
            arr[:] = values
            out[key] = arr
        out[f"_{key}"] = np.array([key in info for info in infos])
    return out


def step_all(envs: Sequence[RegAllocEnv], actions: Sequence[int]) -> list[Step]:
    """Steps every env in ``envs``: all actions are sent before any answer is read."""
    answered = [env._begin_step(int(a)) for env, a in zip(envs, actions, strict=True)]
    return [done if done is not None else env._end_step() for env, done in zip(envs, answered, strict=True)]


class RegAllocVectorEnv(VectorEnv):
    """
    ``gymnasium.make_vec("RL4ReAl-x86-v2", num_envs=N, vectorization_mode="vector_entry_point")``:
    N :class:`RegAllocEnv` in this process, stepped together.

    ## Semantics

    | what            | value                                                             |
    |-----------------|-------------------------------------------------------------------|
    | spaces          | each sub-env's spaces, batched (``single_*_space`` unbatched)     |
    | ``action_masks``| bool array of shape ``(N, A)``                                    |
    | autoreset       | Gymnasium's default, next-step: after a sub-env ends, its next    |
    |                 | action is ignored and it is reset, returning the first            |
    |                 | observation with reward 0 and ``terminated = truncated = False``  |
    | seeds           | ``reset(seed=s)`` seeds sub-env ``i`` with ``s + i``              |
    | concurrency     | every sub-env's allocation process computes at once               |

    Keyword arguments other than ``num_envs`` go to every sub-env.
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(self, num_envs: int, target: str = "x86", **kwargs: Any) -> None:
        if num_envs < 1:
            raise ValueError(f"num_envs must be at least 1, not {num_envs}")
        self.envs = [RegAllocEnv(target, **kwargs) for _ in range(num_envs)]
        for env in self.envs:
            env._batched = True
        self.num_envs = num_envs
        self.single_observation_space = self.envs[0].observation_space
        self.single_action_space = self.envs[0].action_space
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self._autoreset = np.zeros(num_envs, dtype=bool)

    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None):
        if seed is None or isinstance(seed, int):
            seeds = [None if seed is None else seed + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"{len(seeds)} seeds for {self.num_envs} envs")
        results = reset_all(self.envs, seeds, [options] * self.num_envs)
        self._autoreset[:] = False
        return batch_observations([obs for obs, _ in results]), batch_infos([info for _, info in results])

    def step(self, actions: Any):
        actions = np.asarray(actions).reshape(self.num_envs)
        live = [i for i in range(self.num_envs) if not self._autoreset[i]]
        ending = [i for i in range(self.num_envs) if self._autoreset[i]]
        for i in ending:  # start the resets first: they compute with the steps
            self.envs[i]._begin_reset()
        stepped = step_all([self.envs[i] for i in live], [int(actions[i]) for i in live])
        out: list[Step | None] = [None] * self.num_envs
        for i, result in zip(live, stepped, strict=True):
            out[i] = result
        for i in ending:
            obs, info = self.envs[i]._end_reset()
            out[i] = (obs, 0.0, False, False, info)
        done = [r for r in out if r is not None]
        rewards = np.array([r[1] for r in done], np.float64)
        terminated = np.array([r[2] for r in done], bool)
        truncated = np.array([r[3] for r in done], bool)
        self._autoreset = terminated | truncated
        return (
            batch_observations([r[0] for r in done]),
            rewards,
            terminated,
            truncated,
            batch_infos([r[4] for r in done]),
        )

    def action_masks(self) -> np.ndarray:
        """Legal actions of every sub-env, shape ``(num_envs, A)`` (a new array)."""
        return np.stack([env._mask for env in self.envs])

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Calls (or reads) ``name`` on every sub-env, as SyncVectorEnv does."""
        results = []
        for env in self.envs:
            attr = getattr(env, name)
            results.append(attr(*args, **kwargs) if callable(attr) else attr)
        return tuple(results)

    def close_extras(self, **kwargs: Any) -> None:
        for env in self.envs:
            env.close()
