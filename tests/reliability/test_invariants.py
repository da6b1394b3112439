"""Invariants (simulation/checks.py) after every step: bundled scenarios and generated ones.

Each check is also shown to fire: a state broken on purpose is reported under the right
invariant name, so a passing run means the rule held, not that the check was blind.
"""

from pathlib import Path

import numpy as np
import pytest
from conftest import tiny_scenario_dict
from hypothesis import HealthCheck, given, settings
from reliability_strategies import DERANDOMIZE, FUZZ_EXAMPLES, load_generated, scenarios

from simulation.checks import INVARIANTS, InvariantChecker, InvariantError, run_checked
from simulation.codes import Coping, Status
from simulation.model import PRDSModel
from simulation.phases.coping import BIT
from simulation.scenario import SCENARIOS_DIR, load_raw, load_scenario


def bundled_scenarios() -> list[Path]:
    """Every YAML under scenarios/ that is a scenario (has a graph once `extends` resolves)."""
    found = []
    for path in sorted(SCENARIOS_DIR.rglob("*.yaml")):
        try:
            data, _ = load_raw(path)
        except Exception:  # a broken file is a scenario to report, not to skip
            found.append(path)
            continue
        if "graph" in data:
            found.append(path)
    return found


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: str(p.relative_to(SCENARIOS_DIR)))
def test_bundled_scenario_keeps_every_invariant_every_step(path):
    scenario = load_scenario(path)
    checker = run_checked(PRDSModel(scenario, seed=scenario.seed, with_agents=False))
    assert checker.steps_checked == scenario.steps


