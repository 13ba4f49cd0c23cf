"""Action traces: record an episode (or an llc session) and replay it exactly.

Two levels:

* **Env episodes.** ``TraceRecorder(env, directory)`` is a Gymnasium wrapper that writes
  one JSON file per episode: env id and target, the env's keyword arguments (as far as
  they are known), the dataset function, the reset seed and options, every action,
  every reward and a SHA-256 of every observation. :func:`replay` rebuilds the env,
  replays the actions and reports any reward or observation that differs.
* **llc sessions** (what the fuzzer keeps). :class:`RecordingPolicy` wraps any policy
  and logs every decision ``(ActionKind, value)`` it sends; a :class:`SessionTrace`
  (module + target + actions) is replayed by :func:`replay_session_trace`, which runs
  llc again and sends the same actions. ``NEXT`` at the end of each function and the
  final ``FINISH`` are not decisions: ``drive`` sends them without asking the policy,
  and the replay does the same.

Example::

    env = TraceRecorder(gym.make("RL4ReAl-x86-v2"), "traces/")
    ...  # run episodes as usual
    result = replay("traces/episode-000000.json")
    assert result.ok, result.mismatches
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from rl4real_gym.driver.policies import Policy
from rl4real_gym.driver.session import LlcSession, SessionLimits
from rl4real_gym.driver.state import PHASE_ACTION, ActionKind, DecisionState, Phase
from rl4real_gym.errors import LlcError

TRACE_FORMAT = 1
EPISODE_KIND = "rl4real-episode"
SESSION_KIND = "rl4real-session"


# -- helpers -------------------------------------------------------------------
def observation_hash(obs: Any) -> str:
    """SHA-256 of an observation (a dict of arrays or an array): keys, dtypes, shapes, bytes."""
    digest = hashlib.sha256()
    items = sorted(obs.items()) if isinstance(obs, Mapping) else [("", obs)]
    for key, value in items:
        arr = np.ascontiguousarray(np.asarray(value))
        digest.update(f"{key}|{arr.dtype.str}|{arr.shape}|".encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (paths and numpy scalars converted), or raises TypeError."""
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def split_jsonable(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The JSON-serialisable items of ``values`` and the names of the others."""
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in values.items():
        try:
            kept[key] = jsonable(value)
        except TypeError:
            dropped.append(key)
    return kept, dropped


def write_json_atomic(path: Path, data: Any) -> None:
    """Writes ``data`` as JSON to ``path`` through a temporary file in the same directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, separators=(",", ":"))
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_trace_json(path: str | Path, kind: str) -> dict[str, Any]:
    """Loads a trace file and checks its kind and format version."""
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict) or data.get("kind") != kind:
        raise ValueError(f"{path} is not an {kind} trace")
    if data.get("format") != TRACE_FORMAT:
        raise ValueError(f"{path} has trace format {data.get('format')}, this package reads {TRACE_FORMAT}")
    return data


# -- env episodes --------------------------------------------------------------
@dataclass
class EpisodeTrace:
    """One env episode: enough to rebuild the env and replay it step by step."""

    env_id: str | None
    target: str
    env_kwargs: dict[str, Any]
    function: str | None
    seed: int | None = None
    options: dict[str, Any] | None = None
    actions: list[int] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    obs_hashes: list[str] = field(default_factory=list)  # reset observation first
    terminated: bool = False
    truncated: bool = False
    complete: bool = False  # ended by terminated/truncated (not cut by reset or close)
    max_episode_steps: int | None = None
    dataset_root: str | None = None
    module_sha256: str | None = None
    best_cost_before: float | None = None
    truncated_reason: str | None = None
    unrecorded_kwargs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": EPISODE_KIND, "format": TRACE_FORMAT, **asdict(self)}

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        write_json_atomic(path, self.to_dict())
        return path

    @classmethod
    def load(cls, path: str | Path) -> EpisodeTrace:
        data = read_trace_json(path, EPISODE_KIND)
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


ATTRIBUTE_KWARGS = ("max_steps", "verify", "illegal_action", "illegal_action_penalty")


def kwargs_from_attributes(env: Any) -> dict[str, Any]:
    """Constructor arguments recovered from a RegAllocEnv's attributes (no ``spec``)."""
    kwargs: dict[str, Any] = {"target": env.target.name}
    layout = getattr(env, "layout", None)
    if layout is not None:
        kwargs.update(max_nodes=layout.max_nodes, max_edges=layout.max_edges, max_split_points=layout.max_split_points)
    if hasattr(env, "reward_kind"):
        kwargs["reward"] = env.reward_kind
    for name in ATTRIBUTE_KWARGS:
        if hasattr(env, name):
            kwargs[name] = getattr(env, name)
    limits = getattr(env, "limits", None)
    if limits is not None:
        kwargs["step_timeout"] = limits.step_timeout
    return kwargs


