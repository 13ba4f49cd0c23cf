"""``rl4real cc`` / ``rl4real c++`` (see ``rl4real_gym.commands.cc``), where
``--rl4real-model`` (or MODEL_PATH) may name a trained model: this command layer loads
it and hands the compiler the policy, and gives it the shipped native policy of a target.
torch is imported only when a model without a native file is used."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rl4real_gym.commands import cc
from rl4real_gym.driver.policies import Policy


def load_policy(model: str, target: str) -> Policy:
    from agents.inference import load_policy as load

    return load(model, target)


def shipped_model(target: str) -> str | None:
    """The native policy shipped for ``target`` (in-process in llc), or None."""
    from agents.inference import shipped_native_model

    path = shipped_native_model(target)
    return str(path) if path else None


def main(argv: Sequence[str] | None = None, *, cxx: bool = False) -> int:
    return cc.main(argv, cxx=cxx, load_policy=load_policy, shipped_model=shipped_model)


def main_c() -> int:
    """The ``rl4real-cc`` executable."""
    return main()


def main_cxx() -> int:
    """The ``rl4real-c++`` executable."""
    return main(cxx=True)


if __name__ == "__main__":
    sys.exit(main())
