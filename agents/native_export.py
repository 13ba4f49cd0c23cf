"""The native policy file (``.rlpolicy``): a trained network that the llc plugin runs
in-process (``-rl4real-model=FILE``), with no Python, torch or onnxruntime at compile time.

Layout of a file (little-endian throughout; ``docs/native-policy.md`` has the why):

1. ``MAGIC`` (15 bytes), then the header's length in bytes (uint32);
2. the header, JSON: format version, env version, schema version, target, the feature
   layout's fingerprint (:func:`layout_fingerprint`, which the plugin recomputes from its
   own Schema.h), the sizes (max nodes, edges, split points, colours), the observation's
   clipping bounds, the network kind and its hyper-parameters, and a table of tensors
   (name, shape, byte offset into the data);
3. zero padding to a multiple of 4 bytes, then the tensors as float32, row-major, in the
   torch convention (a linear layer's ``weight`` is ``(out, in)``).

Only the ``gnn-scoring`` network (``agents.policies.scoring``) has a native forward pass
(``native/PolicyModel.cpp``); :func:`reference_logits` is the same computation in numpy,
used to check every export against the model it came from.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rl4real_gym import schema
from rl4real_gym.driver.policies import copy_value
from rl4real_gym.envs.spaces import FEATURE_HIGH, FEATURE_LOW, Layout
from rl4real_gym.errors import ModelError

MAGIC = b"RL4ReAl-policy\n"
FORMAT_VERSION = 1
SUFFIX = ".rlpolicy"
NATIVE_NETWORKS = ("gnn-scoring",)
"""The networks the plugin can run (``policy`` of a model's meta)."""
PRIORITY_COLUMNS = 3  # agents.policies.scoring.PRIORITY_COLUMNS (kept equal by a test)


def layout_text() -> str:
    """The feature layout the plugin must share with a model: the schema version and
    every column name, in order. The plugin builds the same text from its Schema.h."""
    return (
        f"schema={schema.VERSION};node={','.join(schema.NODE_FEATURE_NAMES)};"
        f"split={','.join(schema.SPLIT_FEATURE_NAMES)};register={','.join(schema.REGISTER_FEATURE_NAMES)}"
    )


def layout_fingerprint() -> str:
    """SHA-256 (hex) of :func:`layout_text`."""
    return hashlib.sha256(layout_text().encode()).hexdigest()


@dataclass
class NativeNetwork:
    """A ``gnn-scoring`` network's hyper-parameters and weights (torch names and shapes)."""

    hidden: int
    layers: int
    priority: bool
    register_dim: int
    spill_gate: bool
    tensors: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def node_dim(self) -> int:
        return self.hidden + (PRIORITY_COLUMNS if self.priority else 0)

    @property
    def register_item_dim(self) -> int:
        return self.register_dim + (PRIORITY_COLUMNS if self.priority else 0) if self.register_dim else 0

    def hyper(self) -> dict[str, Any]:
        return {
            "hidden": self.hidden, "layers": self.layers, "priority": self.priority,
            "register_dim": self.register_dim, "spill_gate": self.spill_gate,
        }  # fmt: skip


def _scorer_names(prefix: str) -> list[str]:
    return [f"{prefix}.0.weight", f"{prefix}.0.bias", f"{prefix}.2.weight", f"{prefix}.2.bias"]


def tensor_names(net: NativeNetwork) -> list[str]:
    """The tensors a network of these hyper-parameters has, in file order."""
    names = ["embed.weight", "embed.bias"]
    for i in range(net.layers):
        names += [f"convs.{i}.self.weight", f"convs.{i}.self.bias", f"convs.{i}.neigh.weight"]
    names += [*_scorer_names("node_score"), "task.weight", "task.bias", "colour.weight", "colour.bias"]
    names += _scorer_names("split_score")
    if net.register_dim:
        names += _scorer_names("register_score")
    if net.spill_gate:
        names += ["spill.weight", "spill.bias"]
    return names


# -- from a trained SB3 policy ----------------------------------------------------


def from_sb3_policy(policy: Any) -> NativeNetwork:
    """The network of a MaskablePPO ``GraphScoringPolicy`` (its state dict renamed)."""
    extractor = policy.features_extractor
    layout = extractor.layout
    state = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in policy.state_dict().items()}
    net = NativeNetwork(layout.hidden, len(extractor.convs), bool(layout.priority_dim), layout.register_dim,
                        layout.spill_gate)  # fmt: skip
    rename = {"embed.weight": "features_extractor.embed.0.weight", "embed.bias": "features_extractor.embed.0.bias"}
    for i in range(net.layers):
        base = f"features_extractor.convs.{i}"
        rename[f"convs.{i}.self.weight"] = f"{base}.self_lin.weight"
        rename[f"convs.{i}.self.bias"] = f"{base}.self_lin.bias"
        rename[f"convs.{i}.neigh.weight"] = f"{base}.neigh_lin.weight"
    for name in tensor_names(net):
        source = rename.get(name, f"action_net.{name}")
        if source not in state:
            raise ModelError(f"the policy has no tensor {source} (not a gnn-scoring network?)")
        net.tensors[name] = state[source]
    return net