def known_env_kwargs(env: gym.Env) -> tuple[dict[str, Any], list[str]]:
    """The env's keyword arguments: the spec's (``gym.make``) or recovered from attributes.

    Returns the JSON-serialisable ones and the names of those that could not be recorded.
    """
    spec = env.spec
    raw = dict(spec.kwargs) if spec is not None else kwargs_from_attributes(env.unwrapped)
    return split_jsonable(raw)


def env_dataset_facts(env: gym.Env, function: str | None) -> dict[str, Any]:
    """Dataset root, the module's hash and the env's best cost so far for ``function``."""
    inner = env.unwrapped
    facts: dict[str, Any] = {"dataset_root": None, "module_sha256": None, "best_cost_before": None}
    dataset = getattr(inner, "dataset", None)
    if dataset is None or function is None:
        return facts
    facts["dataset_root"] = str(dataset.root)
    with contextlib.suppress(KeyError, OSError):
        facts["module_sha256"] = file_sha256(dataset.module_path(dataset.get(function)))
    best = getattr(inner, "_best_cost", {}).get(function)
    facts["best_cost_before"] = None if best is None else float(best)
    return facts


def claim_trace_path(directory: Path, start: int) -> tuple[Path, int]:
    """The first free ``episode-NNNNNN.json`` from ``start`` on, created empty so that
    recorders sharing a directory (vectorised envs) never overwrite each other's files;
    returns it and the next index to try."""
    n = start
    while True:
        path = directory / f"episode-{n:06d}.json"
        try:
            path.open("x").close()
        except FileExistsError:
            n += 1
            continue
        return path, n + 1


class TraceRecorder(gym.Wrapper):
    """Writes a JSON trace of every episode to ``directory/episode-NNNNNN.json``.

    A trace is written when the episode ends (terminated or truncated); an episode cut
    short by ``reset`` or ``close`` is written too, marked ``complete: false``.
    ``paths`` lists the files written so far; several recorders (one per worker of a
    vectorised env) may share a directory.
    """

    def __init__(self, env: gym.Env, directory: str | Path) -> None:
        super().__init__(env)
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.paths: list[Path] = []
        self._episode: EpisodeTrace | None = None
        self._next = 0

    def action_masks(self) -> np.ndarray:
        """The wrapped env's ``action_masks()`` (MaskablePPO looks for this method)."""
        return self.env.get_wrapper_attr("action_masks")()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._flush()
        obs, info = self.env.reset(seed=seed, options=options)
        function = info.get("function")
        kwargs, dropped = known_env_kwargs(self.env)
        spec = self.env.spec
        target = getattr(self.env.unwrapped, "target", None)
        self._episode = EpisodeTrace(
            env_id=spec.id if spec is not None else None,
            target=target.name if target is not None else str(kwargs.get("target", "")),
            env_kwargs=kwargs,
            function=function,
            seed=seed,
            options=split_jsonable(options or {})[0] or None,
            obs_hashes=[observation_hash(obs)],
            max_episode_steps=spec.max_episode_steps if spec is not None else None,
            unrecorded_kwargs=dropped,
            **env_dataset_facts(self.env, function),
        )
        return obs, info

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        episode = self._episode
        if episode is not None:
            episode.actions.append(int(action))
            episode.rewards.append(float(reward))
            episode.obs_hashes.append(observation_hash(obs))
            if terminated or truncated:
                episode.terminated, episode.truncated, episode.complete = bool(terminated), bool(truncated), True
                reason = info.get("truncated_reason")
                episode.truncated_reason = str(reason) if reason is not None else None
                self._flush()
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        self._flush()
        super().close()

    def _flush(self) -> None:
        episode, self._episode = self._episode, None
        if episode is None:
            return
        path, self._next = claim_trace_path(self.directory, self._next)
        self.paths.append(episode.save(path))


@dataclass(frozen=True)
class Mismatch:
    """One difference between a trace and its replay (``step`` 0 is the reset)."""

    step: int
    what: str
    expected: Any
    actual: Any


@dataclass(frozen=True)
class ReplayResult:
    """What replaying a trace gave: ``ok`` when every reward and observation matched."""

    path: Path
    steps: int
    mismatches: tuple[Mismatch, ...]
    total_reward: float

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def first_mismatch(self) -> Mismatch | None:
        return self.mismatches[0] if self.mismatches else None


def replay_kwargs(trace: EpisodeTrace) -> dict[str, Any]:
    """Constructor kwargs for the replay: the recorded ones, plus the recorded dataset."""
    kwargs = dict(trace.env_kwargs)
    if "data" not in kwargs and trace.dataset_root and Path(trace.dataset_root).is_dir():
        kwargs["data"] = trace.dataset_root
    return kwargs


