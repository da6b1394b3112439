"""Phase 3, needs and coping: the WFP Livelihood Coping Strategies ladder (section 3.3).

Needs are the minimum expenditure basket (MEB) for the household plus the cost of its debt.
A household that cannot close the gap with income and aid climbs the ladder in order:
stress, then crisis, then emergency strategies. A strategy whose resource is gone (goods
sold, assets sold, credit exhausted, children already out of school, house sold) is marked
exhausted and is never used again, as in WFP's LCS module ("no, because I already sold
those assets or did this and cannot continue"). The highest level used is the household's
LCS for the step. A safety net (``protected``) rules out emergency strategies.

One exhausted strategy can come back: children withdrawn from school (a crisis strategy in
WFP's LCS module, which asks about the last 30 days, not about a loss for good) are
re-enrolled once the household has recovered, i.e. when this step's income and aid cover
its full needs, school costs included, with a margin ``school_reenrol_margin`` to spare
(``reenrols``). The school bit is then cleared, school costs return to needs, and the RSI
education domain is scored from services again (phases/indicators.py). Evidence that
enrolment recovers with income: cash transfers, conditional or not, raise enrolment and
attendance (Baird, Ferreira, Ozler and Woolcock 2014, J. Development Effectiveness,
meta-analysis of 75 studies); the margin itself is an assumption (see params.py).
"""

from dataclasses import dataclass

import numpy as np

from simulation.codes import Coping
from simulation.params import Parameters


@dataclass(frozen=True)
class Strategy:
    name: str
    level: Coping
    #: what covers the gap: a stock that is drawn down, or a share of needs each step
    resource: str
    #: whether the strategy is used up once its resource reaches zero (or after one use)
    exhaustible: bool


#: The ladder, in the order households climb it (WFP LCS; DESIGN.md section 3.3).
LADDER: tuple[Strategy, ...] = (
    Strategy("spend_savings", Coping.STRESS, "savings", False),
    Strategy("borrow", Coping.STRESS, "credit", True),
    Strategy("sell_household_goods", Coping.STRESS, "household_goods", True),
    Strategy("sell_productive_assets", Coping.CRISIS, "assets", True),
    Strategy("cut_health_education", Coping.CRISIS, "cut_spending", False),
    Strategy("withdraw_children_from_school", Coping.CRISIS, "school", True),
    Strategy("sell_house_or_land", Coping.EMERGENCY, "house_value", True),
    Strategy("begging", Coping.EMERGENCY, "emergency", False),
    Strategy("high_risk_or_illegal_work", Coping.EMERGENCY, "emergency", False),
    Strategy("child_marriage_or_labour", Coping.EMERGENCY, "emergency", False),
    Strategy("whole_household_migrates", Coping.EMERGENCY, "migrate", False),
)
BIT = {s.name: np.uint16(1 << i) for i, s in enumerate(LADDER)}
#: productive assets fetch this share of their value in a distress sale (assumption)
DISTRESS_SALE_PRICE = 0.5
#: share of needs saved for good once children leave school (education costs; assumption)
SCHOOL_COST_SHARE = 0.05


def needs(meb_per_person, size, debt, withdrew_children, params: Parameters, months: float):
    """Monthly MEB for the household plus debt service, less school costs if withdrawn."""
    basket = meb_per_person * size * months * np.where(withdrew_children, 1.0 - SCHOOL_COST_SHARE, 1.0)
    return (basket + debt * params.debt_interest * months).astype(np.float32)


def reenrols(withdrew_children, income, aid, full_need, params: Parameters) -> np.ndarray:
    """Which households re-enrol their children this step (a boolean array).

    A household whose children are out of school (``withdrew_children``) sends them back when
    ``income + aid >= full_need x (1 + school_reenrol_margin)``, ``full_need`` being its needs
    *with* school costs (``needs`` with no withdrawal). The margin is hysteresis: withdrawal
    happens only once savings and stress strategies cannot close a gap, re-enrolment only
    with a surplus over the full basket, so a household near the line does not flip every
    step. Pure and vectorised; sources in the module docstring.
    """
    total = np.asarray(income, dtype=np.float64) + np.asarray(aid, dtype=np.float64)
    threshold = np.asarray(full_need, dtype=np.float64) * (1.0 + params.school_reenrol_margin)
    return np.asarray(withdrew_children, dtype=bool) & (total >= threshold)


