"""Create the starting households of a scenario from its ``populations`` entries.

Distributions are simple and stated: household size 1 + Poisson(mean - 1); skills normal,
clipped to 0..1; money stocks exponential around their means (right-skewed, as wealth is);
documents, HLP security and livelihoods drawn by the shares given. Each population entry
draws from its own named stream, so adding an entry does not change the others.
"""

import numpy as np

from simulation.codes import Group, Livelihood, NodeType, Status, parse
from simulation.graph import SettlementGraph
from simulation.random_streams import RandomStreams
from simulation.scenario.schema import PopulationSpec
from simulation.state import HouseholdStore


def default_status(group: Group, node_type: NodeType) -> Status:
    """Where a population starts if its entry names no status."""
    if group == Group.DISPLACED:
        return Status.DISPLACED_CAMP if node_type == NodeType.CAMP else Status.DISPLACED_HOST
    return Status.IN_PLACE


def add_population(
    store: HouseholdStore,
    spec: PopulationSpec,
    graph: SettlementGraph,
    rng: np.random.Generator,
    step: int = 0,
    days_per_step: float = 30.0,
) -> np.ndarray:
    """Append the households of one population entry; return their rows."""
    n = spec.households
    if n == 0:
        return np.empty(0, dtype=np.int64)
    group = parse(Group, spec.group)
    node = graph.index[spec.node]
    origin = graph.index[spec.origin] if spec.origin else node
    status = parse(Status, spec.status) if spec.status else default_status(group, graph.type[node])
    displaced = status in (Status.DISPLACED_CAMP, Status.DISPLACED_HOST, Status.REDISPLACED,
                           Status.IN_TRANSIT) or group == Group.DISPLACED
    shares = spec.livelihoods or {"none": 1.0}
    codes = np.array([int(parse(Livelihood, name)) for name in shares], dtype=np.int8)
    probs = np.array(list(shares.values()), dtype=np.float64)
    since = step - int(round(spec.months_displaced * 30.0 / days_per_step))
    return store.append(
        n,
        node=node,
        origin=origin,
        group=int(group),
        status=int(status),
        size=(1 + rng.poisson(spec.size_mean - 1.0, n)).clip(1, 30),
        t_displaced=since if displaced else -1,
        ever_displaced=displaced,
        skills=np.clip(rng.normal(spec.skills_mean, spec.skills_sd, n), 0.0, 1.0),
        documented=rng.random(n) < spec.documented,
        hlp_secure=rng.random(n) < spec.hlp_secure,
        ties=spec.ties,
        origin_ties=spec.origin_ties,
        assets=rng.exponential(spec.assets_mean, n) if spec.assets_mean > 0 else 0.0,
        savings=rng.exponential(spec.savings_mean, n) if spec.savings_mean > 0 else 0.0,
        debt=rng.exponential(spec.debt_mean, n) if spec.debt_mean > 0 else 0.0,
        household_goods=(
            rng.exponential(spec.household_goods_mean, n) if spec.household_goods_mean > 0 else 0.0
        ),
        house_value=rng.exponential(spec.house_value_mean, n) if spec.house_value_mean > 0 else 0.0,
        livelihood=codes[rng.choice(len(codes), size=n, p=probs / probs.sum())],
    )


def build_households(populations, graph: SettlementGraph, streams: RandomStreams,
                     days_per_step: float, layout: dict | None = None,
                     reserve: int = 0) -> HouseholdStore:
    """All starting households of a scenario, in the order of its population entries
    (``layout``, ``reserve``: the store's columns and rows to allocate, ``HouseholdStore``)."""
    store = HouseholdStore(0, layout=layout, reserve=reserve)
    for i, spec in enumerate(populations):
        add_population(store, spec, graph, streams.generator(f"population:{i}", 0),
                       days_per_step=days_per_step)
    return store