def make_replay_env(trace: EpisodeTrace) -> gym.Env:
    """Rebuilds the recorded env (by id when it was made with ``gym.make``)."""
    kwargs = replay_kwargs(trace)
    if trace.env_id is not None:
        import rl4real_gym  # noqa: F401  (registers the environment ids)

        return gym.make(trace.env_id, max_episode_steps=trace.max_episode_steps, **kwargs)
    from rl4real_gym.envs.regalloc_env import RegAllocEnv

    kwargs.setdefault("target", trace.target)
    return RegAllocEnv(**kwargs)


def compare_value(step: int, what: str, expected: Any, actual: Any) -> list[Mismatch]:
    """A one-element list when ``expected != actual``."""
    return [] if expected == actual else [Mismatch(step, what, expected, actual)]


def replay_episode(env: gym.Env, trace: EpisodeTrace) -> tuple[list[Mismatch], int, float]:
    """Resets ``env`` as recorded, replays the actions; returns mismatches, steps, return."""
    inner = env.unwrapped
    mismatches: list[Mismatch] = []
    if trace.function is not None and trace.best_cost_before is not None and hasattr(inner, "_best_cost"):
        inner._best_cost[trace.function] = trace.best_cost_before  # the env's memory at recording time
    options = dict(trace.options or {})
    if trace.function is not None:
        options["function"] = trace.function
    facts = env_dataset_facts(env, trace.function)
    if trace.module_sha256 is not None:
        mismatches += compare_value(0, "module_sha256", trace.module_sha256, facts["module_sha256"])
    obs, info = env.reset(seed=trace.seed, options=options)
    mismatches += compare_value(0, "function", trace.function, info.get("function"))
    mismatches += compare_value(0, "observation", trace.obs_hashes[0], observation_hash(obs))
    total, steps, terminated, truncated = 0.0, 0, False, False
    for i, action in enumerate(trace.actions, start=1):
        if terminated or truncated:
            mismatches.append(Mismatch(i, "episode ended early", len(trace.actions), steps))
            break
        obs, reward, terminated, truncated, _ = env.step(action)
        steps, total = i, total + float(reward)
        mismatches += compare_value(i, "reward", trace.rewards[i - 1], float(reward))
        mismatches += compare_value(i, "observation", trace.obs_hashes[i], observation_hash(obs))
    if trace.complete:
        mismatches += compare_value(steps, "terminated", trace.terminated, bool(terminated))
        mismatches += compare_value(steps, "truncated", trace.truncated, bool(truncated))
    return mismatches, steps, total


def replay(trace_path: str | Path) -> ReplayResult:
    """Rebuilds the env of an episode trace, replays its actions and checks every reward
    and observation hash against the recording."""
    trace = EpisodeTrace.load(trace_path)
    if not (len(trace.rewards) == len(trace.actions) == len(trace.obs_hashes) - 1):
        raise ValueError(f"{trace_path}: actions, rewards and observation hashes have inconsistent lengths")
    env = make_replay_env(trace)
    try:
        mismatches, steps, total = replay_episode(env, trace)
    finally:
        env.close()
    return ReplayResult(Path(trace_path), steps, tuple(mismatches), total)


# -- llc sessions ----------------------------------------------------------------
@dataclass(frozen=True)
class TracedAction:
    """One decision sent to llc, with the function and phase it was made in."""

    kind: ActionKind
    value: int
    function: str

    def to_json(self) -> list[Any]:
        return [self.kind.name, self.value, self.function]

    @classmethod
    def from_json(cls, item: Sequence[Any]) -> TracedAction:
        kind, value, function = item
        return cls(ActionKind[kind], int(value), str(function))


