"""Shocks, livelihoods, indicators and solutions on small hand-made cases."""

import numpy as np
import pytest
from conftest import tiny_scenario_dict

from simulation.codes import Group, Livelihood, Status
from simulation.model import PRDSModel
from simulation.params import Parameters, per_step
from simulation.phases import indicators, livelihoods, shocks, solutions
from simulation.scenario import load_scenario

P = Parameters()


def test_per_step_conversion():
    assert per_step(0.5, 30) == pytest.approx(0.5)
    assert per_step(0.5, 60) == pytest.approx(0.75)
    assert 1 - (1 - per_step(0.3, 1)) ** 30 == pytest.approx(0.3)


def test_flight_probability_grows_with_threat():
    p = shocks.flight_probability(np.linspace(0, 1, 11), P, 30)
    assert np.all(np.diff(p) > 0)
    # nobody flees where there is no threat; flight_rate a month at threat 1 (its meaning)
    assert p[0] == 0.0 and p[-1] == pytest.approx(P.flight_rate, rel=1e-12)


def test_damage_grows_under_threat_and_recovers_when_safe():
    damage = np.array([0.1, 0.1])
    after = shocks.update_damage(damage, np.array([1.0, 0.0]), P, 1.0)
    assert after[0] > 0.1 > after[1]


def test_damage_grows_on_what_still_stands_and_never_overshoots():
    """Each month destroys damage_rate * threat of the intact share: after m months at
    threat 1 the intact share is (1 - rate)^m of what it was, approaching 0, never below."""
    params = P.model_copy(update={"damage_rate": 0.2, "recovery_rate": 0.0})
    damage = np.array([0.0, 0.5, 0.9])
    for _ in range(12):
        damage = shocks.update_damage(damage, np.ones(3), params, 1.0)
    intact = 1.0 - np.array([0.0, 0.5, 0.9])
    assert np.allclose(1.0 - damage, intact * 0.8 ** 12)
    assert np.all(damage < 1.0)


def test_no_threat_no_flight_and_high_threat_flight():
    data = tiny_scenario_dict(steps=1)
    model = PRDSModel(load_scenario(data), seed=1)
    model.step()
    assert not model.today.fleeing.any()
    data["graph"]["nodes"][0]["threat"] = 1.0
    data["parameters"] = {"flight_rate": 1.0}
    model = PRDSModel(load_scenario(data), seed=1)
    model.step()
    hosts_at_origin = slice(0, 40)  # the first population entry: 40 hosts at Origin
    assert model.today.fleeing[hosts_at_origin].mean() > 0.9
    assert not model.today.fleeing[40:].any(), "nobody flees the safe town and camp"


def test_crowding_lowers_income_and_cohesion():
    """More job seekers for the same jobs: lower incomes for hosts, tension with newcomers."""
    def town_income(extra_displaced):
        data = tiny_scenario_dict(steps=1)
        data["populations"] = [
            {"group": "host", "node": "Town", "households": 60, "livelihoods": {"casual": 1}},
            {"group": "displaced", "node": "Town", "origin": "Origin",
             "households": extra_displaced, "livelihoods": {"casual": 1}},
        ]
        model = PRDSModel(load_scenario(data), seed=1)
        model.step()
        hh = model.households
        return hh.income[hh.group == Group.HOST].mean(), model.graph.cohesion[1]

    alone, cohesion_alone = town_income(0)
    crowded, cohesion_crowded = town_income(200)
    assert crowded < 0.7 * alone
    assert cohesion_crowded < cohesion_alone


def test_employment_rate_is_jobs_over_seekers_capped():
    rate = livelihoods.employment_rate(np.array([0.0, 50.0, 200.0]), np.array([10.0, 100.0, 100.0]))
    assert rate.tolist() == [1.0, 1.0, 0.5]


def test_documents_gate_job_access():
    access = livelihoods.job_access(np.array([True, False]), np.array([Group.HOST, Group.HOST]),
                                    np.array([1.0, 1.0]), np.array([1.0, 1.0]), P)
    assert access[1] == pytest.approx(P.undocumented_job_access * access[0])


