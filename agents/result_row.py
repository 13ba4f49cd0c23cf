"""One allocator's figures on one function: the row every evaluation writes (below
``agents.evaluation`` so that agents which make rows, such as the exact optimum, need not
import the evaluation that runs them)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ResultRow:
    function: str
    allocator: str
    cost: float
    greedy_cost: float
    spills: int
    reloads: int
    splits: int
    failure: str = ""  # why this allocator has no figures for this function ("" when it has)
    # Callee-saved save/restore cost (after PEI; not in cost), NaN where it was not measured.
    csr_cost: float = math.nan
    greedy_csr_cost: float = math.nan
    # Who played the function instead of ``allocator`` ("" when it decided itself): the
    # function was above the allocator's size, and FALLBACK played it at full size.
    fallback: str = ""

    @property
    def completed(self) -> bool:
        return not self.failure and not math.isnan(self.cost)

    @property
    def has_csr(self) -> bool:
        return self.completed and not math.isnan(self.csr_cost) and not math.isnan(self.greedy_csr_cost)
