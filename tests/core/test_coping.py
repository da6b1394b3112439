"""The WFP coping ladder on hand-made households (DESIGN.md section 3.3)."""

from types import SimpleNamespace

import numpy as np
import pytest

from simulation.codes import Coping, Group
from simulation.params import Parameters
from simulation.phases.coping import (
    BIT,
    LADDER,
    SCHOOL_COST_SHARE,
    climb_ladder,
    credit_limit,
    debt_service,
    defer_debt_service,
    has_lender,
    needs,
    reenrols,
    restore,
    settle_surplus,
)
from simulation.phases.coping import step as coping_step
from simulation.phases.indicators import RSI_DOMAINS, rcsi, rsi_domains
from simulation.random_streams import RandomStreams
from simulation.state import HouseholdStore


def households(n=1, **values) -> HouseholdStore:
    store = HouseholdStore(0)
    store.append(n, **values)
    return store


#: the hand-made examples below are worked out with these values (the declared defaults of
#: the parameters that simulation/calibrated.yaml fits), so they do not move with a calibration
PARAMS = Parameters(asset_return=0.05, skill_income_gain=0.8, savings_rate=0.3,
                    debt_interest=0.02, repayment_share=0.5, borrow_limit_months=2.0,
                    survival_share=0.8, emergency_cover=0.25, cut_spending_cover=0.15,
                    host_borrow_limit_months=4.0, origin_ties_decay=0.01, casual_wage_share=0.7,
                    skill_income_floor=0.6, undocumented_job_access=0.5)


def test_ladder_is_in_wfp_order():
    levels = [s.level for s in LADDER]
    assert levels == sorted(levels)
    assert {s.level for s in LADDER} == {Coping.STRESS, Coping.CRISIS, Coping.EMERGENCY}


def test_no_income_no_savings_climbs_stress_then_crisis():
    """No income, no savings: borrowing (stress) until credit runs out, then goods, then
    productive assets (crisis) until they run out, then emergency strategies."""
    hh = households(1, savings=0.0, debt=0.0, household_goods=100.0, assets=1000.0,
                    house_value=0.0, size=5)
    need = np.array([300.0], dtype=np.float32)
    seen = []
    for _ in range(5):
        lcs, *_ = climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
        seen.append(int(lcs[0]))
    # credit limit = 2 months of the basket = 600: two months of borrowing; then goods (100)
    # and assets at half price (1000 -> 500 of cover) over two months; then emergency
    assert seen == [Coping.STRESS, Coping.STRESS, Coping.CRISIS, Coping.CRISIS, Coping.EMERGENCY]
    assert hh.strategies_exhausted[0] & BIT["borrow"]
    assert hh.strategies_exhausted[0] & BIT["sell_productive_assets"]
    assert hh.assets[0] == pytest.approx(0.0, abs=1e-3)


def test_first_month_with_credit_stays_at_stress():
    hh = households(1, savings=0.0, debt=0.0, household_goods=0.0, assets=0.0, size=5)
    need = np.array([300.0], dtype=np.float32)
    lcs, used, remaining, _ = climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
    # credit limit is 2 months of the basket: 600, enough for this month
    assert lcs[0] == Coping.STRESS
    assert used[0] & BIT["borrow"]
    assert remaining[0] == pytest.approx(0.0)
    assert hh.debt[0] == pytest.approx(300.0)


def test_savings_cover_a_gap_at_stress_level_and_are_drawn_down():
    hh = households(1, savings=500.0, household_goods=0.0, assets=0.0)
    need = np.array([200.0], dtype=np.float32)
    lcs, used, remaining, _ = climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
    assert lcs[0] == Coping.STRESS and used[0] == BIT["spend_savings"]
    assert hh.savings[0] == pytest.approx(300.0)


