"""Policy networks: SB3's MultiInputPolicy (``mlp``) or our graph extractor (``gnn``)."""

from agents.policies.gnn import InterferenceGraphExtractor

__all__ = ["InterferenceGraphExtractor"]
