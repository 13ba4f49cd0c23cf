"""Exceptions raised by rl4real-gym. Each message says what to do next."""

from __future__ import annotations


class RL4ReAlError(Exception):
    """Base class of every rl4real-gym error."""


class PluginNotFoundError(RL4ReAlError):
    """The LLVM plugin (librl4real.so) is missing and could not be built."""


class ToolNotFoundError(RL4ReAlError):
    """An LLVM 19 tool (llc-19, clang-19, ...) is not installed."""


class UnknownTargetError(RL4ReAlError, ValueError):
    """A target name other than the supported ones was given."""


class TargetMismatchError(RL4ReAlError, ValueError):
    """A module was compiled for a different target than the one requested."""


class LlcError(RL4ReAlError):
    """llc failed: bad input, a crash, or a protocol failure.

    ``stderr`` holds the tail of llc's error output.
    """

    def __init__(self, message: str, stderr: str = "", returncode: int | None = None):
        detail = f"\n--- llc stderr (tail) ---\n{stderr.strip()}" if stderr.strip() else ""
        super().__init__(message + detail)
        self.stderr = stderr
        self.returncode = returncode


class LlcCrashedError(LlcError):
    """llc exited (crash, kill, or invalid input) while a session was open."""


class LlcTimeoutError(LlcError):
    """llc did not answer within the time limit; it has been killed."""


class InvalidActionError(RL4ReAlError, ValueError):
    """An action that is illegal in the current state (see ``action_masks()``)."""


class DatasetError(RL4ReAlError):
    """A dataset directory is missing, empty or malformed."""


class ModelError(RL4ReAlError):
    """A model file is missing, corrupt, or was trained for another target."""
