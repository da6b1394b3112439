"""Hop-by-hop journeys of fleeing households: Flee's movement rule, as a general option.

In the plan right before mobility when ``hop_by_hop_flight`` > 0 (``plan_for``). That share
of the households fleeing this step do not pick a final destination when they leave (the
direct choice of ``mobility.py``); they travel route by route and choose the next settlement
at each stop, as agents do in Flee (Suleimenova, Bell & Groen 2017, Sci. Rep. 7:13377; code:
github.com/djgroen/flee, ``flee/moving.py`` selectRoute with awareness level 1, and
``flee/flee.py`` Person.evolve / finish_travel):

- Next stop: a neighbour over an open edge, with weight attractiveness / (softening_km +
  km)^distance_power times a capacity factor (1 below ``CAPACITY_BUFFER`` of capacity x
  capacity_scaling, falling linearly to 0 when full; Flee's getCapMultiplier). Attractiveness
  is ``mobility.attractiveness`` for fleeing households (camps camp_weight, settlements
  town_weight, times safety from threat), with border posts passable at town_weight
  (Flee's forwarding hubs) and abroad nodes at foreign_weight.
- Capacity binds: a capacity-limited node admits a traveller only while its claims (people
  there or heading there) are below capacity x capacity_scaling; the others wait a day.
- Travel: ``travel_speed_km_day`` km a day. A traveller who reaches a settlement with travel
  left that day goes on at once (Flee's avoid_short_stints). The journey ends on reaching a
  camp or an abroad node (Flee's camps are sinks: camp_movechance 0.001 a day). At the start
  of each later day, a traveller at a settlement moves on with probability
  ``stopover_move_chance`` + (1 - that) x threat there (Flee: default_movechance in towns,
  1 in conflict zones); at a border post always (Flee: forwarding hubs 1).
- Differences from Flee, stated: travel is physical (a route longer than the day's travel left
  is finished the next day; Flee completes any route begun within the day); a closure stops
  departures on the edge, not travellers already on it (Flee sends them back); forced
  redirection is not used (Flee 3's selectRoute does not use it either).

State of a traveller: status ``in_transit`` with ``hop_journey`` set; ``node`` the last
settlement reached; ``destination`` the settlement it is heading to (its own node while it
waits there), ``travel_km`` the km left to it; ``arrival_status`` the status it will take
(displaced, or redisplaced after a solution). Every hop is counted in ``model.flows``.
Random draws come from one generator per step, in traveller order (only travellers draw, so
the cost follows the people on the move, not the population). Next stops are drawn from each
node's neighbour list (``SettlementGraph.neighbour_table``, nodes x largest degree, cached per
set of open edges), never from a nodes x nodes table, so a step costs the same per traveller
on a graph of 50 or 1,000 nodes (issue 17; the draws are those of the full table).
"""

import numpy as np

from simulation.codes import SOLUTION_PATHWAYS, NodeType, Status
from simulation.phases.mobility import (
    NEW_PLACE_TIES,
    attractiveness,
    destination_cdfs,
    rank_within,
)

#: occupancy share of capacity at which a node's attractiveness starts to fall (Flee's
#: capacity_buffer default 0.9, flee/SimulationSettings.py)
CAPACITY_BUFFER = 0.9
#: most routes one traveller can take in one step (a guard; a day's travel needs far fewer)
MAX_HOPS_PER_STEP = 200


def start(model, rows: np.ndarray, t: int) -> None:
    """Put fleeing households on a hop journey from where they are (the flight bookkeeping
    of the mobility phase: origin, time displaced, solutions reset)."""
    hh = model.households
    if len(rows) == 0:
        return
    old = hh.status[rows]
    solved = np.isin(old, SOLUTION_PATHWAYS) | hh.durable_solution[rows] | (old == Status.REDISPLACED)
    hh.arrival_status[rows] = np.where(solved, Status.REDISPLACED, Status.DISPLACED_HOST)
    hh.origin[rows] = np.where(hh.ever_displaced[rows], hh.origin[rows], hh.node[rows])
    hh.t_displaced[rows] = t
    hh.ever_displaced[rows] = True
    hh.t_criteria_since[rows] = -1
    hh.durable_solution[rows] = False
    hh.immobile[rows] = False
    hh.status[rows] = Status.IN_TRANSIT
    hh.hop_journey[rows] = True
    hh.destination[rows] = hh.node[rows]
    hh.travel_km[rows] = 0.0