def test_used_up_strategy_waits_until_its_resource_is_back():
    """Goods sold to the last one are marked exhausted and not sold while there are none
    (WFP: 'already sold, cannot continue'); once the household owns goods again, restore
    makes the strategy available again (the LCS recall is 12 months, not for good)."""
    hh = households(1, savings=0.0, debt=10_000.0, household_goods=50.0, assets=0.0)
    need = np.array([100.0], dtype=np.float32)
    _, used, *_ = climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
    assert used[0] & BIT["sell_household_goods"]
    assert hh.strategies_exhausted[0] & BIT["sell_household_goods"]
    hh.strategies_exhausted = restore(hh.strategies_exhausted, hh, need, PARAMS, 1.0)
    assert hh.strategies_exhausted[0] & BIT["sell_household_goods"]  # still none: still gone
    hh.household_goods[0] = 80.0
    hh.strategies_exhausted = restore(hh.strategies_exhausted, hh, need, PARAMS, 1.0)
    _, used, *_ = climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
    assert used[0] & BIT["sell_household_goods"]
    assert hh.household_goods[0] == pytest.approx(0.0, abs=1e-4)


def test_credit_comes_back_once_debt_is_repaid_below_the_limit():
    hh = households(1, savings=0.0, debt=600.0, household_goods=0.0, assets=0.0, group=0)
    need = np.array([300.0], dtype=np.float32)
    hh.strategies_exhausted[0] = BIT["borrow"]
    assert restore(hh.strategies_exhausted, hh, need, PARAMS, 1.0)[0] & BIT["borrow"]
    settle_surplus(np.array([400.0]), hh, PARAMS)  # a good month: repay 200
    assert not restore(hh.strategies_exhausted, hh, need, PARAMS, 1.0)[0] & BIT["borrow"]


def test_hosts_can_borrow_more_than_displaced_households():
    from simulation.codes import Group

    hh = households(2, savings=0.0, debt=0.0, household_goods=0.0, assets=0.0)
    hh.group[0], hh.group[1] = int(Group.DISPLACED), int(Group.HOST)
    need = np.full(2, 300.0, dtype=np.float32)
    for _ in range(3):
        climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
    assert hh.debt[0] == pytest.approx(PARAMS.borrow_limit_months * 300.0)
    assert hh.debt[1] == pytest.approx(min(3, PARAMS.host_borrow_limit_months) * 300.0)
    assert hh.debt[1] > hh.debt[0]


def test_only_credit_access_of_displaced_households_have_a_lender_hosts_all():
    """Rule 6: a displaced household has a lender while its latent draw is below
    credit_access; a host always has one; without a lender its credit limit is nothing."""
    params = PARAMS.model_copy(update={"credit_access": 0.7})
    draw = np.array([0.0, 0.69, 0.7, 0.99], dtype=np.float32)
    displaced, host = np.full(4, int(Group.DISPLACED)), np.full(4, int(Group.HOST))
    assert has_lender(displaced, draw, params).tolist() == [True, True, False, False]
    assert has_lender(host, draw, params).all()
    assert credit_limit(displaced, draw, params).tolist() == [2.0, 2.0, 0.0, 0.0]
    assert credit_limit(host, draw, params).tolist() == [4.0] * 4
    everyone = PARAMS.model_copy(update={"credit_access": 1.0})  # a draw rounded up to 1.0f
    assert has_lender(displaced, np.array([0.5, 1.0, 1.0, 0.0], dtype=np.float32), everyone).all()


def test_household_without_a_lender_sells_goods_instead_of_borrowing():
    """Two households alike but for the credit draw: the one with a lender borrows (stress),
    the other cannot and sells its goods; neither is left with the gap."""
    params = PARAMS.model_copy(update={"credit_access": 0.5})
    hh = households(2, savings=0.0, debt=0.0, household_goods=500.0, assets=0.0,
                    house_value=0.0, group=int(Group.DISPLACED))
    hh.credit_draw[:] = [0.2, 0.8]
    need = np.full(2, 300.0, dtype=np.float32)
    _, used, left, _ = climb_ladder(need.copy(), hh, need, params, months=1.0)
    assert hh.debt.tolist() == [300.0, 0.0]
    assert hh.household_goods.tolist() == [500.0, 200.0]
    assert used[0] & BIT["borrow"] and not used[0] & BIT["sell_household_goods"]
    assert used[1] & BIT["sell_household_goods"] and not used[1] & BIT["borrow"]
    assert left.tolist() == [0.0, 0.0]


