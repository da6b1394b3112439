"""Phase 4, indicators per household (DESIGN.md section 5).

- rCSI: five food-based strategies, weights 1, 2, 1, 3, 1, days in the last 7 (0..56; WFP).
  Days are derived from food pressure (unmet need and coping level): an assumption that
  maps model state to what a household would report.
- CARI: WFP's console, half current status (from rCSI) and half coping capacity (mean of the
  LCS class and the economic capacity class: income and aid against the MEB).
- RSI: the Refugee Self-Reliance Index's 12 domains, each scored 1..5 from model state;
  self-reliant = mean at or above ``self_reliance_mean`` and no domain at 1 (one place:
  ``is_self_reliant``).
- Aid dependency: aid above ``aid_dependency_share`` of income plus aid for
  ``aid_dependency_months`` in a row.
- Return intentions (``return_intentions``), as UNHCR's Regional Survey on Syrian Refugees'
  Perceptions and Intentions on Return (RPIS) asks them: a displaced household *hopes to
  return one day* while its latent attachment draw is below its ties to the origin (so the
  share hoping is the mean origin tie, and it wanes as ties decay away from home); it
  *intends to return within 12 months* if it hopes to and the conditions refugees cite
  hold at its origin (RPIS 5, 2019: security, services and shelter, livelihoods): the
  origin safe in its own judgement, services at least ``return_services_min``, its own
  home usable, and jobs there. Households judge safety differently (fear of conscription,
  arrest or reprisals is personal; RPIS reports safety as the first reason not to return
  while others in the same place intend to): a household judges its origin safe while its
  latent safety draw is at least threat / ``return_threat_max``, so the share judging it
  safe falls linearly from all at threat 0 to none at the mobility phase's own limit for
  returns (a linear form: an assumption).
- Home condition (``home_condition``): a returnee's own home is damaged while its latent
  draw is below the origin's damage (so the share damaged follows the damage, and repairs
  bring homes back); a home not damaged but without secure HLP (lost, occupied) is not
  usable either. IOM DTM's return assessments ask returnees unable to move back into
  their homes why (IOM DTM Iraq 2016: damage to the residence, 76%).
"""

from functools import cache

import numpy as np

from simulation.chunks import per_household
from simulation.codes import DISPLACED_STATUSES, Status
from simulation.params import Parameters
from simulation.phases.coping import BIT
from simulation.random_streams import latent_draws

RCSI_WEIGHTS = np.array([1, 2, 1, 3, 1], dtype=np.int16)  # WFP rCSI
#: how fast each rCSI strategy reaches 7 days as food pressure rises (assumption): eating less
#: preferred food comes first, restricting adults' consumption last
RCSI_ONSET = np.array([3.0, 1.5, 2.0, 1.0, 2.0])

RSI_DOMAINS = (
    "housing", "food", "education", "health_care", "health_status", "safety",
    "employment", "financial_resources", "assistance", "debt", "savings", "social_capital",
)
#: rCSI thresholds: WFP's rCSI phases (CARI current status) and the RSI food domain
RCSI_PHASES = (4, 19, 43)
RCSI_FOOD = (4, 10, 19, 43)
RCSI_MAX = 56
#: the bounds of a 1..5 score as int8 (``np.clip`` with Python ints checks them against the
#: array's integer limits first, several times the cost of the clip on a small array)
SCORE_MIN, SCORE_MAX = np.int8(1), np.int8(5)


def rcsi(unmet_need: np.ndarray, lcs: np.ndarray) -> np.ndarray:
    """rCSI 0..56 from food pressure = unmet share of needs + 0.1 per coping level above none.

    Where no need is left unmet the pressure, and so the rCSI, is the coping level's alone:
    for the store's int8 levels it is looked up (``RCSI_BY_LEVEL``) and the days counted
    (``rcsi_days``) only where some need is unmet, most households in a step having none.
    """
    unmet_need, lcs = np.asarray(unmet_need), np.asarray(lcs)
    if lcs.dtype != np.int8:
        return rcsi_days(unmet_need, lcs)
    out = np.take(RCSI_BY_LEVEL, lcs.view(np.uint8).astype(np.intp))
    rows = np.flatnonzero(unmet_need != 0)
    out[rows] = rcsi_days(unmet_need[rows], lcs[rows])
    return out


