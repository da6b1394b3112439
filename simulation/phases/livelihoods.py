"""Phase 2, livelihoods (DESIGN.md section 3.2).

Jobs at a node are shared among its job seekers in proportion to their access (documents,
freedom of movement, and for displaced people and migrants the social cohesion with hosts),
so crowding lowers everyone's income; excess job seekers raise tension, which lowers
cohesion. Productive assets earn business or farm profit scaled by market function; owners keep
``reinvest_share`` of it in the business (livestock offspring kept, stock bought back), so
an asset base that can run grows and the rest is income. Why: without it the consumption
effect of a graduation asset transfer stayed flat after the programme (0.10 at 3 years,
0.12 at 7 in West Bengal), where the study found "large, persistent, and often growing
impacts" (Banerjee, Duflo, Chattopadhyay and Shapiro 2016: 12% at 3 years, 25% at 7;
"the promise of the program to have unlocked a 'poverty trap' seem realized"), and
households above a productive-asset threshold accumulate assets (Balboni, Bandiera,
Burgess, Ghatak and Heil 2022, QJE, "Why do people stay poor?"). The share is calibrated.
A first version reinvested part of a surplus's saving (2026-12-07): the ultra-poor
participants never had a surplus, so it changed nothing.
The kept share falls in proportion as the assets approach ``enterprise_capacity``
(logistic growth), and the labour an enterprise takes from the job market grows with its
assets, to one earner at that capacity: a goat or a stall uses the family's idle hours; an
enterprise grows until the family's labour is fully used, then its whole profit is income.
Why (2026-12-07 evening): splitting the modelled West Bengal graduation effect by the participants'
livelihood showed that it came from the fifth with livelihood ``none``, whose other members
became job seekers once a business started (+136-140% consumption on one seed), while the
casual workers, whose business took a whole earner out of casual work, consumed 3-8% less.
The ultra-poor women of Bandiera et al. 2017 (QJE 132(2)) raised their livestock hours by
361% while their total hours rose 22% ("idle work capacity"). So a household with livelihood
``none`` (no one able or allowed to work) no longer starts a business from an asset, and a
small enterprise takes a small part of an earner. Two forms tried first were rejected: a
fixed share of an earner for every enterprise put hosts' large businesses' owners back into
casual work, crowding the displaced out (durable solutions in the protracted scenario 5.0%
-> 0.3% on one seed, before calibration); and a constant kept share made every enterprise
compound (~2.7% a month in one fit): participants' assets grew sevenfold in 7 years and every
host farm and business with them, so hosts pulled away from the displaced.
A household with a member away on a labour mobility contract (``worker_node``,
``interventions/labour_mobility.py``) receives remittances as income: ``remittance_share`` of
the wage at that abroad node, per month (income, not aid: no aid dependency, no aid received).
"""

import numpy as np

from simulation.chunks import per_household, rows_of
from simulation.codes import Group, Livelihood, Status
from simulation.params import Parameters

#: earners per household: the head plus a quarter of each further member (assumption)
EXTRA_EARNER_SHARE = 0.25
#: below this much in productive assets (USD) a business or farm cannot run (assumption)
MIN_VIABLE_ASSETS = 50.0
#: above this much in productive assets (USD) a casual worker starts a business (assumption)
BUSINESS_START_ASSETS = 400.0


def earners(size: np.ndarray) -> np.ndarray:
    return 1.0 + EXTRA_EARNER_SHARE * (size.astype(np.float32) - 1.0)


def job_access(documented, group, cohesion_at_node, freedom_at_node, params: Parameters):
    """Relative access to jobs, 0..1: documents, freedom of movement, cohesion for non-hosts."""
    access = np.where(documented, 1.0, params.undocumented_job_access) * freedom_at_node
    outsider = group != Group.HOST
    return np.where(outsider, access * (0.5 + 0.5 * cohesion_at_node), access).astype(np.float32)


