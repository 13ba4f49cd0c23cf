"""Expert iteration by DAgger: the policy's own states, labelled by a one-step rollout search.

Cloning the rollout search (:mod:`agents.algorithms.search`) copies its plan, and a plan's
action at a state was decided by rollouts made at *earlier* states. The clone sees only the
state, so it learns the search's rare deviations where they look alike, not where they pay
(docs/learning.md). Here every label is a function of the state it is given at:

* **Label** (:func:`label_state`): at a state, fork the env once per candidate action (the
  search's ``width`` best by the heuristic's order, plus the learner's own action) and
  finish each copy with the hint-aware heuristic. The label is the cheapest candidate only
  when it beats the heuristic's own action by ``margin`` (relative) and ``min_gain``
  (absolute cost); otherwise it is the heuristic's action. So the policy imitates a
  deviation only where the rollouts show that it pays, and a deviation of the learner's
  that does not pay is labelled back to the heuristic.
* **Collect** (:func:`collect_labelled`): play the learner (the heuristic in iteration 0,
  the cloned policy after) on training functions; label each decision with more than one
  candidate with probability ``label_share`` (always those where the learner leaves the
  heuristic), at most ``max_labels`` per episode; every other state gets the
  heuristic's action, so the data set also holds the plain heuristic demonstrations.
* **Iterate** (:func:`iterate`): clone on iteration 0's data, then roll out the clone,
  label its own states, aggregate and clone again (DAgger, Ross et al. 2011).

Deviations can be weighted (``deviation_weight``) in the cloning loss.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from agents.algorithms.imitation import CloneEpoch, Demonstrations, clone, compact, discounted_returns
from agents.algorithms.search import SearchAgent
from agents.algorithms.simple import HeuristicAgent
from agents.episode_log import cost_ratio, geomean

LABELLED_PHASES = (0, 1, 2, 3)  # every phase; a task or split decision only when splitting is legal


@dataclass
class Label:
    """The search's verdict on one state."""

    action: int  # the label
    guide: int  # the heuristic's action
    costs: dict[int, float]  # rollout cost per candidate
    gain: float  # cost of the guide's rollout minus the label's (0 when the label is the guide's)


@dataclass
class LabelStats:
    """What one collection pass did."""

    episodes: int = 0
    decisions: int = 0
    labelled: int = 0
    deviations: int = 0  # labels that are not the heuristic's action
    learner_deviations: int = 0  # states where the learner left the heuristic
    corrected: int = 0  # ... and the label took it back to the heuristic's action
    kept: int = 0  # ... and the label was the learner's action
    rollouts: int = 0
    gain: float = 0.0  # summed gain of the deviation labels
    learner_geomean: float = math.nan  # geomean (cost+1)/(greedy+1) of the learner's episodes
    seconds: float = 0.0
    # per labelled state: (decision index, guide's action, cheapest candidate, their rollout
    # costs), for relabelling with another margin without new rollouts (relabel)
    table: list[tuple[int, int, int, float, float]] = field(default_factory=list, repr=False)


@dataclass
class IterationRecord:
    """One iteration: its collection pass and the cloning that followed."""

    iteration: int
    stats: LabelStats
    data: int  # decisions in the aggregate it was cloned on
    epochs: list[CloneEpoch] = field(default_factory=list)
    clone_seconds: float = 0.0


def label_state(
    search: SearchAgent, guide: HeuristicAgent, obs: dict[str, Any], mask: np.ndarray, learner_action: int,
    margin: float, min_gain: float,
) -> Label:  # fmt: skip
    """The one-step lookahead at ``search.env``'s current state (see the module's doc)."""
    g, _ = guide.predict(obs, action_masks=mask)
    g = int(g)
    actions = [g, *search.candidates(obs, mask), int(learner_action)]
    costs = search.rollout_costs(actions)
    best = cheapest(costs, g)
    if pays(costs[g], costs[best], margin, min_gain):
        return Label(best, g, costs, costs[g] - costs[best])
    return Label(g, g, costs, 0.0)


def cheapest(costs: dict[int, float], guide: int) -> int:
    """The candidate with the cheapest rollout; the guide's action among equals."""
    return min(costs, key=lambda a: (costs[a], a != guide))


