"""Differential fuzzing: csmith programs built with greedy and with rl4real agree, and every
disagreement is kept as a reproducer that replays exactly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TARGETS

from rl4real_gym import cli
from rl4real_gym.errors import LlcCrashedError, ModelError
from rl4real_gym.fuzzing import FuzzConfig, Kind, ProgramOutcome, check_program, format_table, run_campaign
from rl4real_gym.fuzzing.campaign import Summary
from rl4real_gym.fuzzing.differential import telling_line
from rl4real_gym.fuzzing.outcome import classify_llc_failure, compare_runs, judge_run
from rl4real_gym.fuzzing.policy import builtin_factory, policy_label
from rl4real_gym.fuzzing.reproduce import replay_finding
from rl4real_gym.programs import RunResult
from rl4real_gym.trace import SessionTrace, replay_session_trace

SEEDS = (1, 2, 3)


def wrong_expectation(reference: RunResult, ours: RunResult) -> str | None:
    """The seam: compares our run against a deliberately wrong expected output."""
    return compare_runs(RunResult("checksum = DEADBEEF\n", 0, False), ours)


@pytest.mark.parametrize("target", TARGETS)
def test_small_differential_run_has_no_findings(target: str, tmp_path: Path) -> None:
    config = FuzzConfig(target, "random", tmp_path / "findings")
    summary = run_campaign(config, SEEDS, progress=False)
    assert summary.programs == len(SEEDS)
    assert summary.num_findings == 0, summary.findings
    assert summary.counts[Kind.OK] >= 2, summary.skip_reasons  # most seeds give a usable program
    assert summary.decisions > 100  # the policy made real decisions
    assert not (tmp_path / "findings").exists()


@pytest.fixture(scope="module")
def forced_finding(tmp_path_factory: pytest.TempPathFactory) -> ProgramOutcome:
    root = tmp_path_factory.mktemp("findings")
    return check_program(2, FuzzConfig("x86", "random", root), compare=wrong_expectation)


def test_a_forced_mismatch_is_written_as_a_finding(forced_finding: ProgramOutcome) -> None:
    assert forced_finding.kind == Kind.MISMATCH
    assert "output differs" in forced_finding.detail
    assert forced_finding.finding is not None
    found = Path(forced_finding.finding)
    assert found.name == "x86-random-seed2-mismatch"
    for name in ("README.md", "program.c", "module.ll", "trace.json", "outcome.json", "greedy.stdout", "rl4real.s"):
        assert (found / name).is_file(), name
    assert "rl4real fuzz --replay" in (found / "README.md").read_text()
    assert "csmith --seed 2" in (found / "README.md").read_text()
    facts = json.loads((found / "outcome.json").read_text())
    assert facts["seed"] == 2 and facts["policy"] == "random" and facts["kind"] == "mismatch"
    trace = SessionTrace.load(found / "trace.json")
    assert len(trace.actions) == forced_finding.decisions > 0
    assert trace.policy == "random" and trace.module == "module.ll"


def test_a_finding_trace_replays_llc_exactly(forced_finding: ProgramOutcome) -> None:
    trace = SessionTrace.load(Path(str(forced_finding.finding)) / "trace.json")
    result = replay_session_trace(trace)
    assert result.completed, (result.error, result.diverged)
    assert result.output_matches is True


def test_replaying_the_forced_finding_shows_the_builds_agree(forced_finding: ProgramOutcome) -> None:
    replayed = replay_finding(str(forced_finding.finding))
    assert replayed.recorded == Kind.MISMATCH
    assert replayed.kind == Kind.OK and not replayed.reproduced  # the mismatch was the seam's doing
    assert "NOT reproduced" in replayed.report()


def test_cli_replay_exit_status(forced_finding: ProgramOutcome, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fuzz", "--replay", str(forced_finding.finding)]) == 1
    assert "NOT reproduced" in capsys.readouterr().out


def test_cli_small_run_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "summary.json"
    code = cli.main(
        ["fuzz", "--target", "aarch64", "--programs", "1", "--policy", "heuristic", "--seed-start", "3",
         "--findings", str(tmp_path / "f"), "--no-progress", "--json", str(out)]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "mismatches" in printed and "heuristic" in printed
    row = json.loads(out.read_text())
    assert row["programs"] == 1 and row["mismatches"] == 0 and row["target"] == "aarch64"


def test_a_verifier_failure_is_written_with_llc_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rl4real_gym.fuzzing import differential

    real_codegen = differential.codegen
    stderr = "# Machine code for function func_1\n*** Bad machine code: Illegal virtual register for instruction ***\n"

    def rejecting_codegen(ir, target, out, *, regalloc="greedy", policy=None, **kwargs):
        if regalloc != "rl4real":
            return real_codegen(ir, target, out, regalloc=regalloc, policy=policy, **kwargs)
        raise LlcCrashedError("llc failed", stderr, 1)

    monkeypatch.setattr(differential, "codegen", rejecting_codegen)
    outcome = check_program(1, FuzzConfig("x86", "heuristic", tmp_path))
    assert outcome.kind == Kind.VERIFIER
    assert "Bad machine code" in outcome.detail
    found = Path(str(outcome.finding))
    assert found.name == "x86-heuristic-seed1-verifier"
    assert "Bad machine code" in (found / "llc-stderr.txt").read_text()
    assert not (found / "rl4real.stdout").exists()


# -- policies ------------------------------------------------------------------------
def test_unknown_policy_is_a_clear_cli_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fuzz", "--programs", "1", "--policy", "no-such-model.zip"]) == 1
    assert "unknown policy 'no-such-model.zip'" in capsys.readouterr().err


def test_model_policy_without_a_model_loader_is_a_clear_error(tmp_path: Path) -> None:
    model = tmp_path / "model.zip"
    model.write_bytes(b"")
    with pytest.raises(ModelError, match=r"loaded by the agents package"):
        builtin_factory(str(model))


def test_fuzz_command_gets_the_model_policy_from_the_command_layer(tmp_path: Path) -> None:
    """The agents' fuzz command hands the fuzzer a ModelPolicies factory; the env
    package's own command only knows the built-in policies."""
    from agents.commands import fuzz as agents_fuzz
    from agents.inference import ModelPolicies
    from rl4real_gym.commands import fuzz as env_fuzz

    model = tmp_path / "policy.zip"
    model.write_bytes(b"")
    factories: list[object] = []

    def loader(path: str, target: str) -> Callable[[int], object]:
        factories.append(ModelPolicies(path, target))
        raise ModelError("stop here")

    args = cli.build_parser().parse_args(["fuzz", "--programs", "1", "--policy", str(model)])
    assert args._run is agents_fuzz.run
    with pytest.raises(ModelError, match="stop here"):
        env_fuzz.run(args, model_policies=loader)  # type: ignore[arg-type]
    assert factories == [ModelPolicies(str(model.resolve()), "x86")]
    with pytest.raises(ModelError, match="loaded by the agents package"):
        env_fuzz.run(args)
    assert policy_label(str(model)) == "model-policy"


