"""``prds calibrate``: the calibration file's errors, a real kill and resume with no trial lost
or repeated, the same study whatever the executor, test entries refused, defaults applied.

The fixture library (``calibration_library/``) is a 500-household, 12-month setting with two
``fit`` entries and one ``test`` entry; its bands are not published results.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pydantic import BaseModel, Field

from simulation.calibrated import CALIBRATED_FILE, read_calibrated, use_calibrated
from simulation.evidence import calibration_report as report
from simulation.evidence.calibrate import STUDY_FILE, best_trial, run_calibration
from simulation.evidence.calibration_spec import (
    CalibrationError,
    flee_validation_parameters,
    load_calibration,
)
from simulation.params import Parameters
from simulation.scenario import SCENARIOS_DIR
from simulation.sweeps.executors import open_executor

HERE = Path(__file__).resolve().parent
LIBRARY = HERE / "calibration_library"
FIXTURE = LIBRARY / "calibration.yaml"
PRDS = str(Path(sys.executable).with_name("prds"))
#: columns of trials.parquet that depend on the study, not on the machine's speed
STUDY_COLUMNS = ["trial", "state", "loss", "camp_ration_share", "emergency_cover",
                 "borrow_limit_months", "loss.fixture_cash_income", "median.fixture_cash_income",
                 "loss.fixture_crisis_share", "median.fixture_crisis_share", "error"]


def write(tmp_path: Path, text: str, name: str = "calibration.yaml") -> Path:
    """A calibration file beside a copy of the fixture entries' folder (library: ...)."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


BASE = f"""\
name: t
library: [{LIBRARY}]
parameters:
  emergency_cover: {{low: 0.05, high: 0.6}}
targets: [fixture_crisis_share]
"""


def problems(path: Path) -> list[tuple]:
    with pytest.raises(CalibrationError) as caught:
        load_calibration(path)
    return caught.value.problems


# --- the calibration file ------------------------------------------------------------------------
def test_the_fixture_file_loads_with_its_ranges_and_fitted_entries():
    calibration = load_calibration(FIXTURE)
    assert calibration.bounds() == {"camp_ration_share": (0.2, 1.0, False),
                                    "emergency_cover": (0.05, 0.6, False),
                                    "borrow_limit_months": (0.0, 6.0, False)}  # declared low
    assert [e.id for e in calibration.entries] == ["fixture_cash_income", "fixture_crisis_share"]
    assert [e.id for e in calibration.library_entries] == [
        "fixture_cash_income", "fixture_crisis_share", "fixture_debt_share"]


def test_an_unknown_parameter_names_the_file_line_key_and_nearest_name(tmp_path):
    path = write(tmp_path, BASE.replace("emergency_cover:", "emergncy_cover:"))
    [(file, line, key, message)] = problems(path)
    assert (file, line, key) == (str(path), 4, "parameters.emergncy_cover")
    assert "unknown parameter 'emergncy_cover'" in message
    assert "did you mean 'emergency_cover'?" in message


def test_a_range_wider_than_declared_is_refused(tmp_path):
    path = write(tmp_path, BASE.replace("high: 0.6", "high: 1.5"))
    [(_, line, key, message)] = problems(path)
    assert (line, key) == (4, "parameters.emergency_cover.high")
    assert "outside the range 0..1 declared for emergency_cover" in message
    assert "never widen" in message


def test_an_empty_or_inverted_range(tmp_path):
    assert load_calibration(write(tmp_path, BASE.replace("{low: 0.05, high: 0.6}", "{}"))
                            ).bounds()["emergency_cover"] == (0.0, 1.0, False)
    [(_, _, key, message)] = problems(write(tmp_path, BASE.replace("low: 0.05", "low: 0.7")))
    assert key == "parameters.emergency_cover" and "low 0.7 must be below high 0.6" in message
    [(_, _, key, message)] = problems(write(tmp_path, BASE.replace("high: 0.6", "high: 0.6, log: true")
                                            .replace("low: 0.05", "low: 0")))
    assert key == "parameters.emergency_cover.log" and "log scale needs low > 0" in message


def test_a_test_entry_is_refused_as_a_target(tmp_path):
    path = write(tmp_path, BASE.replace("[fixture_crisis_share]",
                                        "[fixture_crisis_share, fixture_debt_share]"))
    [(file, line, key, message)] = problems(path)
    assert (file, line, key) == (str(path), 5, "targets[1]")
    assert "'fixture_debt_share' is a test entry" in message
    assert "test entries never enter the loss" in message


