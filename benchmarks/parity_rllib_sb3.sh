#!/usr/bin/env bash
# RLlib vs SB3 MaskablePPO, same policy (gnn-scoring), reward (cost), env steps and PPO
# settings; each model then evaluated against greedy.
#   benchmarks/parity_rllib_sb3.sh OUT_DIR "0 1 2" "x86 aarch64" STEPS [WARM [SPLIT [LIMIT]]]
# WARM (default none): "heuristic" or "search" clones that expert once per seed and target
# (`rl4real train --warm-start WARM --timesteps 1`: its bc_model.zip, the cloned policy
# before PPO), and both backends start PPO from that one bc_model.zip (`--resume`), so they
# start from the same weights and the cloning is paid once; the clone is evaluated too
# (backend "bc"). SPLIT/LIMIT: the evaluation's split and function count (validation, 24).
# Appends one line per run to OUT_DIR/parity.tsv:
#   target backend seed steps train_wall_s steps_per_s geomean_vs_greedy total_cost greedy_total_cost load
# (for "bc" rows: steps is 0 and train_wall_s the cloning's wall time, start-up included).
set -euo pipefail
out=${1:?out dir}; seeds=${2:-0}; targets=${3:-"x86 aarch64"}; steps=${4:-2048}
warm=${5:-none}; split=${6:-validation}; limit=${7:-24}
py=${PYTHON:-.venv/bin/python}
mkdir -p "$out"
printf '[train]\n[train.extra]\nenvs_per_runner = 2\n' > "$out/rllib.toml"
common=(--policy gnn-scoring --reward cost --workers 2 --n-steps 256 --batch-size 128
        --n-epochs 4 --max-nodes 64 --max-edges 1024 --max-split-points 16 --max-steps 300 --no-progress
        --model-dir "$out/models" --log-dir "$out/runs")

evaluate() {  # evaluate NAME MODEL -> "geomean total greedy_total"
  "$py" -m rl4real_gym.cli evaluate --model "$2" --split "$split" --limit "$limit" \
    --agents heuristic --llvm greedy --out "$out/eval-$1" --no-progress > "$out/$1.eval.log" 2>&1
  awk -F, '$1=="policy"{p=$3" "$7} $1=="greedy"{g=$7} END{print p" "g}' "$out/eval-$1/summary.csv"
}

row() {  # row TARGET BACKEND SEED STEPS WALL "EVAL"
  local rate=0
  [ "$4" -gt 0 ] && rate=$(echo "$4 / $5" | bc -l | cut -c1-6)
  echo "$1 $2 $3 $4 $5 $rate $6 $(cut -d' ' -f1 /proc/loadavg)" | tr ' ' '\t' >> "$out/parity.tsv"
}

for seed in $seeds; do
  for target in $targets; do
    start_from=()
    if [ "$warm" != none ]; then
      name=bc-$target-s$seed
      start=$(date +%s.%N)
      "$py" -m rl4real_gym.cli train --target "$target" --seed "$seed" --run-name "$name" --warm-start "$warm" \
        "${common[@]}" --timesteps 1 > "$out/$name.train.log" 2>&1
      wall=$(echo "$(date +%s.%N) - $start" | bc)
      model=$out/models/$name/bc_model.zip
      row "$target" bc "$seed" 0 "$wall" "$(evaluate "$name" "$model")"
      start_from=(--resume "$model")
    fi
    for backend in sb3 rllib; do
      name=$backend-$target-s$seed
      extra=()
      # RLlib: one EnvRunner stepping both envs in the env's vector env (SB3: both envs in its batched vec env)
      [ "$backend" = rllib ] && extra=(--workers 1 --config "$out/rllib.toml")
      start=$(date +%s.%N)
      "$py" -m rl4real_gym.cli train --target "$target" --backend "$backend" --seed "$seed" --run-name "$name" \
        "${common[@]}" --timesteps "$steps" "${start_from[@]}" "${extra[@]}" > "$out/$name.train.log" 2>&1
      wall=$(echo "$(date +%s.%N) - $start" | bc)
      row "$target" "$backend" "$seed" "$steps" "$wall" "$(evaluate "$name" "$out/models/$name/model.zip")"
    done
  done
done
