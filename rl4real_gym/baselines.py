"""Figures of LLVM's own allocators, measured exactly like rl4real's.

``llc -regalloc=X -verify-machineinstrs -stop-after=virtregrewriter`` gives the allocated
MIR; the plugin's ``rl4real-cost`` pass measures it with the same accounting the rl4real
allocator uses for itself (checked against greedy's own regalloc remarks). A second run,
``-stop-after=prologepilog``, gives the code after prologue/epilogue insertion, where the
plugin's ``rl4real-csr-cost`` pass measures the callee-saved saves and restores (the
``csr_*`` figures, which rl4real-server episodes measure the same way for the env).

LLVM's allocators have bugs of their own: one that crashes, hangs (runs past the llc
time limit) or fails the machine verifier on a module gives a :class:`BaselineResult`
whose ``failure`` says why, and costs exactly that module's figures.
:func:`baseline_result` never raises for such a failure; :func:`llvm_figures` (for
callers that cannot do without the figures, such as greedy's reference cost) raises
:class:`BaselineFailedError`. Results, failures included, are cached on disk by module
content, allocator, options and llc path (``BUILD_DIR/cache/baselines``; delete it to
measure again). A hang is re-run when a longer time limit is asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rl4real_gym.config import settings
from rl4real_gym.driver.process import run_guarded
from rl4real_gym.driver.state import AllocationFigures
from rl4real_gym.errors import LlcError, LlcTimeoutError
from rl4real_gym.llc import llc_command
from rl4real_gym.plugin import plugin_path
from rl4real_gym.targets import Target, get_target
from rl4real_gym.tools import tool

LLVM_ALLOCATORS = ("greedy", "basic", "fast", "pbqp")
PLUGIN_HEURISTIC = "rl4real"
"""``-regalloc=rl4real`` without a client: the plugin's own fallback heuristic, measurable
like LLVM's allocators (the anchor the env's heuristic agent must match)."""
# 3: failures cached too; 4: csr_* figures; 5: CFI dropped before measuring them;
# 6: RISC-V's callee-saved saves known by their slot
CACHE_VERSION = 6
LLC_TIMEOUT = 300.0  # seconds each llc run of a baseline may take (a hang past it is a failure)
TELLING_MARKERS = ("LLVM ERROR:", "Assertion", "error:")
_NOISE = re.compile(r"^(#\d+ 0x|\d+\.\s|Stack dump:|PLEASE submit|Program arguments:)")
_EXTERNAL_SIGNALS = frozenset({signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP})


@dataclass(frozen=True)
class BaselineFailure:
    """Why an LLVM allocator gave no figures for a module: ``kind`` is ``crash``, ``hang``
    or ``verifier``; ``reason`` is one sentence naming the allocator; ``timeout`` is the
    time limit a hang was measured with; ``cacheable`` is false when llc was killed from
    outside (a run that may well succeed next time)."""

    allocator: str
    kind: str
    reason: str
    timeout: float = 0.0
    cacheable: bool = True

    def summary(self) -> str:
        """``kind: reason``, the text of the ``failure`` column in CSV files."""
        return f"{self.kind}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"allocator": self.allocator, "kind": self.kind, "reason": self.reason, "timeout": self.timeout}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BaselineFailure:
        return cls(str(data["allocator"]), str(data["kind"]), str(data["reason"]), float(data.get("timeout", 0.0)))


@dataclass(frozen=True)
class BaselineResult:
    """One LLVM allocator on one module: per-function figures, or why there are none."""

    allocator: str
    figures: dict[str, AllocationFigures] = field(default_factory=dict)
    failure: BaselineFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None

    def as_dict(self) -> dict[str, Any]:
        if self.failure is not None:
            return {"failure": self.failure.as_dict()}
        return {"figures": {k: v.as_dict() for k, v in self.figures.items()}}

    @classmethod
    def from_dict(cls, allocator: str, data: dict[str, Any]) -> BaselineResult:
        if "failure" in data:
            return cls(allocator, failure=BaselineFailure.from_dict(data["failure"]))
        return cls(allocator, {k: AllocationFigures.from_dict(v) for k, v in data["figures"].items()})


class BaselineFailedError(LlcError):
    """An LLVM allocator crashed, hung or failed the verifier on a module; ``failure`` says how."""

    def __init__(self, module: str | Path, failure: BaselineFailure):
        more_time = "; or give llc more time (--baseline-timeout)" if failure.kind == "hang" else ""
        super().__init__(
            f"LLVM's {failure.allocator} allocator gave no figures for {module}: {failure.reason}. "
            f"Leave this module out (`rl4real dataset build` leaves out the functions greedy fails on){more_time}"
        )
        self.module = str(module)
        self.failure = failure


# -- reading llc's error output (pure) -----------------------------------------------------------
def _lines(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines() if line.strip()]


def _field(lines: list[str], start: int, name: str) -> str:
    """The value of a ``- name: value`` line of a verifier report that starts at ``start``."""
    for line in lines[start + 1 : start + 8]:
        if line.startswith("***"):
            break
        if line.startswith(f"- {name}:"):
            return line.split(":", 1)[1].strip()
    return ""


def verifier_reason(stderr: str) -> str | None:
    """What the machine verifier reported first (message, function, pass, instruction, how
    many errors), or None when llc's output holds no verifier report."""
    lines = _lines(stderr)
    first = next((i for i, line in enumerate(lines) if line.startswith("*** Bad machine code:")), None)
    total = next((line for line in lines if "machine code errors" in line), "")
    if first is None and not total:
        return None
    if first is None:
        return total.removeprefix("LLVM ERROR: ").rstrip(".")
    message = lines[first].removeprefix("*** Bad machine code:").strip(" *").rstrip(".")
    where = [f"in {fn}" for fn in [_field(lines, first, "function")] if fn]
    passes = [line.removeprefix("# After ").strip() for line in lines[:first] if line.startswith("# After ")]
    where += [f"after {passes[-1]}"] if passes else []
    instruction = _field(lines, first, "instruction")
    where += [f"at `{instruction[:160]}`"] if instruction else []
    count = re.search(r"Found (\d+) machine code errors", total)
    where += [f"{count.group(1)} machine code errors in all"] if count else []
    return f"{message} ({', '.join(where)})" if where else message


