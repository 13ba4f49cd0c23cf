"""Agents without learning, on the env's observation and mask: random and heuristic.

They are the driver's rule policies (:mod:`rl4real_gym.driver.policies`: one set of
rules for the driver, the fuzzer and the env) behind SB3's ``predict(obs, action_masks,
deterministic)``, so that evaluation treats every agent alike.
"""

from __future__ import annotations

from rl4real_gym.envs.spaces import Layout
from rl4real_gym.policy import HeuristicPolicy, RandomPolicy, RuleAgent


class RandomAgent(RuleAgent):
    """Uniform over legal actions."""

    def __init__(self, layout: Layout, seed: int = 0) -> None:
        super().__init__(RandomPolicy(seed=seed, split_prob=None), layout)


class HeuristicAgent(RuleAgent):
    """LLVM-like: heaviest legal node first, colour-or-spill (never split); among the free
    registers the one that removes the most copy weight (the hint first), then the first in
    the class's allocation order (the ``register_features`` observation); spill only when
    no register is free. With ``hints=False``: the first free register by colour index,
    the agent before the observation described registers (``first-free``). With
    ``split_when_blocked``: a node that no register is free for is split at its coldest
    legal point instead of spilled, where it can be."""

    def __init__(self, layout: Layout, hints: bool = True, split_when_blocked: bool = False,
                 lookahead: bool = True) -> None:  # fmt: skip
        super().__init__(HeuristicPolicy(hints=hints, split_when_blocked=split_when_blocked, lookahead=lookahead),
                         layout)  # fmt: skip
        self.hints = hints
        self.split_when_blocked = split_when_blocked
        self.lookahead = lookahead