@pytest.mark.slow
@settings(derandomize=DERANDOMIZE, max_examples=FUZZ_EXAMPLES * 2 // 3, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_keep_every_invariant_every_step(data):
    scenario = load_generated(data)
    checker = run_checked(PRDSModel(scenario, with_agents=False))
    assert checker.steps_checked == scenario.steps


# --- each check fires on a state broken on purpose ---------------------------------------------
@pytest.fixture
def checked():
    data = tiny_scenario_dict(steps=4, interventions=[
        {"type": "cash", "transfer": 50, "targeting": {"nodes": ["Camp"]}}])
    data["graph"]["nodes"][0]["threat"] = 0.9
    data["graph"]["nodes"][2]["capacity"] = 40
    model = PRDSModel(load_scenario(data), seed=3, with_agents=False)
    checker = InvariantChecker(model)
    checker.step()
    return model, checker


def broken(checker) -> set[str]:
    with pytest.raises(InvariantError) as error:
        checker.check()
    return {v.invariant for v in error.value.violations}


def test_invariant_names_are_documented():
    assert set(INVARIANTS) >= {"households_conserved", "arrivals_departures", "one_status_one_node",
                               "capacity", "non_negative", "coping_ladder", "money_conserved",
                               "indicator_ranges", "solutions", "outputs_agree",
                               "labour_contracts"}


def test_check_passes_on_an_untouched_step(checked):
    model, checker = checked
    checker.step()
    assert checker.steps_checked == 2


@pytest.mark.parametrize("column,value", [("savings", -1.0), ("debt", np.nan), ("income", np.inf),
                                          ("skills", 1.5), ("unmet_need", -0.1)])
def test_negative_or_nan_money_and_out_of_range_shares_fire(checked, column, value):
    model, checker = checked
    getattr(model.households, column)[3] = value
    assert "non_negative" in broken(checker)


def test_person_lost_fires(checked):
    model, checker = checked
    model.households.size[0] += 1
    assert "households_conserved" in broken(checker)


def test_worker_without_a_contract_fires(checked):
    model, checker = checked
    model.households.worker_node[0] = 0  # away without a return step, and not abroad
    assert "labour_contracts" in broken(checker)


def test_worker_away_counts_in_persons_and_must_be_abroad(checked):
    model, checker = checked
    hh = model.households
    row = int(np.flatnonzero(hh.size >= 2)[0])
    hh.size[row] -= 1  # one member away: persons still conserved...
    hh.worker_node[row] = model.graph.index["Town"]
    hh.worker_return_step[row] = model.steps + 3
    found = broken(checker)  # (outputs_agree too: the table was recorded before the change)
    assert "labour_contracts" in found and "households_conserved" not in found  # not abroad


def test_unrecorded_move_fires(checked):
    model, checker = checked
    hh = model.households
    row = int(np.flatnonzero(hh.status != Status.IN_TRANSIT)[0])
    hh.node[row] = (hh.node[row] + 1) % model.graph.n_nodes
    assert "arrivals_departures" in broken(checker)


def test_move_into_a_full_node_fires(checked):
    model, checker = checked
    hh, camp = model.households, model.graph.index["Camp"]
    at_camp = int(((hh.node == camp) & (hh.status != Status.IN_TRANSIT)).sum())
    room = 40 - at_camp
    movers = np.flatnonzero((hh.node != camp) & (hh.status != Status.IN_TRANSIT))[: room + 1]
    for row in movers:  # moves recorded as flows, so only the capacity rule is broken
        model.flows[hh.node[row], camp] += 1
        hh.node[row] = camp
    assert broken(checker) == {"capacity"}


def test_status_without_destination_fires(checked):
    model, checker = checked
    model.households.status[5] = Status.IN_TRANSIT
    model.households.destination[5] = -1
    assert "one_status_one_node" in broken(checker)


def test_exhausted_strategy_used_again_fires(checked):
    model, checker = checked
    hh = model.households
    checker.before.exhausted[7] |= BIT["borrow"]
    hh.strategies_exhausted[7] |= BIT["borrow"]
    hh.strategies_used[7] |= BIT["borrow"]
    hh.lcs[7] = max(int(hh.lcs[7]), int(Coping.STRESS))
    assert "coping_ladder" in broken(checker)


def test_exhausted_strategy_made_available_again_fires(checked):
    """Only strategies whose resource can come back (coping.restore) and school may become
    available again: any other bit cleared is a broken ladder."""
    model, checker = checked
    checker.before.exhausted[7] |= BIT["begging"]
    model.households.strategies_exhausted[7] &= ~BIT["begging"]
    assert "coping_ladder" in broken(checker)


def test_strategy_marked_exhausted_with_its_resource_still_there_fires(checked):
    model, checker = checked
    hh = model.households
    hh.household_goods[7] = 50.0
    hh.strategies_exhausted[7] |= BIT["sell_household_goods"]
    assert "coping_ladder" in broken(checker)


def test_consumption_above_what_the_household_had_fires(checked):
    model, checker = checked
    hh = model.households
    hh.consumption[7] = hh.need[7] + max(0.0, hh.income[7] + hh.aid[7] - hh.need[7]) + 10.0
    assert "coping_ladder" in broken(checker)


def recovered(model, row: int, met: bool) -> None:
    """Row ``row`` had its children out of school before the step and has them back now;
    ``met``: its income + aid meet the re-enrolment condition (or fall just short of it)."""
    hh, school = model.households, BIT["withdraw_children_from_school"]
    hh.strategies_exhausted[row] &= ~school
    threshold = float(hh.need[row]) * (1 + model.params.school_reenrol_margin)
    hh.aid[row] = 0.0
    hh.income[row] = threshold + 1.0 if met else threshold * 0.99


def test_children_back_in_school_without_recovery_fires(checked):
    model, checker = checked
    checker.before.exhausted[7] |= BIT["withdraw_children_from_school"]
    recovered(model, 7, met=False)
    assert "coping_ladder" in broken(checker)


def test_children_back_in_school_after_recovery_is_allowed_but_nothing_else(checked):
    model, checker = checked
    checker.before.exhausted[7] |= BIT["withdraw_children_from_school"]
    recovered(model, 7, met=True)
    checker.check()  # re-enrolment: school may come back (and restorable resources)
    checker.before.exhausted[7] |= BIT["withdraw_children_from_school"] | BIT["begging"]
    recovered(model, 7, met=True)
    model.households.strategies_exhausted[7] &= ~BIT["begging"]
    assert "coping_ladder" in broken(checker)  # a strategy that cannot come back may not


def test_lcs_not_matching_strategies_fires(checked):
    model, checker = checked
    model.households.strategies_used[2] = BIT["begging"]
    model.households.lcs[2] = Coping.STRESS
    assert "coping_ladder" in broken(checker)


def test_aid_not_accounted_fires(checked):
    model, checker = checked
    model.households.aid_received_total[0] += 10.0
    assert "money_conserved" in broken(checker)


def test_overhead_not_as_declared_fires(checked):
    model, checker = checked
    model.interventions[0].overhead += 1.0
    assert "money_conserved" in broken(checker)


@pytest.mark.parametrize("column,value", [("rcsi", 57), ("rsi", 0.5), ("cari", 5)])
def test_indicator_out_of_range_fires(checked, column, value):
    model, checker = checked
    getattr(model.households, column)[1] = value
    assert "indicator_ranges" in broken(checker)


def test_durable_solution_in_camp_fires(checked):
    model, checker = checked
    hh = model.households
    row = int(np.flatnonzero(hh.status == Status.DISPLACED_CAMP)[0])
    hh.durable_solution[row] = True
    assert "solutions" in broken(checker)


def test_recorded_table_missing_a_household_fires(checked):
    model, checker = checked
    model.recorder.cells[-1]["households"][0] -= 1
    assert "outputs_agree" in broken(checker)
