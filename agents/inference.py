"""Loading trained agents for inference, and running them on real compilations.

A saved model is a file (``.zip`` for MaskablePPO, ``.pt`` for REINFORCE, ``.onnx`` for
an exported policy) with a sidecar ``<file>.meta.json`` naming its target and the
env sizes it was trained with. :func:`load_agent` gives an object with SB3's
``predict(obs, action_masks, deterministic)``; :func:`load_policy` adapts it to the
driver's ``DecisionState -> choice`` policies used by ``rl4real compile`` and the fuzzer.
"""

from __future__ import annotations

import functools
import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rl4real_gym.driver.session import SessionLimits
from rl4real_gym.envs.spaces import Layout
from rl4real_gym.errors import ModelError
from rl4real_gym.policy import PredictorPolicy
from rl4real_gym.registration import ENV_VERSION
from rl4real_gym.targets import get_target

META_VERSION = 1
FORMATS = ("maskable-ppo", "reinforce", "onnx", "algorithm")  # algorithm: any agents.algorithm class, named by algo


@dataclass(frozen=True)
class ModelMeta:
    target: str
    algo: str
    policy: str
    max_nodes: int
    max_edges: int
    max_split_points: int
    num_colours: int
    format: str
    version: int = META_VERSION
    env_version: int = 0  # the RL4ReAl-<target>-v<N> it was trained on (models saved before it: 0)

    @property
    def layout(self) -> Layout:
        return Layout(self.max_nodes, self.max_edges, self.num_colours, self.max_split_points)

    def limits(self) -> SessionLimits:
        """Session limits matching the sizes the model was trained with."""
        return SessionLimits(max_nodes=self.max_nodes, max_edges=self.max_edges, max_split_points=self.max_split_points)


def meta_path(model: str | Path) -> Path:
    return Path(f"{model}.meta.json")


def save_meta(model: str | Path, meta: ModelMeta) -> None:
    meta_path(model).write_text(json.dumps(asdict(meta), indent=2, sort_keys=True) + "\n")


def load_meta(model: str | Path) -> ModelMeta:
    path = Path(model)
    if not path.exists():
        raise ModelError(f"model file {path} does not exist (train one with `rl4real train`, or set MODEL_PATH)")
    mpath = meta_path(path)
    if not mpath.exists():
        raise ModelError(f"{mpath} is missing: {path} was not saved by rl4real train/export")
    try:
        data = json.loads(mpath.read_text())
        meta = ModelMeta(**data)
    except (ValueError, TypeError) as err:
        raise ModelError(f"{mpath} is corrupt ({err})") from err
    if meta.format not in FORMATS:
        raise ModelError(f"{mpath}: unknown model format {meta.format!r}")
    if meta.env_version != ENV_VERSION:
        raise ModelError(
            f"{path} was trained on RL4ReAl-{meta.target}-v{meta.env_version}, but this rl4real-gym provides "
            f"RL4ReAl-{meta.target}-v{ENV_VERSION} (other observations or actions): retrain it, or use an "
            f"rl4real-gym release that provides v{meta.env_version}"
        )
    return meta


def check_target(meta: ModelMeta, target: str | None, path: Path) -> None:
    if target is None:
        return
    wanted = get_target(target).name
    if meta.target != wanted:
        raise ModelError(
            f"{path} was trained for {meta.target}, not {wanted}: use a model trained with --target {wanted}"
        )


class OnnxAgent:
    """An exported policy run with onnxruntime (no SB3 or torch needed)."""

    def __init__(self, path: Path, meta: ModelMeta) -> None:
        import onnxruntime as ort

        try:
            self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own exception types
            raise ModelError(f"{path} is not a valid ONNX model ({err})") from err
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.meta = meta

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True):
        feed = {}
        for name in self.inputs:
            value = np.asarray(obs[name])
            feed[name] = (value if value.ndim else value.reshape(1)).astype(np.float32)[None]
        logits = self.session.run(None, feed)[0][0]
        logits = np.where(action_masks, logits, -np.inf)
        return int(np.argmax(logits)), None


def single_threaded_torch() -> None:
    """Inference here is one observation at a time: torch's intra-op threads only contend
    (measured: 62 ms -> 10 ms per decision of the gnn-scoring policy on a loaded 2-core
    machine)."""
    import torch

    torch.set_num_threads(1)


