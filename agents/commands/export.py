"""Export a trained model: to ONNX (+ .meta.json), so that `rl4real compile --model M.onnx`
runs the policy with onnxruntime only; or as a native policy file (``--format native``),
which the llc plugin runs in-process (`-rl4real-model=FILE`, `rl4real cc`)."""

from __future__ import annotations

import argparse

HELP = "export a trained policy: ONNX for inference without SB3/torch, or native for llc itself"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, help="trained model (.zip or .pt; native: also .onnx)")
    p.add_argument("-o", "--output", required=True, help="file to write (native: by convention .rlpolicy)")
    p.add_argument(
        "--format", choices=("onnx", "native"), default="onnx",
        help="onnx (default), or native: the plugin's own policy file; gnn-scoring networks only "
        "(MaskablePPO trained with --policy gnn-scoring, or its ONNX export)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    if args.format == "native":
        from agents.native_export import export_native

        path, worst = export_native(args.model, args.output)
        print(f"wrote {path} (its numpy forward pass matches the model's logits within {worst:.2g})")
        return 0
    from agents.onnx_export import export_onnx

    path = export_onnx(args.model, args.output)
    print(f"wrote {path} and {path}.meta.json")
    return 0
