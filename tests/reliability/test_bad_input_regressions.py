"""One test per bad-input crash the fuzzers found, fixed in the loader, schema or engine.

Each was a traceback from deep inside (or a hang, or a silent wrong state) before its fix;
each now ends in a ScenarioError naming the file and the line or key path, or in a valid run.
"""

import time

import numpy as np
import pytest
import yaml
from conftest import tiny_scenario_dict

from simulation.checks import run_checked
from simulation.model import PRDSModel
from simulation.scenario import ScenarioError, load_scenario


def error_of(source, overrides=None) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(source, overrides)
    return caught.value


def test_deep_nesting_is_an_error_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("name: " + "[" * 5000 + "]" * 5000 + "\n")
    error = error_of(path)
    assert str(path) in str(error) and "nested more than" in str(error)
    assert error.problems[0][1] == 1


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nname: *a8\n")
    started = time.perf_counter()
    error = error_of(path)
    assert "aliases are expanded" in str(error)
    assert time.perf_counter() - started < 10  # it hung (exponential expansion) before the fix


def test_self_referencing_alias_is_an_error(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("name: &x [1, *x]\n")
    assert "refers to a collection that contains it" in str(error_of(path))


def test_control_character_and_bad_utf8_name_their_line(tmp_path):
    path = tmp_path / "ctrl.yaml"
    path.write_text("name: a\nsteps: 3\ndescription: \x9b\n", encoding="utf-8")
    error = error_of(path)
    assert error.problems[0][1] == 3 and "not allowed" in str(error)
    path.write_bytes("name: a\nsteps: 3\ndescription: caf\xe9\n".encode("latin-1"))
    error = error_of(path)
    assert error.problems[0][1] == 3 and "not UTF-8" in str(error)


@pytest.mark.parametrize("key", ["name.x", "steps[0]", "", "seed.x.y"])
def test_override_into_a_scalar_or_empty_path_is_a_scenario_error(key):
    error = error_of(tiny_scenario_dict(), {key: 1})
    assert "override" in str(error)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 1e300, 10**400])
def test_non_finite_or_huge_numbers_name_their_key(tmp_path, value):
    data = tiny_scenario_dict()
    data["graph"]["nodes"][1]["wage"] = value
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    error = error_of(path)
    (file, line, key, message), = error.problems
    assert file == str(path) and line is not None and key == "graph.nodes[1].wage"
    assert "finite" in message or "too large" in message


def test_coordinates_must_be_finite():
    data = tiny_scenario_dict()
    data["graph"]["nodes"][0]["x"] = float("nan")
    assert error_of(data).problems[0][2] == "graph.nodes[0].x"


def test_absurd_household_count_is_an_error_not_an_allocation():
    data = tiny_scenario_dict()
    data["populations"][0]["households"] = 10**12
    assert error_of(data).problems[0][2] == "populations[0].households"


def test_population_cannot_start_in_transit():
    # it had no destination: the first arrival moved it to node -1 (the last node, silently)
    data = tiny_scenario_dict()
    data["populations"][0]["status"] = "in_transit"
    error = error_of(data)
    assert error.problems[0][2] == "populations[0].status" and "in_transit" in str(error)


def test_scenario_without_households_runs():
    # np.bincount of no households gave an int array that could not hold the shares
    model = PRDSModel(load_scenario(tiny_scenario_dict(populations=[])), with_agents=False)
    run_checked(model)
    assert len(model.households) == 0 and model.recorder.summaries[-1]["households"] == 0


def test_tiny_unit_cost_with_a_budget_does_not_overflow():
    # budget // cost_per_household was infinite, and int(inf) raised OverflowError; the loader
    # now refuses such a number, but a spec built in Python (no validation) still gets here
    data = tiny_scenario_dict(steps=2, interventions=[
        {"type": "cash", "transfer": 1.0, "budget": 100}])
    scenario = load_scenario(data)
    cash = scenario.interventions[0].model_copy(update={"transfer": 1e-300})
    scenario = scenario.model_copy(update={"interventions": [cash]})
    model = PRDSModel(scenario, with_agents=False)
    run_checked(model)
    assert np.isfinite(model.cost_total)


def test_vanishing_numbers_are_refused():
    # a MEB of 5.6e-39 (a float32 subnormal) made needs ~0 and living standards infinite
    data = tiny_scenario_dict()
    data["graph"]["nodes"][1]["meb"] = 5.6e-39
    (_, _, key, message), = error_of(data).problems
    assert key == "graph.nodes[1].meb" and "too small" in message
    data["graph"]["nodes"][1]["meb"] = 0.0  # zero is a number like any other
    load_scenario(data)


# --- the Flee reader ------------------------------------------------------------------------------
def flee_error(tmp_path, **changes):
    from test_fuzz_flee import BASE, build

    from simulation.validation.flee_io import FleeFormatError, read_flee_conflict

    root = build(tmp_path / "conflict", {**BASE, **changes})
    with pytest.raises(FleeFormatError) as caught:
        read_flee_conflict(root)
    return caught.value


def test_flee_file_name_too_long_is_a_format_error(tmp_path):
    # Path.is_file() raised OSError (ENAMETOOLONG) from deep inside the reader
    error = flee_error(tmp_path, **{"source_data/data_layout.csv": "total,total.csv\nC," + "9" * 5000 + "\n"})
    assert error.path.name == "data_layout.csv" and error.row == 2 and "not found" in error.problem


def test_flee_vanishing_count_before_a_registration_correction_is_a_format_error(tmp_path):
    # a count of 1e-310 made the rescaling factor infinite and the observed counts NaN
    series = "Date,count\n2015-01-01,0\n2015-01-03,1E-310\n2015-01-04,60\n2015-01-06,90\n"
    error = flee_error(tmp_path, **{"source_data/c.csv": series})
    assert error.path.name == "registration_corrections.csv" and error.row == 1
    assert "cannot be rescaled" in error.problem
