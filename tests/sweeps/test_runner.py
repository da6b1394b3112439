"""The runner: failed runs are recorded, interrupted sweeps resume, the folder is guarded."""

import os
import shutil

import numpy as np
import pandas as pd
import pytest
from sweep_cases import sweep_data, tiny_with_cash

from simulation.api import run_one
from simulation.sweeps import SweepError, build_design, from_data, run_sweep
from simulation.sweeps.executors import open_executor
from simulation.sweeps.runner import ExecutorStopped
from simulation.sweeps.store import ResultStore, sweep_document


def fragile_model(scenario, seed, overrides):
    """The real model, except that it fails for one corner of the design (a plug-in model)."""
    if overrides["interventions.cash.targeting.rule"] == "poorest_first" and \
            overrides["parameters.casual_wage_share"] > 0.75:
        raise RuntimeError("diverged")
    return run_one(scenario, seed, overrides)


def small_sweep(scenario=None, **changes):
    return from_data(sweep_data(scenario or tiny_with_cash(), samples=12, replicates=2,
                                **changes))


def test_failed_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    done = run_sweep(small_sweep(), tmp_path, model=fragile_model)
    results = done.results
    bad = (results["interventions.cash.targeting.rule"] == "poorest_first") & (
        results["parameters.casual_wage_share"] > 0.75)
    assert 0 < bad.sum() < len(results) == 24
    assert (results.loc[bad, "status"] == "failed").all()
    assert (results.loc[bad, "error"] == "RuntimeError: diverged").all()
    assert results.loc[bad, "mean_rsi"].isna().all()
    assert (results.loc[~bad, "status"] == "ok").all() and results.loc[~bad, "error"].isna().all()
    assert done.failed == bad.sum() and not done.complete
    # resuming with a model that works reruns only the failed runs
    again = run_sweep(small_sweep(), tmp_path, resume=True)
    assert again.ran == bad.sum() and again.skipped == 24 - bad.sum() and again.complete
    reference = run_sweep(small_sweep(), tmp_path / "reference").results
    pd.testing.assert_frame_equal(again.results, reference, check_exact=True)


# set at collection, before any worker process exists, so workers inherit it
os.environ.setdefault("PRDS_TEST_MAIN_PID", str(os.getpid()))


def deadly_model(scenario, seed, overrides):
    """The real model, except that a worker process (not this one) dies on large transfers."""
    if overrides["interventions.cash.transfer"] > 120 and \
            os.environ["PRDS_TEST_MAIN_PID"] != str(os.getpid()):
        os._exit(3)  # a dead worker: out of memory, a crash in a native library
    return run_one(scenario, seed, overrides)


def test_a_dead_worker_stops_the_sweep_and_resume_completes_it(tmp_path):
    sweep = small_sweep()
    with pytest.raises(ExecutorStopped, match="continue with --resume"):
        with open_executor(workers=2) as pool:
            run_sweep(sweep, tmp_path, pool, model=deadly_model)
    cut = ResultStore(tmp_path, build_design(sweep), sweep.outcomes).read()
    assert len(cut) < 24 and (cut["status"] == "failed").any()
    assert cut.loc[cut["status"] == "failed", "error"].str.startswith("BrokenProcessPool").all()
    resumed = run_sweep(sweep, tmp_path, resume=True, model=deadly_model)  # in this process
    assert resumed.complete and resumed.skipped == (cut["status"] == "ok").sum()
    reference = run_sweep(sweep, tmp_path / "reference").results
    pd.testing.assert_frame_equal(resumed.results, reference, check_exact=True)


class Interrupt(KeyboardInterrupt):
    pass


def test_interrupted_sweep_resumes_to_the_same_table(tmp_path):
    sweep = small_sweep()

    def stop_after_ten(state):
        if state.done >= 10:
            raise Interrupt

    with pytest.raises(Interrupt):
        run_sweep(sweep, tmp_path / "cut", progress=stop_after_ten)
    store = ResultStore(tmp_path / "cut", build_design(sweep), sweep.outcomes)
    written = store.read()
    assert len(written) == 10 and not (tmp_path / "cut" / "results.parquet").exists()
    resumed = run_sweep(sweep, tmp_path / "cut", resume=True)
    assert resumed.skipped == 10 and resumed.ran == 14
    whole = run_sweep(sweep, tmp_path / "whole").results
    pd.testing.assert_frame_equal(resumed.results, whole, check_exact=True)
    assert not list((tmp_path / "cut" / "parts").iterdir())  # merged into results.parquet


def test_folder_guarded_against_mixing_sweeps(tmp_path):
    run_sweep(small_sweep(), tmp_path)
    with pytest.raises(SweepError, match="already holds results.*--resume"):
        run_sweep(small_sweep(), tmp_path)
    with pytest.raises(SweepError, match="holds a different sweep"):
        run_sweep(small_sweep().with_samples(13), tmp_path, resume=True)
    with pytest.raises(SweepError, match="holds a different sweep"):
        run_sweep(small_sweep(seed=99), tmp_path, resume=True)
    done = run_sweep(small_sweep(), tmp_path, resume=True)  # complete: nothing to run
    assert done.ran == 0 and done.skipped == 24
    edited = small_sweep(tiny_with_cash(seed=8))  # same design, other scenario
    with pytest.raises(SweepError, match="another scenario or other outcomes"):
        run_sweep(edited, tmp_path, resume=True)


def test_one_writer_per_folder(tmp_path):
    sweep = small_sweep()
    design = build_design(sweep)
    first = ResultStore(tmp_path, design, sweep.outcomes)
    first.open(sweep_document(sweep, design, run_one), resume=False)
    try:
        with pytest.raises(SweepError, match="another sweep is writing"):
            run_sweep(sweep, tmp_path, resume=True)
    finally:
        first.close()


def test_rows_in_both_a_part_and_results_are_read_once(tmp_path):
    """A kill between merging parts and removing them leaves rows twice: read once."""
    sweep = small_sweep()
    design = build_design(sweep)
    store = ResultStore(tmp_path, design, sweep.outcomes)
    store.open(sweep_document(sweep, design, run_one), resume=False)
    rows = [{"run": r, "status": "ok", "error": None,
             **{k: float(r) for k in sweep.outcomes}} for r in (3, 1)]
    part = store.write(rows)
    kept = tmp_path / "kept.parquet"
    shutil.copy(part, kept)
    store.consolidate()
    shutil.copy(kept, part)
    store.write([{"run": 5, "status": "failed", "error": "x",
                  **{k: np.nan for k in sweep.outcomes}}])
    table = store.read()
    assert table["run"].tolist() == [1, 3, 5]
    assert table["seed"].tolist() == design.runs.loc[[1, 3, 5], "seed"].tolist()
    assert store.completed() == {1, 3}
    store.close()
