"""Policy networks: SB3's MultiInputPolicy (``mlp``), our graph extractor under SB3's head
(``gnn``), or the graph extractor with per-node and per-split-point scoring (``gnn-scoring``)."""

from agents.policies.gnn import InterferenceGraphExtractor
from agents.policies.scoring import GraphScoringExtractor, GraphScoringPolicy

__all__ = ["GraphScoringExtractor", "GraphScoringPolicy", "InterferenceGraphExtractor"]
