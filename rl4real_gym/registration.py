"""Registration of the environments with Gymnasium (also an entry point)."""

from __future__ import annotations

from rl4real_gym.targets import TARGETS

# Gymnasium's convention: a change of the observation or action space is a new version.
# Saved models record the version they were trained on (agents.inference.ModelMeta).
# v1: the colour phase's per-register features (observation key "register_features")
# and node feature log_fixed_copy_weight.
# v2: register features log_pending_copy_weight and log_neighbour_copy_weight (what a
# colour leaves removable with pending partners, and takes from pending neighbours).
ENV_VERSION = 2
ENV_IDS = {f"RL4ReAl-{target}-v{ENV_VERSION}": target for target in TARGETS}
ENTRY_POINT = "rl4real_gym.envs.regalloc_env:RegAllocEnv"
VECTOR_ENTRY_POINT = "rl4real_gym.envs.vector_env:RegAllocVectorEnv"


def register_envs() -> None:
    """Registers every target's environment id (idempotent)."""
    from gymnasium.envs.registration import register, registry

    for env_id, target in ENV_IDS.items():
        if env_id not in registry:
            register(
                id=env_id, entry_point=ENTRY_POINT, vector_entry_point=VECTOR_ENTRY_POINT, kwargs={"target": target}
            )
