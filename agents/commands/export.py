"""Export a trained MaskablePPO or REINFORCE model to ONNX (+ .meta.json), so that
`rl4real compile --model M.onnx` runs the policy with onnxruntime only."""

from __future__ import annotations

import argparse

HELP = "export a trained policy to ONNX for inference without SB3/torch"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, help="trained model (.zip or .pt)")
    p.add_argument("-o", "--output", required=True, help="ONNX file to write")


def run(args: argparse.Namespace) -> int:
    from agents.onnx_export import export_onnx

    path = export_onnx(args.model, args.output)
    print(f"wrote {path} and {path}.meta.json")
    return 0
