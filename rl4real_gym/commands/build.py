"""Build the LLVM plugin librl4real.so and rl4real-server into BUILD_DIR (needs llvm-19-dev, protobuf, cmake)."""

from __future__ import annotations

import argparse

HELP = "build the LLVM plugin librl4real.so into BUILD_DIR"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--verbose", action="store_true", help="show the CMake/compiler output")


def run(args: argparse.Namespace) -> int:
    from rl4real_gym.plugin import build_plugin

    path = build_plugin(verbose=args.verbose)
    print(f"plugin: {path}")
    return 0