def telling_line(stderr: str) -> str:
    """The most informative line of llc's error output (an LLVM ERROR, an assertion, an
    error message; else the last line that is not part of the stack dump)."""
    lines = _lines(stderr)
    for marker in TELLING_MARKERS:
        for line in lines:
            if marker in line:
                return line[:300]
    useful = [line for line in lines if not _NOISE.match(line)]
    return useful[-1][:300] if useful else ""


def exit_description(returncode: int) -> str:
    """``exit status 1`` or ``killed by SIGSEGV``."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def is_external_kill(returncode: int) -> bool:
    """llc was killed from outside (the OOM killer, a user), not by a bug of its own."""
    return returncode < 0 and -returncode in _EXTERNAL_SIGNALS


def classify_failure(allocator: str, step: str, stderr: str, returncode: int) -> BaselineFailure:
    """A failed llc run of ``allocator`` as a BaselineFailure. ``step`` names the run in the
    reason (``llc -regalloc=fast`` or ``measuring fast's allocation``)."""
    found = verifier_reason(stderr)
    if found is not None:
        return BaselineFailure(allocator, "verifier", f"{step} failed -verify-machineinstrs: {found}")
    detail = telling_line(stderr)
    reason = f"{step} crashed ({exit_description(returncode)})" + (f": {detail}" if detail else "")
    return BaselineFailure(allocator, "crash", reason, cacheable=not is_external_kill(returncode))


def hang_failure(allocator: str, step: str, timeout: float = 0.0) -> BaselineFailure:
    """``step`` ran past the llc time limit (``timeout`` seconds, when known) and was killed."""
    limit = f"{timeout:g} s (the llc time limit)" if timeout else "the llc time limit"
    return BaselineFailure(allocator, "hang", f"{step} did not finish within {limit}; it was killed", timeout)


def failure_of_llc_error(allocator: str, err: LlcError, timeout: float = 0.0) -> BaselineFailure:
    """An LlcError raised by an llc run of ``allocator`` (e.g. by ``programs.codegen``)."""
    step = f"llc -regalloc={allocator}"
    if isinstance(err, LlcTimeoutError):
        return hang_failure(allocator, step, timeout)
    return classify_failure(allocator, step, err.stderr, err.returncode if err.returncode is not None else 1)


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str] | None:
    """The finished llc run, or None when it ran past ``timeout`` (it is killed)."""
    try:
        return run_guarded(cmd, capture_output=True, text=True, timeout=timeout)  # dies with this process
    except subprocess.TimeoutExpired:
        return None


_CONSTANT_VALUE = re.compile(r"^(\s+value:\s+)'(.*)'\s*$")
_CLOSING = {"<": ">", "[": "]", "{": "}"}


def constant_type(value: str) -> str:
    """The IR type at the start of a constant's text (``<4 x i32> zeroinitializer`` -> ``<4 x i32>``)."""
    text = value.lstrip()
    if text.startswith("<{"):
        end = text.find("}>")
        return text[: end + 2] if end >= 0 else text.split(" ", 1)[0]
    if text and text[0] in _CLOSING:
        depth = 0
        for i, ch in enumerate(text):
            if ch in _CLOSING:
                depth += 1
            elif ch in _CLOSING.values():
                depth -= 1
                if depth == 0:
                    return text[: i + 1]
    return text.split(" ", 1)[0]