def test_coping_step_gives_each_household_its_credit_draw_once():
    """The draw is the household row's draw of stream credit_access at step 0, made on the
    first coping step and kept after (so who has a lender never changes)."""
    hh = households(500, savings=0.0, debt=0.0, household_goods=0.0, assets=0.0, size=4,
                    income=1000.0, group=int(Group.DISPLACED))
    model = one_node_model(hh)
    coping_step(model, 1)
    first = hh.credit_draw.copy()
    assert np.array_equal(first, RandomStreams(0).uniform("credit_access", 0, 500)
                          .astype(np.float32))
    coping_step(model, 2)
    assert np.array_equal(hh.credit_draw, first)


def bare(n=1, **values):
    """Households with nothing left to sell or borrow against."""
    hh = households(n, savings=0.0, debt=0.0, household_goods=0.0, assets=0.0, house_value=0.0,
                    **values)
    hh.strategies_exhausted[:] = BIT["borrow"]
    return hh


def test_emergency_strategies_only_below_the_survival_line():
    """A gap that cutting health and education spending brings above the survival line is
    left unmet (less consumption), not covered by begging; a deeper one is, down to the line."""
    need = np.full(2, 100.0, dtype=np.float32)
    gap = np.array([30.0, 15.0], dtype=np.float32)  # survival line: 80% of the basket
    hh = bare(2)
    lcs, used, remaining, cut = climb_ladder(gap.copy(), hh, need, PARAMS, months=1.0)
    # 30 short: cutting health and education (15) and school costs (5) leaves 10 unmet;
    # consumption 100 - 20 - 10 = 70 < 80, so emergency earnings cover the 10 below the line
    # 15 short: the cut covers it; consumption 85, above the line: no emergency
    assert lcs[0] == Coping.EMERGENCY and remaining[0] == pytest.approx(0.0, abs=1e-4)
    assert lcs[1] == Coping.CRISIS and remaining[1] == pytest.approx(0.0, abs=1e-4)
    assert cut.tolist() == pytest.approx([20.0, 15.0])


def test_emergency_earnings_together_cover_at_most_emergency_cover():
    hh = bare(1)
    need = np.array([100.0], dtype=np.float32)
    _, used, remaining, cut = climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
    earned = 100.0 - remaining[0] - cut[0]
    assert earned == pytest.approx(PARAMS.emergency_cover * 100.0)
    assert used[0] & BIT["whole_household_migrates"]  # still below the line: it will try to leave


def test_household_comes_down_the_ladder_as_its_gap_closes():
    model = one_node_model(bare(1, size=SIZE, income=0.0, aid=0.0))
    hh = model.households
    levels = []
    for t, income in enumerate((0.3, 0.55, 0.9, 1.2), start=1):
        hh.income[0] = income * FULL_NEED
        coping_step(model, t)
        levels.append(int(hh.lcs[0]))
    assert levels == [Coping.EMERGENCY, Coping.EMERGENCY, Coping.CRISIS, Coping.NONE]


def test_consumption_is_what_the_household_spends():
    """Surplus: the basket plus what is left after repaying and saving; gap: the basket less
    the spending cut and the need left unmet. Debt service is not consumption."""
    model = one_node_model(bare(2, size=SIZE, income=0.0, aid=0.0))
    hh = model.households
    hh.income[0], hh.income[1] = 2 * FULL_NEED, 0.5 * FULL_NEED
    coping_step(model, 1)
    surplus = FULL_NEED
    assert hh.consumption[0] == pytest.approx(FULL_NEED + surplus * (1 - PARAMS.savings_rate))
    # half the basket from income; cuts of health, education and school spending; emergency
    # earnings (at most emergency_cover of needs) toward the survival line
    earned = min(PARAMS.emergency_cover * hh.need[1],
                 PARAMS.survival_share * hh.need[1] - hh.income[1])
    assert hh.consumption[1] == pytest.approx(hh.income[1] + earned, rel=1e-5)
    assert hh.consumption[1] <= hh.need[1] * PARAMS.survival_share + 1e-3


