"""A generated national-scale scenario: 50-500 settlements and any number of households.

The benchmark needs a region bigger than the bundled default, of any size, that still shows
every rule at work (flight from origins under threat, camps filling to capacity, crowded
town labour markets, returns once threat eases, regular and irregular departures abroad).
This builds one from a seed, with the default scenario's proportions (assumption: the
default is the template; nothing here is calibrated to a real country):

- nodes scattered over an 800 x 800 km square: 10% origins (threat high for a year, easing
  after, as in the default), 8% camps, 20% towns, the rest rural host areas; border posts
  on the eastern edge, each with a long border route to one of the abroad nodes;
- edges: each settlement to its three nearest neighbours plus a minimum spanning tree, so
  the graph is connected; road distance = 1.3 x straight line (assumption);
- households: 66% hosts (spread over origins, towns and host areas, towns larger), 29%
  displaced (two thirds in camps, one third in towns, each from an origin), 5% migrants in
  towns, as in ``scenarios/default.yaml``; jobs per household by node type as there, camp
  capacity 1.3 x its starting population, regular-pathway slots 1 per 1,600 households a
  month (the default's 4 for 6,400).

``generated_scenario(nodes, households, seed)`` returns a scenario dict for
``load_scenario``; the same arguments give the same dict.
"""

import numpy as np
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import cKDTree

SIDE_KM = 800.0
ROAD_FACTOR = 1.3
TYPE_SHARES = {"origin": 0.10, "camp": 0.08, "town": 0.20}  # the rest: host areas
GROUP_SHARES = {"host": 0.66, "displaced": 0.29, "migrant": 0.05}
#: jobs per starting household, by node type (the default's towns 1.6, villages 1.4, origin 0.8,
#: camp 0.2)
JOBS_PER_HOUSEHOLD = {"town": 1.6, "host_area": 1.4, "origin": 0.8, "camp": 0.2}
CAMP_HEADROOM = 1.3
SLOTS_PER_HOUSEHOLD = 4 / 6400

# starting states by group, from scenarios/default.yaml (same means; one entry per node)
HOST = dict(size_mean=5.2, skills_mean=0.42, assets_mean=2700, savings_mean=280,
            household_goods_mean=330, house_value_mean=3800)
DISPLACED = dict(months_displaced=15, size_mean=5.4, skills_mean=0.33, documented=0.57,
                 hlp_secure=0.43, assets_mean=100, savings_mean=25, household_goods_mean=65,
                 house_value_mean=1500, ties=0.33, origin_ties=0.77)
MIGRANT = dict(size_mean=2.5, skills_mean=0.35, documented=0.3, hlp_secure=0.0, assets_mean=50,
               savings_mean=120, household_goods_mean=50, ties=0.3, origin_ties=0.4,
               livelihoods={"casual": 0.9, "none": 0.1})
LIVELIHOODS = {
    "origin": {"farm": 0.5, "casual": 0.4, "business": 0.1},
    "town": {"wage": 0.33, "casual": 0.42, "business": 0.25},
    "host_area": {"farm": 0.6, "casual": 0.4},
}


def default_nodes(households: int) -> int:
    """Settlements for a population: about sqrt(households) / 2, within 50..500."""
    return int(np.clip(round(np.sqrt(households) / 2), 50, 500))


