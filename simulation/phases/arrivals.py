"""Arrivals: households that appear during the run, e.g. people newly displaced by a conflict.

In the plan right after shocks, only when the scenario declares ``arrivals`` (``plan_for``).
Each entry (``schema.ArrivalsSpec``) says how many households arrive at each step and where:
at one node, or spread over weighted nodes by a multinomial draw. Weights can be multiplied
by the node's threat at the step and by a decay with the time since that threat began: this
is Flee's conflict-driven spawning (flee/spawning.py ``refresh_spawn_weights``: population x
conflict intensity x ``conflict_spawn_decay``; github.com/djgroen/flee). If no node has a
positive weight at a step (no threat anywhere yet), the entry's plain weights are used, so
the declared number still arrives (Flee would stop with an assertion).

New households are drawn exactly like a population entry (``population.add_population``),
appended to the store and, when the model keeps Mesa agents, given agent views. Arrivals
that flee (the default) are marked in ``model.today.fleeing`` and leave in this step's
mobility (or journeys) phase, as Flee's spawned agents move on the day they appear.
``model.today.spawned_at`` keeps the node each new row appeared at (for the invariant
checks: claims change by spawned arrivals plus recorded flows).
"""

import numpy as np

from simulation.codes import Group, NodeType, Status, parse
from simulation.population import add_population


def count_at(spec, t: int) -> int:
    """Households an arrivals entry brings at step ``t`` (see ``ArrivalsSpec.counts``)."""
    if spec.counts is None:
        return spec.households
    if isinstance(spec.counts, dict):
        return spec.counts.get(t, 0)
    return spec.counts[t - 1] if 1 <= t <= len(spec.counts) else 0


def threat_onset(threat_by_step: np.ndarray, t: int) -> np.ndarray:
    """Per node, the latest step <= t at which its scheduled threat rose from 0 (0 if none)."""
    past = threat_by_step[: t + 1] > 0
    rising = past.copy()
    rising[1:] &= ~past[:-1]
    steps = np.arange(len(past))[:, None]
    return np.where(rising, steps, 0).max(axis=0)


def decay_factor(decay: list[float], days_since: np.ndarray, period_days: float) -> np.ndarray:
    """Flee's conflict_spawn_decay: the factor of the period since onset, the last one held."""
    if not decay:
        return np.ones_like(days_since, dtype=np.float64)
    period = np.minimum((days_since // period_days).astype(np.int64), len(decay) - 1)
    return np.asarray(decay, dtype=np.float64)[np.maximum(period, 0)]


def arrival_weights(spec, graph, t: int, days_per_step: float) -> tuple[np.ndarray, np.ndarray]:
    """Node ids and their normalised weights for an arrivals entry at step ``t``."""
    names = spec.arrival_nodes()
    ids = np.array([graph.index[name] for name in names], dtype=np.int64)
    base = (np.array([spec.nodes[name] for name in names], dtype=np.float64)
            if spec.nodes is not None else np.ones(1))
    weights = base.copy()
    if spec.threat_weighted:
        weights = weights * graph.threat[ids]
        if spec.threat_decay:
            onset = threat_onset(graph.threat_by_step, min(t, len(graph.threat_by_step) - 1))
            days_since = (t - onset[ids]) * days_per_step
            weights = weights * decay_factor(spec.threat_decay, days_since, spec.decay_days)
    if weights.sum() <= 0:
        weights = base if base.sum() > 0 else np.ones(len(ids))
    return ids, weights / weights.sum()


def step(model, t: int) -> None:
    hh, graph = model.households, model.graph
    before = len(hh)
    fleeing = [np.asarray(model.today.fleeing, dtype=bool)]
    spawned_at = [model.today.spawned_at]
    for i, spec in enumerate(model.spec.arrivals):
        k = count_at(spec, t)
        if k <= 0:
            continue
        rng = model.streams.generator(f"arrivals:{i}", t)
        ids, weights = arrival_weights(spec, graph, t, model.days_per_step)
        at = np.repeat(ids, rng.multinomial(k, weights))
        # one draw of the profile for all k (at the first node), then put each row in its place
        template = spec.model_copy(update={"node": graph.names[ids[0]], "households": k})
        rows = add_population(hh, template, graph, rng, step=t, days_per_step=model.days_per_step)
        hh.node[rows] = at
        hh.origin[rows] = graph.index[spec.origin] if spec.origin else at
        if spec.status is None and parse(Group, spec.group) == Group.DISPLACED:
            hh.status[rows] = np.where(graph.type[at] == NodeType.CAMP, Status.DISPLACED_CAMP,
                                       Status.DISPLACED_HOST)
        fleeing.append(np.full(k, spec.flee, dtype=bool))
        spawned_at.append(at)
        if model.with_agents:
            from agents.households import create_agents  # (Mesa is heavy to import)

            create_agents(model, rows)
    if len(hh) > before:
        model.today.fleeing = np.concatenate(fleeing)
        model.today.spawned_at = np.concatenate(spawned_at)
