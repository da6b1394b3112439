"""Node economics that change over the run: MEB, wage and jobs as schedules (graph.py).

A schedule takes the forms of ``threat``: a number, ``{step: value}`` held from that step on,
or one value per step. A scenario of plain numbers runs exactly as before (the regression
baseline and the pinned default check that bit for bit); these tests check that a schedule
really moves the engine, and only from its step on.
"""

import numpy as np
import pytest
from conftest import tiny_scenario_dict

from simulation.codes import Coping
from simulation.graph import SettlementGraph, schedule_by_step
from simulation.model import PRDSModel
from simulation.scenario import ScenarioError, load_scenario
from simulation.state import COLUMNS


def _with_node(changes: dict, node: int = 1, **top) -> dict:
    data = tiny_scenario_dict(**top)
    data["graph"]["nodes"][node].update(changes)
    return data


@pytest.mark.parametrize("value, expected", [
    (80, [80, 80, 80, 80, 80]),
    ({0: 60, 2: 90}, [60, 60, 90, 90, 90]),
    ({0: 60, 2: 90, 3: 70}, [60, 60, 90, 70, 70]),
    ([60, 61, 62], [60, 61, 62, 62, 62]),  # a short list holds its last value
    ([1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5]),  # a long one is cut at the run's end
])
def test_schedule_forms_become_the_value_at_each_step(value, expected):
    data = _with_node({"meb": value, "wage": value, "labour_demand": value})
    graph = SettlementGraph(load_scenario(data).graph, steps=4)
    for attr in ("meb", "wage", "labour_demand"):
        assert graph.by_step[attr][:, 1].tolist() == expected
        assert getattr(graph, attr)[1] == expected[0]  # the arrays start at step 0's value
    assert schedule_by_step(value, 4).dtype == np.float64  # MEB 62.37 stays 62.37


def test_a_map_read_from_json_has_string_steps():
    scenario = load_scenario(_with_node({"meb": {"0": 60, "3": 90}}))
    assert scenario.graph.nodes[1].meb == {0: 60.0, 3: 90.0}


@pytest.mark.parametrize("key, value, message", [
    ("meb", {0: 60, 3: -1}, "step 3: must be a number >= 0 (got -1)"),
    ("meb", {3: 90}, "the map starts at step 3: give step 0 too"),
    ("wage", [150, "high"], "step 1: must be a number >= 0 (got 'high')"),
    ("wage", [], "an empty list"),
    ("labour_demand", {0: 10, -2: 5}, "step -2: a step must be a whole number >= 0"),
    ("labour_demand", "many", "must be a number >= 0"),
    ("threat", {0: 0.2, 4: 1.5}, "step 4: must be a number from 0 to 1 (got 1.5)"),
])
def test_a_bad_schedule_is_one_error_naming_the_key_and_step(tmp_path, key, value, message):
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_with_node({key: value})))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    [(file, line, where, text)] = caught.value.problems
    assert (file, where) == (str(path), f"graph.nodes[1].{key}") and line is not None
    assert message in text


def _run_until(data: dict, step: int) -> PRDSModel:
    model = PRDSModel(load_scenario(data), with_agents=False)
    while model.steps < step:
        model.step()
    return model


def _harmful(model) -> float:
    return float(np.mean(model.households.lcs >= Coping.CRISIS))


