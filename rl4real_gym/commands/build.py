"""``rl4real build-plugin``."""

from __future__ import annotations

import argparse

from rl4real_gym.plugin import build_plugin


def run(args: argparse.Namespace) -> int:
    path = build_plugin(verbose=args.verbose)
    print(f"plugin: {path}")
    return 0