def test_missing_model_file_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="unknown policy"):
        builtin_factory("/nonexistent/model.zip")


# -- classification and reporting -------------------------------------------------------
def test_compare_and_judge() -> None:
    ref = RunResult("checksum = 1\n", 0, False)
    assert compare_runs(ref, RunResult("checksum = 1\n", 0, False)) is None
    assert "line 1" in str(compare_runs(ref, RunResult("checksum = 2\n", 0, False)))
    assert "exit status 139" in str(compare_runs(ref, RunResult("", 139, False)))
    assert judge_run(ref, RunResult("", -1, True), compare_runs)[0] == Kind.TIMEOUT
    assert judge_run(ref, RunResult("checksum = 2\n", 0, False), compare_runs)[0] == Kind.MISMATCH
    assert judge_run(ref, ref, compare_runs) == (Kind.OK, "")


def test_llc_failures_are_classified() -> None:
    verifier = "# Machine code for function f\n*** Bad machine code: Using an undefined physical register ***\n"
    assert classify_llc_failure(verifier) == Kind.VERIFIER
    assert classify_llc_failure("Stack dump:\n0. Program arguments: llc\n") == Kind.CRASH
    assert telling_line("noise\nLLVM ERROR: Found 2 machine code errors.\nStack dump:\n").startswith("LLVM ERROR")


def test_summary_table() -> None:
    summary = Summary("x86", "heuristic")
    for kind in (Kind.OK, Kind.OK, Kind.MISMATCH, Kind.SKIP):
        summary.add(ProgramOutcome(1, "x86", "heuristic", kind, "greedy run timed out" if kind == Kind.SKIP else ""))
    table = format_table([summary])
    header, _, row = table.splitlines()[:3]
    assert header.split()[2:9] == ["programs", "ok", "mismatches", "verifier", "crashes", "timeouts", "skipped"]
    assert row.split()[2:9] == ["4", "2", "1", "0", "0", "0", "1"]
    assert "1 greedy run timed out" in table