def test_children_withdrawn_once_and_needs_fall_after():
    hh = households(1, savings=0.0, debt=10_000.0, household_goods=0.0, assets=0.0)
    need = np.array([100.0], dtype=np.float32)
    _, used, *_ = climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
    assert used[0] & BIT["withdraw_children_from_school"]
    withdrew = (hh.strategies_exhausted & BIT["withdraw_children_from_school"]) != 0
    _, used2, *_ = climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
    assert not used2[0] & BIT["withdraw_children_from_school"]
    meb = np.array([60.0])
    size = np.array([5])
    debt = np.array([0.0])
    group = np.array([Group.DISPLACED])
    assert (needs(meb, size, debt, group, withdrew, PARAMS, 1.0)[0]
            < needs(meb, size, debt, group, ~withdrew, PARAMS, 1.0)[0])


def test_safety_net_rules_out_emergency_strategies():
    hh = households(2, savings=0.0, debt=10_000.0, household_goods=0.0, assets=0.0,
                    house_value=0.0)
    hh.protected[1] = True
    need = np.array([500.0, 500.0], dtype=np.float32)
    lcs, used, remaining, _ = climb_ladder(need.copy(), hh, need, PARAMS, months=1.0)
    assert lcs[0] == Coping.EMERGENCY
    assert lcs[1] == Coping.CRISIS
    emergency_bits = sum(int(BIT[s.name]) for s in LADDER if s.level == Coping.EMERGENCY)
    assert used[1] & emergency_bits == 0
    assert remaining[1] > remaining[0]


def test_no_gap_no_coping():
    hh = households(3, savings=10.0)
    zero = np.zeros(3, dtype=np.float32)
    lcs, used, *_ = climb_ladder(zero, hh, np.full(3, 100, dtype=np.float32), PARAMS, 1.0)
    assert (lcs == Coping.NONE).all() and (used == 0).all()


def test_surplus_repays_debt_then_saves():
    hh = households(1, savings=0.0, debt=100.0)
    settle_surplus(np.array([300.0]), hh, PARAMS)
    repaid = min(100.0, 300.0 * PARAMS.repayment_share)
    assert hh.debt[0] == pytest.approx(100.0 - repaid)
    assert hh.savings[0] == pytest.approx((300.0 - repaid) * PARAMS.savings_rate)


# --- children go back to school once the household has recovered ------------------------------
SCHOOL = int(BIT["withdraw_children_from_school"])
SIZE, MEB, SERVICES = 5, 60.0, 0.8
FULL_NEED = SIZE * MEB  # one month, no debt: the basket with school costs
MARGIN = PARAMS.school_reenrol_margin
#: households in these tests cannot borrow, so that credit coming back does not close gaps
NO_CREDIT = PARAMS.model_copy(update={"borrow_limit_months": 0.0, "host_borrow_limit_months": 0.0})


def one_node_model(hh):
    """The coping and indicator phases' view of a model: one node, a month per step."""
    graph = SimpleNamespace(
        meb=np.array([MEB], dtype=np.float32), housing=np.array([0.6]), damage=np.zeros(1),
        services=np.array([SERVICES]), threat=np.zeros(1), cohesion=np.array([0.5]))
    return SimpleNamespace(households=hh, graph=graph, params=NO_CREDIT, days_per_step=30,
                           streams=RandomStreams(0))


def withdrawn(income: float) -> HouseholdStore:
    """A household whose children left school (and whose credit and goods are gone)."""
    hh = households(1, size=SIZE, savings=0.0, debt=0.0, household_goods=0.0, assets=0.0,
                    house_value=0.0, income=income, aid=0.0)
    hh.strategies_exhausted[0] = SCHOOL | BIT["borrow"] | BIT["sell_household_goods"]
    return hh


def education(model) -> int:
    hh = model.households
    hh.rcsi = rcsi(hh.unmet_need, hh.lcs)
    return int(rsi_domains(hh, model.graph, hh.rcsi)[0, RSI_DOMAINS.index("education")])


def test_reenrols_only_withdrawn_households_at_full_need_times_margin():
    withdrew = np.array([True, True, False])
    full = np.full(3, 100.0, dtype=np.float32)
    income = np.array([110.1, 109.9, 500.0], dtype=np.float32)
    aid = np.zeros(3, dtype=np.float32)
    assert reenrols(withdrew, income, aid, full, Parameters(school_reenrol_margin=0.1)).tolist() \
        == [True, False, False]
    # aid counts like income; no margin: covering the full basket is enough
    assert reenrols(withdrew, np.zeros(3), np.full(3, 100.0), full,
                    Parameters(school_reenrol_margin=0.0)).tolist() == [True, True, False]


