"""Phase 5, mobility: aspiration x capability, Flee-style destinations (DESIGN.md section 3.5).

- Aspiration (Carling 2002; de Haas 2021) rises with threat, unmet needs and poor prospects,
  and falls with ties and services.
- Who moves: households fleeing a threat (forced), households whose last coping strategy is
  to migrate (emergency), and households acting on their aspiration (voluntary).
- Where: destinations weighted as in Flee, attractiveness / (softening + distance)^power, over
  the open routes; a displaced household may instead return to its origin when it is safe,
  pulled fully if its own home there is usable (standing and its property secure: the latent
  draw ``indicators.home_condition`` reads) and by ``unusable_home_return_weight`` if not;
  a Flee-style draw that lands on its own origin is a return weighed the same way (accepted
  with that weight's probability, or it stays this step). While its origin is unsafe
  (``return_threat_max``) it does not go back there either way: the origin has weight 0 in
  its Flee-style draw.
- Capability: an open route, money for the journey, documents to cross a border regularly,
  a free regular-pathway slot to go abroad regularly, and room at a capacity-limited node.
  Without documents or a slot, only a household in crisis or emergency coping goes irregularly,
  paying a smuggler (harmful). Aspiration without capability is involuntary immobility.
- Recruited: a household a labour mobility programme recruited whole this step (household
  mode; a worker recruited alone moves no household) (``today.recruited_to``,
  ``interventions/labour_mobility.py``) goes regularly to the node it
  was matched to, its fare paid by the programme, its place and room assured.
- Carried home: a household served by a return programme on request (``today.
  return_fare_paid_by``, ``interventions/relocation.py``) that chooses its origin this step
  travels home at the programme's expense; the choice stays the household's own.
- Journeys longer than a step's travel leave the household ``in_transit``.
"""

import numpy as np

from simulation.chunks import per_household, rows_of
from simulation.codes import DISPLACED_STATUSES, SOLUTION_PATHWAYS, Coping, NodeType, Status
from simulation.params import Parameters, per_step
from simulation.phases.coping import BIT, DISTRESS_SALE_PRICE, has_lender
from simulation.random_streams import latent_draws

#: by status code: on a solution pathway; displaced or on a solution pathway
ON_PATHWAY = np.isin(np.arange(len(Status)), SOLUTION_PATHWAYS)
DISPLACED_OR_ON_PATHWAY = ON_PATHWAY | np.isin(np.arange(len(Status)), DISPLACED_STATUSES)
#: kinds of move, each with its own destination weights (``attractiveness``)
KINDS = ("forced", "voluntary", "abroad")
#: ties at a new place start low and grow; ties to the origin fade while away (assumption)
NEW_PLACE_TIES = 0.2
TIES_GROWTH = 0.02
#: a rank no one reaches (households not competing for a slot)
NO_RANK = np.iinfo(np.int64).max


def aspiration(threat, lcs, earned_ratio, ties, services, params: Parameters,
               node=None) -> np.ndarray:
    """Aspiration to move, 0..1 (logistic in the pressures; coefficients in ``Parameters``).

    ``threat`` and ``services`` are per household, or per node with ``node`` the households'
    nodes (intp): their terms are then computed once per node and gathered, the same numbers.
    """
    # log-odds = base + threat term + needs term + prospects term - ties term - services term,
    # summed in that order in place (no temporaries beyond one per term)
    log_odds = np.multiply(threat, params.aspiration_threat, dtype=np.float64)
    log_odds += params.aspiration_base
    services_term = params.aspiration_services * services
    if node is not None:
        log_odds, services_term = np.take(log_odds, node), np.take(services_term, node)
    levels = np.arange(int(Coping.EMERGENCY) + 1)
    log_odds += np.take(params.aspiration_needs * (levels - 1) / 3.0, lcs, mode="clip")
    prospects = np.clip(earned_ratio, 0.0, 1.0)
    np.subtract(1.0, prospects, out=prospects)
    prospects *= params.aspiration_prospects
    log_odds += prospects
    log_odds -= params.aspiration_ties * ties
    log_odds -= services_term
    np.negative(log_odds, out=log_odds)
    np.exp(log_odds, out=log_odds)
    log_odds += 1.0
    return np.divide(1.0, log_odds, out=log_odds).astype(np.float32)


