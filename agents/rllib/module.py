"""PPO's RLModule for ``RL4ReAl-*-v2``: the library's policy network, masked.

The module wraps the very network MaskablePPO trains (``agents.algorithms.maskable_ppo``:
``gnn-scoring`` is ``agents.policies.scoring.GraphScoringPolicy`` over the shared trunk
of ``agents.policies.graph``; ``gnn`` and ``mlp`` are SB3's multi-input policy with our
extractor or SB3's), built from the same class and keyword arguments, so:

* the weights are the policy's ``state_dict`` under the prefix ``policy.``: what RLlib
  trains loads into a MaskablePPO model and is saved, evaluated, compiled and exported
  like any SB3 run (``agents.rllib.train``), and SB3's weights (a warm start) load here;
* the observation goes through SB3's preprocessing (the phase one-hot, floats), then the
  features extractor, the policy's ``mlp_extractor`` (actor and critic latents), its
  ``action_net`` (logits) and ``value_net`` (value), as in ``MaskableActorCriticPolicy``.

Masking: the logits of illegal actions (``obs["action_mask"]``) are set to
``MASKED_LOGIT`` in the exploration, inference and train forward passes, so sampling,
``argmax`` and PPO's log-probabilities and entropy only see legal actions (SB3's
``MaskableCategorical`` gives the same distribution).

``model_config`` keys: ``policy_class`` (a ``MaskableActorCriticPolicy`` subclass or an
alias of ``MaskablePPO.policy_aliases``), ``policy_kwargs`` (its keyword arguments);
``uniform`` (True: the network is not used, every legal action equally likely; for
benchmarks).
"""

from __future__ import annotations

import logging
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from ray.rllib.core.columns import Columns
from ray.rllib.core.rl_module.apis.value_function_api import ValueFunctionAPI
from ray.rllib.core.rl_module.torch.torch_rl_module import TorchRLModule

MASKED_LOGIT = -1.0e9
MASK_KEY = "action_mask"
WEIGHTS_PREFIX = "policy."  # the wrapped policy's attribute name, in the module's state_dict
RAY_FALSE_DEPRECATION = "RLModule(config=[RLModuleConfig object])"


class _DropFalseDeprecation(logging.Filter):
    """Ray 2.60's ``RLModule.__init__`` builds an ``RLModuleConfig`` for every module, and
    that class's constructor logs "`RLModule(config=[RLModuleConfig object])` has been
    deprecated" although the module was built with the new keyword arguments
    (ray-project/ray issue 51630). Only that message is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return RAY_FALSE_DEPRECATION not in record.getMessage()


logging.getLogger("ray._common.deprecation").addFilter(_DropFalseDeprecation())


def apply_mask(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Logits of illegal actions replaced by ``MASKED_LOGIT``."""
    return torch.where(mask.bool(), logits, torch.full_like(logits, MASKED_LOGIT))


def resolve_policy_class(policy_class: Any) -> type:
    """A policy class, or MaskablePPO's alias for one (``"MultiInputPolicy"``)."""
    if isinstance(policy_class, str):
        from sb3_contrib import MaskablePPO

        if policy_class not in MaskablePPO.policy_aliases:
            raise ValueError(f"unknown MaskablePPO policy {policy_class!r}")
        return MaskablePPO.policy_aliases[policy_class]
    return policy_class


def build_policy(observation_space: gym.Space, action_space: gym.Space, model_config: dict[str, Any]) -> Any:
    """The policy network MaskablePPO would build for these spaces and ``model_config``
    (its optimizer is SB3's and unused here: RLlib's Learner has its own)."""
    cls = resolve_policy_class(model_config.get("policy_class", "MultiInputPolicy"))
    kwargs = dict(model_config.get("policy_kwargs") or {})
    return cls(observation_space, action_space, lambda _progress: 0.0, **kwargs)


class MaskedPolicyModule(TorchRLModule, ValueFunctionAPI):
    """The library's (SB3) actor-critic policy as a masked RLModule (module docstring)."""

    def setup(self) -> None:
        space = self.observation_space
        if not isinstance(space, gym.spaces.Dict) or MASK_KEY not in space.spaces:
            raise ValueError(f"MaskedPolicyModule needs the env's Dict observation with {MASK_KEY!r}, got {space}")
        if not isinstance(self.action_space, gym.spaces.Discrete) or space[MASK_KEY].shape != (self.action_space.n,):
            raise ValueError(f"observation {space} does not match the action space {self.action_space}")
        cfg = dict(self.model_config or {})
        self.uniform = bool(cfg.get("uniform", False))  # the network is built (the Learner needs parameters), unused
        self.policy = build_policy(space, self.action_space, cfg)

    def _latents(self, obs: dict[str, torch.Tensor]) -> tuple[Any, Any]:
        """(actor latent, critic latent), as ``MaskableActorCriticPolicy.forward`` makes them."""
        features = self.policy.extract_features(obs)
        if not self.policy.share_features_extractor:  # (actor's, critic's)
            pi_features, vf_features = features
            extractor = self.policy.mlp_extractor
            return extractor.forward_actor(pi_features), extractor.forward_critic(vf_features)
        return self.policy.mlp_extractor(features)

    def _masked_output(self, batch: dict[str, Any], with_embeddings: bool) -> dict[str, Any]:
        obs = batch[Columns.OBS]
        mask = obs[MASK_KEY]
        if self.uniform:
            return {Columns.ACTION_DIST_INPUTS: apply_mask(torch.zeros(mask.shape, device=mask.device), mask)}
        latent_pi, latent_vf = self._latents(obs)
        out: dict[str, Any] = {Columns.ACTION_DIST_INPUTS: apply_mask(self.policy.action_net(latent_pi), mask)}
        if with_embeddings:
            out[Columns.EMBEDDINGS] = latent_vf
        return out

    def _forward_inference(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        with torch.no_grad():
            return self._masked_output(batch, with_embeddings=False)

    def _forward_exploration(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        with torch.no_grad():
            return self._masked_output(batch, with_embeddings=False)

    def _forward_train(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return self._masked_output(batch, with_embeddings=True)

    def compute_values(self, batch: dict[str, Any], embeddings: Any = None) -> torch.Tensor:
        if self.uniform:
            mask = batch[Columns.OBS][MASK_KEY]
            return torch.zeros(mask.shape[0], device=mask.device)
        if embeddings is None:
            _, embeddings = self._latents(batch[Columns.OBS])
        return self.policy.value_net(embeddings).squeeze(-1)


def policy_state(module_state: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The wrapped policy's ``state_dict`` from the module's (RLlib's weights: numpy or
    tensors, keys prefixed ``policy.``)."""
    out = {}
    for key, value in module_state.items():
        if key.startswith(WEIGHTS_PREFIX):
            tensor = value.clone() if isinstance(value, torch.Tensor) else torch.from_numpy(np.array(value))
            out[key[len(WEIGHTS_PREFIX) :]] = tensor  # a copy: RLlib's arrays may be read-only
    if not out:
        raise ValueError("the module's state has no policy weights")
    return out


def module_state(policy_state_dict: dict[str, torch.Tensor]) -> dict[str, Any]:
    """The module's state (numpy, as RLlib's ``set_weights`` takes it) from a policy's."""
    return {WEIGHTS_PREFIX + key: value.detach().cpu().numpy() for key, value in policy_state_dict.items()}