def pays(guide_cost: float, best_cost: float, margin: float, min_gain: float) -> bool:
    """Whether a deviation's rollout beats the guide's by the margin."""
    return math.isfinite(best_cost) and best_cost < guide_cost * (1 - margin) - min_gain


def relabel(demos: Demonstrations, stats: LabelStats, margin: float, min_gain: float,
            deviation_weight: float = 1.0) -> Demonstrations:  # fmt: skip
    """``demos`` with its labelled states' labels decided again at another margin (the same
    rollouts: ``stats.table``)."""
    actions, weights = demos.actions.copy(), np.ones(len(demos), np.float32)
    for index, guide, best, guide_cost, best_cost in stats.table:
        deviate = pays(guide_cost, best_cost, margin, min_gain)
        actions[index] = best if deviate else guide
        weights[index] = deviation_weight if deviate else 1.0
    return dataclasses.replace(demos, actions=actions, weights=weights)


def collect_labelled(
    env: Any, learner: Any, search: SearchAgent, episodes: int, gamma: float, *, seed: int,
    label_share: float, max_labels: int, margin: float, min_gain: float, deviation_weight: float = 1.0,
    progress: bool = True, on_episode: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[Demonstrations, LabelStats]:  # fmt: skip
    """``episodes`` episodes of ``learner`` (``predict(obs, action_masks, deterministic)``;
    ``None`` for the heuristic) on functions the seeded env samples, every decision
    recorded with its label (see the module's doc)."""
    guide = HeuristicAgent(env.unwrapped.layout)
    learner = learner or guide
    rng = np.random.default_rng(seed)
    rows: dict[str, list[np.ndarray]] = {}
    masks, actions, weights, returns, ratios = [], [], [], [], []
    stats = LabelStats()
    start = time.perf_counter()
    obs, _ = env.reset(seed=seed)
    for _ in tqdm(range(episodes), desc="labelled episodes", unit="episode", disable=not progress):
        rewards: list[float] = []
        budget = max_labels
        while True:
            base = env.unwrapped
            mask = np.asarray(base.action_masks(), bool)
            phase = int(np.asarray(obs["phase"]).reshape(-1)[0])
            g, _ = guide.predict(obs, action_masks=mask)
            g = int(g)
            a, _ = learner.predict(obs, action_masks=mask, deterministic=True)
            a = int(np.asarray(a).reshape(-1)[0])
            label, weight = g, 1.0
            choices = int(mask[: base.layout.max_nodes].sum()) if phase == 0 else int(mask.sum())
            if a != g:
                stats.learner_deviations += 1
            wanted = a != g or rng.random() < label_share
            if phase in LABELLED_PHASES and choices > 1 and budget > 0 and wanted:
                verdict = label_state(search, guide, obs, mask, a, margin, min_gain)
                budget -= 1
                stats.labelled += 1
                stats.rollouts += len(verdict.costs)
                label = verdict.action
                best = cheapest(verdict.costs, g)
                stats.table.append((stats.decisions, g, best, verdict.costs[g], verdict.costs[best]))
                if label != g:
                    stats.deviations += 1
                    stats.gain += verdict.gain
                    weight = deviation_weight
                if a != g:
                    stats.corrected += label == g
                    stats.kept += label == a
            for key, value in obs.items():
                rows.setdefault(key, []).append(compact(key, value))
            masks.append(mask)
            actions.append(label)
            weights.append(weight)
            stats.decisions += 1
            obs, reward, terminated, truncated, info = env.step(a)
            rewards.append(float(reward))
            if terminated or truncated:
                break
        returns.append(discounted_returns(rewards, gamma))
        if info.get("cost") is not None:
            ratios.append(cost_ratio(info["cost"], float(info.get("greedy_cost") or 0.0)))
        if on_episode is not None:
            on_episode(info)
        stats.episodes += 1
        obs, _ = env.reset()
    stats.learner_geomean = geomean(ratios)
    stats.seconds = time.perf_counter() - start
    demos = Demonstrations(
        {k: np.stack(v) for k, v in rows.items()}, np.stack(masks), np.asarray(actions, np.int64),
        np.concatenate(returns), episodes, stats.learner_geomean, np.asarray(weights, np.float32),
    )  # fmt: skip
    return demos, stats


class PolicyLearner:
    """A MaskableActorCriticPolicy as a deterministic learner for :func:`collect_labelled`."""

    def __init__(self, policy: Any) -> None:
        self.policy = policy

    def predict(self, obs: dict[str, Any], action_masks: np.ndarray, deterministic: bool = True):
        import torch

        self.policy.set_training_mode(False)
        with torch.no_grad():
            tensors, _ = self.policy.obs_to_tensor(obs)
            dist = self.policy.get_distribution(tensors, action_masks=action_masks[None])
            return int(dist.distribution.probs.argmax(dim=1)[0]), None


def iterate(
    policy: Any, env: Any, config: Any, *, progress: bool = True, log: Callable[[str], None] = print,
) -> list[IterationRecord]:  # fmt: skip
    """DAgger on ``env`` (training split) into ``policy`` (a MaskableActorCriticPolicy), as
    ``config`` (a TrainConfig: ``ei_*``, ``bc_episodes`` per iteration, ``bc_search_width``,
    ``bc_epochs``, ``bc_learning_rate``, ``batch_size``, ``gamma``, ``seed``) says.
    Iteration 0 labels the heuristic's own states and clones ``policy`` on them for
    ``bc_epochs``; each later iteration rolls out the clone on other training functions,
    labels its states, aggregates and goes on cloning for half as many epochs."""
    search = SearchAgent(env, env.unwrapped.layout, width=config.bc_search_width, max_rollouts=1)
    records: list[IterationRecord] = []
    data: Demonstrations | None = None
    for it in range(config.ei_iterations):
        learner = None if it == 0 else PolicyLearner(policy)
        demos, stats = collect_labelled(
            env, learner, search, config.bc_episodes, config.gamma, seed=config.seed + 17 + 101 * it,
            label_share=config.ei_label_share, max_labels=config.ei_max_labels, margin=config.ei_margin,
            min_gain=config.ei_min_gain, deviation_weight=config.ei_deviation_weight, progress=progress,
        )  # fmt: skip
        data = demos if data is None else data.concat(demos)
        log(f"expert iteration {it}: {'heuristic' if it == 0 else 'policy'} episodes geomean "
            f"{stats.learner_geomean:.4f}; {stats.labelled} of {stats.decisions} states labelled "
            f"({stats.rollouts} rollouts, {stats.seconds:.0f} s), {stats.deviations} deviations "
            f"(gain {stats.gain:,.0f}); learner left the heuristic {stats.learner_deviations} times, "
            f"{stats.corrected} corrected, {stats.kept} kept")  # fmt: skip
        started = time.perf_counter()
        epochs = config.bc_epochs if it == 0 else max(1, config.bc_epochs // 2)
        history = clone(policy, data, epochs=epochs, batch_size=config.batch_size, seed=config.seed + it,
                        learning_rate=config.bc_learning_rate, progress=progress)  # fmt: skip
        record = IterationRecord(it, stats, len(data), history, time.perf_counter() - started)
        records.append(record)
        if history:
            log(f"  cloned on {len(data)} decisions: {history[-1].epoch} epochs, top-1 {history[-1].accuracy:.3f}, "
                f"{record.clone_seconds:.0f} s")  # fmt: skip
    return records


def write_records(records: list[IterationRecord], path: Path) -> None:
    """One CSV row per iteration: its collection's figures, then the last cloning epoch's."""
    rows = []
    for r in records:
        figures = {k: v for k, v in asdict(r.stats).items() if k != "table"}
        row: dict[str, Any] = {"iteration": r.iteration, **figures, "data": r.data,
                               "clone_seconds": round(r.clone_seconds, 1)}  # fmt: skip
        if r.epochs:
            row.update({"epochs": r.epochs[-1].epoch, "top1": r.epochs[-1].accuracy, "nll": r.epochs[-1].actor_loss})
        rows.append(row)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


__all__ = [
    "IterationRecord",
    "Label",
    "LabelStats",
    "PolicyLearner",
    "collect_labelled",
    "iterate",
    "label_state",
    "relabel",
    "write_records",
]
