"""Indicators that only report are computed only at steps a recorder reads (indicators.step).

A run recorded only at its last step (``FinalSummary``: sweeps, optimisation) must end in
the same state, bit for bit, as one recorded every step: no phase may read an indicator in
``REPORTED``, or the skipped steps would change what it does.
"""

import numpy as np
import pytest

from simulation.model import PRDSModel
from simulation.outputs.recorder import FinalSummary, Recorder
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
    assert len(full.households) == len(final.households)
    for name in COLUMNS:
        a, b = getattr(full.households, name), getattr(final.households, name)
        assert np.array_equal(a, b, equal_nan=True), name
    assert full.recorder.summaries[-1] == final.recorder.summaries[-1]
    assert np.array_equal(full.flows, final.flows)
    assert full.accounts == final.accounts


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