# -- from an exported ONNX policy -------------------------------------------------


def from_onnx(path: str | Path) -> NativeNetwork:
    """The network of a ``gnn-scoring`` policy exported by ``rl4real export`` (ONNX): its
    weights are the graph's initializers, found through the nodes that use them (torch's
    exporter names each node after its module, e.g. ``/action_net/node_score/Gemm``)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    inits = {i.name: numpy_helper.to_array(i).astype(np.float32) for i in model.graph.initializer}
    weights: dict[str, np.ndarray] = {}  # torch-named tensors
    for node in model.graph.node:
        if node.op_type not in ("MatMul", "Gemm"):
            continue
        params = [inits[i] for i in node.input[1:] if i in inits]
        scope = node.name.rsplit("/", 1)[0].strip("/")
        parts = scope.split("/")
        if node.op_type == "MatMul":
            (w,) = params  # (in, out)
            if parts[0] == "features_extractor" and parts[1] == "embed":
                weights["embed.weight"] = w.T
            elif parts[0] == "features_extractor" and parts[1].startswith("convs."):
                kind = {"self_lin": "self", "neigh_lin": "neigh"}[parts[2]]
                weights[f"{parts[1]}.{kind}.weight"] = w.T
            elif parts[0] == "action_net" and len(parts) == 2:  # a PairScorer's item part
                weights[f"{parts[1]}.0.item"] = w.T
            elif parts[0] == "action_net" and len(parts) == 3:  # its output layer
                weights[f"{parts[1]}.2.weight"] = w.T
            else:
                raise ModelError(f"{path}: unexpected MatMul {node.name} (not a gnn-scoring policy?)")
        else:
            attrs = {a.name: a for a in node.attribute}
            if "transB" not in attrs or attrs["transB"].i != 1 or ("transA" in attrs and attrs["transA"].i):
                raise ModelError(f"{path}: unexpected Gemm layout in {node.name}")
            w, b = params
            head = parts[1]
            if head in ("task", "colour", "spill"):
                weights[f"{head}.weight"], weights[f"{head}.bias"] = w, b
            else:  # a PairScorer's context part and its first bias
                weights[f"{head}.0.context"], weights[f"{head}.0.bias"] = w, b
    for name, value in inits.items():  # the biases that kept their module names
        for src, dst in (("features_extractor.embed.0.bias", "embed.bias"),):
            if name.endswith(src):
                weights[dst] = value
        if ".convs." in name and name.endswith("self_lin.bias"):
            i = name.split(".convs.")[1].split(".")[0]
            weights[f"convs.{i}.self.bias"] = value
        if name.startswith("policy.action_net.") and name.endswith(".2.bias"):
            weights[f"{name.split('.')[2]}.2.bias"] = value
    for head in ("node_score", "split_score", "register_score"):
        if f"{head}.0.item" in weights:
            weights[f"{head}.0.weight"] = np.concatenate(
                [weights.pop(f"{head}.0.item"), weights.pop(f"{head}.0.context")], axis=1
            )
    try:
        hidden = weights["embed.weight"].shape[0]
        layers = sum(1 for k in weights if k.endswith(".neigh.weight"))
        context = weights["task.weight"].shape[1]
        node_item = weights["node_score.0.weight"].shape[1] - context
        priority = node_item - hidden
        scorer = weights.get("register_score.0.weight")
        register_item = scorer.shape[1] - context if scorer is not None else 0
    except KeyError as err:
        raise ModelError(f"{path} is not a gnn-scoring policy (no {err} in its graph)") from err
    if priority not in (0, PRIORITY_COLUMNS):
        raise ModelError(f"{path}: node items of {node_item} values do not fit a hidden size of {hidden}")
    net = NativeNetwork(hidden, layers, bool(priority), register_item - priority if register_item else 0,
                        "spill.weight" in weights)  # fmt: skip
    missing = [n for n in tensor_names(net) if n not in weights]
    if missing:
        raise ModelError(f"{path}: no {', '.join(missing)} in its graph (not a gnn-scoring policy?)")
    net.tensors = {n: np.ascontiguousarray(weights[n], np.float32) for n in tensor_names(net)}
    return net


# -- the file ---------------------------------------------------------------------


def write_policy(path: str | Path, net: NativeNetwork, meta: Any) -> Path:
    """Writes ``net`` with ``meta`` (an ``agents.inference.ModelMeta``) as a native file."""
    table, blobs, offset = [], [], 0
    for name in tensor_names(net):
        value = np.ascontiguousarray(net.tensors[name], dtype="<f4")
        table.append({"name": name, "shape": list(value.shape), "offset": offset})
        blobs.append(value.tobytes())
        offset += value.nbytes
    header = {
        "magic": MAGIC.decode().strip(), "format_version": FORMAT_VERSION, "env_version": meta.env_version,
        "schema_version": schema.VERSION, "layout_fingerprint": layout_fingerprint(), "layout": layout_text(),
        "target": meta.target, "algo": meta.algo, "network": meta.policy,
        "max_nodes": meta.max_nodes, "max_edges": meta.max_edges, "max_split_points": meta.max_split_points,
        "num_colours": meta.num_colours, "feature_low": FEATURE_LOW, "feature_high": FEATURE_HIGH,
        **net.hyper(), "tensors": table, "data_size": offset,
    }  # fmt: skip
    text = json.dumps(header, sort_keys=True).encode()
    start = len(MAGIC) + 4 + len(text)
    pad = (-start) % 4
    out = Path(path)
    out.write_bytes(MAGIC + struct.pack("<I", len(text)) + text + b"\0" * pad + b"".join(blobs))
    return out


def read_policy(path: str | Path) -> tuple[dict[str, Any], NativeNetwork]:
    """The header and network of a native file (the plugin's checks, in Python)."""
    data = Path(path).read_bytes()
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise ModelError(f"{path} is not an rl4real native policy (bad magic)")
    (size,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4
    try:
        header = json.loads(data[start : start + size])
    except ValueError as err:
        raise ModelError(f"{path}: corrupt header ({err})") from err
    base = start + size + (-(start + size)) % 4
    net = NativeNetwork(header["hidden"], header["layers"], header["priority"], header["register_dim"],
                        header["spill_gate"])  # fmt: skip
    for entry in header["tensors"]:
        count = int(np.prod(entry["shape"]))
        lo = base + entry["offset"]
        if lo + 4 * count > len(data):
            raise ModelError(f"{path} is truncated")
        net.tensors[entry["name"]] = np.frombuffer(data, "<f4", count, lo).reshape(entry["shape"])
    return header, net


# -- the forward pass in numpy (the plugin's, for checking exports) ---------------


def _priority(keys: list[np.ndarray], legal: np.ndarray) -> np.ndarray:
    k = legal.shape[0]
    index = np.arange(k)
    before = index[None, :] < index[:, None]  # [i, j]: j first
    for key in reversed(keys):
        ki, kj = key[:, None], key[None, :]
        before = (kj > ki) | ((kj == ki) & before)
    position = (before & legal[None, :]).sum(-1).astype(np.float32)
    main = np.where(legal, keys[0], np.float32(-1e9))
    gap = np.maximum(main.max() - keys[0], 0).astype(np.float32)
    cols = np.stack([(position == 0).astype(np.float32), np.log1p(position), gap], axis=-1)
    return cols * legal[:, None]


def _scorer(net: NativeNetwork, prefix: str, items: np.ndarray, context: np.ndarray) -> np.ndarray:
    w0, b0 = net.tensors[f"{prefix}.0.weight"], net.tensors[f"{prefix}.0.bias"]
    d = items.shape[1]
    hidden = np.tanh(items @ w0[:, :d].T + (w0[:, d:] @ context + b0)[None, :])
    return (hidden @ net.tensors[f"{prefix}.2.weight"].T)[:, 0] + net.tensors[f"{prefix}.2.bias"][0]


def reference_logits(net: NativeNetwork, obs: dict[str, Any], layout: Layout) -> np.ndarray:
    """The flat logits of one observation (the env's, unbatched), in numpy."""
    t = net.tensors
    x = np.asarray(obs["node_features"], np.float32)
    mask = np.asarray(obs["node_mask"], np.float32)
    edges = np.asarray(obs["edge_index"], np.int64)[: int(np.asarray(obs["num_edges"]).reshape(-1)[0])]
    n = x.shape[0]
    total = np.zeros((n, net.hidden), np.float32)
    degree = np.zeros(n, np.float32)
    np.add.at(degree, edges[:, 0], 1)
    np.add.at(degree, edges[:, 1], 1)
    h = np.maximum(x @ t["embed.weight"].T + t["embed.bias"], 0) * mask[:, None]
    for i in range(net.layers):
        total[:] = 0
        np.add.at(total, edges[:, 0], h[edges[:, 1]])
        np.add.at(total, edges[:, 1], h[edges[:, 0]])
        neigh = total / np.maximum(degree, 1)[:, None]
        own = h @ t[f"convs.{i}.self.weight"].T + t[f"convs.{i}.self.bias"]
        out = np.maximum(own + neigh @ t[f"convs.{i}.neigh.weight"].T, 0)
        h = out * mask[:, None] + h
    mean = h.sum(0) / max(mask.sum(), 1)
    maxed = np.maximum((h - 1e4 * (1 - mask[:, None])).max(0), 0)
    current = int(np.asarray(obs["current_node"]).reshape(-1)[0])
    cur = h[current] if 0 <= current < n else np.zeros(net.hidden, np.float32)
    phase = int(np.asarray(obs["phase"]).reshape(-1)[0])
    context = np.concatenate([mean, maxed, cur, np.eye(4, dtype=np.float32)[phase], [float(current >= 0)]])
    action_mask = np.asarray(obs["action_mask"]) > 0
    nodes = h
    registers = np.asarray(obs["register_features"], np.float32)
    c = layout.num_colours
    if net.priority:
        weight = x[:, schema.NODE_FEATURES["log_spill_weight"]]
        nodes = np.concatenate([h, _priority([weight], action_mask[:n])], axis=1)
        if net.register_dim:
            free = action_mask[layout.colour_start : layout.colour_start + c]
            rank = registers[:c, schema.REGISTER_FEATURES["order_rank"]]
            keys = [copy_value(registers[:c]), registers[:c, schema.REGISTER_FEATURES["hint"]],
                    -np.where(rank > 0, rank, 2.0)]  # fmt: skip
            extra = np.concatenate([_priority(keys, free), np.zeros((1, PRIORITY_COLUMNS), np.float32)])
            registers = np.concatenate([registers, extra], axis=1)
    node_logits = _scorer(net, "node_score", nodes, context)
    task = t["task.weight"] @ context + t["task.bias"]
    colour = t["colour.weight"] @ context + t["colour.bias"]
    if net.register_dim:
        colour = colour + _scorer(net, "register_score", registers, context)
    if net.spill_gate:
        z = float((t["spill.weight"] @ context + t["spill.bias"])[0])
        free = action_mask[layout.colour_start : layout.colour_start + c]
        regs = colour[:c]
        norm = np.log(np.exp(np.where(free, regs, -1e4) - regs.max()).sum()) + regs.max() if free.any() else 0.0
        colour = np.concatenate([regs - norm - np.logaddexp(0, z), [-np.logaddexp(0, -z)]])
    split = _scorer(net, "split_score", np.asarray(obs["split_features"], np.float32), context)
    return np.concatenate([node_logits, task, colour, split]).astype(np.float32)


def sample_observations(layout: Layout, count: int, seed: int = 0) -> list[dict[str, Any]]:
    """Random but well-formed observations (edges i < j among existing nodes, legal actions
    in one phase's segment), for comparing two implementations of a network."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        n = int(rng.integers(2, layout.max_nodes + 1))
        feats = np.zeros((layout.max_nodes, schema.NUM_NODE_FEATURES), np.float32)
        feats[:n] = rng.gamma(1.0, 1.0, (n, schema.NUM_NODE_FEATURES)).astype(np.float32)
        node_mask = np.zeros(layout.max_nodes, np.int8)
        node_mask[:n] = rng.random(n) < 0.9
        e = int(rng.integers(0, min(layout.max_edges, n * (n - 1) // 2) + 1))
        pairs = np.sort(rng.integers(0, n, (e, 2)), axis=1)
        pairs = np.unique(pairs[pairs[:, 0] < pairs[:, 1]], axis=0)
        edge_index = np.zeros((layout.max_edges, 2), np.int32)
        edge_index[: len(pairs)] = pairs
        phase = k % 4
        mask = np.zeros(layout.num_actions, np.int8)
        start, size = layout.segments[schema.Phase(phase)]
        mask[start : start + size] = rng.random(size) < 0.5
        registers = np.zeros((layout.num_colours + 1, schema.NUM_REGISTER_FEATURES), np.float32)
        if phase == 2:
            registers[:-1] = rng.random(registers[:-1].shape).astype(np.float32)
        split = np.zeros((layout.max_split_points, schema.NUM_SPLIT_FEATURES), np.float32)
        if phase == 3:
            split[: rng.integers(1, layout.max_split_points + 1)] = rng.random(schema.NUM_SPLIT_FEATURES)
        out.append({
            "node_features": feats, "node_mask": node_mask, "edge_index": edge_index,
            "num_edges": np.array([len(pairs)], np.int32), "phase": phase,
            "current_node": np.array([int(rng.integers(-1, n))], np.int32), "split_features": split,
            "register_features": registers, "action_mask": mask,
        })  # fmt: skip
    return out


def check_against(net: NativeNetwork, logits_of: Any, layout: Layout, count: int = 16) -> float:
    """The largest difference between ``net``'s numpy logits and ``logits_of(obs)`` (the
    source model's) in the observation's phase segment, over sampled observations (every
    phase); a ModelError above 1e-3."""
    worst = 0.0
    for obs in sample_observations(layout, count):
        # The phase's segment: the others are masked (an eager SB3 policy leaves them 0).
        start, size = layout.segments[schema.Phase(int(obs["phase"]))]
        ours = reference_logits(net, obs, layout)[start : start + size]
        theirs = np.asarray(logits_of(obs), np.float32).reshape(-1)[start : start + size]
        worst = max(worst, float(np.abs(ours - theirs).max()))
    if worst > 1e-3:
        raise ModelError(f"the native network does not reproduce the model's logits (largest difference {worst:g})")
    return worst


def export_native(model_path: str | Path, output: str | Path) -> tuple[Path, float]:
    """Writes ``output`` (a native policy) from a MaskablePPO ``gnn-scoring`` model or its
    ONNX export; returns the path and the largest logit difference of the check."""
    from agents.inference import load_agent

    agent, meta = load_agent(model_path)
    if meta.policy not in NATIVE_NETWORKS:
        raise ModelError(
            f"cannot export {model_path} natively: its network is {meta.policy!r} ({meta.algo}); the plugin's "
            f"forward pass supports {', '.join(NATIVE_NETWORKS)} (export it to ONNX and use the Python path)"
        )
    layout = meta.layout
    if meta.format == "onnx":
        net = from_onnx(model_path)

        def logits_of(obs: dict[str, Any]) -> np.ndarray:
            feed = {}
            for name in agent.inputs:
                value = np.asarray(obs[name])
                feed[name] = (value if value.ndim else value.reshape(1)).astype(np.float32)[None]
            return agent.session.run(None, feed)[0][0]
    elif meta.format == "maskable-ppo":
        import torch

        from agents.onnx_export import SB3Logits

        net = from_sb3_policy(agent.policy)
        module = SB3Logits(agent.policy).eval()

        def logits_of(obs: dict[str, Any]) -> np.ndarray:
            tensors = [torch.as_tensor(np.asarray(obs[k]), dtype=torch.float32).reshape(1, *np.shape(obs[k]))
                       for k in module.keys]  # fmt: skip
            with torch.no_grad():
                return module(*tensors)[0].numpy()
    else:
        raise ModelError(
            f"cannot export {model_path} natively: {meta.format} models ({meta.algo}) have no native forward "
            f"pass; only MaskablePPO's {', '.join(NATIVE_NETWORKS)} network (trained or exported to ONNX)"
        )
    worst = check_against(net, logits_of, layout)
    return write_policy(output, net, meta), worst