def hop_values(graph, params) -> np.ndarray:
    """Attractiveness of each node as a next stop (see module docstring)."""
    value = attractiveness(graph, params, "forced", np.ones(graph.n_nodes))
    safety = 1.0 - (1.0 - params.conflict_weight) * graph.threat
    value = np.where(graph.type == NodeType.BORDER, params.town_weight * safety, value)
    return np.where(graph.type == NodeType.ABROAD, params.foreign_weight, value)


def neighbour_weights(graph, params, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The next stops open from each node at step ``t`` (``graph.neighbour_table``: node x
    largest degree, -1 padding) with their km and the weight of each before capacity,
    attractiveness / (softening_km + km)^distance_power (0 in the padding)."""
    ids, km = graph.neighbour_table(t)
    value = hop_values(graph, params)[np.maximum(ids, 0)]
    base = value / np.power(params.softening_km + km, params.distance_power)
    base[ids < 0] = 0.0
    return ids, km, base


def draw_next_stops(base: np.ndarray, ids: np.ndarray, factor: np.ndarray, here: np.ndarray,
                    u: np.ndarray) -> np.ndarray:
    """For travellers at nodes ``here``, the column of ``ids`` drawn with probability
    proportional to ``base`` x ``factor`` of the neighbour (-1: no open, free route).

    Only the rows of the nodes where travellers stand are tabulated, each a neighbour list,
    and each traveller compares its draw with its own row's CDF: the cost is travellers x
    degree plus the nodes, never nodes squared. Inverse-CDF sampling with the same arithmetic
    as ``mobility.draw_destinations`` (row CDF + row number against draw + row number), so
    the draws are those of a table over all nodes.
    """
    occupied = np.zeros(len(base), dtype=bool)
    occupied[here] = True
    rows = np.flatnonzero(occupied)
    position = np.zeros(len(base), dtype=np.int64)
    position[rows] = np.arange(len(rows))
    at = position[here]
    totals, cdf = destination_cdfs(base[rows] * factor[np.maximum(ids[rows], 0)])
    cdf += np.arange(len(rows))[:, None]
    column = np.count_nonzero(cdf[at] <= (at + u)[:, None], axis=1)
    column = np.minimum(column, ids.shape[1] - 1)
    return np.where(totals[at] > 0, column, -1)


def count_flows(flows: np.ndarray, frm: np.ndarray, to: np.ndarray) -> None:
    """Add one to ``flows[frm, to]`` per pair (on the flat view when the table is contiguous:
    a one-dimensional ``add.at`` is several times faster than the two-dimensional one)."""
    if flows.flags.c_contiguous:
        np.add.at(flows.reshape(-1), frm.astype(np.intp) * flows.shape[1] + to, 1)
    else:
        np.add.at(flows, (frm, to), 1)


def capacity_factor(claims: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Flee's getCapMultiplier: 1 up to CAPACITY_BUFFER x capacity, 0 when full, linear between."""
    with np.errstate(invalid="ignore", divide="ignore"):
        falling = 1.0 - (claims - CAPACITY_BUFFER * capacity) / ((1.0 - CAPACITY_BUFFER) * capacity)
    factor = np.where(claims <= CAPACITY_BUFFER * capacity, 1.0, np.clip(falling, 0.0, 1.0))
    return np.where(np.isfinite(capacity) & (capacity >= 1.0), factor, 1.0)


def claims_now(hh, n_nodes: int, transit: np.ndarray) -> np.ndarray:
    """Households at each node or heading to it (what capacity limits); ``transit``: the rows
    in transit, counted at their destination instead of their node."""
    claims = np.bincount(hh.node, minlength=n_nodes)
    claims -= np.bincount(hh.node[transit], minlength=n_nodes)
    heading = hh.destination[transit]
    claims += np.bincount(heading[heading >= 0], minlength=n_nodes)
    return claims.astype(np.float64)


def step(model, t: int) -> None:
    hh, graph, params = model.households, model.graph, model.params
    fleeing = np.flatnonzero(model.today.fleeing)
    leaving = fleeing[:0]
    if len(fleeing):
        status = hh.status[fleeing]
        mobile = ~np.isin(status, (Status.IN_TRANSIT, Status.REGULAR_MIGRATION,
                                   Status.IRREGULAR_MIGRATION))
        mobile &= graph.type[hh.node[fleeing]] != NodeType.ABROAD
        leaving = fleeing[mobile]
        if params.hop_by_hop_flight < 1.0:
            draw = model.streams.uniform("hop", t, len(hh))[leaving]
            leaving = leaving[draw < params.hop_by_hop_flight]
        start(model, leaving, t)
        model.today.fleeing[leaving] = False
    transit = np.flatnonzero(hh.status == Status.IN_TRANSIT)
    travellers = transit[hh.hop_journey[transit]]
    if len(travellers):
        travel(model, t, travellers, np.isin(travellers, leaving, assume_unique=True), transit)


def travel(model, t: int, rows: np.ndarray, fresh: np.ndarray, transit: np.ndarray) -> None:
    """One step of travel for the travellers ``rows`` (``fresh``: they left this step;
    ``transit``: every household in transit).

    Works on local copies of the travellers' columns, written back once at the end."""
    hh, graph, params = model.households, model.graph, model.params
    days = model.days_per_step
    rng = model.streams.generator("journeys", t)
    ids, km, base = neighbour_weights(graph, params, t)
    capacity = graph.capacity * params.capacity_scaling
    limited = np.isfinite(capacity)
    claims = claims_now(hh, graph.n_nodes, transit)
    ends = (graph.type == NodeType.CAMP) | (graph.type == NodeType.ABROAD)
    stay_chance = np.where(graph.type == NodeType.BORDER, 0.0,
                           (1.0 - params.stopover_move_chance) * (1.0 - graph.threat))
    leave_today = 1.0 - np.power(np.clip(stay_chance, 0.0, 1.0), days)

    node, dest, road = hh.node[rows], hh.destination[rows], hh.travel_km[rows].astype(np.float64)
    settled = np.zeros(len(rows), dtype=bool)
    moved = np.zeros(len(rows), dtype=bool)
    # travel left today: full for those on the road or moving on, none for those staying put
    left = np.full(len(rows), params.travel_speed_km_day * days)
    goes = fresh | (rng.random(len(rows)) < leave_today[node])
    left[(road <= 0) & ~goes] = 0.0
    active = np.flatnonzero(left > 0)

    for _ in range(MAX_HOPS_PER_STEP):
        active = active[left[active] > 0]
        if len(active) == 0:
            break
        # on the road: travel on; arrive where the route is done
        going = active[road[active] > 0]
        step_km = np.minimum(road[going], left[going])
        road[going] -= step_km
        left[going] -= step_km
        there = going[road[going] <= 0]
        road[there] = 0.0
        node[there] = dest[there]
        moved[there] = True
        done = there[ends[node[there]]]
        settled[done] = True
        left[done] = 0.0
        # at a settlement with travel left: choose the next stop
        who = active[(left[active] > 0) & (road[active] <= 0)]
        if len(who) == 0:
            continue
        here = node[who]
        column = draw_next_stops(base, ids, capacity_factor(claims, capacity), here,
                                 rng.random(len(who)))
        nxt = np.where(column >= 0, ids[here, np.maximum(column, 0)], -1)
        ok = nxt >= 0  # (-1: no open, free route; or the padding, in a rounding corner case)
        column = np.maximum(column, 0)
        target = np.where(ok, nxt, 0)
        capped = ok & limited[target]
        if capped.any():
            room = np.floor(capacity[target[capped]]) - claims[target[capped]]
            rank = rank_within(target[capped], rng.random(int(capped.sum())))
            ok[capped] = rank < room
        left[who[~ok]] = 0.0  # no open or free route from here today: wait
        go, frm, to = who[ok], here[ok], nxt[ok]
        dest[go] = to
        road[go] = np.maximum(km[frm, column[ok]], 1e-9)
        count_flows(model.flows, frm, to)
        claims -= np.bincount(frm, minlength=len(claims))
        claims += np.bincount(to, minlength=len(claims))

    hh.node[rows], hh.destination[rows], hh.travel_km[rows] = node, dest, road
    hh.ties[rows[moved]] = NEW_PLACE_TIES
    if settled.any():
        done = rows[settled]
        camp = graph.type[hh.node[done]] == NodeType.CAMP
        hh.status[done] = np.where(camp & (hh.arrival_status[done] == Status.DISPLACED_HOST),
                                   Status.DISPLACED_CAMP, hh.arrival_status[done])
        hh.destination[done] = -1
        hh.hop_journey[done] = False
