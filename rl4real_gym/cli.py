"""The ``rl4real`` command line. Run ``rl4real --help`` or ``rl4real COMMAND --help``.

Each subcommand lives in its own module under ``rl4real_gym.commands`` (or
``agents.commands``) with ``HELP``, ``add_arguments(parser)`` and ``run(args)``; those
modules keep heavy imports (torch, protobuf) inside ``run`` so that ``--help`` is instant.
A command may name several modules: the first importable one serves it (``fuzz``: the
agents' command, which can load trained models, else the env package's own, which runs
the built-in policies; ``cc`` likewise). Module names are strings: this package never imports ``agents``
itself. ``cc`` and ``c++`` take clang's command line, not argparse's: :func:`main` hands
them their arguments as they are.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from rl4real_gym.errors import RL4ReAlError

COMMANDS: dict[str, tuple[str, ...]] = {
    "build-plugin": ("rl4real_gym.commands.build",),
    "allocate": ("rl4real_gym.commands.allocate",),
    "dataset": ("rl4real_gym.commands.dataset",),
    "train": ("agents.commands.train",),
    "evaluate": ("agents.commands.evaluate",),
    "compile": ("agents.commands.compile",),
    "export": ("agents.commands.export",),
    "fuzz": ("agents.commands.fuzz", "rl4real_gym.commands.fuzz"),
}
COMPILER_COMMANDS = {"cc": False, "c++": True}  # name -> C++ driver
COMPILER_MODULES = ("agents.commands.cc", "rl4real_gym.commands.cc")  # the first can load models


def command_module(candidates: tuple[str, ...]) -> ModuleType | None:
    """The first of ``candidates`` that imports (None when none is installed)."""
    for module_name in candidates:
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name and module_name.startswith(err.name):
                continue  # command not available in this installation
            raise
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rl4real",
        description="Register allocation by reinforcement learning on LLVM 19 (RL4ReAl as a Gymnasium env).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, candidates in COMMANDS.items():
        module = command_module(candidates)
        if module is None:
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__ or module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    from rl4real_gym.commands import cc

    for name, cxx in COMPILER_COMMANDS.items():  # listed for --help; main() runs them
        sub.add_parser(name, help=cc.HELP_CXX if cxx else cc.HELP, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in and args_in[0] in COMPILER_COMMANDS:
        compiler = command_module(COMPILER_MODULES)
        assert compiler is not None  # the env package's own is always there
        return compiler.main(args_in[1:], cxx=COMPILER_COMMANDS[args_in[0]])
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help()
        return 2
    try:
        return int(run(args) or 0)
    except RL4ReAlError as err:
        print(f"rl4real {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
