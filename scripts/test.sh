#!/usr/bin/env bash
# Set-up plus the default test suite (what CI runs). Extra arguments go to pytest,
# e.g. `bash scripts/test.sh --runslow` for the long tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check rl4real_gym agents tests benchmarks examples
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