def test_an_unknown_target_and_an_unknown_key(tmp_path):
    [(_, _, key, message)] = problems(write(tmp_path, BASE.replace(
        "[fixture_crisis_share]", "[fixture_crisis_shares]")))
    assert key == "targets[0]" and "did you mean 'fixture_crisis_share'?" in message
    [(_, line, key, message)] = problems(write(tmp_path, BASE + "trails: 4\n"))
    assert (line, key) == (6, "trails") and "did you mean 'trials'?" in message


def test_parameters_the_flee_validation_reads_are_refused_unless_pinned(tmp_path):
    reads, pins = flee_validation_parameters()
    assert {"flight_rate", "damage_rate", "travel_cost_per_km", "distance_power"} <= reads
    assert "distance_power" in pins and "flight_rate" not in pins
    assert not {"emergency_cover", "camp_ration_share", "aspiration_base"} & reads
    [(_, _, key, message)] = problems(write(tmp_path, BASE.replace(
        "emergency_cover: {low: 0.05, high: 0.6}", "flight_rate: {}")))
    assert key == "parameters.flight_rate"
    assert "read by the Flee validation" in message and "validation_parameters.yaml" in message
    # a parameter the validation pins may be fitted: the validation does not see its default
    assert load_calibration(write(tmp_path, BASE.replace(
        "emergency_cover: {low: 0.05, high: 0.6}", "distance_power: {low: 0.5, high: 1.5}")))


def test_the_bundled_calibration_file_is_valid_and_fits_only_fit_entries():
    calibration = load_calibration(SCENARIOS_DIR / "evidence" / "calibration.yaml")
    assert calibration.entries and all(e.use == "fit" for e in calibration.entries)
    tests = [e.id for e in calibration.library_entries if e.use == "test"]
    assert not set(tests) & set(calibration.weights)


# --- the study -----------------------------------------------------------------------------------
def study_table(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "trials.parquet")[STUDY_COLUMNS]


