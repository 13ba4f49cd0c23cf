#!/usr/bin/env bash
# The runs behind docs/expert-iteration.md: MaskablePPO's policy (gnn-scoring, cost reward)
# warm-started by expert iteration (DAgger over the policy's own states, each labelled by a
# one-step rollout search guided by the hint-aware heuristic), one PPO update after it
# (--timesteps 1, as the bc-search runs of docs/learning.md), the checkpoint chosen on the
# first 60 validation functions (benchmarks/select_checkpoint.py), then the whole test split.
#   NAME=ei SEEDS="0 1 2" TARGET=x86 bash benchmarks/expert_iteration_runs.sh
#   NAME=ei-m05 EXTRA="--ei-margin 0.05 --ei-min-gain 1" SEEDS=0 bash benchmarks/expert_iteration_runs.sh
# Every run is niced (the 2 cores are shared); times and load averages go to $OUT/times.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${TARGET:-x86}
SEEDS=${SEEDS:-0 1 2}
NAME=${NAME:-ei}
EXTRA=${EXTRA:-}
PY=${PY:-/work/main/.venv/bin/python}
RL=("$PY" -m rl4real_gym.cli)
OUT=${OUT:-eval/expert-iteration}
MODELS=${MODELS:-models}
EPISODES=${EPISODES:-100}
mkdir -p "$OUT"
for seed in $SEEDS; do
  run=$TARGET-$NAME-s$seed
  start=$(date +%s)
  # shellcheck disable=SC2086
  nice -n 10 "${RL[@]}" train --target "$TARGET" --algo maskable-ppo --policy gnn-scoring --reward cost --workers 2 \
    --timesteps 1 --n-steps 256 --batch-size 256 --seed "$seed" --warm-start expert-iteration \
    --bc-episodes "$EPISODES" --bc-search-width 4 $EXTRA --run-name "$run" --model-dir "$MODELS" --log-dir runs \
    --no-progress | tee "$OUT/$run.train.txt"
  echo "$run trained in $(( $(date +%s) - start )) s, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/times.txt"
  chosen=$(nice -n 10 "$PY" benchmarks/select_checkpoint.py "$MODELS/$run" --limit 60 | tee "$OUT/$run.selection.txt" | tail -1)
  echo "$run: chose $chosen (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/times.txt"
  if [ "${TEST:-1}" = 1 ]; then
    nice -n 10 "${RL[@]}" evaluate --target "$TARGET" --model "$chosen" --split test --agents "" --llvm greedy \
      --out "$OUT/$run" --no-progress > "$OUT/$run.test.txt"
    echo "$run: tested (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/times.txt"
  fi
done
