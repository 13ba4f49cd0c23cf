"""Differential fuzzing of the rl4real allocator with csmith programs.

Each csmith program is built with LLVM's greedy allocator and with the rl4real plugin
driven by a policy (random, heuristic or a trained model), both under
``-verify-machineinstrs``; both executables run and must print the same. Mismatches,
verifier failures, crashes and hangs are kept as reproducers that replay exactly
(``rl4real fuzz --replay DIR``). Entry points: :func:`check_program` for one program,
:func:`run_campaign` for many, ``rl4real fuzz`` on the command line.
"""

from rl4real_gym.fuzzing.campaign import Summary, format_table, run_campaign
from rl4real_gym.fuzzing.differential import FuzzConfig, check_program
from rl4real_gym.fuzzing.outcome import FINDING_KINDS, Kind, ProgramOutcome, compare_runs
from rl4real_gym.fuzzing.reproduce import FindingReplay, replay_finding

__all__ = [
    "FINDING_KINDS",
    "FindingReplay",
    "FuzzConfig",
    "Kind",
    "ProgramOutcome",
    "Summary",
    "check_program",
    "compare_runs",
    "format_table",
    "replay_finding",
    "run_campaign",
]
