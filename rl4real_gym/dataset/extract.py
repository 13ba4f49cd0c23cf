"""From a source unit to one LLVM IR module per defined function.

clang (or llvm-dis for bitcode, or csmith first) gives the program's module; llvm-extract
cuts out each defined function with the declarations it needs, so that it compiles alone.
Module texts are normalised (ModuleID and source_filename) so that output does not depend
on where the inputs or the temporary files were.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from rl4real_gym.dataset.sources import CSMITH_CLANG_ARGS, CSMITH_OPTIONS, SourceUnit
from rl4real_gym.programs import BuildError, compile_to_ir
from rl4real_gym.targets import Target, check_module_target
from rl4real_gym.tools import tool

TOOL_TIMEOUT = 300.0
_DEFINE = re.compile(r'^define\b[^@\n]*@("(?:[^"\\]|\\.)*"|[-a-zA-Z$._0-9]+)\(', re.M)
_MODULE_ID = re.compile(r"^; ModuleID = .*$", re.M)
_SOURCE_FILENAME = re.compile(r'^source_filename = ".*"$', re.M)
_HEX_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{2})")


class UnitError(Exception):
    """A unit or function could not be processed; the message says why, in one or a few lines."""


def error_summary(text: str, max_lines: int = 4) -> str:
    """The informative lines of a tool's error output (lines saying ``error``, else the last)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    chosen = errors[:max_lines] if errors else lines[-max_lines:]
    return "\n    ".join(chosen) or "(no output)"


def run_tool(cmd: Sequence[str], what: str, timeout: float = TOOL_TIMEOUT) -> str:
    """Runs ``cmd`` and returns its stdout; raises UnitError with the gist of stderr."""
    try:
        proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise UnitError(f"{what} timed out after {timeout:.0f} s") from err
    except FileNotFoundError as err:
        raise UnitError(f"{what}: {cmd[0]} is not installed") from err
    if proc.returncode != 0:
        raise UnitError(f"{what} failed:\n    {error_summary(proc.stderr)}")
    return proc.stdout


def unquote_name(token: str) -> str:
    """An IR global name as written after ``@`` -> the name itself (``"a\\2Eb"`` -> ``a.b``)."""
    if not token.startswith('"'):
        return token
    return _HEX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), token[1:-1])


def defined_functions(ir_text: str) -> list[str]:
    """Names of the functions a textual module defines (not declares), in order."""
    return [unquote_name(m.group(1)) for m in _DEFINE.finditer(ir_text)]


def normalize_module(text: str, module_id: str, source: str) -> str:
    """Sets the ModuleID comment and source_filename, which otherwise name temp paths."""
    text = _MODULE_ID.sub(lambda _: f"; ModuleID = '{module_id}'", text, count=1)
    quoted = source.replace("\\", "\\5C").replace('"', "\\22")
    return _SOURCE_FILENAME.sub(lambda _: f'source_filename = "{quoted}"', text, count=1)


def content_key(text: str) -> str:
    """Identity of a module's code, ignoring its ModuleID and source_filename lines."""
    body = _SOURCE_FILENAME.sub("", _MODULE_ID.sub("", text, count=1), count=1)
    return hashlib.sha256(body.encode()).hexdigest()


def generate_csmith(seed: int, out: Path) -> Path:
    """Writes csmith program ``seed`` to ``out``."""
    csmith = shutil.which("csmith")
    if csmith is None:
        raise UnitError("csmith is not installed (Debian: apt-get install csmith libcsmith-dev)")
    run_tool([csmith, "--seed", str(seed), *CSMITH_OPTIONS, "-o", str(out)], f"csmith --seed {seed}", 120.0)
    return out


def compile_c(unit: SourceUnit, path: Path, target: Target, out: Path, extra: Sequence[str]) -> Path:
    """clang at the unit's opt level; compile errors become a UnitError."""
    try:
        return compile_to_ir(path, target, out, opt_level=unit.opt_level, extra_args=extra)
    except BuildError as err:
        detail = str(err).split("\n", 1)[1] if "\n" in str(err) else str(err)
        raise UnitError(f"does not compile:\n    {error_summary(detail)}") from err


def read_ir(path: Path, out: Path) -> Path:
    """Checks an IR file parses (textual or bitcode) and writes it as text to ``out``."""
    if path.suffix == ".bc":
        run_tool([tool("llvm-dis"), str(path), "-o", str(out)], "reading the bitcode")
    else:
        run_tool([tool("opt"), "-passes=verify", "-disable-output", str(path)], "reading the IR")
        shutil.copyfile(path, out)
    return out


def unit_module(unit: SourceUnit, target: Target, work: Path) -> Path:
    """The unit's whole-program module as textual IR in ``work``."""
    out = work / "program.ll"
    if unit.kind == "csmith":
        source = generate_csmith(unit.seed, work / f"{unit.program}.c")
        return compile_c(unit, source, target, out, CSMITH_CLANG_ARGS)
    if unit.path is None:
        raise UnitError("no input file")
    if unit.kind == "ir":
        read_ir(unit.path, out)
        try:
            check_module_target(out, target)
        except ValueError as err:
            raise UnitError(str(err)) from err
        return out
    return compile_c(unit, unit.path, target, out, ())


def extract_function(module: Path, function: str, out: Path) -> str:
    """llvm-extract ``function`` (with the declarations it needs) and returns the text."""
    run_tool([tool("llvm-extract"), f"--func={function}", "-S", str(module), "-o", str(out)],
             f"extracting {function}")  # fmt: skip
    return out.read_text()
