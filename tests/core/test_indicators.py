"""Indicators that only report are computed only at steps a recorder reads (indicators.step).

A run recorded only at its last step (``FinalSummary``: sweeps, optimisation) must end in
the same state, bit for bit, as one recorded every step: no phase may read an indicator in
``REPORTED``, or the skipped steps would change what it does.
"""

import numpy as np
import pytest

from simulation.model import PRDSModel
from simulation.outputs.recorder import FinalSummary, Recorder, StateOnly
from simulation.phases.indicators import REPORTED
from simulation.scenario import DEFAULT_SCENARIO, load_scenario
from simulation.state import COLUMNS

SCENARIOS = [DEFAULT_SCENARIO, "scenarios/protracted/mix_self_reliance.yaml",
             "scenarios/protracted/mix_return.yaml", "scenarios/protracted/labour_mobility.yaml"]


@pytest.mark.parametrize("path", SCENARIOS)
def test_a_run_recorded_at_its_end_only_ends_as_one_recorded_every_step(path):
    scenario = load_scenario(path)
    full = PRDSModel(scenario, seed=7, steps=18, with_agents=False, recorder=Recorder)
    final = PRDSModel(scenario, seed=7, steps=18, with_agents=False, recorder=FinalSummary)
    full.run()
    final.run()
    assert_same_state(full, final)
    assert full.recorder.summaries[-1] == final.recorder.summaries[-1]


def test_a_run_that_keeps_nothing_goes_as_one_recorded_every_step():
    """``StateOnly`` (the evidence probes' runs): the same state after every step."""
    scenario = load_scenario("scenarios/protracted/mix_self_reliance.yaml")
    full = PRDSModel(scenario, seed=11, steps=12, with_agents=False, recorder=Recorder)
    bare = PRDSModel(scenario, seed=11, steps=12, with_agents=False, recorder=StateOnly)
    for _ in range(12):
        full.step()
        bare.step()
        assert bare.today.reporting
        assert_same_state(full, bare)
    assert bare.recorder.summaries == [] and bare.recorder.cells == []


def assert_same_state(a, b) -> None:
    assert len(a.households) == len(b.households)
    for name in COLUMNS:
        x, y = getattr(a.households, name), getattr(b.households, name)
        assert np.array_equal(x, y, equal_nan=True), name
    assert np.array_equal(a.flows, b.flows)
    assert a.accounts == b.accounts


def test_reported_indicators_are_left_alone_at_steps_nothing_reads():
    scenario = load_scenario(DEFAULT_SCENARIO)
    model = PRDSModel(scenario, seed=3, steps=4, with_agents=False, recorder=FinalSummary)
    hh = model.households
    hh.rsi[:] = -9.0  # no indicator gives this: it stays until the step that is recorded
    for _ in range(3):
        model.step()
        assert not model.today.reporting
        assert (hh.rsi == -9.0).all()
    model.step()  # the last step: recorded
    assert model.today.reporting
    assert ((hh.rsi >= 1) & (hh.rsi <= 5)).all()
    assert set(REPORTED) <= set(COLUMNS)
