"""Baseline agents for rl4real-gym: MaskablePPO (MLP or GNN policy), a plain-torch masked
REINFORCE, random and heuristic agents; training, evaluation, compiling real programs
with a trained policy, and ONNX export. Laid out like SB3: algorithms, policies and
callbacks apart."""
