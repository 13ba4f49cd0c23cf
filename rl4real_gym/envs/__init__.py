"""Gymnasium environments (``RL4ReAl-x86-v2``, ``RL4ReAl-aarch64-v2``, ``RL4ReAl-riscv64-v2``)."""
