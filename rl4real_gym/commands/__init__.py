"""Implementations of the ``rl4real`` subcommands (one module each, imported lazily)."""
