"""Reproducibility: same inputs and seed, bit-identical outputs; another seed, other outputs.

- Two fresh ``prds run`` processes with different Python hash seeds write byte-identical
  files (Parquet, JSON and PNG).
- Generated scenarios run twice in one process give identical household columns, flows and
  tables, with or without Mesa agent views; another seed gives other numbers.
- Common random numbers: an intervention that pays nothing changes no household at all.
(Identical sweep tables across executors and worker counts: ``tests/sweeps/test_executors.py``;
comparisons in one process and in two: ``tests/compare/test_seeds_and_pairs.py``.)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_scenario_dict
from hypothesis import HealthCheck, given, settings
from reliability_strategies import DERANDOMIZE, load_generated, scenarios

from simulation.api import run
from simulation.model import PRDSModel
from simulation.scenario import DEFAULT_SCENARIO, SCENARIOS_DIR, load_scenario
from simulation.state import COLUMNS

PRDS = Path(sys.executable).with_name("prds")


@pytest.mark.slow
def test_two_fresh_processes_write_bit_identical_files(tmp_path):
    runs = {"a": ("3", "0"), "b": ("3", "4242")}  # (another seed: the in-process test below)
    processes = {
        name: subprocess.Popen(
            [str(PRDS), "run", str(DEFAULT_SCENARIO), "--steps", "12", "--seed", seed,
             "--out", str(tmp_path / name)],
            env={**os.environ, "PYTHONHASHSEED": hash_seed}, cwd=tmp_path,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for name, (seed, hash_seed) in runs.items()
    }
    for name, process in processes.items():
        assert process.wait(300) == 0, f"{name}: {process.stderr.read()}"
    a, b = (sorted(p.name for p in (tmp_path / n).iterdir()) for n in ("a", "b"))
    assert a == b and {"timeseries.parquet", "summary.json", "metrics.parquet"} <= set(a)
    for name in a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["steps"] == 12 and summary["households"] > 0


def state_of(model) -> dict[str, np.ndarray]:
    hh = model.households
    return {**{name: getattr(hh, name).copy() for name in COLUMNS}, "flows": model.flows.copy()}


def assert_same_run(one, two) -> None:
    a, b = state_of(one), state_of(two)
    for name in a:
        assert a[name].tobytes() == b[name].tobytes(), name
    pd.testing.assert_frame_equal(one.recorder.timeseries(), two.recorder.timeseries(),
                                  check_exact=True)
    pd.testing.assert_frame_equal(one.recorder.metrics(), two.recorder.metrics(), check_exact=True)
    assert [i.report() for i in one.interventions] == [i.report() for i in two.interventions]


@settings(derandomize=DERANDOMIZE, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_steps=4))
def test_generated_scenarios_repeat_bit_for_bit(data):
    scenario = load_generated(data)
    one = PRDSModel(scenario, with_agents=False)
    one.run()
    two = PRDSModel(scenario, with_agents=True)  # agent views must not touch the numbers
    two.run()
    assert_same_run(one, two)


def test_an_intervention_that_pays_nothing_changes_no_household():
    base = load_scenario(DEFAULT_SCENARIO)
    data = base.model_dump(mode="json")
    data["interventions"] = [{"type": "cash", "transfer": 0.0, "targeting": {"share": 0.5}}]
    with_noop = load_scenario(data)
    plain = run(base, seed=9, steps=12, with_agents=False)
    noop = run(with_noop, seed=9, steps=12, with_agents=False)
    assert noop.interventions[0]["households_reached"] > 0 and noop.summary["cost_total"] == 0
    for name in COLUMNS:
        assert np.array_equal(getattr(plain.model.households, name),
                              getattr(noop.model.households, name)), name
    pd.testing.assert_frame_equal(plain.timeseries, noop.timeseries, check_exact=True)


def test_same_seed_repeats_and_another_seed_differs_in_process():
    scenario = load_scenario(tiny_scenario_dict(steps=6))
    one, two, other = (PRDSModel(scenario, seed=s, with_agents=False) for s in (1, 1, 2))
    for model in (one, two, other):
        model.run()
    assert_same_run(one, two)
    assert any(not np.array_equal(getattr(one.households, c), getattr(other.households, c))
               for c in ("savings", "income", "size", "skills"))



@pytest.mark.parametrize("pathway", [
    {"slots_per_month": 0},  # recruiting workers (the default mode), no places
    {"slots_per_month": 0, "mode": "household"},
    {"slots_per_month": 0, "recruit": False},
    {"slots_per_month": 20, "targeting": {"statuses": ["regular_migration"]}},  # nobody eligible
    {"slots_per_month": 20, "mode": "household",
     "targeting": {"statuses": ["regular_migration"]}},
], ids=["no_places", "no_places_household", "no_open_places", "nobody_eligible",
        "nobody_eligible_household"])
def test_a_labour_pathway_that_moves_nobody_changes_no_household(pathway):
    base = load_scenario(SCENARIOS_DIR / "protracted" / "base.yaml")
    data = base.model_dump(mode="json")
    data["interventions"] = [{"type": "labour_mobility", **pathway}]
    plain = run(base, seed=9, steps=12, with_agents=False)
    noop = run(load_scenario(data), seed=9, steps=12, with_agents=False)
    assert noop.summary["cost_total"] == 0
    for name in COLUMNS:
        assert np.array_equal(getattr(plain.model.households, name),
                              getattr(noop.model.households, name)), name
    assert np.array_equal(plain.model.flows, noop.model.flows)
    pd.testing.assert_frame_equal(plain.timeseries, noop.timeseries, check_exact=True)
    assert noop.summary == plain.summary  # workers_abroad_share 0.0 in both