def generated_scenario(nodes: int, households: int, seed: int = 0, steps: int = 36) -> dict:
    """A scenario dict with ``nodes`` settlements (50..500) and ``households`` households."""
    if not 50 <= nodes <= 500:
        raise ValueError(f"nodes must be within 50..500, got {nodes}")
    if households < 100:
        raise ValueError(f"households must be at least 100, got {households}")
    rng = np.random.default_rng(seed)
    n_border = max(1, nodes // 50)
    n_abroad = max(1, nodes // 100)
    n_home = nodes - n_border - n_abroad
    counts = {kind: max(1, int(round(share * n_home))) for kind, share in TYPE_SHARES.items()}
    counts["host_area"] = n_home - sum(counts.values())
    kinds = [kind for kind, count in counts.items() for _ in range(count)]
    home_xy = rng.uniform(0.0, SIDE_KM, size=(n_home, 2))
    border_xy = np.column_stack([np.full(n_border, SIDE_KM),
                                 rng.uniform(0.0, SIDE_KM, n_border)])
    abroad_xy = np.column_stack([np.full(n_abroad, SIDE_KM + 2400.0),
                                 np.linspace(0.0, SIDE_KM, n_abroad + 2)[1:-1]])

    names = [f"{kind}-{i}" for i, kind in enumerate(kinds)]
    names += [f"border-{i}" for i in range(n_border)] + [f"abroad-{i}" for i in range(n_abroad)]
    types = kinds + ["border"] * n_border + ["abroad"] * n_abroad
    xy = np.vstack([home_xy, border_xy])

    edges = _road_network(xy, names)
    for i in range(n_border):
        target = int(np.argmin(np.abs(abroad_xy[:, 1] - border_xy[i, 1])))
        far = float(np.hypot(*(abroad_xy[target] - border_xy[i])))
        edges.append({"source": names[n_home + i], "target": names[n_home + n_border + target],
                      "distance": round(far, 1), "border": True, "cost": 40.0,
                      "regular_slots": households * SLOTS_PER_HOUSEHOLD / n_border})

    populations, at_node = _populations(rng, names, kinds, households)
    node_specs = [_node(rng, name, kind, at_node.get(name, 0), xy_i)
                  for name, kind, xy_i in zip(names, types, list(xy) + list(abroad_xy),
                                              strict=True)]
    return {
        "name": f"generated-{nodes}-{households}",
        "description": f"Generated region: {nodes} settlements, {households} households (seed {seed}).",
        "steps": steps, "days_per_step": 30, "seed": seed,
        "graph": {"nodes": node_specs, "edges": edges},
        "populations": populations,
    }


def _road_network(xy: np.ndarray, names: list[str]) -> list[dict]:
    """Edges to the three nearest neighbours plus a minimum spanning tree (connected)."""
    n = len(xy)
    straight = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    _, nearest = cKDTree(xy).query(xy, k=min(4, n))
    pairs = {tuple(sorted((i, int(j)))) for i in range(n) for j in nearest[i, 1:]}
    tree = minimum_spanning_tree(straight).tocoo()
    pairs |= {tuple(sorted((int(i), int(j)))) for i, j in zip(tree.row, tree.col, strict=True)}
    return [{"source": names[i], "target": names[j],
             "distance": round(max(1.0, ROAD_FACTOR * float(straight[i, j])), 1)}
            for i, j in sorted(pairs)]


def _populations(rng, names, kinds, households) -> tuple[list[dict], dict[str, int]]:
    """Population entries (one per node and group) and the households starting at each node."""
    index = {kind: [i for i, k in enumerate(kinds) if k == kind] for kind in set(kinds)}
    n_host, n_displaced, n_migrant = (int(g) for g in
                                      rng.multinomial(households, list(GROUP_SHARES.values())))
    entries: list[dict] = []
    at_node: dict[str, int] = {}

    def place(group, nodes, total, weights, extra):
        for i, count in zip(nodes, rng.multinomial(total, weights / weights.sum()), strict=True):
            if count:
                entries.append({"group": group, "node": names[i], "households": int(count),
                                **extra(i)})
                at_node[names[i]] = at_node.get(names[i], 0) + int(count)

    def from_an_origin(livelihoods):
        return lambda i: {**DISPLACED, "livelihoods": livelihoods,
                          "origin": names[int(rng.choice(index["origin"]))]}

    host_nodes = index["origin"] + index["town"] + index["host_area"]
    host_weight = np.array([3.0 if kinds[i] == "town" else 1.0 for i in host_nodes])
    place("host", host_nodes, n_host, host_weight * rng.lognormal(0.0, 0.5, len(host_nodes)),
          lambda i: {**HOST, "livelihoods": LIVELIHOODS[kinds[i]]})
    in_camps = int(round(n_displaced * 2 / 3))
    place("displaced", index["camp"], in_camps, rng.uniform(0.5, 1.5, len(index["camp"])),
          from_an_origin({"casual": 0.7, "none": 0.3}))
    town_weight = rng.uniform(0.5, 1.5, len(index["town"]))
    place("displaced", index["town"], n_displaced - in_camps, town_weight,
          from_an_origin({"casual": 0.8, "business": 0.1, "none": 0.1}))
    place("migrant", index["town"], n_migrant, town_weight, lambda i: MIGRANT)
    return entries, at_node


def _node(rng, name: str, kind: str, households: int, xy) -> dict:
    """Node attributes by type, drawn around the default scenario's values."""
    u = rng.uniform
    node = {"name": name, "type": kind, "x": round(float(xy[0]), 1), "y": round(float(xy[1]), 1)}
    if kind == "abroad":
        return {**node, "country": "abroad", "services": 0.9, "housing": 0.6,
                "labour_demand": 1e9, "wage": 900, "meb": 300, "market": 0.9,
                "cohesion": 0.5, "hlp": 0.7}
    jobs = round(JOBS_PER_HOUSEHOLD.get(kind, 0.0) * households * u(0.8, 1.2), 1)
    common = {"services": round(u(0.4, 0.75), 2), "housing": round(u(0.4, 0.7), 2),
              "labour_demand": jobs, "wage": round(u(200, 320)), "meb": round(u(50, 65)),
              "market": round(u(0.5, 0.8), 2), "cohesion": round(u(0.5, 0.7), 2),
              "hlp": round(u(0.4, 0.6), 2)}
    if kind == "origin":
        return {**node, **common, "damage": 0.2, "hlp": 0.4,
                "threat": {0: round(u(0.55, 0.8), 2), 13: round(u(0.3, 0.45), 2),
                           25: round(u(0.1, 0.2), 2)}}
    if kind == "camp":
        return {**node, **common, "services": 0.6, "housing": 0.3, "hlp": 0.2,
                "freedom_of_movement": 0.6, "capacity": round(CAMP_HEADROOM * max(households, 50)),
                "wage": 200}
    if kind == "border":
        return {**node, "services": 0.2, "housing": 0.1, "labour_demand": 20, "wage": 200,
                "meb": 70}
    if kind == "host_area":
        common["hazard"] = 0.01  # rare sudden-onset spikes (assumption: 1 in 100 a month)
    return {**node, **common}