def test_business_folds_without_assets():
    out = livelihoods.choose_livelihood(
        np.array([Livelihood.BUSINESS, Livelihood.CASUAL, Livelihood.FARM], dtype=np.int8),
        np.array([10.0, 1000.0, 500.0]), np.array([True, True, False]))
    assert out.tolist() == [Livelihood.CASUAL, Livelihood.BUSINESS, Livelihood.CASUAL]


def test_households_without_a_livelihood_do_not_start_a_business():
    """An asset transfer starts a business for a casual worker, not for a household with no
    one able or allowed to work (livelihood none)."""
    out = livelihoods.choose_livelihood(
        np.array([Livelihood.NONE, Livelihood.CASUAL], dtype=np.int8),
        np.array([1000.0, 1000.0]), np.array([False, False]))
    assert out.tolist() == [Livelihood.NONE, Livelihood.BUSINESS]


def one_step_of_livelihoods(parameters, livelihood_shares, assets_mean=800, households=40,
                            seed=3):
    """Hosts in Town after one livelihoods phase: (assets before, the model)."""
    data = tiny_scenario_dict(steps=1)
    data["populations"] = [{"group": "host", "node": "Town", "households": households,
                            "assets_mean": assets_mean, "livelihoods": livelihood_shares}]
    data["parameters"] = parameters
    model = PRDSModel(load_scenario(data), seed=seed)
    before = model.households.assets.astype(np.float64)
    livelihoods.step(model, 0)
    return before, model


def test_an_enterprise_takes_a_share_of_an_earner_growing_with_its_assets():
    """Owners offer their earners less assets / ``enterprise_capacity`` (at most one) to the
    job market, at the same access as workers; workers' labour does not depend on it."""
    model = one_step_of_livelihoods({}, {"business": 0.5, "casual": 0.5}, assets_mean=1500)[1]
    hh, table = model.households, livelihoods.access_by_node(model.graph, P)
    labours = {}
    for capacity in (500.0, 3000.0):
        params = P.model_copy(update={"enterprise_capacity": capacity})
        labours[capacity] = livelihoods.seek_work(hh, table, params)
    business = hh.livelihood == Livelihood.BUSINESS
    assert business.any() and (~business).any()
    assert np.array_equal(labours[500.0][~business], labours[3000.0][~business])
    access = table[hh.node.astype(int) * 4 + 2]  # (hosts: documented, not outsiders)
    assets = hh.assets.astype(np.float64)
    for capacity, labour in labours.items():
        taken = np.minimum(assets / capacity, 1.0)
        expected = (livelihoods.earners(hh.size) - taken) * access
        assert np.allclose(labour[business], expected[business], rtol=1e-5)
    small = business & (assets < 3000.0)
    assert small.any() and (labours[3000.0][small] > labours[500.0][small]).all()


def test_enterprises_grow_toward_their_capacity_and_stop_there():
    """The share of profit kept falls in proportion as the assets near
    ``enterprise_capacity``: nothing is kept at or above it (the whole profit is income),
    and assets never pass it by growth."""
    capacity = 1000.0
    before, model = one_step_of_livelihoods(
        {"reinvest_share": 0.8, "enterprise_capacity": capacity}, {"business": 1.0},
        assets_mean=1000, households=200)
    hh, graph = model.households, model.graph
    business = hh.livelihood == Livelihood.BUSINESS
    grown = hh.assets.astype(np.float64) - before
    above = business & (before >= capacity)
    below = business & (before < 0.9 * capacity)
    assert above.any() and below.any()
    assert (grown[above] == 0).all() and (grown[below] > 0).all()
    assert (hh.assets[below] <= capacity).all()
    # what is kept is 0.8 x (1 - assets / capacity) of the profit
    town = int(hh.node[0])
    profit = (before * model.params.asset_return * graph.market[town]
              * (1 - graph.threat[town]) * model.days_per_step / 30.0)
    assert np.allclose(grown[below], (0.8 * (1 - before / capacity) * profit)[below], rtol=1e-3)