def run_in_process(out: Path, executor=None, trials=None) -> pd.DataFrame:
    calibration = load_calibration(FIXTURE)
    done = run_calibration(calibration, out, executor, trials=trials)
    report.write_history(done.study, calibration, out)
    return study_table(out)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The fixture study run in this process, uninterrupted."""
    return run_in_process(tmp_path_factory.mktemp("reference"))


def test_the_study_improves_on_the_first_trials_and_every_trial_is_numbered_once(reference):
    assert list(reference["trial"]) == list(range(8))
    assert (reference["state"] == "COMPLETE").all()
    losses = reference["loss"]
    assert losses.min() < losses.iloc[:4].median()  # TPE does better than random
    # the loss is the mean of the fitted entries' losses
    mean = (reference["loss.fixture_cash_income"] + reference["loss.fixture_crisis_share"]) / 2
    pd.testing.assert_series_equal(losses, mean, check_names=False)
    assert "loss.fixture_debt_share" not in reference.columns  # a test entry is never scored


def test_start_defaults_makes_trial_0_the_set_in_force_and_the_rest_as_sampled(reference, tmp_path):
    """``start: defaults``: trial 0 is the package's defaults in force clipped to the
    ranges, and the best is never worse than that set. The study is a different one (fingerprint),
    so an unwarmed folder is not resumed as warmed."""
    text = FIXTURE.read_text(encoding="utf-8") + "start: defaults\n"
    text = text.replace("camp_ration_share: {low: 0.2, high: 1.0}",
                        "camp_ration_share: {low: 0.9, high: 1.0}")  # default 0.45: clipped
    path = tmp_path / "warm" / "calibration.yaml"
    path.parent.mkdir()
    path.write_text(text.replace("name: fixture", f"name: fixture\nlibrary: [{LIBRARY}]"),
                    encoding="utf-8")
    calibration = load_calibration(path)
    defaults = Parameters()
    start = calibration.start_values()
    assert start == {"camp_ration_share": 0.9, "emergency_cover": defaults.emergency_cover,
                     "borrow_limit_months": defaults.borrow_limit_months}
    assert calibration.fingerprint() != load_calibration(FIXTURE).fingerprint()
    done = run_calibration(calibration, tmp_path / "warm-out", trials=4)
    trials = sorted(done.study.trials, key=lambda t: t.number)
    assert trials[0].params == start
    assert all(t.params != start for t in trials[1:])  # the others are sampled
    assert best_trial(done.study).value <= trials[0].value
    assert load_calibration(FIXTURE).start_values() is None  # the default: random


def test_start_values_override_the_defaults_and_must_be_fitted_and_in_range(tmp_path):
    given = write(tmp_path, BASE + "start: {emergency_cover: 0.5}\n")
    assert load_calibration(given).start_values() == {"emergency_cover": 0.5}
    [(_, line, key, message)] = problems(write(tmp_path, BASE + "start: {flight_rate: 0.5}\n"))
    assert (line, key) == (6, "start.flight_rate") and "not a parameter this file fits" in message
    [(_, _, key, message)] = problems(write(tmp_path, BASE + "start: {emergency_cover: 0.9}\n"))
    assert key == "start.emergency_cover" and "outside this file's range 0.05..0.6" in message


@pytest.mark.slow
def test_a_process_pool_gives_the_same_study_as_one_process(reference, tmp_path):
    with open_executor(workers=2) as pool:
        pooled = run_in_process(tmp_path / "pool", pool)
    pd.testing.assert_frame_equal(pooled, reference)


def test_a_cut_batch_is_completed_before_it_runs(reference, tmp_path):
    """A kill between two asks of a batch: the rest of the batch is asked as it would have
    been, then every running trial runs, and the study is the uninterrupted one."""
    from optuna.distributions import FloatDistribution
    from optuna.samplers import TPESampler

    from simulation.evidence.calibrate import open_study, trial_seed

    calibration = load_calibration(FIXTURE)
    out = tmp_path / "cut"
    run_calibration(calibration, out, trials=2)  # the first batch, told
    study, _ = open_study(calibration, out, resume=True)
    study.sampler = TPESampler(seed=trial_seed(calibration.seed, 2), n_startup_trials=4,
                               multivariate=True, constant_liar=True)
    study.ask({k: FloatDistribution(lo, hi, log=log) for k, (lo, hi, log) in calibration.bounds().items()})
    done = run_calibration(calibration, out, resume=True)  # trial 2 running, 3 never asked
    assert (done.rerun, done.skipped) == (1, 2)
    report.write_history(done.study, calibration, out)
    pd.testing.assert_frame_equal(study_table(out), reference)


@pytest.mark.slow
def test_a_killed_calibration_resumes_with_no_trial_lost_or_repeated(reference, tmp_path):
    out = tmp_path / "killed"
    command = [PRDS, "calibrate", str(FIXTURE), "--out", str(out), "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    journal = out / STUDY_FILE
    deadline = time.monotonic() + 120
    while not journal.exists() or journal.read_text().count('"op_code":6') < 3:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "three trials were not told in two minutes"
        time.sleep(0.02)
    time.sleep(0.1)  # into the next trial's evaluation
    os.killpg(process.pid, signal.SIGKILL)  # a lost machine: no handler runs
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    from optuna.trial import TrialState

    from simulation.evidence.calibrate import open_study

    study, _ = open_study(load_calibration(FIXTURE), out, resume=True)
    states = [t.state for t in study.get_trials(deepcopy=False)]
    assert TrialState.RUNNING in states, "the kill did not catch a trial running"
    told = sum(s == TrialState.COMPLETE for s in states)
    assert 3 <= told < 8
    del study

    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "cut short by a kill run again" in resumed.stdout
    pd.testing.assert_frame_equal(study_table(out), reference)
    assert (out / "best_parameters.yaml").exists() and (out / "before_after.html").exists()


def test_a_record_cut_short_in_the_journal_is_removed_on_resume(reference, tmp_path):
    out = tmp_path / "torn"
    run_in_process(out, trials=4)
    with open(out / STUDY_FILE, "ab") as journal:
        journal.write(b'{"op_code":4,"worker_id":"x","study_id":0,"datetime_st')  # torn write
    calibration = load_calibration(FIXTURE)
    done = run_calibration(calibration, out, resume=True)
    assert any("incomplete last record" in note for note in done.repaired)
    report.write_history(done.study, calibration, out)
    pd.testing.assert_frame_equal(study_table(out), reference)


def test_a_folder_with_another_study_or_no_resume_is_refused(reference, tmp_path):
    out = tmp_path / "once"
    run_in_process(out, trials=2)
    with pytest.raises(CalibrationError, match="pass --resume"):
        run_calibration(load_calibration(FIXTURE), out)
    other = write(tmp_path, FIXTURE.read_text().replace("seed: 11", "seed: 12")
                  + f"library: [{LIBRARY}]\n")
    with pytest.raises(CalibrationError, match="another calibration"):
        run_calibration(load_calibration(other), out, resume=True)


# --- the outputs and the calibrated defaults -----------------------------------------------------
def test_best_set_before_after_and_apply_write_the_defaults(tmp_path):
    calibration = load_calibration(FIXTURE)
    out = tmp_path / "outputs"
    done = run_calibration(calibration, out, trials=4)
    trial = best_trial(done.study)
    best = report.rounded(dict(trial.params), calibration)
    assert all(float(f"{v:.4g}") == v for v in best.values())
    report.write_best(out, calibration, best, trial, 4)
    assert yaml.safe_load((out / "best_parameters.yaml").read_text())["parameters"] == best

    document = report.before_after(calibration, best)
    written = report.write_before_after(out, document)
    ids = [row["id"] for row in document["targets"]]
    assert ids == ["fixture_cash_income", "fixture_crisis_share", "fixture_debt_share"]
    test_row = document["targets"][2]
    assert test_row["use"] == "test" and not test_row["fitted"]  # shown, never fitted
    fitted = [row for row in document["targets"] if row["fitted"]]
    mean_after = sum(row["after"]["loss"] for row in fitted) / len(fitted)
    mean_before = sum(row["before"]["loss"] for row in fitted) / len(fitted)
    assert mean_after < mean_before
    assert {p.name for p in written} >= {"before_after.json", "before_after.html",
                                          "fixture_debt_share.png"}

    calibrated = report.apply_defaults(calibration, best, trial, path=tmp_path / "calibrated.yaml")
    values, command = read_calibrated(calibrated, Parameters.model_fields)
    assert values == best
    assert command == "prds calibrate tests/evidence/calibration_library/calibration.yaml --apply"

    class Toy(BaseModel):  # a stand-in for Parameters: the real one is read once, at import
        emergency_cover: float = Field(0.25, ge=0, le=1, json_schema_extra={"source": "assumption"})
        camp_ration_share: float = Field(0.45, ge=0, le=1.5, json_schema_extra={"source": "WFP"})
        borrow_limit_months: float = Field(2.0, ge=0, le=24, json_schema_extra={"source": "x"})
        savings_rate: float = Field(0.3, ge=0, le=1)

    assert use_calibrated(Toy, calibrated) == best
    toy = Toy()
    assert toy.emergency_cover == best["emergency_cover"] and toy.savings_rate == 0.3
    assert Toy(emergency_cover=0.5).emergency_cover == 0.5  # a scenario's own value wins
    source = Toy.model_fields["emergency_cover"].json_schema_extra["source"]
    assert source == f"calibrated: {command} (declared default 0.25: assumption)"


def test_a_stale_calibrated_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "calibrated.yaml"
    path.write_text("parameters: {emergency_cover: 1.5}\n")
    with pytest.raises(ValueError, match=r"calibrated.yaml: parameters.emergency_cover: 1.5 is outside"):
        read_calibrated(path, Parameters.model_fields)
    path.write_text("parameters: {emergncy_cover: 0.1}\n")
    with pytest.raises(ValueError, match="not a parameter"):
        read_calibrated(path, Parameters.model_fields)


def test_the_package_defaults_are_the_calibrated_set():
    """params.py applies simulation/calibrated.yaml at import: every value there is the
    default of its parameter and its source says "calibrated" (no file: declared defaults)."""
    import simulation.params as params

    values, command = read_calibrated(CALIBRATED_FILE, Parameters.model_fields)
    assert params.CALIBRATED == values
    for name, value in values.items():
        assert Parameters().model_dump()[name] == value
        assert Parameters.model_fields[name].json_schema_extra["source"].startswith(
            f"calibrated: {command}")
    if values:  # written by the one command, from the bundled calibration file
        assert command == "prds calibrate scenarios/evidence/calibration.yaml --apply"
        calibration = load_calibration(SCENARIOS_DIR / "evidence" / "calibration.yaml")
        assert set(values) == set(calibration.parameters)
