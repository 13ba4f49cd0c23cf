#!/usr/bin/env bash
# One-command set-up on Debian 12 (as root, or with sudo): system packages, a Python
# virtual environment in .venv with the package and its extras, and the LLVM plugin.
#   RL4REAL_TORCH=cuda  install the CUDA build of torch instead of the CPU build
#   RL4REAL_EXTRAS      pip extras to install (default: agents,ray,dev)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install --disable-pip-version-check -q)
# torch: the CPU build by default (pip picks a local CPU wheel where one is provided).
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  if [ "${RL4REAL_TORCH:-cpu}" = "cuda" ]; then
    "${PIP[@]}" torch
  else
    "${PIP[@]}" "torch==2.13.0" || "${PIP[@]}" torch --index-url https://download.pytorch.org/whl/cpu
  fi
fi
"${PIP[@]}" -e ".[${RL4REAL_EXTRAS:-agents,ray,dev}]"
.venv/bin/rl4real build-plugin
echo "set-up done: activate with 'source .venv/bin/activate'"
