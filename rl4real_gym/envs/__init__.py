"""Gymnasium environments (``RL4ReAl-x86-v0``, ``RL4ReAl-aarch64-v0``)."""
