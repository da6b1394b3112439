"""The search: corners, the budget, common random numbers, the bad tail, resume, outputs."""

import functools
import tempfile

import numpy as np
import pandas as pd
import pytest
from optimise_cases import problem_data

from simulation.compare import compare, replicate_seeds
from simulation.optimise import OptimiseError, from_data, run_optimisation, write_outputs
from simulation.optimise.measures import bad_tail, non_dominated


@functools.cache
def reference():
    """The tiny optimisation, run once in this process (SerialExecutor): evaluations and
    the per-run results of its first generation."""
    with tempfile.TemporaryDirectory() as folder:
        result = run_optimisation(from_data(problem_data()), folder)
        runs = pd.read_parquet(f"{folder}/generations/g0000/results.parquet")
        return result, runs


def test_corners_and_the_even_split_are_always_evaluated():
    result, _ = reference()
    frame = result.evaluations
    corners = frame[frame["kind"] == "corner"]
    assert corners["label"].tolist() == ["cash alone", "graduation alone"]
    assert corners["cash.budget_share"].tolist() == [1.0, 0.0]
    assert (corners["generation"] == 0).all()
    even = frame[frame["kind"] == "even"]
    assert len(even) == 1 and even["cash.budget_share"].iloc[0] == 0.5
    assert (frame["kind"] == "search").sum() == 2 * 4  # generations x population
    assert set(frame["kind"]) == {"corner", "even", "search"}


def test_no_candidate_spends_more_than_the_budget():
    result, runs = reference()
    frame = result.evaluations
    assert frame["within_budget"].all()
    assert (frame["cost_max"] <= 20000).all()
    assert (runs["cost_total"] <= 20000).all()
    assert frame["cost"].max() > 10000  # the money is really spent
    budgets = frame[[c for c in frame if c.endswith(".budget")]].sum(axis=1)
    assert (budgets <= 20000).all()


def test_every_candidate_runs_on_the_same_paired_seeds():
    result, runs = reference()
    seeds = replicate_seeds(5, 3)
    assert result.seeds == seeds
    for _, mine in runs.groupby("mix"):
        assert mine.sort_values("replicate")["seed"].tolist() == seeds
    # a paired comparison of two of its mixes gives its numbers: same seeds, same runs
    frame = result.evaluations
    alone = frame[frame["label"] == "cash alone"].iloc[0]
    mixed = frame[frame["kind"] == "search"].iloc[0]
    scenarios = [result.portfolio.scenario(result.mixes[int(r["candidate"])])
                 for r in (alone, mixed)]
    check = compare(scenarios, replicates=3, seed=5, workers=1)
    for name, row in zip(check.names, (alone, mixed), strict=True):
        outcomes = check.document["scenarios"][name]["outcomes"]
        assert outcomes["self_reliant_share"]["median"] == row["self_reliant_share_median"]
        assert outcomes["self_reliant_share"]["p10"] == row["self_reliant_share_p10"]
        assert outcomes["harmful_coping_share"]["p90"] == row["harmful_coping_share_p10"]


def test_the_bad_tail_is_the_low_end_of_a_max_and_the_high_end_of_a_min():
    values = np.arange(11.0)
    assert bad_tail(values, "max") == 1.0 and bad_tail(values, "min") == 9.0
    result, _ = reference()
    frame = result.evaluations
    assert (frame["self_reliant_share_p10"] <= frame["self_reliant_share_median"]).all()
    assert (frame["harmful_coping_share_p10"] >= frame["harmful_coping_share_median"]).all()


def test_pareto_rows_are_the_non_dominated_feasible_mixes():
    result, _ = reference()
    frame = result.evaluations
    F = np.column_stack([-frame["self_reliant_share_median"], frame["harmful_coping_share_median"]])
    front = frame["pareto"].to_numpy()
    assert front.any()
    unique = ~frame["mix"].duplicated().to_numpy()
    assert (front == (non_dominated(np.where(unique[:, None], F, np.inf)) & unique)).all()
    chosen = result.chosen
    assert 1 <= len(chosen) <= 2 and chosen["pareto"].all()
    assert result.hypervolume["hypervolume"].is_monotonic_increasing


def test_uncertainties_are_shared_by_every_candidate(tmp_path):
    data = problem_data(uncertainties={"parameters.casual_wage_share": {"low": 0.3, "high": 0.9}},
                        samples=2, search={"generations": 1, "population": 2})
    result = run_optimisation(from_data(data), tmp_path)
    runs = pd.read_parquet(tmp_path / "generations" / "g0000" / "results.parquet")
    assert len(runs) == runs["mix"].nunique() * 2 * 3  # samples x replicates per mix
    per_mix = runs.groupby("mix")[["sample", "replicate", "seed"]].apply(
        lambda g: tuple(map(tuple, g.sort_values(["sample", "replicate"]).to_numpy())))
    assert per_mix.nunique() == 1  # the same worlds and seeds for all
    assert len(result.samples) == 2


