"""Differential fuzzing with csmith (see ``rl4real_gym.commands.fuzz``), where the
policy may also be a trained model: this command layer loads it and hands the fuzzer
its policy factory."""

from __future__ import annotations

import argparse

from rl4real_gym.commands import fuzz

HELP = fuzz.HELP
__doc__ = fuzz.__doc__
add_arguments = fuzz.add_arguments


def run(args: argparse.Namespace) -> int:
    from agents.inference import ModelPolicies

    return fuzz.run(args, model_policies=ModelPolicies)
