"""Phase 3, needs and coping: the WFP Livelihood Coping Strategies ladder (section 3.3).

Needs are the minimum expenditure basket (MEB) for the household plus the cost of its debt.
A household that cannot close the gap with income and aid climbs the ladder in order:
stress, then crisis, then emergency strategies. The highest level used is the household's
LCS for the step, as WFP's module asks about the last 30 days. A safety net (``protected``)
rules out emergency strategies. Four rules keep the ladder from saturating (issue 14),
and a fifth says what happens to the debt service a household cannot pay:

1. **A strategy is unavailable while its resource is gone, and available again once it is
   back** (``restore``): credit once debt is repaid below the household's limit, goods or
   productive assets once the household owns some again, a house once it holds one with
   secure HLP. WFP's LCS module records "no, because I already sold those assets or did
   this within the last 12 months and cannot continue" (WFP VAM, LCS-FS indicator guidance):
   a state of the resource, not a loss for good. Children withdrawn from school are
   re-enrolled once the household has recovered (``reenrols``, below).
2. **Emergency strategies are for survival** (``survival_gap``): stress and crisis strategies
   may cover the gap up to the full MEB, but begging, high-risk work, child labour or
   marriage, selling the house and leaving are taken only for the part of the gap that
   would leave the household's consumption (after the spending it cut) below the survival
   minimum, ``survival_share`` x its basket
   (the survival MEB, SMEB: WFP's CARI compares expenditure with the SMEB and the MEB; the
   LCS ranks emergency strategies as the most severe and hardest to reverse). A gap above
   the survival line that stress and crisis strategies cannot cover is left unmet: the
   household consumes less (food-based coping, rCSI), it does not beg to reach the full MEB.
3. **Emergency strategies are bounded in what they cover**: begging, high-risk work and
   child labour together cover at most ``emergency_cover`` of needs a month (a third each,
   in ladder order); they earn little (assumption).
4. **Recovery down the ladder when the gap closes**: the LCS is this month's highest level
   used, so a household whose income and aid rise above its survival line stops using
   emergency strategies that month, and one that covers its full needs uses none; credit
   and sold goods come back as in rule 1. Hosts and displaced households differ where the
   model has them differ: hosts borrow up to ``host_borrow_limit_months`` of their basket
   (own homes and long-standing networks to borrow from), the displaced up to
   ``borrow_limit_months``; hosts with a house and secure HLP can sell it (assumptions).

6. **Not every displaced household has someone to borrow from** (``has_lender``): only
   ``credit_access`` of displaced households and migrants can take the borrow strategy (or
   borrow for a journey: ``mobility``), by a latent draw of their own (``credit_draw``);
   hosts always can. Informal credit (relatives, shops, landlords: most of Syrian refugees'
   debt in Lebanon) is extended to people the lender knows; a household new to a place or
   without relatives there may find none (assumption; the share is calibrated to VASyR's
   87-91% of refugee households in debt). Without this rule every household that ever had
   a gap borrowed, so 97-98% of the Lebanon setting's refugees were in debt: those with no
   lender go on to the next strategies instead (selling goods, cutting spending), and
   their consumption shows it.

Children withdrawn from school (a crisis strategy in WFP's LCS module, which asks about the
last 30 days, not about a loss for good) are re-enrolled once the household has recovered,
i.e. when this step's income and aid cover its full needs, school costs included, with a
margin ``school_reenrol_margin`` to spare (``reenrols``). The school bit is then cleared,
school costs return to needs, and the RSI education domain is scored from services again
(phases/indicators.py). Evidence that enrolment recovers with income: cash transfers,
conditional or not, raise enrolment and attendance (Baird, Ferreira, Ozler and Woolcock 2014,
J. Development Effectiveness, meta-analysis of 75 studies); the margin itself is an
assumption (see params.py).

5. **Unpaid debt service becomes arrears** (``defer_debt_service``): when income, aid and the
   ladder leave part of the month's needs unmet, that part falls first on the debt service,
   which is added to the debt (the shopkeeper, landlord or relative waits), and only then on
   the basket. Households put food before their creditors; the debt goes on growing while
   they cannot pay, beyond the limit of new borrowing (which then stays closed: rule 1).
   Interest (``debt_interest``) runs on the debt up to the household's borrowing limit only
   (``debt_service``): arrears beyond it are owed but not charged, so an unpaid debt grows
   by about the same amount each month rather than compounding without bound. So debt
   keeps rising years into a protracted displacement, steadily, as Syrian refugees'
   average debt did in Lebanon (VASyR 2016-2018: about USD 800, 900, then over 1,000, a
   rise of about a hundred dollars a year), where most of it is owed to shops, landlords and
   relatives, informal creditors who extend credit rather than charge on what is overdue
   (assumption: the order of priorities and the interest-free arrears; the rate is
   calibrated). Compounding arrears, tried first (2026-12-03), made the average debt grow
   by about 30% a year (USD 798, 1,032, 1,362 in 2016-2018) and its top decile exponentially.

7. **Asset smoothing: productive assets are sold only to survive** (``survival_only``):
   selling productive assets (a crisis strategy) covers only the part of the gap that would
   leave consumption below the survival line, as emergency strategies do (rule 2); above
   it a household cuts its consumption rather than its productive base. Poverty-trap
   theory predicts "asset smoothing, not consumption smoothing, in the neighborhood of
   critical asset levels", and the panel data agree: "Households above the estimated
   threshold almost completely insulate their consumption from weather shocks, whereas
   those below the threshold do not" (Carter and Lybbert 2012, J. Development Economics
   99: 255-264, Burkina Faso; Zimmerman and Carter 2003 for the theory). Without it every
   poor household with a gap sold its assets before cutting any spending, so graduation
   participants ate their asset grant within three years (West Bengal setting: the
   participants' productive assets went from USD 470 at 6 months to 74 at 36 and 3 at
   60, their businesses from 99% to none): the opposite of the trials, where treated
   households still held more assets years on. Households with large asset bases rarely
   reach this strategy (savings and credit come first), so the threshold the paper
   estimates is left out (assumption).

**Consumption** (``consumption``, the expenditure surveys measure): what the household
spends on its basket this month, however it was paid for (income, aid, savings drawn,
borrowing, sales, emergency earnings). A household in surplus pays its debt service,
repays ``repayment_share`` of the surplus, saves ``savings_rate`` of the rest and consumes
the basket plus what is left; a household with a gap consumes the basket less the spending
it cut (health, education, school costs) and less the need left unmet. Debt service,
repayments and saving are not consumption.
"""