def test_resume_reads_back_every_run_and_gives_the_same_evaluations(tmp_path):
    problem = from_data(problem_data())
    first = run_optimisation(problem, tmp_path)
    with pytest.raises(OptimiseError, match="pass --resume"):
        run_optimisation(problem, tmp_path)
    again = run_optimisation(problem, tmp_path, resume=True)
    assert again.ran == 0 and again.skipped == first.ran
    pd.testing.assert_frame_equal(first.evaluations, again.evaluations, check_exact=True)
    pd.testing.assert_frame_equal(reference()[0].evaluations, again.evaluations, check_exact=True)
    longer = run_optimisation(problem.with_search(generations=3), tmp_path, resume=True)
    assert longer.skipped == first.ran and longer.ran > 0  # a finished search continued
    pd.testing.assert_frame_equal(first.evaluations.drop(columns=["pareto", "chosen", "balance"]),
                                  longer.evaluations.drop(columns=["pareto", "chosen", "balance"])
                                  .iloc[: len(first.evaluations)], check_exact=True)
    other = from_data(problem_data(budget=30000))
    with pytest.raises(OptimiseError, match="holds another optimisation"):
        run_optimisation(other, tmp_path, resume=True)


def test_outputs_and_scenario_files_ready_for_compare(tmp_path):
    from simulation.optimise.outputs import compare_command

    problem = from_data(problem_data())
    result = run_optimisation(problem, tmp_path)
    write_outputs(result)
    for name in ("evaluations.parquet", "pareto.parquet", "optimise.html", "optimise.json",
                 "pareto_front.png", "levers.png", "hypervolume.png", "versus_alone.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    evaluations = pd.read_parquet(tmp_path / "evaluations.parquet")
    for column in ("candidate", "generation", "kind", "cash.budget_share", "cash.transfer",
                   "cash.targeting.rule", "graduation.asset_transfer", "cost",
                   "self_reliant_share_median", "self_reliant_share_p10",
                   "harmful_coping_share_median", "harmful_coping_share_p10"):
        assert column in evaluations, column
    pareto = pd.read_parquet(tmp_path / "pareto.parquet")
    assert list(pareto.columns) == list(evaluations.columns) and pareto["pareto"].all()
    html = (tmp_path / "optimise.html").read_text()
    assert html.count("data:image/png;base64,") == 4 and "cash alone" in html
    files = sorted(p.name for p in (tmp_path / "scenarios").iterdir())
    assert {"base.yaml", "mix-1.yaml", "cash-alone.yaml", "graduation-alone.yaml",
            "even.yaml"} <= set(files)
    # the written files run exactly as evaluated: prds compare on them gives the same numbers
    command = compare_command(result, tmp_path / "scenarios").split()
    paths, replicates = command[2:-2], int(command[-1])
    check = compare(paths, replicates=replicates, workers=1)
    assert check.seeds == result.seeds
    mix = result.chosen.iloc[0]
    outcomes = check.document["scenarios"]["mix-1"]["outcomes"]
    assert outcomes["self_reliant_share"]["median"] == mix["self_reliant_share_median"]
    assert outcomes["cost_total"]["median"] == mix["cost"]


def broken_model(scenario, seed, overrides):
    """A model that fails on every run with a graduation programme (and works otherwise)."""
    from simulation.api import run_one

    if any(spec["type"] == "graduation" for spec in scenario["interventions"]):
        raise RuntimeError("graduation is broken")
    return run_one(scenario, seed, overrides)


def test_failed_runs_stop_the_search_and_are_run_again_on_resume(tmp_path):
    from simulation.optimise import EvaluationFailed

    problem = from_data(problem_data())
    with pytest.raises(EvaluationFailed, match="graduation is broken") as caught:
        run_optimisation(problem, tmp_path, model=broken_model)
    assert "of generation 1 failed" in str(caught.value) and "--resume" in str(caught.value)
    written = pd.read_parquet(tmp_path / "generations" / "g0000" / "results.parquet")
    ok = int((written["status"] == "ok").sum())
    assert 0 < ok < len(written)  # cash alone ran; every mix with graduation failed
    fixed = run_optimisation(problem, tmp_path, resume=True)  # the model fixed: run_one
    assert fixed.skipped == ok  # only the failed runs ran again
    pd.testing.assert_frame_equal(fixed.evaluations, reference()[0].evaluations,
                                  check_exact=True)


def test_chosen_mixes_span_the_front():
    from simulation.optimise.search import choose

    # four Pareto mixes on two objectives to minimise, all beating the programmes alone;
    # 3 repeats 1's objective values at a higher cost
    frame = pd.DataFrame({"kind": ["search"] * 5, "beats_corners": [True] * 5,
                          "cost": [10.0, 10.0, 10.0, 12.0, 10.0],
                          "candidate": range(5), "balance": [0.5, 0.9, 0.4, 0.9, 0.3]})
    F = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0], [0.5, 0.5], [0.8, 0.6]])
    pareto = np.array([True, True, True, True, False])
    chosen = choose(frame, F, pareto, keep=3)
    assert chosen == [1, 0, 2]  # the most balanced, then the best on each objective
    assert 3 not in choose(frame, F, pareto, keep=5)  # same values as 1, dearer: once
    assert 4 not in choose(frame, F, pareto, keep=5)  # not on the front
