"""Where training time goes: env, policy forward, learner update (MaskablePPO).

Runs the main job's recipe (gnn-scoring policy, cost reward, 2 envs, n_steps 256,
batch 256) for a short budget and splits the wall time into:

* env: time inside the vectorised env's step and reset (allocation processes plus the
  env's Python work);
* policy forward: the rest of rollout collection (observation to tensor, the policy's
  forward pass and sampling, buffer writes);
* learner: PPO's update (``model.train``).

    python benchmarks/bench_training.py --timesteps 4096 --vec-env batched
    python benchmarks/bench_training.py --timesteps 4096 --vec-env subproc

With ``--vec-env subproc`` the env time is what the main process waits for its workers.
On a shared machine the wall times move with the load: the process's CPU time moves less.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from agents.algorithms.maskable_ppo import build
from agents.callbacks import TorchThreadsCallback
from agents.config import TrainConfig
from agents.envs import make_vec_env


class Clock:
    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="x86")
    ap.add_argument("--timesteps", type=int, default=4096)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--vec-env", default="batched", choices=("batched", "subproc"))
    ap.add_argument("--torch-threads", type=int, default=TrainConfig.torch_threads,
                    help="learner threads (rollouts use 1), as rl4real train")  # fmt: skip
    ap.add_argument("--n-epochs", type=int, default=TrainConfig.n_epochs)
    args = ap.parse_args()
    fields: dict[str, Any] = dict(
        target=args.target, algo="maskable-ppo", policy="gnn-scoring", reward="cost", workers=args.workers,
        timesteps=args.timesteps, n_steps=256, batch_size=256, n_epochs=args.n_epochs, progress=False,
    )  # fmt: skip
    if "vec_env" in TrainConfig.__dataclass_fields__:  # the older design had only SubprocVecEnv
        fields["vec_env"] = args.vec_env
    config = TrainConfig(**fields).validate()
    venv = make_vec_env(config.env_part(), config.backend_part(), config.seed)
    env_clock, learn_clock = Clock(), Clock()
    venv.step_wait = env_clock.wrap(venv.step_wait)  # type: ignore[method-assign]
    venv.reset = env_clock.wrap(venv.reset)  # type: ignore[method-assign]
    model = build(config.algorithm_part(), config.backend_part(), venv, tensorboard_log=None)
    model.train = learn_clock.wrap(model.train)  # type: ignore[method-assign]
    start, cpu = time.perf_counter(), time.process_time()
    model.learn(total_timesteps=args.timesteps, callback=TorchThreadsCallback(args.torch_threads))
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    venv.close()
    forward = total - env_clock.seconds - learn_clock.seconds
    print(
        f"{args.target}, {args.workers} envs ({fields.get('vec_env', 'subproc')}), {model.num_timesteps} steps "
        f"in {total:.1f} s: {model.num_timesteps / total:.0f} steps/s (learner threads {args.torch_threads}, "
        f"n_epochs {args.n_epochs}; load average {os.getloadavg()[0]:.2f} at the end)"
    )
    print(f"  this process's CPU time {cpu:.1f} s (the allocation processes not counted)")
    for name, seconds in (("env", env_clock.seconds), ("policy forward", forward), ("learner", learn_clock.seconds)):
        print(f"  {name:<15} {seconds:7.1f} s  {seconds / total:6.1%}")


if __name__ == "__main__":
    main()