def load_agent(path: str | Path, target: str | None = None, device: str = "cpu") -> tuple[Any, ModelMeta]:
    """Loads a model of any format for inference; raises ModelError naming the problem."""
    p = Path(path)
    meta = load_meta(p)
    check_target(meta, target, p)
    if meta.format == "onnx":
        return OnnxAgent(p, meta), meta
    single_threaded_torch()
    if meta.format == "algorithm":
        return load_algorithm(p, meta), meta
    from agents.algorithms.builtin import MaskablePPOAlgorithm, ReinforceAlgorithm

    if meta.format == "reinforce":
        try:
            return ReinforceAlgorithm.load(p, device=device).agent, meta
        except Exception as err:
            raise ModelError(f"{p} could not be loaded as a REINFORCE model ({err})") from err
    if not zipfile.is_zipfile(p):
        raise ModelError(f"{p} is corrupt: not an SB3 model archive")
    try:
        return MaskablePPOAlgorithm.load(p, device=device).model, meta
    except Exception as err:
        raise ModelError(f"{p} could not be loaded as a MaskablePPO model ({err})") from err


def load_algorithm(path: Path, meta: ModelMeta) -> Any:
    """A model saved by an :mod:`agents.algorithm` class (``meta.algo`` names it) as a predictor."""
    from agents.algorithm import AlgorithmAgent, resolve_algorithm

    cls = resolve_algorithm(meta.algo)
    try:
        return AlgorithmAgent(cls.load(path))
    except Exception as err:
        raise ModelError(f"{path} could not be loaded by {meta.algo} ({err})") from err


class ModelPolicy(PredictorPolicy):
    """A loaded model as the driver's policy (DecisionState -> choice), with its meta;
    the plugin must not offer more than the model's layout holds (``limits``)."""

    def __init__(self, agent: Any, meta: ModelMeta) -> None:
        super().__init__(agent, meta.layout, meta.limits())
        self.agent = agent
        self.meta = meta


def load_policy(path: str | Path, target: str | None = None) -> ModelPolicy:
    """A driver policy from a saved model (for ``rl4real compile`` and the fuzzer)."""
    agent, meta = load_agent(path, target)
    return ModelPolicy(agent, meta)


@functools.cache
def cached_policy(path: str, target: str | None) -> ModelPolicy:
    """:func:`load_policy`, once per process (the fuzzer asks for every program)."""
    return load_policy(path, target)


@dataclass(frozen=True)
class ModelPolicies:
    """The policy factory (seed -> policy) of a saved model, for the fuzzer: picklable
    (worker processes load the model once each); the seed does not matter."""

    path: str
    target: str | None = None

    def __call__(self, seed: int) -> ModelPolicy:
        return cached_policy(self.path, self.target)


SHIPPED_DIR = Path(__file__).resolve().parent / "models"
SHIPPED_NAME = "policy.onnx"
SHIPPED_NATIVE_NAME = "policy.rlpolicy"  # the same network as a native policy (rl4real export --format native)
NO_MODEL = "none"  # --model none: no policy, not even the shipped one


def shipped_model(target: str | None) -> Path | None:
    """The policy shipped with the package for ``target`` (default x86):
    ``agents/models/<target>/policy.onnx``, or None when there is none for it (or
    onnxruntime, which runs it, is not installed)."""
    import importlib.util

    from rl4real_gym.errors import RL4ReAlError

    try:
        name = get_target(target or "x86").name
    except RL4ReAlError:
        return None
    path = SHIPPED_DIR / name / SHIPPED_NAME
    if not path.is_file() or importlib.util.find_spec("onnxruntime") is None:
        return None
    return path


def shipped_native_model(target: str | None) -> Path | None:
    """The native policy file shipped for ``target`` (default x86), which the plugin runs
    inside llc (``-rl4real-model``): ``agents/models/<target>/policy.rlpolicy``, or None."""
    from rl4real_gym.errors import RL4ReAlError

    try:
        name = get_target(target or "x86").name
    except RL4ReAlError:
        return None
    path = SHIPPED_DIR / name / SHIPPED_NATIVE_NAME
    return path if path.is_file() else None


def resolve_model(model: str | None, target: str | None) -> str | None:
    """The model a command uses: ``--model`` (``none``: no model), else ``MODEL_PATH``,
    else the shipped policy for the target (see :func:`shipped_model`), else None."""
    from rl4real_gym.config import settings

    if model is not None:
        return None if model == NO_MODEL else model
    if settings().model_path:
        return str(settings().model_path)
    shipped = shipped_model(target)
    return str(shipped) if shipped else None