def climb_ladder(gap, hh, need, params: Parameters, months: float):
    """Cover ``gap`` strategy by strategy; update stocks in place; return (lcs, used, gap left).

    ``hh`` is the household store (or any object with the same columns). Vectorized over
    households; the only loop is over the eleven strategies, and each strategy touches only
    the households still climbing (gap left, strategy not exhausted), so the cost follows
    how many households are in need, not the population.
    """
    remaining = gap.astype(np.float64)
    lcs = np.full(len(gap), int(Coping.NONE), dtype=np.int8)
    used = np.zeros(len(gap), dtype=np.uint16)
    exhausted = hh.strategies_exhausted.copy()
    climbing = np.flatnonzero(remaining > 0)
    for strategy in LADDER:
        if len(climbing) == 0:
            break
        bit = BIT[strategy.name]
        can = (exhausted[climbing] & bit) == 0
        if strategy.level == Coping.EMERGENCY:
            can &= ~hh.protected[climbing]
        rows = climbing[can]
        if len(rows) == 0:
            continue
        if strategy.resource == "migrate":
            # covers nothing now: the household will try to leave (mobility phase)
            taken = rows
        else:
            capacity = _capacity(strategy.resource, hh, rows, need, params, months)
            cover = np.minimum(remaining[rows], capacity)
            took = cover > 0
            _draw_down(strategy.resource, hh, rows, cover)
            if strategy.exhaustible:
                if strategy.resource == "school":
                    gone = took
                else:
                    left = _capacity(strategy.resource, hh, rows, need, params, months)
                    gone = took & (left <= 1e-6)
                exhausted[rows[gone]] |= bit
            remaining[rows] -= cover
            taken = rows[took]
            climbing = climbing[remaining[climbing] > 0]
        used[taken] |= bit
        lcs[taken] = np.maximum(lcs[taken], int(strategy.level))
    hh.strategies_exhausted = exhausted
    return lcs, used, remaining


def _capacity(resource, hh, rows, need, params: Parameters, months: float):
    """What ``resource`` can still cover for households ``rows`` (USD this step)."""
    if resource == "savings":
        return hh.savings[rows].astype(np.float64)
    if resource == "credit":
        monthly_basket = need[rows] / max(months, 1e-9)
        return np.maximum(0.0, params.borrow_limit_months * monthly_basket - hh.debt[rows])
    if resource == "household_goods":
        return hh.household_goods[rows].astype(np.float64)
    if resource == "assets":
        return hh.assets[rows] * DISTRESS_SALE_PRICE
    if resource == "cut_spending":
        return params.cut_spending_cover * need[rows]
    if resource == "school":
        return SCHOOL_COST_SHARE * need[rows]
    if resource == "house_value":
        return np.where(hh.hlp_secure[rows], hh.house_value[rows], 0.0)
    if resource == "emergency":
        return params.emergency_cover * need[rows]
    raise ValueError(resource)


def _draw_down(resource, hh, rows, cover):
    if resource == "savings":
        hh.savings[rows] = np.maximum(0.0, hh.savings[rows] - cover)
    elif resource == "credit":
        hh.debt[rows] = hh.debt[rows] + cover
    elif resource == "household_goods":
        hh.household_goods[rows] = np.maximum(0.0, hh.household_goods[rows] - cover)
    elif resource == "assets":
        hh.assets[rows] = np.maximum(0.0, hh.assets[rows] - cover / DISTRESS_SALE_PRICE)
    elif resource == "house_value":
        hh.house_value[rows] = np.maximum(0.0, hh.house_value[rows] - cover)


def settle_surplus(surplus, hh, params: Parameters, rows=None):
    """Repay debt first, then save part of what is left (assumption: the rest is consumed).

    With ``rows``, only those households (``surplus`` is then theirs, in the same order).
    """
    rows = slice(None) if rows is None else rows
    debt = hh.debt[rows]
    repay = np.minimum(debt, surplus * params.repayment_share)
    hh.debt[rows] = debt - repay
    hh.savings[rows] = hh.savings[rows] + (surplus - repay) * params.savings_rate


def step(model, t: int) -> None:
    hh, graph, params = model.households, model.graph, model.params
    months = model.days_per_step / 30.0
    school = BIT["withdraw_children_from_school"]
    withdrew = (hh.strategies_exhausted & school) != 0
    meb = np.take(graph.meb, hh.node.astype(np.intp))
    if withdrew.any():  # children out of school go back once the household has recovered
        full_need = needs(meb, hh.size, hh.debt, False, params, months)
        back = reenrols(withdrew, hh.income, hh.aid, full_need, params)
        hh.strategies_exhausted = np.where(back, hh.strategies_exhausted & ~school,
                                           hh.strategies_exhausted)
        withdrew &= ~back
    need = needs(meb, hh.size, hh.debt, withdrew, params, months)
    hh.need = need
    gap = need - hh.income - hh.aid
    in_surplus = np.flatnonzero(gap < 0)
    settle_surplus(-gap[in_surplus], hh, params, rows=in_surplus)
    np.maximum(gap, 0.0, out=gap)
    lcs, used, remaining = climb_ladder(gap, hh, need, params, months)
    hh.lcs = lcs
    hh.strategies_used = used
    hh.unmet_need = np.divide(remaining, need, out=np.zeros_like(remaining), where=need > 0)