class RecordingPolicy:
    """Wraps a policy and logs every decision it sends as a :class:`TracedAction`.

    A decision is logged before it is sent, so after a crash the last entry is the
    action llc crashed on.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.actions: list[TracedAction] = []

    def __call__(self, state: DecisionState) -> int:
        choice = int(self.policy(state))
        self.actions.append(TracedAction(PHASE_ACTION[state.phase], choice, state.function))
        return choice


@dataclass
class SessionTrace:
    """An llc session: module, target, llc options and the decisions sent.

    ``module`` may be relative: it is then relative to the trace file's directory.
    """

    target: str
    module: str
    actions: list[TracedAction]
    verify: bool = True
    filetype: str = "asm"
    policy: str = ""
    output_sha256: str | None = None  # of llc's output when it was recorded
    meta: dict[str, Any] = field(default_factory=dict)
    base_dir: Path | None = field(default=None, compare=False)

    @property
    def module_path(self) -> Path:
        path = Path(self.module)
        return path if path.is_absolute() or self.base_dir is None else self.base_dir / path

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": SESSION_KIND, "format": TRACE_FORMAT, "target": self.target, "module": self.module,
            "verify": self.verify, "filetype": self.filetype, "policy": self.policy,
            "output_sha256": self.output_sha256, "meta": jsonable(self.meta),
            "actions": [a.to_json() for a in self.actions],
        }  # fmt: skip

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        write_json_atomic(path, self.to_dict())
        return path

    @classmethod
    def load(cls, path: str | Path) -> SessionTrace:
        data = read_trace_json(path, SESSION_KIND)
        return cls(
            target=data["target"], module=data["module"],
            actions=[TracedAction.from_json(a) for a in data["actions"]], verify=bool(data.get("verify", True)),
            filetype=data.get("filetype", "asm"), policy=data.get("policy", ""),
            output_sha256=data.get("output_sha256"), meta=data.get("meta", {}), base_dir=Path(path).parent,
        )  # fmt: skip


@dataclass(frozen=True)
class SessionReplay:
    """What replaying a session trace gave.

    ``error`` is llc's failure (crash, verifier, timeout) if any; ``diverged`` describes
    the first recorded action that did not fit the replayed state (other function or
    phase, or rejected by the plugin); ``sent`` lists every action sent, NEXT included.
    """

    replayed: int
    sent: tuple[tuple[ActionKind, int], ...]
    error: str = ""
    diverged: str = ""
    output_sha256: str | None = None
    output_matches: bool | None = None

    @property
    def completed(self) -> bool:
        return not self.error and not self.diverged


def divergence(action: TracedAction, state: DecisionState, index: int) -> str:
    """Why ``action`` cannot be sent in ``state`` (empty when it fits)."""
    if state.phase not in PHASE_ACTION or PHASE_ACTION[state.phase] != action.kind:
        return f"action {index}: recorded {action.kind.name} but llc is in phase {state.phase.name}"
    if state.function != action.function:
        return f"action {index}: recorded in {action.function} but llc is in {state.function}"
    return ""


def _replay_actions(
    session: LlcSession, actions: Sequence[TracedAction], sent: list[tuple[ActionKind, int]]
) -> tuple[int, str]:
    """Sends the recorded decisions (NEXT at each function end); returns (count, divergence)."""
    state = session.start()
    index = 0
    while state.phase != Phase.MODULE_DONE:
        if state.phase == Phase.FUNCTION_DONE:
            sent.append((ActionKind.NEXT, 0))
            state = session.step(ActionKind.NEXT)
            continue
        if index >= len(actions):
            return index, ""
        action = actions[index]
        why = divergence(action, state, index)
        if why:
            return index, why
        sent.append((action.kind, action.value))
        state = session.step(action.kind, action.value)
        if state.error:
            return index, f"action {index}: the plugin rejected {action.kind.name} {action.value}: {state.error}"
        index += 1
    return index, ""


def replay_session_trace(
    trace: SessionTrace | str | Path, *, output: str | Path | None = None, limits: SessionLimits | None = None
) -> SessionReplay:
    """Runs llc again on the trace's module and sends the recorded actions.

    Whatever the trace does not decide is finished by the plugin's heuristic, as
    ``drive`` does. ``output`` keeps llc's output (else it goes to a temp file); when
    the trace holds the original output's hash, ``output_matches`` compares them.
    """
    if not isinstance(trace, SessionTrace):
        trace = SessionTrace.load(trace)
    sent: list[tuple[ActionKind, int]] = []
    with tempfile.TemporaryDirectory(prefix="rl4real-replay-") as tmp:
        out = Path(output) if output is not None else Path(tmp) / f"out.{'s' if trace.filetype == 'asm' else 'o'}"
        replayed, error, diverged = 0, "", ""
        try:
            with LlcSession(
                trace.module_path, trace.target, output=out, verify=trace.verify, filetype=trace.filetype, limits=limits
            ) as session:
                replayed, diverged = _replay_actions(session, trace.actions, sent)
                if not diverged:
                    session.finish()
        except LlcError as err:
            error = str(err)
        digest = file_sha256(out) if not error and not diverged and out.is_file() else None
    matches = None if digest is None or trace.output_sha256 is None else digest == trace.output_sha256
    return SessionReplay(replayed, tuple(sent), error, diverged, digest, matches)


__all__ = [
    "EpisodeTrace",
    "Mismatch",
    "RecordingPolicy",
    "ReplayResult",
    "SessionReplay",
    "SessionTrace",
    "TraceRecorder",
    "TracedAction",
    "observation_hash",
    "replay",
    "replay_session_trace",
]
