#!/usr/bin/env bash
# RLlib vs SB3 MaskablePPO, same policy (gnn-scoring), reward (cost), env steps and PPO
# settings; each model then evaluated against greedy on the validation split.
#   benchmarks/parity_rllib_sb3.sh OUT_DIR "0 1 2" "x86 aarch64" STEPS
# Appends one line per run to OUT_DIR/parity.tsv:
#   target backend seed steps train_wall_s steps_per_s geomean_vs_greedy total_cost greedy_total_cost load
set -euo pipefail
out=${1:?out dir}; seeds=${2:-0}; targets=${3:-"x86 aarch64"}; steps=${4:-2048}
py=${PYTHON:-.venv/bin/python}
mkdir -p "$out"
common=(--policy gnn-scoring --reward cost --workers 2 --timesteps "$steps" --n-steps 256 --batch-size 128
        --n-epochs 4 --max-nodes 64 --max-edges 1024 --max-split-points 16 --max-steps 300 --no-progress
        --model-dir "$out/models" --log-dir "$out/runs")
for seed in $seeds; do
  for target in $targets; do
    for backend in sb3 rllib; do
      name=$backend-$target-s$seed
      extra=()
      # RLlib: one EnvRunner stepping both envs in the env's vector env (SB3: both envs in its batched vec env)
      [ "$backend" = rllib ] && extra=(--workers 1 --config "$out/rllib.toml")
      printf '[train]\n[train.extra]\nenvs_per_runner = 2\n' > "$out/rllib.toml"
      start=$(date +%s.%N)
      "$py" -m rl4real_gym.cli train --target "$target" --backend "$backend" --seed "$seed" --run-name "$name" \
        "${common[@]}" "${extra[@]}" > "$out/$name.train.log" 2>&1
      wall=$(echo "$(date +%s.%N) - $start" | bc)
      "$py" -m rl4real_gym.cli evaluate --model "$out/models/$name/model.zip" --split validation --limit 24 \
        --agents heuristic --llvm greedy --out "$out/eval-$name" --no-progress > "$out/$name.eval.log" 2>&1
      row=$(awk -F, '$1=="policy"{p=$3" "$7} $1=="greedy"{g=$7} END{print p" "g}' "$out/eval-$name/summary.csv")
      load=$(cut -d' ' -f1 /proc/loadavg)
      echo "$target $backend $seed $steps $wall $(echo "$steps / $wall" | bc -l | cut -c1-6) $row $load" | tr ' ' '\t' \
        >> "$out/parity.tsv"
    done
  done
done
