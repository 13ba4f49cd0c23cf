#!/usr/bin/env bash
# RL4ReAl-compatible entry point: `flow.sh <x86|aarch64|riscv64> train <model>`.
#
# RL4ReAl's flow.sh generated the training data of a target. Here that is one
# `rl4real dataset build` from the project's C corpus (corpus/programs, at -O1/-O2/-O3)
# into $DATA_DIR/<target> (DATA_DIR from the environment or .env, default: envs_data).
# The build resumes and extends: functions already in the dataset are kept. Then the
# script prints the `rl4real train` command to run with that data and model (run) name.
#
# Environment: DATA_DIR (see .env.example), JOBS (parallel processes, default: all cores).
set -uo pipefail

usage() {
  echo "usage: $(basename "$0") <x86|aarch64|riscv64> train <model>" >&2
  echo "  builds the <target> dataset from corpus/programs into \$DATA_DIR/<target> (default: envs_data)" >&2
  echo "  and prints the rl4real train command for <model>" >&2
  exit 2
}

[ $# -eq 3 ] || usage
TARGET=$1
MODE=$2
MODEL=$3
case "$TARGET" in x86|aarch64|riscv64) ;; *) usage ;; esac
[ "$MODE" = "train" ] || usage
[ -n "$MODEL" ] || usage

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -x "$ROOT/.venv/bin/rl4real" ]; then
  RL4REAL="$ROOT/.venv/bin/rl4real"
  PYTHON="$ROOT/.venv/bin/python"
elif command -v rl4real >/dev/null 2>&1; then
  RL4REAL=$(command -v rl4real)
  PYTHON=python3
else
  echo "rl4real is not installed: run 'bash scripts/setup.sh' first" >&2
  exit 1
fi

# The same resolution as the Python side: environment, then .env, then envs_data.
DATA=$(cd "$ROOT" && "$PYTHON" -c 'from rl4real_gym.config import settings; print(settings().data_dir)') || exit 1
OUT="$DATA/$TARGET"
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}

echo "building the $TARGET dataset from $ROOT/corpus/programs into $OUT ($JOBS jobs)"
"$RL4REAL" dataset build --target "$TARGET" --source "$ROOT/corpus/programs" --opt-levels O1,O2,O3 \
  --out "$OUT" --jobs "$JOBS"
status=$?
if [ ! -s "$OUT/manifest.jsonl" ]; then
  echo "the dataset build failed (status $status): no manifest in $OUT" >&2
  exit 1
fi
[ $status -eq 0 ] || echo "warning: some inputs could not be used (see the messages above); the rest was built" >&2

echo
echo "dataset ready: $OUT ($(wc -l < "$OUT/manifest.jsonl") functions). Train with:"
echo "  rl4real train --target $TARGET --algo maskable-ppo --data $DATA --run-name $MODEL"
echo "(the model and checkpoints go to \$MODEL_DIR/$MODEL/, default: models/$MODEL/)"
