"""Samplers and seeds: sizes per method, values within ranges, seeds keyed by run index."""

import numpy as np
import pytest
from sweep_cases import sweep_data, tiny_with_cash

from simulation.sweeps import Sweep, build_design, from_data, run_seed
from simulation.sweeps.factors import Normal, Uniform, Values


def design_of(**changes):
    return build_design(from_data(sweep_data(tiny_with_cash(), **changes)))


def test_run_seed_is_the_spawned_child_of_the_root():
    children = np.random.SeedSequence(123).spawn(50)
    for i in (0, 1, 17, 49):
        expected = int(children[i].generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        assert run_seed(123, i) == expected
    assert len({run_seed(123, i) for i in range(1000)}) == 1000
    assert run_seed(123, 5) != run_seed(124, 5)


@pytest.mark.parametrize(("method", "samples", "points"), [
    ("lhs", 32, 32),
    ("sobol", 16, 16 * (4 + 2)),     # Saltelli: N (D + 2) without second order
    ("morris", 5, 5 * (4 + 1)),      # N trajectories of D + 1 points
    ("grid", 3, 3 * 3 * 3 * 2),      # 3 levels per range, 2 listed values
])
def test_design_sizes(method, samples, points):
    design = design_of(method=method, samples=samples, replicates=2)
    assert len(design.points) == points
    runs = design.runs
    assert len(runs) == 2 * points
    assert runs["run"].tolist() == list(range(2 * points))
    assert runs["replicate"].tolist() == [0, 1] * points
    assert (runs.groupby("point")["interventions.cash.transfer"].nunique() == 1).all()
    assert runs["seed"].nunique() == 2 * points  # one seed per run
    assert runs["seed"].tolist() == [run_seed(11, i) for i in range(2 * points)]


def test_values_stay_in_their_ranges_and_lists():
    runs = design_of(method="sobol", samples=64).runs
    wage = runs["parameters.casual_wage_share"]
    assert wage.between(0.3, 0.9).all() and wage.std() > 0.1
    savings = runs["parameters.savings_rate"]
    assert savings.between(0.1, 0.6).all()
    assert abs(savings.mean() - (0.1 + 0.3 + 0.6) / 3) < 0.03  # triangular mean
    assert set(runs["interventions.cash.targeting.rule"]) == {"random", "poorest_first"}


def test_common_seeds_share_a_seed_per_replicate():
    runs = design_of(replicates=3, common_seeds=True).runs
    assert runs["seed"].nunique() == 3
    assert (runs.groupby("replicate")["seed"].nunique() == 1).all()
    assert runs.loc[runs["replicate"] == 2, "seed"].iloc[0] == run_seed(11, 2)


def test_same_sweep_same_design_and_seed_changes_it():
    first, again = design_of(), design_of()
    assert first.runs.equals(again.runs)
    other = design_of(seed=12).runs
    assert not np.array_equal(first.runs["parameters.casual_wage_share"],
                              other["parameters.casual_wage_share"])


def test_factor_mappings():
    u = np.linspace(0, 1, 101)
    counts = Uniform(low=1, high=4, integer=True).from_unit(np.random.default_rng(0).random(4000))
    assert set(counts.tolist()) == {1, 2, 3, 4}
    assert np.all(np.abs(np.bincount(counts)[1:] - 1000) < 120)  # each whole number alike
    normal = Normal(mean=0.0, sd=1.0).from_unit(u)
    assert np.isfinite(normal).all() and normal.min() == pytest.approx(-3.09, abs=0.01)
    truncated = Normal(mean=0.0, sd=1.0, low=-0.5, high=2.0).from_unit(u)
    assert truncated.min() == pytest.approx(-0.5) and truncated.max() == pytest.approx(2.0)
    assert Values(values=["a", "b", "c"]).from_unit(np.array([0.0, 0.34, 0.99, 1.0])).tolist() \
        == ["a", "b", "c", "c"]
    assert Uniform(low=0, high=10).grid(3) == [0.0, 5.0, 10.0]


def test_pure_design_needs_no_scenario():
    """A design can be built from the schema alone (the Python API, other models)."""
    sweep = Sweep.model_validate({"name": "f", "scenario": {}, "design": {"method": "lhs",
                                  "samples": 10}, "uncertainties": {"x": {"low": 0, "high": 1}}})
    assert len(build_design(sweep).runs) == 10
