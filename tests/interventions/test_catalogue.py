"""The catalogue: one intervention per DESIGN.md section 4 row, each acting only through the
variables it names, with its money accounted (transfers + works + overhead == cost)."""

import numpy as np
import pytest
from intervention_harness import build, changed, probe_step

from simulation.checks import InvariantChecker
from simulation.interventions.registry import CATALOGUE, REGISTRY

#: a setting of each type that acts in the tiny region at step 2 (its first active step)
ACTING = {
    "cash": {"transfer": 50},
    "graduation": {"targeting": {"groups": ["displaced"]}},
    "livelihoods": {"training_months": 1, "targeting": {"count": 10}},
    "cash_for_work": {"targeting": {"nodes": ["Origin"]}},
    "services_restoration": {"targeting": {"nodes": ["Origin"]}, "end": 5},
    "social_cohesion": {"targeting": {"nodes": ["Town", "Camp"]}, "end": 5},
    "governance_hlp": {"documentation_rate": 1.0, "hlp_rate": 1.0,
                       "targeting": {"groups": ["displaced"]}},
    "stabilization": {"targeting": {"nodes": ["Town"], "count": 5}, "end": 5},
    "labour_mobility": {"slots_per_month": 10},
    "avrr": {},
    "facilitated_return": {"min_origin_ties": 0.0},
    "safety_net": {"transfer": 10},
}
#: changes to the tiny region a type needs to act at step 2 (labour mobility recruits only
#: households that want to move; in the tiny region aspirations stay below 0.15)
REGION = {"labour_mobility": {"parameters": {"involuntary_immobility_aspiration": 0.05}}}
#: the households' record of aid received moves with every transfer (money accounting)
ACCOUNTING = {"household.aid_received_total"}


def test_one_intervention_per_design_row():
    assert set(REGISTRY) == set(ACTING)
    assert len(CATALOGUE) == 12
    for spec in CATALOGUE:
        assert spec.acts_on, f"{spec.__name__} names no variable it acts on"


@pytest.mark.parametrize("kind", sorted(ACTING))
def test_acts_only_on_its_named_variables(kind):
    spec = REGISTRY[kind]
    model = build([{"type": kind, "start": 2, **ACTING[kind]}], **REGION.get(kind, {}))
    before, after = probe_step(model, 2)
    touched = changed(before, after)
    assert touched, f"{kind} changed nothing"
    assert touched <= set(spec.acts_on) | ACCOUNTING, (
        f"{kind} changed {sorted(touched - set(spec.acts_on) - ACCOUNTING)} beyond {spec.acts_on}")
    # aid received rises by exactly what the intervention transferred this step
    intervention = model.interventions[0]
    received = (after["household.aid_received_total"] - before["household.aid_received_total"]).sum()
    assert received == pytest.approx(intervention.transfers, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("kind", sorted(ACTING))
def test_money_is_conserved_over_a_run(kind):
    model = build([{"type": kind, "start": 2, "overhead": 0.15, **ACTING[kind]}],
                  **REGION.get(kind, {}))
    InvariantChecker(model).run()  # transfers + works + overhead == cost; aid received == transfers
    intervention = model.interventions[0]
    report = intervention.report()
    assert report["cost"] == pytest.approx(report["transfers"] + report["works"] + report["overhead"])
    assert report["overhead"] == pytest.approx(0.15 * (report["transfers"] + report["works"]))
    assert report["cost"] > 0
    assert model.cost_total == pytest.approx(report["cost"])


def test_inactive_outside_its_window():
    model = build([{"type": "cash", "transfer": 50, "start": 3, "end": 4}])
    before, after = probe_step(model, 2)
    assert changed(before, after) == set()
    before, after = probe_step(model, 5)
    assert changed(before, after) == set()
    assert model.interventions[0].transfers == pytest.approx(
        2 * 50 * model.interventions[0].households_reached)
    assert np.isfinite(model.interventions[0].cost)
