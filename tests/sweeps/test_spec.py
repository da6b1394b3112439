"""Sweep files: validated before anything runs, errors name the file, line and key."""

import pytest
from sweep_cases import sweep_data, tiny_with_cash, write_sweep_files

from simulation.scenario import SCENARIOS_DIR
from simulation.sweeps import SweepError, from_data, load_sweep

EXAMPLE = SCENARIOS_DIR / "sweeps" / "behaviour_and_cash.sweep.yaml"


def test_example_sweep_loads_with_uncertainties_and_a_lever():
    sweep = load_sweep(EXAMPLE)
    assert sweep.design.method == "sobol"
    assert len(sweep.uncertainties) >= 4 and list(sweep.levers) == ["interventions.cash.transfer"]
    assert sweep.kind("interventions.cash.transfer") == "lever"
    data = sweep.scenario_data()  # extends resolved: workers get plain data
    assert "extends" not in data and data["interventions"][0]["name"] == "cash"


def error_of(path) -> str:
    with pytest.raises(SweepError) as caught:
        load_sweep(path)
    return str(caught.value)


def test_typo_names_file_line_key_and_nearest(tmp_path):
    path = write_sweep_files(tmp_path)
    text = path.read_text().replace("replicates:", "replicats:")
    path.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("replicats"))
    message = error_of(path)
    assert f"{path}:{line}: replicats: unknown key; did you mean 'replicates'?" in message


def test_factor_errors_point_into_the_factor(tmp_path):
    path = write_sweep_files(tmp_path)
    text = path.read_text()
    path.write_text(text.replace("high: 0.9", "hihg: 0.9"))
    message = error_of(path)
    assert "uncertainties.parameters.casual_wage_share.hihg: unknown key; did you mean 'high'?" \
        in message
    path.write_text(text.replace("distribution: triangular", "distribution: trianglar"))
    assert "did you mean 'triangular'?" in error_of(path)
    path.write_text(text.replace("low: 0.3", "low: 0.95"))
    assert "high (0.9) must be above low (0.95)" in error_of(path)


def test_sobol_needs_a_power_of_two(tmp_path):
    path = write_sweep_files(tmp_path, method="sobol", samples=48)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "samples:" in t)
    assert (f"{path}:{line}: design.samples: sobol needs a power of 2 for its balance "
            f"properties (got 48; try 32 or 64)") in error_of(path)
    sweep = load_sweep(write_sweep_files(tmp_path, method="sobol", samples=32))
    with pytest.raises(SweepError, match="--samples: .*power of 2"):
        sweep.with_samples(20)
    assert sweep.with_samples(8).design.samples == 8


def test_unknown_outcome_suggests_the_summary_key():
    data = sweep_data(tiny_with_cash(), outcomes=["self_reliance_share"])
    with pytest.raises(SweepError, match="outcomes\\[0\\]: unknown outcome 'self_reliance_share'; "
                                         "did you mean 'self_reliant_share'"):
        from_data(data)


def test_key_paths_the_scenario_rejects_fail_before_any_run(tmp_path):
    base = sweep_data(tiny_with_cash())
    typo = {**base, "uncertainties": {"parameters.savings_rat": {"low": 0.1, "high": 0.2}}}
    with pytest.raises(SweepError, match="rejects parameters.savings_rat = 0.1: "
                                         "parameters.savings_rat: unknown key; did you mean "
                                         "'savings_rate'"):
        from_data(typo)
    too_high = {**base, "uncertainties": {"parameters.savings_rate": {"low": 0.5, "high": 1.5}}}
    with pytest.raises(SweepError, match="rejects parameters.savings_rate = 1.5"):
        from_data(too_high)
    no_such = {**base, "levers": {"interventions.cahs.transfer": {"low": 0, "high": 9}}}
    with pytest.raises(SweepError, match="no item named 'cahs'"):
        from_data(no_such)


def test_bad_scenario_file_is_reported_with_its_own_line(tmp_path):
    path = write_sweep_files(tmp_path)
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(scenario.read_text().replace("days_per_step:", "days_per_stp:"))
    message = error_of(path)
    assert "scenario: the scenario is not valid" in message
    assert f"{scenario}:" in message and "did you mean 'days_per_step'" in message


def test_not_a_mapping_and_yaml_errors(tmp_path):
    path = tmp_path / "x.sweep.yaml"
    path.write_text("- a\n- b\n")
    assert "must be a mapping" in error_of(path)
    path.write_text("name: [unclosed\n")
    assert f"{path}:" in error_of(path) and "not valid YAML" in error_of(path)
    assert "file not found" in error_of(tmp_path / "missing.yaml")


def test_seed_cannot_be_a_factor():
    data = sweep_data(tiny_with_cash(), uncertainties={"seed": {"low": 0, "high": 9}})
    with pytest.raises(SweepError, match="'seed' cannot vary"):
        from_data(data)