def attractiveness(graph, params: Parameters, kind: str, room: np.ndarray) -> np.ndarray:
    """Attractiveness of every node as a destination for ``forced``, ``voluntary`` or ``abroad``."""
    node_type = graph.type
    settlements = ((node_type == NodeType.TOWN) | (node_type == NodeType.HOST_AREA)
                   | (node_type == NodeType.ORIGIN))
    safety = 1.0 - (1.0 - params.conflict_weight) * graph.threat
    if kind == "forced":
        base = np.where(node_type == NodeType.CAMP, params.camp_weight,
                        np.where(settlements, params.town_weight, 0.0))
        value = base * safety
    elif kind == "voluntary":
        prospects = 0.5 + graph.services
        value = np.where(settlements, params.town_weight * prospects * safety, 0.0)
        value = value + np.where(node_type == NodeType.ABROAD, params.foreign_weight, 0.0)
    elif kind == "abroad":
        value = np.where(node_type == NodeType.ABROAD, params.foreign_weight, 0.0)
    else:
        raise ValueError(kind)
    return np.where(room > 0, value, 0.0)


def attractiveness_by_kind(graph, params: Parameters, room: np.ndarray) -> np.ndarray:
    """``attractiveness`` for every kind of move in ``KINDS`` order (rows), computed at once
    with the same arithmetic (the parts shared by the kinds only once)."""
    node_type = graph.type
    camp = node_type == NodeType.CAMP
    abroad = node_type == NodeType.ABROAD
    settlements = ((node_type == NodeType.TOWN) | (node_type == NodeType.HOST_AREA)
                   | (node_type == NodeType.ORIGIN))
    safety = 1.0 - (1.0 - params.conflict_weight) * graph.threat
    foreign = np.where(abroad, params.foreign_weight, 0.0)
    values = np.empty((len(KINDS), graph.n_nodes))
    values[0] = np.where(camp, params.camp_weight, np.where(settlements, params.town_weight,
                                                              0.0)) * safety
    values[1] = np.where(settlements, params.town_weight * (0.5 + graph.services) * safety, 0.0)
    values[1] += foreign
    values[2] = foreign
    values[:, ~(room > 0)] = 0.0
    return values


def destination_weights(value: np.ndarray, distance: np.ndarray, params: Parameters,
                        decay: np.ndarray | None = None) -> np.ndarray:
    """Flee's weights: value_j / (softening + d_ij)^power; unreachable and staying put excluded.

    ``decay`` is the denominator if already known (``SettlementGraph.distance_decay``).
    ``value`` may have leading axes (one row of node values per kind of move): the result
    then has them too, one table per row.
    """
    if decay is None:
        decay = np.power(params.softening_km + distance, params.distance_power)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = value[..., None, :] / decay
    blocked = ~np.isfinite(distance)
    np.fill_diagonal(blocked, True)
    return np.where(blocked, 0.0, weights)  # (a new table: faster than copyto's where=)