def employment_rate(seekers_by_node: np.ndarray, jobs_by_node: np.ndarray) -> np.ndarray:
    """Share of a seeker's labour that finds work at each node: jobs / seekers, at most 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(seekers_by_node > 0, jobs_by_node / seekers_by_node, 1.0)
    return np.clip(rate, 0.0, 1.0)


def choose_livelihood(livelihood, assets, at_origin_with_land):
    """Businesses and farms fold when assets run out; enough assets start a business, for a
    casual worker (a household with livelihood ``none`` has no one to run it)."""
    out = livelihood.copy()
    farm = livelihood == Livelihood.FARM
    runs_on_assets = (livelihood == Livelihood.BUSINESS) | farm
    folds = runs_on_assets & (assets < MIN_VIABLE_ASSETS)
    folds |= farm & ~at_origin_with_land
    np.copyto(out, out.dtype.type(Livelihood.CASUAL), where=folds)
    # (never one that folds: that is another livelihood)
    starts = (livelihood == Livelihood.CASUAL) & (assets >= BUSINESS_START_ASSETS)
    np.copyto(out, out.dtype.type(Livelihood.BUSINESS), where=starts)
    return out


def enterprise_labour(assets, params: Parameters) -> np.ndarray:
    """Earners a business or farm with these ``assets`` occupies: assets / ``enterprise_capacity``,
    at most one (float32). A goat or a small stall uses idle hours; an enterprise at capacity
    takes a whole earner, as every enterprise did before 2026-12-07."""
    return np.minimum(assets / np.float32(params.enterprise_capacity), np.float32(1.0))


def access_by_node(graph, params: Parameters) -> np.ndarray:
    """``job_access`` for every node x documented x outsider, to gather per household.

    Row ``node * 4 + documented * 2 + outsider``; the same arithmetic as ``job_access`` on
    each combination, so gathering from it gives the same numbers at a fraction of the cost.
    """
    freedom = graph.freedom_of_movement
    documented = 1.0 * freedom  # as job_access: (1 or the undocumented share) x freedom
    undocumented = params.undocumented_job_access * freedom
    with_cohesion = 0.5 + 0.5 * graph.cohesion  # ... x (0.5 + 0.5 cohesion) for outsiders
    table = np.empty((graph.n_nodes, 4))
    table[:, 0], table[:, 1] = undocumented, undocumented * with_cohesion
    table[:, 2], table[:, 3] = documented, documented * with_cohesion
    return table.astype(np.float32).ravel()


def remittances(worker_node, wage, params: Parameters, months: float) -> np.ndarray:
    """Remittances this step (USD) from members away on a labour contract at the abroad nodes
    ``worker_node`` (one per household sending them): ``remittance_share`` x the node's
    ``wage`` x months."""
    return params.remittance_share * np.take(wage, worker_node) * months


def _runs_on_assets(present, livelihood):
    """Present households whose business or farm runs on their productive assets."""
    return present & ((livelihood == Livelihood.BUSINESS) | (livelihood == Livelihood.FARM))


def seek_work(hh, access_table, params: Parameters, node=None) -> np.ndarray:
    """Each household's livelihood this step (in place) and the labour it offers (earners at
    the node's job access, float64); ``hh`` is the store or a slice of its rows, ``node``
    their nodes as intp if already converted."""
    if node is None:
        node = hh.node.astype(np.intp)
    present = hh.status != Status.IN_TRANSIT
    outsider = hh.group != Group.HOST
    at_origin_with_land = (hh.node == hh.origin) & hh.hlp_secure  # (both int32)
    hh.livelihood = choose_livelihood(hh.livelihood, hh.assets, at_origin_with_land)
    livelihood = hh.livelihood
    on_assets = _runs_on_assets(present, livelihood)
    seeking = present & (livelihood != Livelihood.NONE)
    kind = hh.documented.view(np.int8) << 1  # documented x 2 + outsider, in one byte
    kind |= outsider.view(np.int8)
    row = node * 4
    row += kind
    access = np.take(access_table, row)
    # a business or farm occupies part of an earner (enterprise_labour); the others look for
    # work. In float64 (the float32 values exactly), as the sum of the labour at each node would
    # convert it anyway: here it is converted slice by slice, on the threads that share the rows
    working = earners(hh.size) - enterprise_labour(hh.assets, params) * on_assets
    return np.where(seeking, working * access, 0.0).astype(np.float64)


def earn(hh, labour, rate, graph, params: Parameters, months: float, node=None) -> None:
    """Each household's income this step (in place): wages for the share of its ``labour``
    that finds work at its node's employment ``rate``, asset income and remittances
    (``node``: their nodes as intp, if already converted)."""
    if node is None:
        node = hh.node.astype(np.intp)
    livelihood = hh.livelihood
    # labour x jobs per seeker x wage x (1 or the casual share) x skill factor x months,
    # multiplied in place in that order
    skill_factor = params.skill_income_floor + params.skill_income_gain * hh.skills
    income = np.take(rate, node)
    income *= labour
    income *= np.take(graph.wage, node)
    # (x 1.0 changes nothing: only the non-wage earners are changed; faster than where=)
    income *= np.where(livelihood != Livelihood.WAGE, params.casual_wage_share, 1.0)
    income *= skill_factor
    income *= months

    earning = np.flatnonzero(_runs_on_assets(hh.status != Status.IN_TRANSIT, livelihood))
    at = node[earning]
    assets = hh.assets[earning]
    profit = assets * params.asset_return * graph.market[at] * (1.0 - graph.threat[at]) * months
    # the share kept in the business (livestock offspring, stock) grows its assets, less
    # of it as they near the enterprise's capacity (none above it: it does not shrink)
    room = np.maximum(1.0 - assets / params.enterprise_capacity, 0.0)
    kept = params.reinvest_share * profit * room
    hh.assets[earning] = assets + kept
    income[earning] += profit - kept
    away = np.flatnonzero(hh.worker_node >= 0)
    income[away] += remittances(hh.worker_node[away], graph.wage, params, months)
    hh.income = income


def seek_and_count(hh, access_table, params: Parameters, labour, node, n_nodes: int):
    """``seek_work`` on the households ``hh`` (the store or a slice of its rows), its labour
    written into ``labour`` and their nodes (intp) into ``node`` (their rows of whole-store
    arrays); returns the residents (present) and the outsiders among them at each node.

    Counts are whole numbers, so the slices' counts add up to the whole store's exactly: they
    are made on the threads that share the rows, not in a serial pass after them."""
    node[:] = hh.node
    labour[:] = seek_work(hh, access_table, params, node)
    present = hh.status != Status.IN_TRANSIT
    outsider = hh.group != Group.HOST
    # (everyone counted, less the few in transit: no copy of the present rows)
    residents = (np.bincount(node, minlength=n_nodes)
                 - np.bincount(node[~present], minlength=n_nodes))
    outsiders = np.bincount(node[outsider & present], minlength=n_nodes)
    return residents, outsiders


def step(model, t: int) -> None:
    hh, graph, params = model.households, model.graph, model.params
    months = model.days_per_step / 30.0
    access_table = access_by_node(graph, params)
    # each household's livelihood, labour and income on its own: slices of rows at once in
    # large runs (chunks.py); the jobs per seeker need the sum over all of them in between
    labour, node = np.empty(len(hh)), np.empty(len(hh), dtype=np.intp)
    counts = per_household(model, lambda rows: seek_and_count(
        rows, access_table, params, rows_of(labour, rows), rows_of(node, rows), graph.n_nodes))
    seekers_by_node = np.bincount(node, weights=labour, minlength=graph.n_nodes)
    rate = employment_rate(seekers_by_node, graph.labour_demand)
    per_household(model, lambda rows: earn(rows, rows_of(labour, rows), rate, graph, params,
                                           months, rows_of(node, rows)))

    # competition with hosts for scarce jobs feeds tension (DESIGN.md section 3.2)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.where(graph.labour_demand > 0,
                          seekers_by_node / graph.labour_demand - 1.0,
                          np.where(seekers_by_node > 0, 2.0, 0.0))
    excess = np.clip(excess, 0.0, 2.0)
    residents = sum(part[0] for part in counts).astype(np.float64)
    outsiders = sum(part[1] for part in counts).astype(np.float64)
    outsider_share = np.divide(outsiders, residents, out=np.zeros_like(outsiders), where=residents > 0)
    # tension needs both sides: it peaks where outsiders and hosts are mixed half and half
    mixing = 4.0 * outsider_share * (1.0 - outsider_share)
    graph.cohesion = np.clip(
        graph.cohesion
        - params.tension_rate * excess * mixing * months
        + params.cohesion_recovery * (graph.base_cohesion - graph.cohesion) * months,
        0.0, 1.0,
    )
    model.today.employment_rate = rate
