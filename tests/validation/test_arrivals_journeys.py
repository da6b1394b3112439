"""The engine pieces validation needs: arrivals, hop-by-hop journeys, plans, closed borders."""

import copy

import numpy as np
import pytest
from conftest import tiny_scenario_dict
from flee_cases import write_conflict

from simulation.checks import run_checked
from simulation.codes import Status
from simulation.model import PRDSModel
from simulation.phases import PLAN, plan_for
from simulation.phases.arrivals import decay_factor, threat_onset
from simulation.scenario import ScenarioError, load_scenario
from simulation.validation.convert import flee_scenario, load_validation_parameters
from simulation.validation.flee_io import read_flee_conflict

HOP = {"hop_by_hop_flight": 1.0}
DIRECT = {"hop_by_hop_flight": 0.0}


def border_scenario(tmp_path, mode: dict):
    settings = copy.deepcopy(load_validation_parameters())
    settings["scenario"]["parameters"].update(mode)
    if mode["hop_by_hop_flight"] == 0:
        settings["scenario"]["phases"] = ["shocks", "mobility"]
    return load_scenario(flee_scenario(read_flee_conflict(write_conflict(tmp_path / "c")),
                                       settings))


@pytest.mark.parametrize("mode", [HOP, DIRECT], ids=["hop", "direct"])
def test_closed_border_is_not_crossed(tmp_path, mode):
    model = PRDSModel(border_scenario(tmp_path, mode), seed=3, with_agents=False)
    g = model.graph.index
    alpha, near, far = g["Alpha"], g["Camp Near"], g["Camp Far"]
    hh = model.households
    for _ in range(30):  # steps 1..30 = days 0..29, the border closed
        model.step()
        assert model.flows[alpha, near] == 0 and model.flows[near, alpha] == 0
        heading = np.where(hh.status == Status.IN_TRANSIT, hh.destination, hh.node)
        assert not np.any(heading == near)
    assert np.count_nonzero(hh.node == far) > 0  # they fled the long way round
    model.run()
    assert model.flows[alpha, near] > 0  # open again from day 30
    assert np.count_nonzero((hh.node == near) & (hh.status == Status.DISPLACED_CAMP)) > 0


@pytest.mark.parametrize("mode", [HOP, DIRECT], ids=["hop", "direct"])
def test_imported_conflict_keeps_every_invariant(tmp_path, mode):
    model = PRDSModel(border_scenario(tmp_path, mode), seed=8, with_agents=False)
    checker = run_checked(model)  # raises on the first broken invariant
    assert checker.steps_checked == 60 and model.flows.sum() > 0


def test_hop_journeys_respect_capacity_and_end_in_camps():
    data = tiny_scenario_dict(
        steps=12, days_per_step=1, phases=["shocks"], populations=[],
        parameters={**HOP, "capacity_scaling": 1.0, "travel_speed_km_day": 60},
        arrivals=[{"group": "displaced", "node": "Origin", "counts": [100] * 5, "size_mean": 1}])
    data["graph"]["nodes"][2]["capacity"] = 150
    model = PRDSModel(load_scenario(data), seed=1, with_agents=False)
    hh, camp = model.households, model.graph.index["Camp"]
    for step in range(1, 13):
        model.step()
        assert len(hh) == 100 * min(step, 5)
        claims = np.where(hh.status == Status.IN_TRANSIT, hh.destination, hh.node)
        assert np.count_nonzero(claims == camp) <= 150
        settled = hh.status != Status.IN_TRANSIT
        assert np.all(hh.node[settled] == camp)  # journeys end only in camps
        assert np.all(hh.status[settled] == Status.DISPLACED_CAMP)
        travelling = ~settled
        assert np.all(hh.hop_journey[travelling]) and np.all(hh.destination[travelling] >= 0)
    assert np.count_nonzero(hh.node == camp) == 150  # the camp fills up, the others wait
    assert model.flows.sum() >= 150


