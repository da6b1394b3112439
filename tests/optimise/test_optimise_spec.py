"""The optimisation file: schema, and bad input as clear errors naming the file, line and key."""

import pytest
import yaml
from optimise_cases import problem_data, write_problem_files

from simulation.optimise import OptimiseError, from_data, load_optimisation
from simulation.scenario import SCENARIOS_DIR

PROTRACTED = SCENARIOS_DIR / "optimise" / "protracted.optimise.yaml"


def error_of(tmp_path, edit) -> str:
    """The message of loading the tiny optimisation file after ``edit(data)``."""
    path = write_problem_files(tmp_path)
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(OptimiseError) as caught:
        load_optimisation(path)
    return str(caught.value)


def line_of(tmp_path, text: str) -> int:
    lines = (tmp_path / "tiny.optimise.yaml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_the_protracted_file_loads_with_four_programmes_and_the_base_seed():
    problem = load_optimisation(PROTRACTED)
    assert list(problem.programmes) == ["cash", "graduation", "cash_for_work", "social_cohesion"]
    assert problem.budget == 1_500_000 and problem.seed is None
    assert problem.root_seed == 2024  # the base scenario's: prds compare pairs with it
    assert problem.scenario_file.endswith("protracted/base.yaml")
    assert problem.uncertainty_sample() == [{}]


def test_defaults_and_overrides_of_the_search(tmp_path):
    problem = load_optimisation(write_problem_files(tmp_path))
    assert problem.robustness == "median" and problem.samples == 8
    wider = problem.with_search(generations=5, population=6)
    assert (wider.search.generations, wider.search.population) == (5, 6)
    assert wider.scenario_data() == problem.scenario_data()
    with pytest.raises(OptimiseError, match="--population"):
        problem.with_search(population=1)


def test_unknown_lever_names_the_file_line_key_and_the_allowed_settings(tmp_path):
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"]["levers"].update(
        {"transfr": {"low": 1, "high": 2}}))
    file = tmp_path / "tiny.optimise.yaml"
    assert f"{file}:{line_of(tmp_path, 'transfr')}: programmes.cash.levers.transfr" in message
    assert "did you mean 'transfer'?" in message
    assert "duration" in message and "targeting" in message  # the allowed keys are listed


def test_nested_lever_paths_are_checked_too(tmp_path):
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"]["levers"].update(
        {"targeting.rules": {"values": ["random", "poorest_first"]}}))
    assert "programmes.cash.levers.targeting.rules" in message
    assert "did you mean 'rule'?" in message


def test_a_lever_value_the_intervention_rejects(tmp_path):
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"]["levers"].update(
        {"transfer": {"low": -50, "high": 10}}))
    assert "programmes.cash.levers.transfer: the intervention rejects transfer = -50" in message
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"]["levers"].update(
        {"targeting.rule": {"values": ["random", "richest_first"]}}))
    assert "rejects targeting.rule = 'richest_first'" in message


def test_share_ranges_that_cannot_sum_to_one(tmp_path):
    def low_highs(d):
        d["programmes"]["cash"]["share"] = {"low": 0.0, "high": 0.1}
        d["programmes"]["graduation"]["share"] = {"low": 0.0, "high": 0.5}
    message = error_of(tmp_path, low_highs)
    assert "tiny.optimise.yaml" in message and "programmes: the budget share ranges cannot sum "
    assert "highs to 0.6" in message

    def high_lows(d):
        d["programmes"]["cash"]["share"] = {"low": 0.7, "high": 1.0}
        d["programmes"]["graduation"]["share"] = {"low": 0.5, "high": 0.8}
    assert "lows sum to 1.2" in error_of(tmp_path, high_lows)
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"].update(
        {"share": {"low": 0.6, "high": 0.2}}))
    assert "programmes.cash.share: high (0.2) must not be below low (0.6)" in message