def neutralize_constant_pool(mir: str) -> str:
    """Replaces constant-pool values by ``undef`` of the same type.

    LLVM 19's MIR parser rejects some constants its printer writes (e.g. vector
    ``zeroinitializer``); measuring an allocation never reads constant values.
    """
    out = []
    in_constants = False
    for line in mir.splitlines(keepends=True):
        if line.startswith("constants:"):
            in_constants = True
        elif line and not line[0].isspace() and not line.startswith("constants:"):
            in_constants = False
        match = _CONSTANT_VALUE.match(line) if in_constants else None
        if match:
            line = f"{match.group(1)}'{constant_type(match.group(2))} undef'\n"
        out.append(line)
    return "".join(out)


_CFI = re.compile(r"^\s+(?:frame-setup |frame-destroy )*CFI_INSTRUCTION\b.*\n?", re.M)


def drop_cfi(mir: str) -> str:
    """Removes the CFI pseudo-instructions of MIR after PEI.

    LLVM 19's MIR printer writes some of them in a form its parser rejects (e.g.
    ``def_cfa_offset <mcsymbol >16`` on AArch64); measuring saves and restores never reads
    them.
    """
    return _CFI.sub("", mir)


def parse_cost_lines(text: str, csr_text: str | None = None) -> dict[str, AllocationFigures]:
    """Parses the JSON lines written by the rl4real-cost pass or -rl4real-figures-output, and
    with ``csr_text`` (the rl4real-csr-cost pass's lines) adds each function's ``csr_*`` figures."""
    rows: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row.pop("function")] = row
    for line in (csr_text or "").splitlines():
        if line.strip():
            row = json.loads(line)
            name = row.pop("function")
            if name in rows:
                rows[name].update(row, csr_measured=True)
    return {name: AllocationFigures.from_dict(row) for name, row in rows.items()}


def run_llvm_allocator(
    module: str | Path,
    target: str | Target,
    allocator: str = "greedy",
    *,
    opt_level: str = "-O2",
    timeout: float = LLC_TIMEOUT,
) -> BaselineResult:
    """LLVM's ``allocator`` on ``module``, uncached: its per-function figures, or (crash,
    hang past ``timeout`` seconds per llc run, verifier failure) why there are none."""
    known = (*LLVM_ALLOCATORS, PLUGIN_HEURISTIC)
    if allocator not in known:
        raise ValueError(f"unknown LLVM allocator {allocator!r}; choose from {known}")
    tgt = get_target(target)
    load = allocator == PLUGIN_HEURISTIC  # the plugin's standalone allocator needs -load
    with tempfile.TemporaryDirectory(prefix="rl4real-cost-") as tmp:
        run = (module, tgt, allocator, opt_level, load, Path(tmp), timeout)
        failure, cost_text = _stop_and_measure(
            *run, stop_after=tgt.allocated_after, step=f"llc -regalloc={allocator}",
            clean=neutralize_constant_pool, cost_pass="rl4real-cost", what="allocation",
        )  # fmt: skip
        csr_text = ""
        if failure is None:  # the same code after PEI: the callee-saved saves and restores
            failure, csr_text = _stop_and_measure(
                *run, stop_after="prologepilog", step=f"llc -regalloc={allocator} -stop-after=prologepilog",
                clean=lambda mir: drop_cfi(neutralize_constant_pool(mir)), cost_pass="rl4real-csr-cost",
                what="callee-saved registers",
            )  # fmt: skip
        if failure is not None:
            return BaselineResult(allocator, failure=failure)
        return BaselineResult(allocator, parse_cost_lines(cost_text, csr_text))


def _llc_failure(cmd: list[str], allocator: str, step: str, timeout: float) -> BaselineFailure | None:
    """Runs one llc step of a measurement: why it failed (crash, hang, verifier), or None."""
    proc = _run(cmd, timeout)
    if proc is None:
        return hang_failure(allocator, step, timeout)
    if proc.returncode != 0:
        return classify_failure(allocator, step, proc.stderr, proc.returncode)
    return None


