"""Targeting picks the right households; a budget caps coverage and spending."""

import numpy as np
import pytest
from intervention_harness import build

from simulation.codes import Group, Status
from simulation.interventions.registry import REGISTRY


def selected(targeting: dict, kind: str = "cash", **spec):
    model = build([{"type": kind, "targeting": targeting, **spec}])
    intervention = model.interventions[0]
    return model, intervention, intervention.select(model, 1)


def test_nodes_groups_and_statuses():
    model, _, rows = selected({"nodes": ["Town"]})
    hh = model.households
    assert set(hh.node[rows]) == {model.graph.index["Town"]}
    assert len(rows) == np.count_nonzero(hh.node == model.graph.index["Town"])
    model, _, rows = selected({"groups": ["displaced", "migrant"]})
    assert set(hh.group[rows]) == {Group.DISPLACED, Group.MIGRANT} and len(rows) == 50
    model, _, rows = selected({"statuses": ["displaced_camp"], "nodes": ["Camp", "Town"]})
    assert (model.households.status[rows] == Status.DISPLACED_CAMP).all() and len(rows) == 30


def test_min_coping_and_most_vulnerable_first():
    model = build([{"type": "cash", "targeting": {"min_coping": 3}}])
    hh = model.households
    hh.lcs[:] = 1
    hh.lcs[[3, 50, 120]] = 3
    hh.lcs[[7, 60]] = 4
    rows = model.interventions[0].select(model, 1)
    assert rows.tolist() == [3, 7, 50, 60, 120]
    model = build([{"type": "cash", "targeting": {"count": 2, "rule": "most_vulnerable"}}])
    hh = model.households
    hh.lcs[:] = 2
    hh.lcs[[10, 90]] = 4
    assert model.interventions[0].select(model, 1).tolist() == [10, 90]


def test_poorest_first_takes_the_least_wealthy():
    model = build([{"type": "cash", "targeting": {"count": 6, "rule": "poorest_first"}}])
    hh = model.households
    wealth = hh.savings + hh.assets + hh.income
    rows = model.interventions[0].select(model, 1)
    assert len(rows) == 6
    assert wealth[rows].max() <= np.sort(wealth)[5]


def test_share_and_count_cut_the_eligible():
    model, _, rows = selected({"groups": ["host"], "share": 0.25})
    assert len(rows) == round(0.25 * 100)
    model, _, rows = selected({"groups": ["host"], "share": 0.5, "count": 7})
    assert len(rows) == 7
    # random order is the intervention's own stream: the same households for the same seed
    again = build([{"type": "cash", "targeting": {"groups": ["host"], "share": 0.5, "count": 7}}])
    assert np.array_equal(again.interventions[0].select(again, 1), rows)


def test_budget_caps_coverage_and_spending():
    # 50 USD a month for 3 months with 10% overhead: 165 USD a household; 1,000 USD covers 6
    model = build([{"type": "cash", "transfer": 50, "start": 2, "end": 4, "budget": 1000,
                    "overhead": 0.1}])
    model.run()
    cash = model.interventions[0]
    assert cash.households_reached == 6
    assert cash.cost == pytest.approx(6 * 165.0)
    assert cash.cost <= 1000.0


def test_payments_and_works_never_pass_the_budget():
    model = build([{"type": "cash", "transfer": 50, "budget": 1100, "overhead": 0.1}])
    cash, hh = model.interventions[0], model.households
    rows = np.arange(30)
    given = cash.pay(model, rows, 50.0)  # 1,500 asked; 1,000 + 10% overhead affordable
    assert np.count_nonzero(given) == 19 and not given[19:].any()
    assert hh.aid_received_total[rows].sum() == pytest.approx(given.sum())
    assert cash.spend_on_works(500.0) == pytest.approx(1000.0 - 950.0, rel=1e-9)
    assert cash.cost == pytest.approx(1100.0)
    assert cash.spend_on_works(10.0) == 0.0
    assert cash.cost <= 1100.0


def test_budget_scales_node_works_and_their_effect():
    spec = {"type": "services_restoration", "start": 1, "end": 4, "monthly_cost": 1000,
            "services_gain": 0.4, "overhead": 0.0, "targeting": {"nodes": ["Origin"]}}
    full, capped = build([spec]), build([{**spec, "budget": 2500}])
    full.run()
    capped.run()
    origin = full.graph.index["Origin"]
    start = build([spec]).graph.base_services[origin]
    assert full.interventions[0].cost == pytest.approx(4000.0)
    assert capped.interventions[0].cost == pytest.approx(2500.0)
    assert capped.graph.base_services[origin] - start == pytest.approx(0.4 * 2500 / 4000)


def test_budget_keeps_node_works_before_household_grants():
    # stabilization: 1,000/month of works for 4 months is kept out of the grant budget
    model = build([{"type": "stabilization", "start": 1, "end": 4, "monthly_cost": 1000,
                    "small_grant": 200, "overhead": 0.0, "budget": 5000,
                    "targeting": {"nodes": ["Town"]}}])
    model.run()
    stab = model.interventions[0]
    assert stab.households_reached == 5  # (5,000 - 4,000) / 200
    assert stab.cost == pytest.approx(5000.0)


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_type_keeps_to_a_small_budget(kind):
    model = build([{"type": kind, "budget": 700, "start": 1}])
    model.run()
    assert model.interventions[0].cost <= 700.0 * (1 + 1e-9)


def test_rolling_enrolment_counts_everyone_ever_reached():
    model = build([{"type": "cash", "transfer": 10, "enrolment": "rolling",
                    "targeting": {"min_coping": 3}}], steps=8)
    model.run()
    cash = model.interventions[0]
    assert cash.households_reached == len(cash.reached) > 0
    assert cash.transfers == pytest.approx(model.households.aid_received_total.sum()
                                           - model.accounts["baseline_aid"])
