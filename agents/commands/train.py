"""Train an agent on the RL4ReAl environment.

Every TrainConfig setting is a flag (below) and a key of the TOML file given with
--config; flags win. Examples:

  rl4real train --target x86 --policy gnn-scoring --workers 2 --timesteps 30000 --n-steps 256
  rl4real train --target aarch64 --policy gnn --episodes 2000 --batch-size 256
  rl4real train --algo reinforce --timesteps 20000
  rl4real train --backend rllib --workers 2 --num-gpus 0 --timesteps 50000
  rl4real train --config agents/configs/default.toml --resume models/RUN/model.zip

Outputs go to MODEL_DIR/<run name>/ (model, checkpoints, episodes.csv, config.toml);
TensorBoard logs to --log-dir (view with `tensorboard --logdir runs`).
"""

from __future__ import annotations

import argparse

HELP = "train an agent (MaskablePPO with MLP/GNN policy, REINFORCE, or RLlib PPO)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from agents.config import add_config_arguments

    p.formatter_class = argparse.RawDescriptionHelpFormatter
    add_config_arguments(p)


def run(args: argparse.Namespace) -> int:
    from agents.config import config_from_args

    config = config_from_args(args)
    if config.backend == "rllib":
        from agents.rllib import run_rllib

        path = run_rllib(config)
    else:
        from agents.train import train

        path = train(config)
    print(f"model saved to {path}")
    print(f"evaluate it with: rl4real evaluate --model {path} --target {config.target} --split test")
    return 0
