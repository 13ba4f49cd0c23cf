"""The environment as RLlib sees it: a creator registered with Ray's registry, and two
test wrappers (a mask auditor and a one-shot crash) switched on through ``env_config``.

Ray is imported only by ``register_rllib_envs``; the creator itself needs only Gymnasium,
so EnvRunner processes (local or on other nodes of a cluster) build the env from the
plain ``env_config`` dict:

================== ====================================================================
key                meaning
================== ====================================================================
``target``         ``"x86"``, ``"aarch64"`` or ``"riscv64"``
``env_kwargs``     keyword arguments of ``gymnasium.make`` (``TrainConfig.env_kwargs()``)
``audit_dir``      if set, every action is checked against ``action_masks()``: counts and
                   violations are written there (``MaskAuditor``)
``crash_flag``     if set and the file exists, the first env to take ``crash_after``
                   steps removes it and kills its own process with SIGKILL (``CrashOnce``)
``crash_after``    steps before the crash (default 50)
``num_envs``       set by RLlib (``gym_env_vectorize_mode="vector_entry_point"``): the
                   creator returns the env's vector env of that many sub-envs
                   (``gymnasium.make_vec(..., vectorization_mode="vector_entry_point")``,
                   ``rl4real_gym.envs.vector_env``), the test wrappers as vector wrappers
================== ====================================================================
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from rl4real_gym.registration import ENV_IDS
from rl4real_gym.targets import get_target

ENV_NAME_PREFIX = "rl4real-rllib-"


def rllib_env_name(target: str) -> str:
    """The name the env is registered under in Ray's registry (``rl4real-rllib-x86``)."""
    return ENV_NAME_PREFIX + get_target(target).name


def gym_env_id(target: str) -> str:
    name = get_target(target).name
    return next(env_id for env_id, tgt in ENV_IDS.items() if tgt == name)


class ActionAudit:
    """What both mask auditors keep: a check per action, violations appended to
    ``<audit_dir>/violations.txt`` (then raised), the count in a per-wrapper file."""

    _instances = 0

    def __init__(self, audit_dir: str | Path) -> None:
        self.audit_dir = Path(audit_dir)
        self.audit_dir.mkdir(parents=True, exist_ok=True)
        ActionAudit._instances += 1
        self._count_file = self.audit_dir / f"checked-{os.getpid()}-{ActionAudit._instances}.txt"
        self.checked = 0

    def check(self, mask: np.ndarray, action: int, where: str = "") -> None:
        """Raises (after recording it) if ``action`` is not legal in ``mask``."""
        if not (0 <= action < mask.size and mask[action]):
            legal = np.flatnonzero(mask)[:8].tolist()
            record_violation(self.audit_dir, f"pid {os.getpid()}: {where}action {action} is masked (legal: {legal})")
        self.checked += 1

    def save_count(self) -> None:
        self._count_file.write_text(str(self.checked))


class MaskAuditor(gym.Wrapper):
    """Checks that every action taken is legal under ``action_masks()``.

    A violation is appended to ``<audit_dir>/violations.txt`` (so it is seen even when
    RLlib's fault tolerance swallows the error) and raised as an ``AssertionError``.
    The number of checked actions is kept in ``<audit_dir>/checked-<pid>-<n>.txt``.
    """

    def __init__(self, env: gym.Env, audit_dir: str | Path) -> None:
        super().__init__(env)
        self.audit = ActionAudit(audit_dir)

    def step(self, action: Any):
        self.audit.check(self.env.unwrapped.action_masks(), int(np.asarray(action).item()))  # type: ignore[attr-defined]
        self.audit.save_count()
        return self.env.step(action)

    def action_masks(self) -> np.ndarray:
        return self.env.unwrapped.action_masks()  # type: ignore[attr-defined]


def claim_flag(flag: Path) -> bool:
    """True for the one caller, across processes, that removes ``flag``."""
    try:
        flag.unlink()
    except FileNotFoundError:
        return False
    return True


class CrashCountdown:
    """Counts steps; at ``crash_after``, if it can claim ``flag``, kills this process."""

    def __init__(self, flag: Path, crash_after: int) -> None:
        self.flag = flag
        self.crash_after = crash_after
        self.steps = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps >= self.crash_after and claim_flag(self.flag):
            os.kill(os.getpid(), signal.SIGKILL)