def test_a_doubled_meb_from_step_k_raises_harmful_coping_from_k_only():
    k, steps = 4, 16  # long enough for savings and credit (stress) to run out after k
    hosts = [{"group": "host", "node": name, "households": 300, "savings_mean": 100,
              "livelihoods": {"wage": 0.5, "casual": 0.5}} for name in ("Origin", "Town")]
    flat = _with_node({}, steps=steps, populations=hosts)
    dear = _with_node({}, steps=steps, populations=hosts)
    for run in (flat, dear):
        for node in run["graph"]["nodes"]:
            node["labour_demand"] = 1000  # jobs for all: without the MEB rise, few cope badly
        # hosts' credit at 2 months of the basket, whatever the calibrated limit (7.8 since
        # 2026-12-07 18:19: a year of borrowing, longer than this run)
        run["parameters"] = {"host_borrow_limit_months": 2.0}
    for node in dear["graph"]["nodes"]:
        node["meb"] = {0: node["meb"], k: 2 * node["meb"]}
    before_flat, before_dear = _run_until(flat, k - 1), _run_until(dear, k - 1)
    for name in COLUMNS:  # the state up to step k-1 is the flat run's, bit for bit
        np.testing.assert_array_equal(getattr(before_dear.households, name),
                                      getattr(before_flat.households, name), err_msg=name)
    assert before_dear.recorder.summaries == before_flat.recorder.summaries
    after_flat, after_dear = _run_until(flat, steps), _run_until(dear, steps)
    assert after_dear.graph.meb.tolist() == [100.0, 120.0, 100.0]
    assert _harmful(after_dear) > _harmful(after_flat) + 0.1


def test_a_wage_schedule_moves_income_from_its_step():
    hosts = [{"group": "host", "node": "Town", "households": 200,
              "livelihoods": {"wage": 1.0}}]
    raised = _with_node({"wage": {0: 250, 3: 500}}, steps=4, populations=hosts)
    flat = _with_node({}, steps=4, populations=hosts)
    before = [_run_until(data, 2).households for data in (raised, flat)]
    np.testing.assert_array_equal(before[0].income, before[1].income)  # the same until step 3
    np.testing.assert_array_equal(before[0].node, before[1].node)
    in_town = before[1].node[:200] == 1  # where step 3's income is earned (a few moved on)
    assert in_town.sum() > 150
    after = [_run_until(data, 3).households.income[:200] for data in (raised, flat)]
    assert after[1][in_town].max() > 0
    # wage income is pro rata the wage: doubled in town, the same elsewhere
    np.testing.assert_allclose(after[0][in_town], 2.0 * after[1][in_town], rtol=1e-6)
    np.testing.assert_array_equal(after[0][~in_town], after[1][~in_town])


def test_jobs_follow_their_schedule_through_damage_and_stabilization():
    """Scheduled jobs set the intact level; stabilization adds to it; damage and threat cut
    the jobs there are (phases/shocks.py)."""
    jobs = {0: 100, 3: 40}
    stabilization = {"type": "stabilization", "start": 1, "end": 2, "jobs": 30,
                     "targeting": {"nodes": ["Town"]}, "small_grant": 0}
    data = _with_node({"labour_demand": jobs, "threat": {0: 0.0, 2: 0.6}}, steps=5,
                      interventions=[stabilization])
    model = _run_until(data, 2)
    assert model.graph.base_labour_demand[1] == pytest.approx(130.0)  # 100 + the 30 created
    model = _run_until(data, 5)
    graph = model.graph
    assert graph.base_labour_demand[1] == pytest.approx(70.0)  # 40 scheduled + the 30 created
    intact = 1.0 - graph.damage[1]
    assert 0 < intact < 1  # the threat did damage
    assert graph.labour_demand[1] == pytest.approx(70.0 * intact * (1 - 0.5 * 0.6))
    without = _run_until(_with_node({"labour_demand": 100, "threat": {0: 0.0, 2: 0.6}},
                                    steps=5, interventions=[stabilization]), 5)
    assert without.graph.base_labour_demand[1] == pytest.approx(130.0)


def test_jobs_follow_their_schedule_when_the_plan_has_no_shocks_phase():
    data = _with_node({"labour_demand": [100, 100, 60]}, steps=3,
                      phases=["livelihoods", "coping", "indicators"])
    model = _run_until(data, 3)
    assert model.graph.labour_demand[1] == 60.0 and model.graph.base_labour_demand[1] == 60.0
