#!/usr/bin/env bash
# The runs behind docs/learning.md's "Warm start" table: MaskablePPO (gnn-scoring, cost
# reward, the scripts/main.sh recipe) with behaviour cloning from the hint-aware heuristic
# first (bc-ppo; its bc_model.zip is the BC-only ablation), or without (ppo).
# bc-ppo: the checkpoint is chosen on the validation split (benchmarks/select_checkpoint.py,
# its first 60 functions), then evaluated on the whole test split, and so is bc_model.zip.
# ppo: the final model is evaluated (its checkpoints are far behind and slow to evaluate).
# bc-search: cloning the rollout search (width 8, 128 rollouts, 200 training functions), one
# PPO update after it (--timesteps 1), the checkpoint chosen on validation like bc-ppo's.
#   SETTINGS="bc-ppo ppo" SEEDS="0 1 2" TARGET=x86 bash benchmarks/warm_start_runs.sh
#   SETTINGS=bc-search SEEDS="0 1 2" TARGET=x86 bash benchmarks/warm_start_runs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${TARGET:-x86}
SEEDS=${SEEDS:-0 1 2}
SETTINGS=${SETTINGS:-bc-ppo ppo}
TIMESTEPS=${TIMESTEPS:-30000}
RL=${RL:-.venv/bin/rl4real}
PY=${PY:-.venv/bin/python}
OUT=${OUT:-eval/warm-start}
GATE=()
[ "$TARGET" = aarch64 ] && GATE=(--spill-gate)
mkdir -p "$OUT"
evaluate() {  # model, output name
  $RL evaluate --model "$1" --split test --agents "" --llvm greedy --out "$OUT/$2" --no-progress > "$OUT/$2.test.txt"
}
for setting in $SETTINGS; do
  for seed in $SEEDS; do
    run=$TARGET-$setting-s$seed
    warm=()
    steps=$TIMESTEPS
    gate=("${GATE[@]}")
    [ "$setting" = bc-ppo ] && warm=(--warm-start heuristic)
    if [ "$setting" = bc-search ]; then
      warm=(--warm-start search --bc-episodes 200 --bc-search-width 8 --bc-search-budget 128)
      steps=1
      gate=()  # the gate is for PPO's voluntary spills; the AArch64 clone ran without it
    fi
    start=$(date +%s)
    $RL train --target "$TARGET" --algo maskable-ppo --policy gnn-scoring "${gate[@]}" --reward cost --workers 2 \
      --timesteps "$steps" --n-steps 256 --batch-size 256 --checkpoint-every 10000 --seed "$seed" \
      "${warm[@]}" --run-name "$run" --model-dir models --log-dir runs --no-progress
    echo "$run trained in $(( $(date +%s) - start )) s, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/times.txt"
    if [ "$setting" != ppo ]; then
      chosen=$($PY benchmarks/select_checkpoint.py "models/$run" --limit 60 | tee "$OUT/$run.selection.txt" | tail -1)
      evaluate "models/$run/bc_model.zip" "$run-bc-only"
      [ "$chosen" = "models/$run/bc_model.zip" ] || evaluate "$chosen" "$run"
      echo "$run: chose $chosen" | tee -a "$OUT/times.txt"
    else
      evaluate "models/$run/model.zip" "$run"
    fi
  done
done
