"""Runs travel in batches; the table is the one run by run, and edited inputs are re-read."""

import concurrent.futures as cf

import pandas as pd
import yaml
from sweep_cases import reference_results, sweep_data, tiny_with_cash, write_sweep_files

from simulation.sweeps import from_data, load_sweep, run_sweep
from simulation.sweeps.runner import MAX_BATCH, batch_size, evaluate, evaluate_batch, tasks


def test_batch_size_keeps_every_worker_busy():
    assert batch_size(10_000, 1) == 1  # in this process: one run at a time, written at once
    assert batch_size(10_240, 2) == MAX_BATCH
    assert batch_size(64, 2) == 4  # at least 8 batches per worker
    assert batch_size(5, 4) == 1


def test_a_batch_gives_the_rows_of_its_runs_in_order():
    sweep = from_data(sweep_data(tiny_with_cash(), samples=4, replicates=1))
    from simulation.sweeps import build_design

    todo = tasks(sweep, build_design(sweep))[:3]
    assert evaluate_batch(tuple(todo)) == [evaluate(task) for task in todo]


def test_batched_sweep_on_threads_is_the_sweep_run_one_by_one(tmp_path):
    sweep = from_data(sweep_data(tiny_with_cash()))  # 64 runs
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        done = run_sweep(sweep, tmp_path / "batched", pool, batch=5)  # 13 batches, one short
    pd.testing.assert_frame_equal(done.results, reference_results(), check_exact=True)


def test_a_scenario_edited_between_two_sweeps_is_read_again(tmp_path):
    path = write_sweep_files(tmp_path, samples=4, replicates=1, method="lhs")
    first = run_sweep(load_sweep(path), tmp_path / "first").results
    scenario = tmp_path / "tiny.yaml"
    data = yaml.safe_load(scenario.read_text())
    data["parameters"] = {"camp_ration_share": 1.2}  # camps fed in full: other outcomes
    scenario.write_text(yaml.safe_dump(data, sort_keys=False))
    second = run_sweep(load_sweep(path), tmp_path / "second").results
    assert (first["status"] == "ok").all() and (second["status"] == "ok").all()
    assert not first["mean_rsi"].equals(second["mean_rsi"])
    assert first["parameters.casual_wage_share"].equals(second["parameters.casual_wage_share"])
