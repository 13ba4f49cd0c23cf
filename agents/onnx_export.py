"""Exporting a trained policy to ONNX, so that inference needs neither SB3 nor torch.

The exported graph maps the observation (one float32 input per key, batch first) to
action logits; masking is applied at inference (``agents.inference.OnnxAgent``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from gymnasium import spaces
from torch import nn

from agents.algorithms.builtin import ReinforceLogits, SB3Logits
from agents.inference import ModelMeta, load_agent, save_meta
from rl4real_gym.errors import ModelError


def algorithm_module(algorithm: Any, keys: list[str], name: str) -> nn.Module:
    """The logits module of an :mod:`agents.algorithm` model: its export hook
    (``export_module()``), else its ``policy`` when that is one of the library's networks."""
    from agents.algorithms.reinforce import MaskedPolicy

    hook = getattr(algorithm, "export_module", None)
    if callable(hook):
        module = hook()
        if not isinstance(module, nn.Module):
            raise ModelError(f"{name}.export_module() returned {type(module).__name__}, not a torch.nn.Module")
        return module
    policy = getattr(algorithm, "policy", None)
    if isinstance(policy, MaskedPolicy):
        return ReinforceLogits(policy, keys)
    raise ModelError(
        f"cannot export {name}: its policy is not one of the library's networks (agents.algorithms.reinforce."
        "MaskedPolicy as its `policy` attribute) and it has no export hook: give it an export_module() method "
        "returning a torch.nn.Module from the observation tensors (observation space key order) to action logits"
    )


def example_inputs(observation_space: spaces.Dict) -> list[torch.Tensor]:
    sample = observation_space.sample()
    out = []
    for key in observation_space.spaces:
        value = torch.as_tensor(sample[key], dtype=torch.float32)
        out.append((value if value.ndim else value.reshape(1)).unsqueeze(0))
    return out


def export_onnx(model_path: str | Path, output: str | Path) -> Path:
    """Writes ``output`` (+ ``.meta.json``) from a MaskablePPO, REINFORCE or Algorithm model."""
    from rl4real_gym.envs.spaces import observation_space

    agent, meta = load_agent(model_path)
    space = observation_space(meta.layout)
    if meta.format == "maskable-ppo":
        module: nn.Module = SB3Logits(agent.policy)
    elif meta.format == "reinforce":
        module = ReinforceLogits(agent.policy, list(space.spaces))
    elif meta.format == "algorithm":
        module = algorithm_module(agent.algorithm, list(space.spaces), meta.algo)
    else:
        raise ModelError(f"{model_path} is already an ONNX model")
    module.eval()
    names = list(space.spaces)
    out = Path(output)
    with torch.no_grad():
        torch.onnx.export(
            module,
            tuple(example_inputs(space)),
            str(out),
            input_names=names,
            output_names=["logits"],
            dynamic_axes={**{n: {0: "batch"} for n in names}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    save_meta(out, ModelMeta(**{**meta.__dict__, "format": "onnx"}))
    return out
