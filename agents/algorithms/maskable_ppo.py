"""MaskablePPO (sb3-contrib) configured from the algorithm part of a TrainConfig (and the backend's device,
workers and resume), with the MLP, GNN or GNN-scoring policy."""

from __future__ import annotations

from typing import Any

from agents.config import AlgorithmConfig, BackendConfig
from agents.policies.gnn import InterferenceGraphExtractor
from agents.policies.scoring import GraphScoringExtractor, GraphScoringPolicy


def policy_class(config: AlgorithmConfig) -> Any:
    """SB3's MultiInputPolicy, or our per-node scoring policy for ``gnn-scoring``."""
    return GraphScoringPolicy if config.policy == "gnn-scoring" else "MultiInputPolicy"


def policy_kwargs(config: AlgorithmConfig) -> dict[str, Any]:
    if config.policy == "gnn-scoring":
        return {
            "features_extractor_class": GraphScoringExtractor,
            "features_extractor_kwargs": {
                "hidden": config.gnn_hidden,
                "layers": config.gnn_layers,
                "spill_gate": config.spill_gate,
                "priority": config.priority,
            },
        }
    if config.policy == "gnn":
        return {
            "features_extractor_class": InterferenceGraphExtractor,
            "features_extractor_kwargs": {"hidden": config.gnn_hidden, "layers": config.gnn_layers},
            "net_arch": {"pi": [128], "vf": [128]},
        }
    return {"net_arch": {"pi": [128, 64], "vf": [128, 64]}}


def build(config: AlgorithmConfig, backend: BackendConfig, venv: Any, tensorboard_log: str | None):
    """A new MaskablePPO, or the one in ``backend.resume`` continued."""
    from sb3_contrib import MaskablePPO

    device = backend.device
    if backend.resume:
        return MaskablePPO.load(backend.resume, env=venv, device=device, tensorboard_log=tensorboard_log)
    batch = min(config.batch_size, config.n_steps * backend.workers)
    return MaskablePPO(
        policy_class(config),
        venv,
        learning_rate=config.learning_rate,
        n_steps=config.n_steps,
        batch_size=batch,
        n_epochs=config.n_epochs,
        gamma=config.gamma,
        gae_lambda=config.gae_lambda,
        ent_coef=config.ent_coef,
        clip_range=config.clip_range,
        policy_kwargs=policy_kwargs(config),
        tensorboard_log=tensorboard_log,
        seed=config.seed,
        device=device,
        verbose=0,
    )