def test_arrivals_follow_counts_threat_and_flee_flag():
    data = tiny_scenario_dict(
        steps=4, populations=[], phases=["shocks"],  # nothing moves them after they arrive
        arrivals=[{"group": "displaced", "nodes": {"Origin": 1, "Town": 3},
                   "counts": {2: 40, 3: 60}, "threat_weighted": True, "flee": False,
                   "size_mean": 1}])
    data["graph"]["nodes"][0]["threat"] = 0.8
    model = PRDSModel(load_scenario(data), seed=5, with_agents=True)
    sizes = []
    for _ in range(4):
        model.step()
        sizes.append(len(model.households))
    hh = model.households
    assert sizes == [0, 40, 100, 100]
    assert len(model.agents) == 100  # arrivals get their Mesa agent views
    assert np.all(hh.node == model.graph.index["Origin"])  # the town has no threat: no weight
    assert np.all(hh.status == Status.DISPLACED_HOST) and np.all(hh.size == 1)
    assert hh.t_displaced[:40].tolist() == [2] * 40


def test_arrivals_spread_by_weight_and_fall_back_without_threat():
    data = tiny_scenario_dict(
        steps=1, populations=[],
        arrivals=[{"group": "displaced", "nodes": {"Origin": 1, "Town": 3}, "households": 4000,
                   "threat_weighted": True, "flee": False}])
    model = PRDSModel(load_scenario(data), seed=2, with_agents=False)
    model.step()
    share_town = np.mean(model.households.node == model.graph.index["Town"])
    assert 0.72 < share_town < 0.78  # no threat anywhere: the plain weights, 3 to 1


def test_decay_and_onset():
    threat = np.array([[0, 1], [1, 1], [1, 0], [0, 0], [1, 1]], dtype=float)
    assert threat_onset(threat, 2).tolist() == [1, 0]
    assert threat_onset(threat, 4).tolist() == [4, 4]
    days = np.array([0, 29, 30, 95, 130, 1000])
    assert decay_factor([1, 1, 1, 0.5, 0.1], days, 30).tolist() == [1, 1, 1, 0.5, 0.1, 0.1]
    assert decay_factor([], days, 30).tolist() == [1.0] * 6


def test_plan_is_unchanged_unless_a_scenario_asks(tiny):
    assert plan_for(tiny) == list(PLAN)
    data = tiny_scenario_dict(phases=["shocks", "mobility"], parameters=HOP,
                              arrivals=[{"group": "displaced", "node": "Origin", "households": 1}])
    names = [name for name, _ in plan_for(load_scenario(data))]
    assert names == ["shocks", "arrivals", "journeys", "mobility"]


def test_same_seed_same_counts(tmp_path):
    scenario = border_scenario(tmp_path, HOP)

    def camp_counts(seed):
        model = PRDSModel(scenario, seed=seed, with_agents=False)
        model.run()
        return np.bincount(model.households.node, minlength=model.graph.n_nodes)

    assert np.array_equal(camp_counts(4), camp_counts(4))
    assert not np.array_equal(camp_counts(4), camp_counts(5))


@pytest.mark.parametrize(("arrivals", "phases", "where", "says"), [
    ({"node": "Origin", "nodes": {"Town": 1}}, None, "arrivals[0].node", "not both"),
    ({"nodes": {"Twon": 1}}, None, "arrivals[0].nodes", "did you mean 'Town'"),
    ({"node": "Origin", "households": 2, "counts": [1]}, None, "arrivals[0].counts", "not both"),
    ({"node": "Origin"}, ["shocks", "mobilty"], "phases", "allowed: shocks, assistance"),
])
def test_bad_arrivals_and_phases_are_clear_errors(arrivals, phases, where, says):
    data = tiny_scenario_dict(arrivals=[{"group": "displaced", **arrivals}])
    if phases:
        data["phases"] = phases
    with pytest.raises(ScenarioError) as error:
        load_scenario(data)
    assert where in str(error.value) and says in str(error.value)