def test_recovered_household_reenrols_children():
    model = one_node_model(withdrawn(income=FULL_NEED * (1 + MARGIN) + 0.5))
    hh = model.households
    coping_step(model, 1)
    assert hh.strategies_exhausted[0] & SCHOOL == 0  # the bit is cleared...
    assert hh.strategies_exhausted[0] & BIT["borrow"]  # ...and only that one
    assert hh.need[0] == pytest.approx(FULL_NEED)  # school costs are back in needs
    assert hh.lcs[0] == Coping.NONE
    assert education(model) == round(1 + 4 * SERVICES)  # scored from services, not 1


def test_household_just_below_the_threshold_keeps_children_out():
    model = one_node_model(withdrawn(income=FULL_NEED * (1 + MARGIN) - 0.5))
    hh = model.households
    coping_step(model, 1)
    assert hh.strategies_exhausted[0] & SCHOOL
    assert hh.need[0] == pytest.approx(FULL_NEED * (1 - SCHOOL_COST_SHARE))
    assert education(model) == 1


def test_reenrolled_household_can_withdraw_again_when_a_gap_opens():
    model = one_node_model(withdrawn(income=FULL_NEED * 1.5))
    hh = model.households
    coping_step(model, 1)
    assert hh.strategies_exhausted[0] & SCHOOL == 0
    hh.income[0] = 0.0  # income lost: savings (a month's surplus) do not close the gap
    coping_step(model, 2)
    assert hh.strategies_used[0] & SCHOOL
    assert hh.strategies_exhausted[0] & SCHOOL
    assert hh.lcs[0] >= Coping.CRISIS
    assert education(model) == 1
    coping_step(model, 3)  # used up again: not used twice
    assert not hh.strategies_used[0] & SCHOOL
    assert hh.need[0] == pytest.approx(FULL_NEED * (1 - SCHOOL_COST_SHARE))


def test_unpaid_debt_service_becomes_arrears_not_less_food():
    """Rule 5: a gap left unmet falls first on the debt service, which is added to the debt;
    the household's consumption is cut only by what is left beyond the service."""
    arrears, remaining = defer_debt_service(np.array([5.0, 30.0, 0.0]), np.array([10.0, 10.0, 10.0]))
    assert arrears.tolist() == [5.0, 10.0, 0.0] and remaining.tolist() == [0.0, 20.0, 0.0]
    # a household owing ten times its limit of new borrowing at 2% a month (charged on the
    # debt up to that limit) with nothing to pay the service from
    model = one_node_model(bare(1, size=SIZE, income=0.0, aid=0.0))
    model.params = PARAMS
    hh = model.households
    hh.debt[0] = 10 * PARAMS.borrow_limit_months * FULL_NEED
    coping_step(model, 1)
    service = PARAMS.borrow_limit_months * FULL_NEED * PARAMS.debt_interest
    assert hh.debt[0] == pytest.approx(10 * PARAMS.borrow_limit_months * FULL_NEED + service,
                                       rel=1e-6)
    # it consumes what income, cuts and emergency earnings give for the basket: the unpaid
    # service is not taken out of its food
    basket = FULL_NEED * (1 - SCHOOL_COST_SHARE)
    earned = PARAMS.emergency_cover * float(hh.need[0])
    assert hh.consumption[0] == pytest.approx(earned, rel=1e-5)
    assert hh.consumption[0] < PARAMS.survival_share * basket