def test_an_objective_that_is_not_a_summary_key(tmp_path):
    message = error_of(tmp_path, lambda d: d["objectives"].update({"self_reliance": "max"}))
    file = tmp_path / "tiny.optimise.yaml"
    assert f"{file}:{line_of(tmp_path, 'self_reliance:')}: objectives.self_reliance" in message
    assert "not a summary key; did you mean 'self_reliant_share'?" in message
    assert "allowed: households, persons, self_reliant_share" in message
    message = error_of(tmp_path, lambda d: d["objectives"].update({"cost_total": "least"}))
    assert "objectives.cost_total" in message and "'max' or 'min'" in message


def test_typos_and_missing_keys(tmp_path):
    message = error_of(tmp_path, lambda d: d.update({"budjet": 5}))
    assert "budjet: unknown key; did you mean 'budget'?" in message
    message = error_of(tmp_path, lambda d: d.pop("budget"))
    assert "budget: required key is missing" in message
    message = error_of(tmp_path, lambda d: d.update({"budget": 0}))
    assert "budget: Input should be greater than 0" in message
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"].update({"lever": {}}))
    assert "programmes.cash.lever: unknown key; did you mean 'levers'?" in message
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"]["levers"].update(
        {"transfer": {"distribution": "unifrom", "low": 1, "high": 2}}))
    assert "unknown distribution 'unifrom'" in message and "did you mean 'uniform'?" in message


def test_templates_are_checked_against_the_intervention_and_the_scenario(tmp_path):
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"]["intervention"].update(
        {"type": "cahs"}))
    assert "programmes.cash.intervention.type: unknown intervention type 'cahs'" in message
    assert "did you mean 'cash'?" in message
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"]["intervention"].update(
        {"transferr": 5}))
    assert "programmes.cash.intervention.transferr: unknown key; did you mean 'transfer'?" in message
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"]["intervention"].update(
        {"targeting": {"nodes": ["Nowhere"]}}))
    assert "programmes.cash.intervention.targeting.nodes: unknown node 'Nowhere'" in message
    message = error_of(tmp_path, lambda d: d["programmes"]["cash"]["intervention"].update(
        {"budget": 100}))
    assert "programmes.cash.intervention.budget: the optimiser sets each programme's budget" in message


def test_the_base_scenario_must_leave_the_budget_to_the_programmes(tmp_path):
    from conftest import tiny_scenario_dict
    from optimise_cases import CASH

    with pytest.raises(OptimiseError, match="already has interventions"):
        from_data(problem_data(tiny_scenario_dict(interventions=[CASH])))
    with pytest.raises(OptimiseError, match="the scenario is not valid"):
        from_data(problem_data(tiny_scenario_dict(steps=0)))


def test_uncertainties_are_checked_and_sampled_as_in_sweeps(tmp_path):
    data = problem_data(uncertainties={"parameters.casual_wage_share": {"low": 0.3, "high": 0.9}},
                        samples=4)
    problem = from_data(data)
    sample = problem.uncertainty_sample()
    assert len(sample) == 4 and len({s["parameters.casual_wage_share"] for s in sample}) == 4
    assert sorted(int(s["parameters.casual_wage_share"] * 4 // 0.6 - 2) for s in sample) == [
        0, 1, 2, 3]  # a Latin hypercube: one point in each quarter of the range
    assert from_data(data).uncertainty_sample() == sample  # seeded
    message = error_of(tmp_path, lambda d: d.update(
        {"uncertainties": {"parameters.flight_rat": {"low": 0.1, "high": 0.5}}}))
    assert "uncertainties.parameters.flight_rat" in message and "flight_rate" in message
    message = error_of(tmp_path, lambda d: d.update({"samples": 4}))
    assert "samples: there are no uncertainties to sample" in message


def test_nothing_to_search_is_an_error():
    data = problem_data()
    data["programmes"].pop("graduation")
    data["programmes"]["cash"]["levers"] = {}
    with pytest.raises(OptimiseError, match="nothing to search"):
        from_data(data)