from dataclasses import dataclass

import numpy as np

from simulation.chunks import per_household
from simulation.codes import Coping, Group
from simulation.params import Parameters
from simulation.random_streams import latent_draws


@dataclass(frozen=True)
class Strategy:
    name: str
    level: Coping
    #: what covers the gap: a stock that is drawn down, or a share of needs each step
    resource: str
    #: whether the strategy is used up once its resource reaches zero (or after one use)
    exhaustible: bool
    #: whether it covers only the part of the gap below the survival line (rules 2 and 7;
    #: every emergency strategy does)
    survival_only: bool = False


#: The ladder, in the order households climb it (WFP LCS; DESIGN.md section 3.3).
LADDER: tuple[Strategy, ...] = (
    Strategy("spend_savings", Coping.STRESS, "savings", False),
    Strategy("borrow", Coping.STRESS, "credit", True),
    Strategy("sell_household_goods", Coping.STRESS, "household_goods", True),
    Strategy("sell_productive_assets", Coping.CRISIS, "assets", True, survival_only=True),
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
#: strategies that cover the gap by spending less rather than by bringing money in
SPENDING_CUTS = ("cut_spending", "school")
#: how many emergency strategies share ``emergency_cover`` (begging, risky work, child labour)
EMERGENCY_EARNERS = sum(1 for s in LADDER if s.resource == "emergency")
#: a survival gap below this (USD) is none: float rounding, not need
SURVIVAL_SLACK = 1e-6
#: a resource worth less than this (USD) has not come back (float rounding, not a resource)
RESTORE_SLACK = 0.01
#: strategies whose resource can come back (rule 1 of the module docstring)
RESTORABLE = ("borrow", "sell_household_goods", "sell_productive_assets", "sell_house_or_land")
RESTORABLE_BITS = np.uint16(sum(int(BIT[name]) for name in RESTORABLE))
#: every strategy's bit
ALL_STRATEGIES = np.uint16((1 << len(LADDER)) - 1)
#: the LCS of each bitmask of strategies used: the highest level among them (NONE if none)
LEVEL_BY_USED = np.array([max([int(s.level) for i, s in enumerate(LADDER) if mask >> i & 1],
                              default=int(Coping.NONE)) for mask in range(1 << len(LADDER))],
                         dtype=np.int8)


def needs(meb_per_person, size, debt, group, withdrew_children, params: Parameters,
          months: float):
    """Needs this step: the household's MEB (``basket_of``) plus its debt service
    (``debt_service``), float32."""
    basket = basket_of(meb_per_person, size, withdrew_children, months)
    return (basket + debt_service(debt, basket, group, params, months)).astype(np.float32)


def basket_of(meb_per_person, size, withdrew_children, months: float) -> np.ndarray:
    """The MEB part of needs this step (float64), less school costs if withdrawn."""
    # meb x size x months x (0.95 or 1) in float64, the same products in the same order
    basket = np.asarray(meb_per_person * size * months, dtype=np.float64)
    withdrew = np.asarray(withdrew_children, dtype=bool)
    if withdrew.ndim == 0:
        if withdrew:
            basket *= 1.0 - SCHOOL_COST_SHARE
    else:  # (x 1.0 changes nothing: only the withdrawn are changed; faster than where=)
        basket *= np.where(withdrew, 1.0 - SCHOOL_COST_SHARE, 1.0)
    return basket


def debt_service(debt, basket, group, params: Parameters, months: float) -> np.ndarray:
    """What the debt costs this step (USD, float64): ``debt_interest`` a month on the debt
    up to the household's borrowing limit (``borrow_limit`` months of ``basket``, the MEB
    part of its needs this step), none on arrears beyond it (rule 5). Pure. (The credit
    strategy's limit counts months of the whole need, service included; this one cannot,
    the service being what it computes.)"""
    limit = borrow_limit(group, params) * (basket / max(months, 1e-9))
    service = np.minimum(np.asarray(debt, dtype=np.float64), limit) * params.debt_interest
    service *= months
    return service


def borrow_limit(group, params: Parameters) -> np.ndarray:
    """Most a household can owe, in months of its basket: hosts and others differ (rule 4)."""
    return np.where(group == Group.HOST, params.host_borrow_limit_months,
                    params.borrow_limit_months)


def has_lender(group, credit_draw, params: Parameters) -> np.ndarray:
    """Whether each household has someone to borrow from (rule 6): hosts always; displaced
    households and migrants while their latent ``credit_draw`` is below ``credit_access``,
    and every one at ``credit_access`` 1 (a float32 draw may round up to 1.0). Pure."""
    if params.credit_access >= 1.0:
        return np.ones(np.shape(group), dtype=bool)
    return (np.asarray(group) == Group.HOST) | (np.asarray(credit_draw) < params.credit_access)


def credit_limit(group, credit_draw, params: Parameters) -> np.ndarray:
    """Most a household can borrow up to, in months of its needs: its ``borrow_limit``, or
    nothing without a lender (rule 6). Pure."""
    return np.where(has_lender(group, credit_draw, params), borrow_limit(group, params), 0.0)


def restore(exhausted, hh, need, params: Parameters, months: float) -> np.ndarray:
    """The exhausted bitmask with strategies whose resource is back made available (rule 1).

    Pure: returns a new array. Credit is back when debt is below the household's limit,
    goods and productive assets when it owns some, the house when it has one with secure HLP.
    """
    out = np.asarray(exhausted).copy()
    rows = np.flatnonzero(out & RESTORABLE_BITS)  # only households with something to restore
    if len(rows) == 0:
        return out
    monthly_basket = need[rows] / max(months, 1e-9)
    back = {
        "borrow": (borrow_limit(hh.group[rows], params) * monthly_basket - hh.debt[rows]
                   > RESTORE_SLACK),
        "sell_household_goods": hh.household_goods[rows] > RESTORE_SLACK,
        "sell_productive_assets": hh.assets[rows] * DISTRESS_SALE_PRICE > RESTORE_SLACK,
        "sell_house_or_land": hh.hlp_secure[rows] & (hh.house_value[rows] > RESTORE_SLACK),
    }
    kept = out[rows]  # every bit that is back cleared at once
    every_bit = np.uint16(0xFFFF)
    for name, available in back.items():  # (an AND with all but the bit, or with every bit)
        kept &= np.where(available, ~BIT[name], every_bit)
    out[rows] = kept
    return out


def survival_gap(remaining, cut, basket, params: Parameters) -> np.ndarray:
    """How far below its survival line a household's consumption would be (rule 2):
    ``max(0, remaining + cut - (1 - survival_share) x basket)``, ``remaining`` being the
    gap still open and ``cut`` the spending already cut; below ``SURVIVAL_SLACK`` USD it is
    none (float rounding)."""
    gap = remaining + cut - (1.0 - params.survival_share) * basket
    return np.where(gap > SURVIVAL_SLACK, gap, 0.0)


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


def climb_ladder(gap, hh, need, params: Parameters, months: float, basket=None):
    """Cover ``gap`` strategy by strategy; update stocks in place; return (lcs, used, gap
    left, spending cut).

    ``hh`` is the household store (or any object with the same columns); ``basket`` is the
    MEB part of ``need`` (need less debt service; default ``need``), whose survival share
    bounds emergency strategies (rule 2). Vectorized over households; the only loop is over
    the eleven strategies. The ladder's own state (gap left, spending cut, strategies used and
    exhausted, and which strategies each can no longer use) is gathered once for the
    households in need and kept compact; each strategy finds who can use it with one pass
    over that bitmask and touches the stocks of only those households, so the cost follows
    how many households are in need, not the population. A household climbs while its gap
    is open (and, at the emergency level, while it is below its survival line): the same
    households, strategy by strategy, as carrying a shrinking list of climbers would give.
    """
    remaining = gap.astype(np.float64)
    basket = need if basket is None else basket
    used = np.zeros(len(gap), dtype=np.uint16)
    cut = np.zeros(len(gap), dtype=np.float64)
    in_need = np.flatnonzero(remaining > 0)
    left, cut_in_need = remaining[in_need], np.zeros(len(in_need))
    used_in_need = np.zeros(len(in_need), dtype=np.uint16)
    exhausted = hh.strategies_exhausted[in_need]
    # the strategies each household in need cannot use now: those exhausted, and every one
    # once it stops climbing (gap closed, or above its survival line at the emergency level)
    blocked = exhausted.copy()
    survival = basket_in_need = None  # gathered once the ladder reaches the emergency level
    for strategy in LADDER:
        bit = BIT[strategy.name]
        emergency = strategy.level == Coping.EMERGENCY
        if emergency and survival is None:  # only below the survival line (rule 2), never
            basket_in_need = basket[in_need]  # under a safety net
            survival = survival_gap(left, cut_in_need, basket_in_need, params)
            blocked[(survival <= 0) | hh.protected[in_need]] = ALL_STRATEGIES
        rows = _rows((blocked & bit) == 0)  # into the arrays of the households in need
        if rows is None:
            continue
        if strategy.resource == "migrate":
            # covers nothing now: the household will try to leave (mobility phase)
            used_in_need[rows] |= bit
            continue
        store_rows = in_need[rows]
        gap_left = left[rows]
        wanted = gap_left
        if emergency:  # toward the survival line, never beyond the gap itself
            wanted = np.minimum(wanted, survival[rows])
        elif strategy.survival_only:  # productive assets are sold only to survive (rule 7)
            wanted = np.minimum(wanted, survival_gap(gap_left, cut_in_need[rows],
                                                     basket[store_rows], params))
        cover, after = _cover(strategy.resource, hh, store_rows, wanted, need, params, months)
        took = cover > 0
        if strategy.resource in SPENDING_CUTS:
            cut_in_need[rows] += cover
        if strategy.exhaustible:
            if strategy.resource == "school":
                gone = took
            else:
                # used up when less than the slack that brings it back is left (restore):
                # an absolute 1e-6 read float32 rounding of a debt at its limit as room
                gone = took & (after <= RESTORE_SLACK)
            _add_bit(exhausted, rows, gone, bit)
        gap_left = gap_left - cover
        left[rows] = gap_left
        done = ~(gap_left > 0)
        if emergency:  # the survival line moves with the gap covered
            line = survival_gap(gap_left, cut_in_need[rows], basket_in_need[rows], params)
            survival[rows] = line
            done |= line <= 0
        _stop(blocked, rows, done)
        _add_bit(used_in_need, rows, took, bit)
    remaining[in_need] = left
    cut[in_need] = cut_in_need
    used[in_need] = used_in_need
    hh.strategies_exhausted[in_need] = exhausted
    # the highest level used (the ladder's levels only rise, so the last strategy's level);
    # none for the households not in need
    lcs = np.full(len(gap), LEVEL_BY_USED[0])
    lcs[in_need] = np.take(LEVEL_BY_USED, used_in_need.astype(np.intp))
    return lcs, used, remaining, cut


def _rows(mask: np.ndarray):
    """The positions where ``mask`` (1-D) holds: a slice of all when it holds everywhere (no
    gather needed), None when it holds nowhere, else their indices."""
    rows = mask.nonzero()[0]
    if len(rows) == 0:
        return None
    return slice(None) if len(rows) == len(mask) else rows


def _add_bit(bits: np.ndarray, rows, mask: np.ndarray, bit) -> None:
    """Set ``bit`` in ``bits`` at the positions of ``rows`` (``_rows``) where ``mask`` (one
    value per row) holds, in place."""
    if isinstance(rows, slice):  # (an OR with the bit or nothing: faster than where=)
        bits |= np.where(mask, bit, np.uint16(0))
    else:
        bits[rows[mask]] |= bit


def _stop(blocked: np.ndarray, rows, mask: np.ndarray) -> None:
    """Block every strategy (``ALL_STRATEGIES``) at the positions of ``rows`` (``_rows``) where
    ``mask`` holds, in place: an assignment, as every bit blocked already is one of them."""
    if isinstance(rows, slice):
        blocked[mask] = ALL_STRATEGIES
    else:
        blocked[rows[mask]] = ALL_STRATEGIES


def _cover(resource, hh, rows, wanted, need, params: Parameters, months: float):
    """What ``resource`` covers of ``wanted`` for households ``rows`` (USD this step), its
    stock drawn down in place; and what it could still cover after (None where it is not
    exhaustible). Each column read once: savings and goods cover up to their value, credit
    up to the household's borrowing limit, productive assets at the distress price, a house
    only with secure HLP; spending cuts, school costs and emergency earnings a share of
    needs (rule 3)."""
    if resource == "savings":
        capacity = hh.savings[rows].astype(np.float64)
        cover = np.minimum(wanted, capacity)
        hh.savings[rows] = np.maximum(0.0, capacity - cover)
        return cover, None
    if resource == "credit":
        limit = (credit_limit(hh.group[rows], hh.credit_draw[rows], params)
                 * (need[rows] / max(months, 1e-9)))
        debt = hh.debt[rows]
        cover = np.minimum(wanted, np.maximum(0.0, limit - debt))
        debt = (debt + cover).astype(np.float32)
        hh.debt[rows] = debt
        return cover, np.maximum(0.0, limit - debt)
    if resource == "household_goods":
        capacity = hh.household_goods[rows].astype(np.float64)
        cover = np.minimum(wanted, capacity)
        goods = np.maximum(0.0, capacity - cover).astype(np.float32)
        hh.household_goods[rows] = goods
        return cover, goods.astype(np.float64)
    if resource == "assets":
        assets = hh.assets[rows]
        cover = np.minimum(wanted, assets * DISTRESS_SALE_PRICE)
        assets = np.maximum(0.0, assets - cover / DISTRESS_SALE_PRICE).astype(np.float32)
        hh.assets[rows] = assets
        return cover, assets * DISTRESS_SALE_PRICE
    if resource == "house_value":
        secure, house = hh.hlp_secure[rows], hh.house_value[rows]
        cover = np.minimum(wanted, np.where(secure, house, 0.0))
        house = np.maximum(0.0, house - cover).astype(np.float32)
        hh.house_value[rows] = house
        return cover, np.where(secure, house, 0.0)
    if resource == "cut_spending":
        return np.minimum(wanted, params.cut_spending_cover * need[rows]), None
    if resource == "school":
        return np.minimum(wanted, SCHOOL_COST_SHARE * need[rows]), None
    if resource == "emergency":  # the three emergency earners share emergency_cover (rule 3)
        return np.minimum(wanted, params.emergency_cover / EMERGENCY_EARNERS * need[rows]), None
    raise ValueError(resource)


def defer_debt_service(remaining, service):
    """(arrears, remaining): the unmet part of a gap that falls on the debt service (rule 5),
    at most the service itself, and the gap left for the basket. Pure."""
    arrears = np.minimum(remaining, service)
    return arrears, remaining - arrears


def settle_surplus(surplus, hh, params: Parameters, rows=None):
    """Repay debt first, then save part of what is left; return what is left to consume.

    With ``rows``, only those households (``surplus`` is then theirs, in the same order).
    """
    rows = slice(None) if rows is None else rows
    debt = hh.debt[rows]
    repay = np.minimum(debt, surplus * params.repayment_share)
    hh.debt[rows] = debt - repay
    saved = (surplus - repay) * params.savings_rate
    hh.savings[rows] = hh.savings[rows] + saved
    return surplus - repay - saved


def step(model, t: int) -> None:
    months = model.days_per_step / 30.0
    meb_by_node, params = model.graph.meb, model.params
    # who has a lender (rule 6): a latent draw per household, made once over the whole store
    latent_draws(model.households, "credit_draw", model.streams, "credit_access")
    # each household copes on its own: slices of rows at once in large runs (chunks.py)
    per_household(model, lambda hh: cope(hh, meb_by_node, params, months))


def cope(hh, meb_by_node, params: Parameters, months: float) -> None:
    """Needs, surplus or the ladder, LCS and consumption of the households ``hh`` (the store or
    a slice of its rows), at the MEB per person of each node ``meb_by_node``; in place."""
    school = BIT["withdraw_children_from_school"]
    withdrew = (hh.strategies_exhausted & school) != 0
    meb = np.take(meb_by_node, hh.node.astype(np.intp))
    out_of_school = np.flatnonzero(withdrew)
    if len(out_of_school):  # children out of school go back once the household has recovered
        full_need = needs(meb[out_of_school], hh.size[out_of_school], hh.debt[out_of_school],
                          hh.group[out_of_school], False, params, months)
        back = out_of_school[reenrols(withdrew[out_of_school], hh.income[out_of_school],
                                      hh.aid[out_of_school], full_need, params)]
        hh.strategies_exhausted[back] &= ~school
        withdrew[back] = False
    # needs(), with its two parts kept: the MEB part and the debt service
    exact_basket = basket_of(meb, hh.size, withdrew, months)
    exact_service = debt_service(hh.debt, exact_basket, hh.group, params, months)
    need = (exact_basket + exact_service).astype(np.float32)
    hh.need = need
    service = exact_service.astype(np.float32)
    basket = need - service  # the MEB part in float32, as the ladder compares it with need
    gap = need - hh.income - hh.aid
    consumption = basket.astype(np.float64)
    in_surplus = np.flatnonzero(gap < 0)
    consumption[in_surplus] += settle_surplus(-gap[in_surplus], hh, params, rows=in_surplus)
    hh.strategies_exhausted = restore(hh.strategies_exhausted, hh, need, params, months)
    np.maximum(gap, 0.0, out=gap)
    lcs, used, remaining, cut = climb_ladder(gap, hh, need, params, months, basket)
    arrears, remaining = defer_debt_service(remaining, service)
    hh.debt = hh.debt + arrears
    hh.lcs = lcs
    hh.strategies_used = used
    hh.unmet_need = np.divide(remaining, need, out=np.zeros_like(remaining), where=need > 0)
    consumption = np.maximum(0.0, consumption - cut - remaining)
    hh.consumption = consumption
    # below the MEB (the poverty line) and below the line emergency strategies work toward
    # (rule 2), by more than float rounding
    hh.below_meb = consumption < basket - SURVIVAL_SLACK
    hh.below_survival = consumption < params.survival_share * basket - SURVIVAL_SLACK
