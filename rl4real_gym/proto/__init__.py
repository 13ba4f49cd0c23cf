"""Protocol messages, generated from ``rl4real.proto`` on first use (never committed).

Import the messages through :func:`load`.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib
import sys
from pathlib import Path
from types import ModuleType

PROTO = Path(__file__).with_name("rl4real.proto")


def _generated_dir() -> Path:
    from rl4real_gym.config import settings

    digest = hashlib.sha256(PROTO.read_bytes()).hexdigest()[:12]
    return settings().build_dir / "proto_py" / digest


def _generate(out: Path) -> None:
    from grpc_tools import protoc  # imported lazily: only needed once

    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (out / "rl4real_pb2.py").exists():
            return
        args = ["protoc", f"-I{PROTO.parent}", f"--python_out={out}", str(PROTO)]
        if protoc.main(args) != 0:
            raise RuntimeError(f"generating protocol code from {PROTO} failed")


@functools.cache
def load() -> ModuleType:
    """Returns the ``rl4real_pb2`` module, generating it if needed (once per process)."""
    out = _generated_dir()
    if not (out / "rl4real_pb2.py").exists():
        _generate(out)
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return importlib.import_module("rl4real_pb2")
