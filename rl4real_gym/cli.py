"""The ``rl4real`` command line. Run ``rl4real --help`` or ``rl4real COMMAND --help``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from rl4real_gym.errors import RL4ReAlError

Command = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], str, str]] = {}


def command(name: str, help_text: str, module: str) -> Callable[[Callable[[argparse.ArgumentParser], None]], None]:
    """Registers a subcommand whose ``run(args)`` lives in ``module`` (imported lazily)."""

    def wrap(add_args: Callable[[argparse.ArgumentParser], None]) -> None:
        _COMMANDS[name] = (add_args, help_text, module)

    return wrap


@command("build-plugin", "build the LLVM plugin librl4real.so into BUILD_DIR", "rl4real_gym.commands.build")
def _build_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--verbose", action="store_true", help="show the CMake/compiler output")


@command(
    "allocate",
    "allocate one LLVM IR module with a simple policy and compare it with LLVM's allocators",
    "rl4real_gym.commands.allocate",
)
def _allocate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("module", help="an LLVM IR file (.ll or .bc)")
    p.add_argument("--target", default="x86", help="x86 or aarch64 (default: x86)")
    p.add_argument("--policy", choices=["heuristic", "random"], default="heuristic")
    p.add_argument("--seed", type=int, default=0, help="seed of the random policy")
    p.add_argument("-o", "--output", help="write the generated assembly here")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rl4real",
        description="Register allocation by reinforcement learning on LLVM 19 (RL4ReAl as a Gymnasium env).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (add_args, help_text, module) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_args(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 2
    import importlib

    run: Command = importlib.import_module(args._module).run
    try:
        return run(args)
    except RL4ReAlError as err:
        print(f"rl4real {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