def test_rcsi_in_range_and_rising_with_pressure():
    values = indicators.rcsi(np.array([0.0, 0.2, 0.5, 1.0]), np.array([1, 2, 3, 4]))
    assert values[0] == 0 and values[-1] == 56
    assert np.all(np.diff(values.astype(int)) >= 0)


def test_score_thresholds():
    assert indicators.score(np.array([0.0, 0.5, 0.8, 1.0, 2.0]), [0.5, 0.8, 1.0, 1.3]).tolist() == \
        [1, 2, 3, 4, 5]


def test_self_reliance_rule_in_one_place():
    rule = indicators.is_self_reliant(np.array([4.0, 4.0, 3.0]), np.array([2, 1, 3]),
                                      P.model_copy(update={"self_reliance_mean": 3.5}))
    assert rule.tolist() == [True, False, False]


def test_aid_dependency_needs_twelve_months_in_a_row():
    data = tiny_scenario_dict(steps=14)
    data["populations"] = [{"group": "displaced", "node": "Camp", "origin": "Origin",
                            "households": 20, "livelihoods": {"none": 1.0}}]
    model = PRDSModel(load_scenario(data), seed=1)
    dependent = []
    for _ in range(14):
        model.step()
        dependent.append(model.households.aid_dependent.mean())
    assert dependent[10] == 0.0 and dependent[11] == 1.0 and dependent[13] == 1.0


def test_durable_solution_needs_sustained_criteria_at_parity():
    data = tiny_scenario_dict(steps=8)
    data["populations"] = [
        {"group": "host", "node": "Town", "households": 50, "livelihoods": {"wage": 1.0}},
        {"group": "displaced", "node": "Town", "origin": "Origin", "households": 10,
         "status": "displaced_host", "documented": 1.0, "skills_mean": 0.9, "skills_sd": 0.0,
         "livelihoods": {"wage": 1.0}},
    ]
    # full cohesion gives newcomers the hosts' access to jobs; their higher skills put them
    # at parity
    data["graph"]["nodes"][1].update(labour_demand=10_000, hlp=0.8, cohesion=1.0)
    data["parameters"] = {"mobility_rate": 0.0, "solution_months": 6}
    model = PRDSModel(load_scenario(data), seed=1)
    hh = model.households
    displaced = hh.group == Group.DISPLACED
    for step in range(1, 9):
        model.step()
        met = solutions.criteria_met(hh, model.graph, model.params)
        if step < 6:
            assert not hh.durable_solution[displaced].any()
    assert met[displaced].all()
    assert hh.durable_solution[displaced].all()
    assert (hh.status[displaced] == Status.LOCALLY_INTEGRATED).all()
    assert not hh.durable_solution[~displaced].any(), "hosts were never displaced"


def test_businesses_keep_reinvest_share_of_their_profit_in_their_assets():
    """The share of business profit kept grows the business's assets and is not income;
    workers' assets and incomes are untouched by it."""
    def after_livelihoods(reinvest_share):
        # (a capacity far above every business here: none is near it, see the test above)
        before, model = one_step_of_livelihoods(
            {"reinvest_share": reinvest_share, "enterprise_capacity": 20000},
            {"business": 0.5, "casual": 0.5}, seed=2)
        hh = model.households
        return before, hh.assets.copy(), hh.income.copy(), hh.livelihood.copy()

    before, kept_none, income_all, livelihood = after_livelihoods(0.0)
    _, kept_half, income_half, _ = after_livelihoods(0.5)
    business = livelihood == Livelihood.BUSINESS
    assert business.any() and (~business).any()
    assert np.array_equal(kept_none, before)  # nothing kept: assets as they were
    grown = kept_half.astype(np.float64) - before
    assert (grown[business] > 0).all() and (grown[~business] == 0).all()
    # what is kept is exactly the income given up: half of the profit
    assert np.allclose(grown[business], (income_all - income_half)[business], rtol=1e-4)
    assert np.array_equal(income_all[~business], income_half[~business])