class CrashOnce(gym.Wrapper):
    """Kills its own process (SIGKILL, like the OOM killer or a lost node) once.

    The first env, across all processes, that reaches ``crash_after`` steps while the
    flag file exists removes the file and dies; the others never see it again.
    """

    def __init__(self, env: gym.Env, flag: str | Path, crash_after: int = 50) -> None:
        super().__init__(env)
        self.crash = CrashCountdown(Path(flag), crash_after)

    def step(self, action: Any):
        self.crash.tick()
        return self.env.step(action)

    def action_masks(self) -> np.ndarray:
        return self.env.unwrapped.action_masks()  # type: ignore[attr-defined]


def record_violation(audit_dir: Path, message: str) -> None:
    with open(audit_dir / "violations.txt", "a") as out:
        out.write(message + "\n")
    raise AssertionError(message)


class VectorMaskAuditor(gym.vector.VectorWrapper):
    """``MaskAuditor`` for a vector env: every sub-env's action is checked against its
    row of ``action_masks()``, except the action a sub-env ignores while it resets
    (next-step autoreset: the step after one that ended its episode)."""

    def __init__(self, env: gym.vector.VectorEnv, audit_dir: str | Path) -> None:
        super().__init__(env)
        self.audit = ActionAudit(audit_dir)
        self._resetting = np.zeros(env.num_envs, dtype=bool)

    def reset(self, **kwargs: Any):
        self._resetting[:] = False
        return self.env.reset(**kwargs)

    def step(self, actions: Any):
        masks = self.action_masks()
        for i, action in enumerate(np.asarray(actions).reshape(self.num_envs)):
            if not self._resetting[i]:
                self.audit.check(masks[i], int(action), f"env {i} ")
        self.audit.save_count()
        out = self.env.step(actions)
        self._resetting = np.asarray(out[2]) | np.asarray(out[3])
        return out

    def action_masks(self) -> np.ndarray:
        return self.env.unwrapped.action_masks()  # type: ignore[attr-defined]


class VectorCrashOnce(gym.vector.VectorWrapper):
    """``CrashOnce`` for a vector env (counts vector steps)."""

    def __init__(self, env: gym.vector.VectorEnv, flag: str | Path, crash_after: int = 50) -> None:
        super().__init__(env)
        self.crash = CrashCountdown(Path(flag), crash_after)

    def step(self, actions: Any):
        self.crash.tick()
        return self.env.step(actions)


def make_rllib_vector_env(env_config: Mapping[str, Any]) -> gym.vector.VectorEnv:
    """``env_config["num_envs"]`` sub-envs in the env's own vector env, wrapped as asked."""
    import rl4real_gym  # noqa: F401  (registers the Gymnasium ids in this process)

    target = str(env_config.get("target", "x86"))
    kwargs = dict(env_config.get("env_kwargs", {}))
    num_envs = int(env_config["num_envs"])
    env = gym.make_vec(gym_env_id(target), num_envs=num_envs, vectorization_mode="vector_entry_point", **kwargs)
    if env_config.get("crash_flag"):
        env = VectorCrashOnce(env, env_config["crash_flag"], int(env_config.get("crash_after", 50)))
    if env_config.get("audit_dir"):
        env = VectorMaskAuditor(env, env_config["audit_dir"])
    return env


def make_rllib_env(env_config: Mapping[str, Any]) -> gym.Env | gym.vector.VectorEnv:
    """The env creator given to Ray's registry (``env_config`` as in the module doc)."""
    import rl4real_gym  # noqa: F401  (registers the Gymnasium ids in this process)

    if env_config.get("num_envs") is not None:
        return make_rllib_vector_env(env_config)
    target = str(env_config.get("target", "x86"))
    env: gym.Env = gym.make(gym_env_id(target), **dict(env_config.get("env_kwargs", {})))
    if env_config.get("crash_flag"):
        env = CrashOnce(env, env_config["crash_flag"], int(env_config.get("crash_after", 50)))
    if env_config.get("audit_dir"):
        env = MaskAuditor(env, env_config["audit_dir"])
    return env


def register_rllib_envs() -> dict[str, str]:
    """Registers both targets with Ray's registry; returns {target: registered name}."""
    from ray.tune.registry import register_env

    names = {}
    for target in ENV_IDS.values():
        names[target] = rllib_env_name(target)
        register_env(names[target], make_rllib_env)
    return names


def audit_counts(audit_dir: str | Path) -> tuple[int, list[str]]:
    """(actions checked, violations) recorded by ``MaskAuditor`` under ``audit_dir``."""
    root = Path(audit_dir)
    checked = sum(int(p.read_text() or 0) for p in root.glob("checked-*.txt"))
    violations_file = root / "violations.txt"
    violations = violations_file.read_text().splitlines() if violations_file.exists() else []
    return checked, violations