def test_arrears_beyond_the_borrowing_limit_are_not_charged():
    """Rule 5: interest runs on the debt up to the borrowing limit only, so a debt far beyond
    it grows by the same service each month instead of compounding."""
    basket = np.array([300.0, 300.0, 300.0])
    group = np.array([Group.DISPLACED, Group.DISPLACED, Group.HOST])
    debt = np.array([100.0, 10_000.0, 10_000.0])
    service = debt_service(debt, basket, group, PARAMS, 1.0)
    assert service[0] == pytest.approx(100.0 * PARAMS.debt_interest)
    assert service[1] == pytest.approx(PARAMS.borrow_limit_months * 300.0 * PARAMS.debt_interest)
    assert service[2] == pytest.approx(PARAMS.host_borrow_limit_months * 300.0
                                       * PARAMS.debt_interest)
    # with nothing to pay from, the debt rises by the same amount month after month
    model = one_node_model(bare(1, size=SIZE, income=0.0, aid=0.0))
    hh = model.households
    hh.debt[0] = 10_000.0
    rises = []
    for t in (1, 2, 3):
        before = float(hh.debt[0])
        coping_step(model, t)
        rises.append(float(hh.debt[0]) - before)
    assert rises[0] == 0.0  # NO_CREDIT: a limit of 0, nothing charged
    model.params = PARAMS
    for t in (4, 5, 6):
        before = float(hh.debt[0])
        coping_step(model, t)
        rises.append(float(hh.debt[0]) - before)
    limit_service = PARAMS.borrow_limit_months * FULL_NEED * (1 - SCHOOL_COST_SHARE) * PARAMS.debt_interest
    assert rises[3:] == pytest.approx([limit_service] * 3, rel=1e-4)


def test_below_survival_counts_only_households_below_the_line():
    """A household the ladder brings to its survival line exactly is not below it; one whose
    emergency earnings fall short is; one in surplus is not."""
    model = one_node_model(bare(3, size=SIZE, income=0.0, aid=0.0))
    hh = model.households
    hh.income[:] = [0.6 * FULL_NEED, 0.0, 1.2 * FULL_NEED]
    coping_step(model, 1)
    line = NO_CREDIT.survival_share * hh.need  # no debt: the basket is the need
    assert hh.consumption[0] == pytest.approx(line[0], rel=1e-6)  # topped up to the line
    assert hh.consumption[1] < line[1]
    assert hh.below_survival.tolist() == [False, True, False]


def test_below_meb_counts_households_consuming_less_than_their_basket():
    """The poverty line is the basket itself: a household topped up to its survival line is
    below it (and not below the survival line); one whose savings cover the whole gap
    consumes the basket and is not; one in surplus is not."""
    model = one_node_model(bare(3, size=SIZE, income=0.0, aid=0.0))
    hh = model.households
    hh.income[:] = [0.6 * FULL_NEED, 0.9 * FULL_NEED, 1.2 * FULL_NEED]
    hh.savings[1] = FULL_NEED  # enough to close the second's gap
    coping_step(model, 1)
    assert hh.consumption[0] == pytest.approx(NO_CREDIT.survival_share * hh.need[0], rel=1e-6)
    assert hh.consumption[1] == pytest.approx(hh.need[1], rel=1e-6)  # savings closed the gap
    assert hh.below_meb.tolist() == [True, False, False]
    assert hh.below_survival.tolist() == [False, False, False]


def test_productive_assets_are_sold_only_for_the_gap_below_the_survival_line():
    """Asset smoothing (rule 7): with credit, goods and savings gone, a gap that leaves the
    household above its survival line (0.8 of the basket) is met by cutting spending, not by
    selling the business; a deeper gap sells assets for the part below the line only."""
    need = np.array([300.0], dtype=np.float32)
    shallow = households(1, savings=0.0, debt=10_000.0, household_goods=0.0, assets=1000.0)
    _, used, remaining, _ = climb_ladder(np.array([30.0], dtype=np.float32), shallow, need,
                                         PARAMS, months=1.0)
    assert not used[0] & BIT["sell_productive_assets"]
    assert used[0] & BIT["cut_health_education"] and remaining[0] == pytest.approx(0.0)
    assert shallow.assets[0] == 1000.0
    deep = households(1, savings=0.0, debt=10_000.0, household_goods=0.0, assets=1000.0)
    _, used, *_ = climb_ladder(np.array([120.0], dtype=np.float32), deep, need, PARAMS,
                               months=1.0)
    # 120 - (1 - 0.8) x 300 = 60 below the line, raised at half price: 120 of assets sold
    assert used[0] & BIT["sell_productive_assets"]
    assert deep.assets[0] == pytest.approx(1000.0 - 60.0 / 0.5, abs=1e-3)