def _stop_and_measure(
    module: str | Path, tgt: Target, allocator: str, opt_level: str, load_plugin: bool, tmp: Path, timeout: float,
    *, stop_after: str, step: str, clean: Callable[[str], str], cost_pass: str, what: str,
) -> tuple[BaselineFailure | None, str]:  # fmt: skip
    """llc with ``allocator`` on ``module`` stopped after ``stop_after`` (``step`` names
    that run in a failure), the MIR passed through ``clean``, then the plugin's
    ``cost_pass`` on it: the JSON lines it wrote, or why there are none."""
    mir, out = tmp / f"{cost_pass}.mir", tmp / f"{cost_pass}.jsonl"
    failure = _llc_failure(
        llc_command(tgt, module, mir, load_plugin=load_plugin, opt_level=opt_level, regalloc=allocator, verify=True,
                    stop_after=stop_after),
        allocator, step, timeout,
    )  # fmt: skip
    if failure is None:
        mir.write_text(clean(mir.read_text()))
        failure = _llc_failure(
            llc_command(tgt, mir, os.devnull, load_plugin=True, run_pass=cost_pass,
                        options=(f"-{cost_pass}-output={out}",)),
            allocator, f"measuring {allocator}'s {what} (the {cost_pass} pass)", timeout,
        )  # fmt: skip
    if failure is not None:
        return failure, ""
    return None, out.read_text() if out.exists() else ""


def measure_llvm_allocator(
    module: str | Path,
    target: str | Target,
    allocator: str = "greedy",
    *,
    opt_level: str = "-O2",
    timeout: float = LLC_TIMEOUT,
) -> dict[str, AllocationFigures]:
    """Per-function figures of LLVM's ``allocator`` on ``module`` (uncached); raises
    :class:`BaselineFailedError` when the allocator fails on it."""
    result = run_llvm_allocator(module, target, allocator, opt_level=opt_level, timeout=timeout)
    if result.failure is not None:
        raise BaselineFailedError(module, result.failure)
    return result.figures


def _cache_key(module: Path, target: Target, allocator: str, opt_level: str) -> str:
    h = hashlib.sha256()
    h.update(module.read_bytes())
    h.update(f"{target.name}|{target.allocated_after}|{allocator}|{opt_level}|{CACHE_VERSION}|{tool('llc')}".encode())
    if allocator == PLUGIN_HEURISTIC:  # its figures change with every build of the plugin
        st = plugin_path().stat()
        h.update(f"|{st.st_mtime_ns}|{st.st_size}".encode())
    return h.hexdigest()[:24]


def reusable(result: BaselineResult, timeout: float) -> bool:
    """A cached result answers a request with this time limit: any success or crash or
    verifier failure; a hang only when it was measured with at least this limit."""
    failure = result.failure
    return failure is None or failure.kind != "hang" or failure.timeout >= timeout


def _read_cache(entry: Path, allocator: str) -> BaselineResult | None:
    try:
        return BaselineResult.from_dict(allocator, json.loads(entry.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(entry: Path, result: BaselineResult) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result.as_dict()))
        tmp.replace(entry)
    except OSError:
        pass  # a read-only cache only costs time


def baseline_result(
    module: str | Path,
    target: str | Target,
    allocator: str = "greedy",
    *,
    opt_level: str = "-O2",
    timeout: float = LLC_TIMEOUT,
) -> BaselineResult:
    """Like :func:`run_llvm_allocator`, cached in ``BUILD_DIR/cache/baselines`` (failures
    too, except when llc was killed from outside)."""
    tgt = get_target(target)
    path = Path(module)
    entry = settings().build_dir / "cache" / "baselines" / f"{_cache_key(path, tgt, allocator, opt_level)}.json"
    cached = _read_cache(entry, allocator)
    if cached is not None and reusable(cached, timeout):
        return cached
    result = run_llvm_allocator(path, tgt, allocator, opt_level=opt_level, timeout=timeout)
    if result.failure is None or result.failure.cacheable:
        _write_cache(entry, result)
    return result


def baseline_results(
    module: str | Path, target: str | Target, allocators: tuple[str, ...] | list[str] = LLVM_ALLOCATORS,
    *, timeout: float = LLC_TIMEOUT,
) -> dict[str, BaselineResult]:  # fmt: skip
    """:func:`baseline_result` of each allocator, in order."""
    return {ra: baseline_result(module, target, ra, timeout=timeout) for ra in allocators}


def llvm_figures(
    module: str | Path, target: str | Target, allocator: str = "greedy", *, opt_level: str = "-O2",
    timeout: float = LLC_TIMEOUT,
) -> dict[str, AllocationFigures]:  # fmt: skip
    """Like :func:`measure_llvm_allocator`, cached; raises :class:`BaselineFailedError` when
    the allocator fails on ``module`` (use :func:`baseline_result` to get the failure instead)."""
    result = baseline_result(module, target, allocator, opt_level=opt_level, timeout=timeout)
    if result.failure is not None:
        raise BaselineFailedError(module, result.failure)
    return result.figures
