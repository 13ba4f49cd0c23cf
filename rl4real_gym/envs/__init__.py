"""Gymnasium environments (``RL4ReAl-x86-v1``, ``RL4ReAl-aarch64-v1``, ``RL4ReAl-riscv64-v1``)."""
