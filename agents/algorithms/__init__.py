"""Algorithms: MaskablePPO (sb3-contrib), masked REINFORCE (plain torch), random, heuristic."""