def rcsi_days(unmet_need: np.ndarray, lcs: np.ndarray) -> np.ndarray:
    """``rcsi`` by counting each strategy's days from the food pressure (int8, 0..56)."""
    pressure = np.clip(unmet_need + 0.1 * (lcs - 1), 0.0, 1.0)
    total = np.zeros(len(pressure))
    days = np.empty(len(pressure))
    for weight, onset in zip(RCSI_WEIGHTS.tolist(), RCSI_ONSET.tolist(), strict=True):
        np.multiply(pressure, onset, out=days)  # one strategy at a time: no n x 5 temporary
        np.clip(days, 0.0, 1.0, out=days)
        days *= 7.0
        np.rint(days, out=days)
        days *= weight
        total += days
    return total.astype(np.int8)


#: the rCSI with no need unmet, by int8 coping level (indexed by the level's byte, 0..255)
RCSI_BY_LEVEL = rcsi_days(np.zeros(256, dtype=np.float32),
                          np.arange(256, dtype=np.uint8).view(np.int8))


def score(value: np.ndarray, thresholds) -> np.ndarray:
    """1..5 by rising thresholds: below the first -> 1, at or above the last -> 5.

    Counted as one comparison per threshold (in float64, as a sorted search would compare),
    which is several times cheaper than ``searchsorted`` for four thresholds.
    """
    value = np.asarray(value)
    out = np.ones(value.shape, dtype=np.int8)
    for threshold in thresholds:
        if value.dtype == np.float32:  # the same test without converting the values (below)
            threshold = float32_at_or_above(threshold)
        else:
            threshold = np.float64(threshold)
        out += (value >= threshold).view(np.int8)
    return out


@cache  # (a few thresholds, asked at every step)
def float32_at_or_above(threshold: float) -> np.float32:
    """The smallest float32 at or above ``threshold``: for a float32 ``x``, ``x >= threshold``
    (compared in float64) exactly when ``x >= float32_at_or_above(threshold)``, compared in
    float32, without converting an array of float32 to float64 to compare it."""
    rounded = np.float32(threshold)
    if np.float64(rounded) < np.float64(threshold):
        rounded = np.nextafter(rounded, np.float32(np.inf))
    return rounded


def _by_rcsi(rule) -> np.ndarray:
    """A lookup table over rCSI 0..56 of a rule on rCSI values (rCSI is a small integer)."""
    return np.asarray(rule(np.arange(RCSI_MAX + 1)), dtype=np.int8)


#: CARI current status class and RSI food domain score, by rCSI value
CURRENT_BY_RCSI = _by_rcsi(lambda r: score(r, RCSI_PHASES).clip(1, 4))
FOOD_BY_RCSI = _by_rcsi(lambda r: 6 - score(r, RCSI_FOOD))
#: CARI class by quarters = 2 current + LCS + economic class (each 1..4): rint(q / 4) in 1..4
CARI_BY_QUARTERS = np.rint(np.arange(17) / 4.0 + 1e-9).clip(1, 4).astype(np.int8)
#: RSI health status = rint((food + health care) / 2), by food * 6 + health care
HEALTH_STATUS = np.rint(np.add.outer(np.arange(6), np.arange(6)) / 2.0).astype(np.int8).ravel()


def cari(rcsi_value, lcs, living_standard) -> np.ndarray:
    """WFP CARI class 1..4 (food secure .. severely food insecure)."""
    rcsi_index = np.asarray(rcsi_value).astype(np.intp)  # (take is slow with small ints)
    current = np.take(CURRENT_BY_RCSI, rcsi_index, mode="clip")  # rCSI phases (WFP)
    economic = 5 - score(living_standard, [0.5, 0.8, 1.0]).clip(SCORE_MIN, np.int8(4))  # vs SMEB/MEB
    # (current + (lcs + economic) / 2) / 2 = quarters / 4, quarters a small integer
    quarters = 2 * current.astype(np.intp) + lcs + economic
    return np.take(CARI_BY_QUARTERS, quarters, mode="clip")


def _node_score(values: np.ndarray) -> np.ndarray:
    """A per-node float score rounded and clipped to 1..5 (int8), to gather per household."""
    return np.clip(np.rint(values), 1, 5).astype(np.int8)


