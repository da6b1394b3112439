"""Assisted moves: households taken to a destination by a programme (return, relocation, AVRR).

The programme arranges and pays the journey (works: the route's cheapest travel cost per
person times household size), so the move completes within the step. A move respects what
the mobility phase respects: an open route, room at a capacity-limited destination (first
come first served in random order), and safety (no assisted move to a node whose threat is at
or above ``return_threat_max``: return must be safe and voluntary). Each move is recorded in
``model.flows`` like any other, and starts a solution pathway (``t_solution``).
"""

import numpy as np

from simulation.codes import NodeType, Status


def arrival_status(group_is_displaced, to_origin, destination_type) -> np.ndarray:
    """Status after an assisted move: returned home, settled elsewhere, or in a camp."""
    displaced_elsewhere = np.where(destination_type == NodeType.CAMP, Status.DISPLACED_CAMP,
                                   Status.SETTLED_ELSEWHERE)
    elsewhere = np.where(group_is_displaced, displaced_elsewhere, Status.IN_PLACE)
    return np.where(to_origin, Status.RETURNED, elsewhere).astype(np.int8)


def assisted_move(model, intervention, rows: np.ndarray, dest: np.ndarray, step: int,
                  extra_each: float = 0.0) -> np.ndarray:
    """Move ``rows`` to ``dest`` (one node each) where possible; return the rows moved.

    Journeys are paid in row order while the intervention's budget lasts, keeping
    ``extra_each`` per household for what the caller pays on arrival (grants, shelter).
    """
    # imported here: the scenario schema imports the interventions, and the phases package
    # may import the schema, so a module-level import could be circular
    from simulation.phases.mobility import NEW_PLACE_TIES, rank_within

    hh, graph, params = model.households, model.graph, model.params
    if len(rows) == 0:
        return rows
    at = hh.node[rows]
    distance, cost = graph.routes(step)
    ok = (dest >= 0) & (dest != at) & np.isfinite(distance[at, dest])
    ok &= graph.threat[dest] < params.return_threat_max
    # room at capacity-limited destinations, in random order
    where = np.where(hh.status == Status.IN_TRANSIT, hh.destination, hh.node)
    claims = np.bincount(where[where >= 0], minlength=graph.n_nodes).astype(np.float64)
    room = np.floor(graph.capacity * params.capacity_scaling) - claims
    limited = ok & np.isfinite(room[dest])
    if limited.any():
        draw = model.streams.uniform(f"{intervention.stream}:room", step, len(hh))[rows]
        place = np.full(len(rows), -1)
        place[limited] = rank_within(dest[limited], draw[limited])
        ok &= ~limited | (place < room[dest])
    rows, dest, at = rows[ok], dest[ok], at[ok]
    fares = cost[at, dest] * hh.size[rows]
    # the programme pays journeys in order while its budget lasts
    affordable = np.cumsum(fares + extra_each) <= intervention.spendable()
    rows, dest, at, fares = rows[affordable], dest[affordable], at[affordable], fares[affordable]
    intervention.spend_on_works(float(fares.sum()))

    to_origin = dest == hh.origin[rows]
    hh.status[rows] = arrival_status(hh.ever_displaced[rows], to_origin,
                                     graph.type[dest])
    hh.node[rows] = dest
    hh.ties[rows] = np.where(to_origin, np.maximum(NEW_PLACE_TIES, hh.origin_ties[rows]),
                             NEW_PLACE_TIES)
    hh.t_solution[rows] = step
    hh.t_criteria_since[rows] = -1
    hh.durable_solution[rows] = False
    hh.immobile[rows] = False
    np.add.at(model.flows, (at, dest), 1)
    return rows