def draw_destinations(weights: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each household at node ``rows[k]``, draw a destination with probability ∝ weights.

    Inverse-CDF sampling on all rows at once: each row's CDF is offset by its row number and
    the table flattened, so one ``searchsorted`` serves every household. -1 where a row has
    no reachable destination.
    """
    totals, cdf = destination_cdfs(weights)
    return draw_from_cdf(cdf, totals, rows, u)


def destination_cdfs(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row totals and row CDFs of destination weights (any leading axes)."""
    totals = weights.sum(axis=-1)
    cdf = np.cumsum(weights, axis=-1) / np.where(totals > 0, totals, 1.0)[..., None]
    return totals, cdf


def draw_from_cdf(cdf: np.ndarray, totals: np.ndarray, rows: np.ndarray,
                  u: np.ndarray) -> np.ndarray:
    """``draw_destinations`` from one table's precomputed row CDFs and totals: the column
    drawn in each household's row (tables of any width, e.g. neighbours only)."""
    n, width = cdf.shape
    flat = (cdf + np.arange(n)[:, None]).ravel()
    dest = np.searchsorted(flat, rows + u, side="right") - rows * width
    dest = np.clip(dest, np.intp(0), np.intp(width - 1))  # (intp bounds: no limit checks)
    return np.where(totals[rows] > 0, dest, -1)


def redraw_without(cdf: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                   u: np.ndarray) -> np.ndarray:
    """Households whose draw ``u`` from row ``rows[k]`` of ``cdf`` landed on column
    ``cols[k]``: the destination drawn as if that column had weight 0 (-1 if nothing else
    has weight), from the same uniform draw (no new draw, so no other household's changes).

    Given that it landed there, ``u``'s place within the column's interval [lo, hi) is
    uniform on [0, 1): it is spread over the rest of the row's mass, skipping the interval,
    so each other column j is drawn with probability p_j / (1 - p_col), as by a draw over
    the row without the column. (A scalar copy is in benchmarks/reference_household.py.)
    """
    lo = np.where(cols > 0, cdf[rows, cols - 1], 0.0)
    hi = cdf[rows, cols]
    width = hi - lo
    within = np.divide(u - lo, width, out=np.zeros(len(rows)), where=width > 0)
    within = np.clip(within, 0.0, np.nextafter(1.0, 0.0))
    rest = cdf[rows, -1] - width
    spread = within * rest
    v = np.where(spread >= lo, np.maximum(spread + width, hi), spread)
    n_cols = cdf.shape[1]
    dest = np.empty(len(rows), dtype=np.int64)
    for k in range(len(rows)):  # (few households: those whose draw landed on the column)
        dest[k] = min(np.searchsorted(cdf[rows[k]], v[k], side="right"), n_cols - 1)
    # nothing else to draw, or (rounding at the row's end) the column again: no destination
    return np.where((rest > 0) & (dest != cols), dest, -1)


def rank_within(keys: np.ndarray, order_draw: np.ndarray) -> np.ndarray:
    """Rank of each element among those with the same key, in order of ``order_draw``."""
    order = np.lexsort((order_draw, keys))
    sorted_keys = keys[order]
    position = np.arange(len(keys))
    # the position where each key's run starts, carried forward over the run
    starts = np.empty(len(keys), dtype=bool)
    starts[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts[1:])
    first = np.maximum.accumulate(np.where(starts, position, 0))
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[order] = position - first
    return ranks


def arrive(hh, travel_km_per_step: float) -> None:
    """Households in transit travel on; those who get there take their arrival status.

    Households on a hop-by-hop journey travel in ``phases/journeys.py`` instead."""
    transit = np.flatnonzero((hh.status == Status.IN_TRANSIT) & ~hh.hop_journey)
    if len(transit) == 0:
        return
    left = hh.travel_km[transit] - travel_km_per_step
    hh.travel_km[transit] = np.maximum(left, 0.0)
    done = transit[left <= 0]
    hh.node[done] = hh.destination[done]
    hh.status[done] = hh.arrival_status[done]
    hh.destination[done] = -1
    hh.ties[done] = NEW_PLACE_TIES


def aspire(hh, graph, params: Parameters, months: float, node=None) -> np.ndarray:
    """Aspiration, ties and ties to the origin of the households ``hh`` (the store or a slice
    of its rows), in place; returns which of them can move at all (``mobile``: not in
    transit, not gone abroad). ``node``: their nodes as intp, if already converted."""
    if node is None:
        node = hh.node.astype(np.intp)  # gathers by intp are much faster
    status = hh.status
    mobile = status != Status.IN_TRANSIT
    mobile &= status != Status.REGULAR_MIGRATION
    mobile &= status != Status.IRREGULAR_MIGRATION
    mobile &= np.take(graph.type != NodeType.ABROAD, node)
    need = np.maximum(hh.need, 1e-6)
    wish = aspiration(graph.threat, hh.lcs, hh.income / need, hh.ties, graph.services, params,
                      node=node)
    wish[~mobile] = 0.0
    hh.aspiration = wish
    hh.ties = np.minimum(1.0, hh.ties + TIES_GROWTH * months * mobile)
    hh.origin_ties = np.where(hh.node != hh.origin,  # (both int32: no conversion)
                              hh.origin_ties * (1.0 - params.origin_ties_decay * months),
                              hh.origin_ties)
    return mobile


def aspire_and_count(hh, graph, params: Parameters, months: float, mobile, node):
    """``aspire`` on the households ``hh`` (the store or a slice of its rows), which can move
    written into ``mobile`` and their nodes (intp) into ``node`` (their rows of whole-store
    arrays); returns the households present at each node and those heading to each.

    Counts are whole numbers, so the slices' counts add up to the whole store's exactly."""
    node[:] = hh.node
    mobile[:] = aspire(hh, graph, params, months, node)
    away = hh.status == Status.IN_TRANSIT
    # (everyone counted, less the few in transit: no copy of the present rows)
    present = (np.bincount(node, minlength=graph.n_nodes)
               - np.bincount(node[away], minlength=graph.n_nodes))
    heading = hh.destination[away]
    return present, np.bincount(heading[heading >= 0], minlength=graph.n_nodes)


def step(model, t: int) -> None:
    hh, graph, params = model.households, model.graph, model.params
    days, months = model.days_per_step, model.days_per_step / 30.0
    n = len(hh)
    reach_km = params.travel_speed_km_day * days
    arrive(hh, reach_km)

    # each household's aspiration and ties on its own, and the counts by node: slices of rows
    # at once in large runs
    mobile, node = np.empty(n, dtype=bool), np.empty(n, dtype=np.intp)
    counts = per_household(model, lambda rows: aspire_and_count(
        rows, graph, params, months, rows_of(mobile, rows), rows_of(node, rows)))

    forced = model.today.fleeing & mobile
    # households a labour mobility programme recruited this step go where it sends them
    recruited_to = model.today.recruited_to
    recruited = np.zeros(n, dtype=bool)
    if recruited_to is not None:
        recruited = (recruited_to >= 0) & mobile & ~forced
    migrating = (((hh.strategies_used & BIT["whole_household_migrates"]) != 0) & mobile & ~forced
                 & ~recruited)
    choosing = mobile & ~forced & ~migrating & ~recruited
    aspiring = choosing & (hh.aspiration >= params.involuntary_immobility_aspiration)
    # (over every row: nearly all households are choosing, and the others are masked out)
    acting = choosing & (model.streams.uniform("move", t, n)
                         < per_step(params.mobility_rate * hh.aspiration, days))
    considered = np.flatnonzero(forced | migrating | aspiring | acting | recruited)
    if len(considered) == 0:
        hh.immobile = False
        return

    # --- destinations ---------------------------------------------------------------------------
    distance, cost = graph.routes(t)
    distance_regular, _ = graph.routes(t, cross_borders=False)
    occupancy = sum(part[0] for part in counts).astype(np.float64)
    occupancy += sum(part[1] for part in counts)
    room = graph.capacity * params.capacity_scaling - occupancy

    rows = node[considered]
    u_dest = model.streams.uniform("destination", t, n)[considered]
    kind_forced, kind_migrating = forced[considered], migrating[considered]
    kind_recruited = recruited[considered]
    dest = np.full(len(considered), -1, dtype=np.int64)
    decay = graph.distance_decay(t, params.softening_km, params.distance_power)
    values = attractiveness_by_kind(graph, params, room)
    totals, cdf = destination_cdfs(destination_weights(values, distance, params, decay))
    for kind, mask in (("forced", kind_forced), ("abroad", kind_migrating),
                       ("voluntary", ~kind_forced & ~kind_migrating & ~kind_recruited)):
        if mask.any():
            k = KINDS.index(kind)
            dest[mask] = draw_from_cdf(cdf[k], totals[k], rows[mask], u_dest[mask])
    if kind_recruited.any():
        dest[kind_recruited] = recruited_to[considered[kind_recruited]]

    # voluntary return to a safe origin competes with the Flee-style destinations
    origin = hh.origin[considered]
    voluntary = ~kind_forced & ~kind_migrating & ~kind_recruited
    # a displaced household does not go back to its own origin while the origin is unsafe
    # (return_threat_max): the origin has weight 0 in its Flee-style draw, the same draw
    # spread over the other destinations (before, a draw landing there was a return)
    unsafe_home = (voluntary & hh.ever_displaced[considered] & (origin != rows)
                   & (dest == origin) & (graph.threat[origin] >= params.return_threat_max))
    if unsafe_home.any():
        dest[unsafe_home] = redraw_without(cdf[KINDS.index("voluntary")], rows[unsafe_home],
                                           origin[unsafe_home], u_dest[unsafe_home])
    can_return = (voluntary & hh.ever_displaced[considered] & (origin != rows)
                  & (graph.threat[origin] < params.return_threat_max)
                  & np.isfinite(distance[rows, origin]))
    # each household weighs its own home, as it knows it (neighbours, relatives, visits): the
    # latent draw of indicators.home_condition, against the origin's damage today, and its
    # property's security (the stream's draws by row: the same whenever first made)
    draw = latent_draws(hh, "home_damage_draw", model.streams, "home_damage")[considered]
    home_usable = (draw >= graph.damage[origin]) & hh.hlp_secure[considered]
    home = np.where(home_usable, 1.0, params.unusable_home_return_weight)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 km with softening 0: masked below
        pull = (params.return_weight * home * (0.5 + graph.services[origin])
                * hh.origin_ties[considered]
                / np.power(params.softening_km + np.where(can_return, distance[rows, origin], 0.0),
                           params.distance_power))
    pull = np.where(can_return, pull, 0.0)
    going_home = np.zeros(len(considered), dtype=bool)
    if can_return.any():  # the stream's draws are the same whether or not others are drawn
        u_kind = model.streams.uniform("return", t, n)[considered]
        others = totals[KINDS.index("voluntary")][rows]
        going_home = can_return & (u_kind * (pull + others) < pull)
        dest = np.where(going_home, origin, dest)
    # the Flee-style draw may also land on a displaced household's own origin: a return too,
    # weighed by its own home the same way; a household that declines stays this step
    declined = np.zeros(len(considered), dtype=bool)
    flee_home = (voluntary & ~going_home & (dest == origin) & (origin != rows)
                 & hh.ever_displaced[considered] & (home < 1.0))
    if flee_home.any():  # (as above: the stream's draws do not depend on who is drawn)
        declined = flee_home & (model.streams.uniform("return_home", t, n)[considered] >= home)
        dest = np.where(declined, -1, dest)

    # --- capability -------------------------------------------------------------------------------
    has_route = dest >= 0
    safe_dest = np.where(has_route, dest, 0)
    km = np.where(has_route, distance[rows, safe_dest], np.inf)
    has_route &= np.isfinite(km)
    size = hh.size[considered]
    fare = np.where(has_route, cost[rows, safe_dest], 0.0) * size
    if kind_recruited.any():  # the programme pays the recruits' journey
        fare[kind_recruited] = 0.0
    # a return programme on request pays the journey home of the households it serves
    carried_by = carriers(model, considered, going_home & has_route & acting[considered],
                          fare)
    fare_home = fare.copy()
    fare[carried_by >= 0] = 0.0
    to_abroad = has_route & (graph.type[safe_dest] == NodeType.ABROAD)
    crossing = has_route & ~np.isfinite(distance_regular[rows, safe_dest])
    documented = hh.documented[considered]
    # irregular journeys are a harmful strategy of households already in crisis coping or worse
    desperate = hh.lcs[considered] >= 3
    need = np.maximum(hh.need[considered], 1e-6)
    # what the household can still borrow for the fare: up to borrow_limit_months of its needs
    # (every group: hosts' higher limit is for their own needs, an assumption), none without
    # a lender (coping rule 6)
    latent_draws(hh, "credit_draw", model.streams, "credit_access")  # (a plan without coping)
    lender = has_lender(hh.group[considered], hh.credit_draw[considered], params)
    limit = np.where(lender, params.borrow_limit_months, 0.0)
    credit = np.maximum(0.0, limit * need / months - hh.debt[considered])
    purse = hh.savings[considered] + credit
    # a household ready to leave irregularly sells what it has left to pay the smuggler
    saleable = (DISTRESS_SALE_PRICE * hh.assets[considered]
                + np.where(hh.hlp_secure[considered], hh.house_value[considered], 0.0))

    regular = ~kind_forced & (to_abroad | crossing) & documented
    slots = graph.regular_slots_into(t, days) + model.today.extra_slots
    wants_slot = regular & to_abroad & ~kind_recruited  # recruits have the programme's places
    if wants_slot.any():
        slot_rank = np.full(len(considered), NO_RANK)
        draw = model.streams.uniform("slots", t, n)[considered]
        slot_rank[wants_slot] = rank_within(safe_dest[wants_slot], draw[wants_slot])
        regular &= ~to_abroad | kind_recruited | (slot_rank < slots[safe_dest])
    irregular = (~kind_forced & (to_abroad | crossing) & ~regular
                 & (desperate | kind_migrating))
    fare = np.where(irregular, fare + params.irregular_cost, fare)
    affordable = (kind_forced | kind_recruited
                  | (np.where(irregular, purse + saleable, purse) >= fare))
    legal = kind_forced | regular | irregular | ~(to_abroad | crossing)
    capable = has_route & affordable & legal

    # room at capacity-limited destinations, first come first served in random order
    moving = capable & (kind_forced | kind_migrating | acting[considered] | kind_recruited)
    limited = moving & np.isfinite(room[safe_dest])
    if limited.any():
        draw = model.streams.uniform("capacity", t, n)[considered]
        if kind_recruited.any():  # the programme's places come with room: recruits first
            draw[kind_recruited] = -1.0
        place = np.full(len(considered), -1)
        place[limited] = rank_within(safe_dest[limited], draw[limited])
        moving &= ~limited | (place < np.floor(room[safe_dest]))

    hh.immobile = False
    stuck = considered[(kind_forced | kind_migrating | kind_recruited | aspiring[considered])
                       & ~moving & ~declined & ~(capable & ~kind_forced & ~kind_migrating
                                     & ~acting[considered] & ~kind_recruited)]
    hh.immobile[stuck] = True

    # --- moves --------------------------------------------------------------------------------------
    m = np.flatnonzero(moving)
    who = considered[m]
    to, dist = safe_dest[m], km[m]
    pay_journey(hh, who, fare[m], credit[m], fleeing=kind_forced[m])
    for index in np.unique(carried_by[m][carried_by[m] >= 0]):
        mine = carried_by[m] == index
        model.interventions[index].carried(model, who[mine], fare_home[m][mine], t)
    new_status = next_status(
        hh.status[who], graph.type[to], kind_forced[m], to == hh.origin[who],
        hh.ever_displaced[who], hh.durable_solution[who],
        to_abroad[m] | crossing[m], regular[m], irregular[m],
    )
    fled = who[kind_forced[m]]
    hh.origin[fled] = np.where(hh.ever_displaced[fled], hh.origin[fled], hh.node[fled])
    hh.t_displaced[fled] = t
    hh.ever_displaced[fled] = True
    pathway = np.take(ON_PATHWAY, new_status) & (new_status != hh.status[who])
    hh.t_solution[who[pathway]] = t
    hh.t_criteria_since[who] = -1
    hh.durable_solution[who] = False

    far = dist > reach_km
    near_who, far_who = who[~far], who[far]
    hh.node[near_who] = to[~far]
    hh.status[near_who] = new_status[~far]
    hh.ties[near_who] = NEW_PLACE_TIES
    hh.status[far_who] = Status.IN_TRANSIT
    hh.arrival_status[far_who] = new_status[far]
    hh.destination[far_who] = to[far]
    hh.travel_km[far_who] = dist[far] - reach_km
    np.add.at(model.flows, (rows[m], to), 1)
    model.today.moved = who


def carriers(model, considered: np.ndarray, going_home: np.ndarray,
             fare: np.ndarray) -> np.ndarray:
    """Which programme pays each considered household's journey home (-1: none).

    A facilitated return on request (``interventions/relocation.py``, ``on_request``) writes
    the households it serves in ``today.return_fare_paid_by`` (its index, -1: none); it pays
    the fares of those of them going home this step, in row order while its budget lasts."""
    paid_by = getattr(model.today, "return_fare_paid_by", None)
    carried_by = np.full(len(considered), -1, dtype=np.int64)
    if paid_by is None:
        return carried_by
    served = np.where(going_home, paid_by[considered], -1)
    for index in np.unique(served[served >= 0]):
        mine = np.flatnonzero(served == index)
        within = np.cumsum(fare[mine]) <= model.interventions[index].spendable()
        carried_by[mine[within]] = index
    return carried_by


def pay_journey(hh, who: np.ndarray, fare: np.ndarray, credit: np.ndarray,
                fleeing: np.ndarray) -> None:
    """Pay travel: savings first, then ``credit``, then distress sales of assets and house.

    A household fleeing pays what its savings allow and walks the rest.
    """
    from_savings = np.minimum(hh.savings[who], fare)
    hh.savings[who] -= from_savings
    left = np.where(fleeing, 0.0, fare - from_savings)
    borrowed = np.minimum(credit, left)
    hh.debt[who] += borrowed
    left -= borrowed
    from_assets = np.minimum(DISTRESS_SALE_PRICE * hh.assets[who], left)
    hh.assets[who] -= from_assets / DISTRESS_SALE_PRICE
    left -= from_assets
    house = np.where(hh.hlp_secure[who], hh.house_value[who], 0.0)
    from_house = np.minimum(house, left)
    hh.house_value[who] -= from_house
    left -= from_house
    hh.debt[who] += left  # anything still owed is borrowed from relatives or the smuggler


def next_status(old, destination_type, forced, to_origin, ever_displaced, durable,
                crossing_or_abroad, regular, irregular) -> np.ndarray:
    """Status after a move (DESIGN.md section 2).

    Fleeing again after a solution pathway is recurrence (``redisplaced``); a displaced
    household's voluntary move home is a return, elsewhere in the country a settlement
    elsewhere; a move across a border or abroad is regular migration with documents (and a
    slot, to go abroad) and irregular without.
    """
    was_solved = np.take(ON_PATHWAY, old) | durable
    camp = destination_type == NodeType.CAMP
    flight = np.where(was_solved | (old == Status.REDISPLACED), Status.REDISPLACED,
                      np.where(camp, Status.DISPLACED_CAMP, Status.DISPLACED_HOST))
    displaced_or_solved = np.take(DISPLACED_OR_ON_PATHWAY, old)
    internal = np.where(
        displaced_or_solved & ever_displaced,
        np.where(camp, Status.DISPLACED_CAMP, Status.SETTLED_ELSEWHERE),
        old,
    )
    voluntary = np.where(to_origin & ever_displaced, Status.RETURNED, internal)
    voluntary = np.where(crossing_or_abroad & regular, Status.REGULAR_MIGRATION, voluntary)
    voluntary = np.where(crossing_or_abroad & irregular, Status.IRREGULAR_MIGRATION, voluntary)
    return np.where(forced, flight, voluntary).astype(np.int8)