def _domain_scores(hh, graph, rcsi_value):
    """The 12 RSI domain scores in ``RSI_DOMAINS`` order, one int8 array (1..5) at a time.

    Scores that depend only on the node (housing by status, services, safety) are computed
    once per node and gathered; the rest compare household ratios to thresholds.
    """
    node = hh.node.astype(np.intp)  # gathers by an intp index are several times faster
    status = hh.status
    need = np.maximum(hh.need, 1e-6)
    # housing: by node and status (camp 2, in transit 1, own home by damage, else housing)
    n_status = len(Status)
    housing = np.repeat(_node_score(1.0 + 4.0 * graph.housing)[:, None], n_status, axis=1)
    own_home = _node_score(1.0 + 4.0 * (1.0 - graph.damage))
    housing[:, Status.IN_PLACE] = own_home
    housing[:, Status.RETURNED] = own_home
    housing[:, Status.DISPLACED_CAMP] = 2
    housing[:, Status.IN_TRANSIT] = 1
    yield np.take(housing.ravel(), node * n_status + status)

    used = hh.strategies_used
    cut = ((used & BIT["cut_health_education"]) != 0).view(np.int8)
    # children out of school score education 1 until re-enrolled (coping.reenrols clears the bit)
    withdrew = (hh.strategies_exhausted & BIT["withdraw_children_from_school"]) != 0
    risky = ((used & BIT["high_risk_or_illegal_work"]) != 0).view(np.int8)
    food = np.take(FOOD_BY_RCSI, rcsi_value.astype(np.intp), mode="clip")
    yield food
    # the node's services score, clipped to 0..6 per node so that it fits a byte: clipping
    # to 1..5 after taking 0 or 1 off (education, health care) gives the same scores
    by_node = np.clip(np.rint(1.0 + 4.0 * graph.services), 0, 6).astype(np.int8)
    services = np.take(by_node, node)
    yield np.clip(np.where(withdrew, np.int8(1), np.where(cut != 0, np.int8(2), services)),
                  SCORE_MIN, SCORE_MAX)  # education
    health_care = services - cut
    yield np.clip(health_care, SCORE_MIN, SCORE_MAX, out=health_care)
    yield np.take(HEALTH_STATUS, food.astype(np.intp) * 6 + health_care)
    safety = np.take(np.rint(5.0 - 4.0 * graph.threat).astype(np.int8), node) - risky
    yield np.clip(safety, SCORE_MIN, SCORE_MAX, out=safety)
    yield score(hh.income / need, [0.2, 0.5, 0.75, 1.0])  # employment
    yield score(hh.living_standard, [0.5, 0.8, 1.0, 1.3])  # financial resources
    total = hh.income + hh.aid
    aid_share = np.divide(hh.aid, total, out=np.zeros_like(total), where=total > 0)
    yield 6 - score(aid_share, [1e-6, 0.25, 0.5, 0.75])  # assistance
    yield 6 - score(hh.debt / need, [1e-6, 1.0, 3.0, 6.0])  # debt, in months of needs
    yield score(hh.savings / need, [1e-6, 0.25, 1.0, 3.0])  # savings, in months of needs
    social = np.take(0.5 * graph.cohesion, node)
    social += 0.5 * hh.ties
    social *= 4.0
    social += 1.0
    yield _node_score(social)


def rsi_domains(hh, graph, rcsi_value) -> np.ndarray:
    """The 12 RSI domain scores (households x 12, int8, each 1..5)."""
    return np.stack(list(_domain_scores(hh, graph, rcsi_value)), axis=1)


def rsi_mean_and_min(hh, graph, rcsi_value) -> tuple[np.ndarray, np.ndarray]:
    """Mean (float32) and lowest (int8) RSI domain score, without a households x 12 table.

    Every domain is an int8 score 1..5, so their sum (at most 60) is kept in int8 too: no
    conversions between the domains and the running sum and minimum."""
    domains = _domain_scores(hh, graph, rcsi_value)
    first = next(domains)
    total, lowest = first.copy(), first.copy()
    for domain in domains:
        total += domain
        np.minimum(lowest, domain, out=lowest)
    # as ``domains.mean(axis=1, dtype=np.float32)``: a float32 sum divided by an intp count
    mean = np.true_divide(total.astype(np.float32), np.intp(len(RSI_DOMAINS)),
                          out=np.empty(len(total), dtype=np.float32), casting="unsafe")
    return mean, lowest


def is_self_reliant(rsi_mean: np.ndarray, rsi_min: np.ndarray, params: Parameters) -> np.ndarray:
    """The self-reliance rule, in one place (DESIGN.md section 5)."""
    return (rsi_mean >= params.self_reliance_mean) & (rsi_min > 1)


#: whether each status code is a displaced status (a lookup: cheaper than isin on millions)
_IS_DISPLACED = np.isin(np.arange(len(Status)), DISPLACED_STATUSES)


def home_condition(hh, graph, draw) -> np.ndarray:
    """0 (usable, or not a returnee), 1 damaged, 2 not secure: ``home_unusable`` (docstring)."""
    out = np.zeros(len(hh), dtype=np.int8)
    back = np.flatnonzero(hh.status == Status.RETURNED)
    damaged = draw[back] < graph.damage[hh.origin[back]]
    out[back] = np.where(damaged, 1, np.where(hh.hlp_secure[back], 0, 2))
    return out


