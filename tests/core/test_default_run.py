"""The bundled default scenario: invariants every step, reproducibility, files, agents."""

import json

import numpy as np
import pandas as pd
import pytest

from simulation.api import run
from simulation.codes import Coping, Group, Status
from simulation.model import PRDSModel
from simulation.phases.coping import BIT, RESTORABLE
from simulation.scenario import DEFAULT_SCENARIO, load_scenario


@pytest.fixture(scope="module")
def default():
    return load_scenario(DEFAULT_SCENARIO)


RESTORABLE_BITS = np.uint16(sum(int(BIT[name]) for name in RESTORABLE))


def test_invariants_hold_every_step(default):
    model = PRDSModel(default, seed=1)
    hh = model.households
    n0, persons0 = len(hh), int(hh.size.sum())
    exhausted_before = hh.strategies_exhausted.copy()
    for _ in range(default.steps):
        model.step()
        assert len(hh) == n0 and int(hh.size.sum()) == persons0  # persons conserved
        assert np.isin(hh.status, [int(s) for s in Status]).all()  # one valid status each
        assert ((hh.node >= 0) & (hh.node < model.graph.n_nodes)).all()  # one valid node each
        for column in ("savings", "income", "assets", "debt", "aid", "household_goods",
                       "house_value"):
            assert (getattr(hh, column) >= 0).all(), column
        assert ((hh.lcs >= Coping.NONE) & (hh.lcs <= Coping.EMERGENCY)).all()
        assert ((hh.rcsi >= 0) & (hh.rcsi <= 56)).all()
        assert ((hh.rsi >= 1) & (hh.rsi <= 5)).all()
        # a strategy exhausted at an earlier step is not used again unless its resource can
        # come back (credit repaid, goods or assets owned again: coping.restore)
        assert not (hh.strategies_used & exhausted_before & ~RESTORABLE_BITS).any()
        exhausted_before = hh.strategies_exhausted.copy()
        counts = model.recorder.cells[-1]["households"]
        assert counts.sum() == n0 and (counts > 0).all()


def test_default_shows_self_reliance_and_harmful_strategies(default):
    summary = run(default, seed=42, with_agents=False).summary
    assert summary["self_reliant_share"] > 0.2
    assert summary["harmful_coping_share"] > 0.2
    assert summary["emergency_coping_share"] > 0.05
    assert summary["aid_dependent_share"] > 0.05
    assert summary["durable_solution_share"] > 0.0
    assert summary["irregular_migration"] > 0.0
    assert summary["settled_elsewhere"] + summary["locally_integrated"] > 0.0


def test_same_seed_bit_identical_different_seed_differs(default, tmp_path):
    a = run(default, seed=5, steps=12, with_agents=False)
    b = run(default, seed=5, steps=12, with_agents=False)
    c = run(default, seed=6, steps=12, with_agents=False)
    a.write(tmp_path / "a", with_plots=False)
    b.write(tmp_path / "b", with_plots=False)
    assert (tmp_path / "a" / "timeseries.parquet").read_bytes() == \
        (tmp_path / "b" / "timeseries.parquet").read_bytes()
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    assert not a.timeseries.equals(c.timeseries)


def test_prds_run_writes_every_output(tmp_path):
    from typer.testing import CliRunner

    from simulation.cli import app

    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--out", str(out), "--steps", "4", "--seed", "3"])
    assert result.exit_code == 0, result.output
    for name in ("timeseries.parquet", "metrics.parquet", "summary.json", "statuses.png",
                 "coping.png", "self_reliance.png", "graph.png"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    from simulation.outputs.summary import SUMMARY_KEYS

    assert set(SUMMARY_KEYS) <= set(summary)
    assert summary["seed"] == 3 and summary["steps"] == 4
    table = pd.read_parquet(out / "timeseries.parquet")
    assert {"step", "node", "group", "status", "lcs", "households", "persons",
            "mean_rsi", "mean_rcsi"} <= set(table.columns)
    assert table.groupby("step")["households"].sum().eq(summary["households"]).all()
    assert "self_reliant_share" in result.output
    assert "not_modelled" not in summary and "not modelled" not in result.output  # full plan
    assert not list(out.glob(".*.tmp")), "no temporary files left behind"


def test_a_reduced_plan_marks_the_outcomes_it_cannot_produce(tmp_path):
    from typer.testing import CliRunner

    from simulation.cli import app
    from simulation.outputs.summary import OUTCOME_KEYS, not_modelled
    from simulation.phases import PLAN

    # coping without indicators: LCS is real, RSI and self-reliance are not; interventions'
    # own outcomes (cost, workers abroad) have no phase to miss
    assert not_modelled(["shocks", "livelihoods", "coping"]) == [
        key for key in OUTCOME_KEYS if key not in ("harmful_coping_share",
                                                   "emergency_coping_share", "cost_total",
                                                   "workers_abroad_share")]
    assert not_modelled([name for name, _ in PLAN]) == []
    scenario = tmp_path / "shocks_only.yaml"
    scenario.write_text(f"extends: {DEFAULT_SCENARIO}\nname: shocks_only\nphases: [shocks]\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--steps", "2",
                                      "--no-plots"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["not_modelled"] == not_modelled(["shocks"])
    assert "mean_rsi" in summary["not_modelled"] and "cost_total" not in summary["not_modelled"]
    assert "workers_abroad_share" not in summary["not_modelled"]
    assert "not modelled" in result.output and "runs only shocks" in " ".join(result.output.split())


def test_agents_are_views_onto_household_rows(default):
    model = PRDSModel(default, seed=2, steps=2)
    hh = model.households
    assert len(model.agents) == len(hh)
    by_type = {cls.__name__: len(agents) for cls, agents in model.agents_by_type.items()}
    assert by_type["DisplacedHousehold"] == int((hh.group == Group.DISPLACED).sum())
    assert by_type["HostHousehold"] == int((hh.group == Group.HOST).sum())
    agent = next(a for a in model.agents if a.row == 10)
    model.step()
    assert agent.savings == pytest.approx(float(hh.savings[10]))
    agent.savings = 1234.5
    assert hh.savings[10] == pytest.approx(1234.5)
    described = agent.describe()
    assert described["node"] in model.graph.names and described["status"] in {
        s.name.lower() for s in Status}