def return_intentions(hh, graph, attachment, draw, safety, params: Parameters):
    """(hopes to return one day, intends to within 12 months) for each household (docstring).

    ``attachment``, ``draw`` and ``safety`` are the households' latent draws: against their
    origin ties, their home's damage, and the origin's threat.
    """
    hope = np.zeros(len(hh), dtype=bool)
    intent = np.zeros(len(hh), dtype=bool)
    rows = np.flatnonzero(np.take(_IS_DISPLACED, hh.status.astype(np.intp)))
    origin = hh.origin[rows].astype(np.intp)
    hoping = attachment[rows] < hh.origin_ties[rows]
    hope[rows] = hoping
    home_usable = (draw[rows] >= graph.damage[origin]) & hh.hlp_secure[rows]
    threat = graph.threat[origin]
    judged_safe = safety[rows] * params.return_threat_max >= threat
    judged_safe &= threat < params.return_threat_max  # (a draw of 1 at the limit)
    # the conditions at the origin everyone shares, tested once per node
    conditions = (graph.services >= params.return_services_min) & (graph.labour_demand > 0)
    intent[rows] = hoping & judged_safe & np.take(conditions, origin) & home_usable
    return hope, intent


#: indicators that only report (no phase or intervention reads them): with ``reporting``
#: off, ``assess`` leaves them as they were (see ``step``)
REPORTED = ("rcsi", "cari", "rsi", "rsi_min", "self_reliant", "home_unusable", "return_hope",
            "return_intent")


def step(model, t: int) -> None:
    """Every indicator, or at a step nothing records only those the rules read.

    ``model.today.reporting`` (set from the recorder's ``records(t)``) says whether anything
    reads the households' state after this step. ``FinalSummary`` (sweeps, calibration's
    ``run_one``, optimisation) reads only the last step's, so on earlier steps the
    ``REPORTED`` indicators are not computed: the same numbers wherever they are read, as
    none is an input to another step (``tests/core/test_indicators.py`` checks this on whole
    runs) and their latent draws do not depend on when they are made. Living standard and
    the run of months on aid are state the rules carry and are kept every step."""
    hh, graph, params = model.households, model.graph, model.params
    reporting = getattr(model.today, "reporting", True)
    if reporting:  # latent draws over the whole store first (a stream's draws by row)
        latent_draws(hh, "return_attachment", model.streams, "return_attachment")
        latent_draws(hh, "home_damage_draw", model.streams, "home_damage")
        latent_draws(hh, "return_safety_draw", model.streams, "return_safety")
    # then each household's indicators on its own: slices of rows at once in large runs
    per_household(model, lambda rows: assess(rows, graph, params, t, model.days_per_step,
                                              reporting=reporting))


def assess(hh, graph, params: Parameters, t: int, days_per_step: float,
           reporting: bool = True) -> None:
    """Every indicator of the households ``hh`` (the store or a slice of its rows) at step
    ``t``, in place; their latent draws (``latent_draws``) already made. Without
    ``reporting``, only those the rules read (not ``REPORTED``)."""
    total = hh.income + hh.aid
    hh.living_standard = np.divide(total, hh.need, out=np.zeros_like(total), where=hh.need > 0)
    if reporting:
        hh.rcsi = rcsi(hh.unmet_need, hh.lcs)
        hh.cari = cari(hh.rcsi, hh.lcs, hh.living_standard)
        hh.rsi, hh.rsi_min = rsi_mean_and_min(hh, graph, hh.rcsi)
        hh.self_reliant = is_self_reliant(hh.rsi, hh.rsi_min, params)

    dependent_now = hh.aid > params.aid_dependency_share * total
    since = hh.t_aid_since  # from this step where aid dependency starts, else -1
    np.copyto(since, np.int32(t), where=dependent_now & (since < 0))
    np.copyto(since, np.int32(-1), where=~dependent_now)
    months_in_a_row = (t - since + 1) * days_per_step / 30.0
    hh.aid_dependent = dependent_now & (months_in_a_row >= params.aid_dependency_months)

    if not reporting:
        return
    hh.home_unusable = home_condition(hh, graph, hh.home_damage_draw)
    hh.return_hope, hh.return_intent = return_intentions(hh, graph, hh.return_attachment,
                                                         hh.home_damage_draw,
                                                         hh.return_safety_draw, params)
