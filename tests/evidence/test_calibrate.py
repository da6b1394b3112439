"""``prds calibrate``: the calibration file's errors, a real kill and resume with no trial lost
or repeated, the same study whatever the executor, test entries refused, defaults applied.

The fixture library (``calibration_library/``) is a 500-household, 12-month setting with two
``fit`` entries and one ``test`` entry; its bands are not published results.
"""

import concurrent.futures as cf
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pydantic import BaseModel, Field

from simulation.calibrated import CALIBRATED_FILE, read_calibrated, use_calibrated
from simulation.evidence import calibration_report as report
from simulation.evidence.calibrate import STUDY_FILE, run_calibration
from simulation.evidence.calibrate_cli import confirm_line
from simulation.evidence.calibration_spec import (
    CalibrationError,
    flee_validation_parameters,
    load_calibration,
)
from simulation.evidence.confirm import CONFIRM_FILE
from simulation.evidence.trial import best_trial
from simulation.params import Parameters
from simulation.scenario import SCENARIOS_DIR
from simulation.sweeps.executors import SerialExecutor, open_executor

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
    best = report.scored_set(trial)
    assert best == trial.params  # exactly the values scored, not rounded
    report.write_best(out, calibration, best, trial, 4)
    assert yaml.safe_load((out / "best_parameters.yaml").read_text())["parameters"] == best
    applied = report.apply_defaults(calibration, best, trial, tmp_path / "calibrated.yaml")
    assert yaml.safe_load(applied.read_text())["parameters"] == trial.params  # bit for bit

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


# --- confirm: the best trials scored again on more replicates ------------------------------------
#: a study whose best trial on 1 replicate (trial 5, loss 0) is not the best on 4 (trial 4):
#: the crisis share's band is narrow, and one replicate puts trial 5 inside it by luck
CONFIRMED = f"""\
name: confirmed
library: [{LIBRARY}]
parameters:
  emergency_cover: {{low: 0.05, high: 0.6}}
  camp_ration_share: {{low: 0.2, high: 1.0}}
targets: [fixture_crisis_share]
trials: 6
batch: 2
startup_trials: 4
replicates: 1
seed: 5
confirm: {{top: 3, replicates: 4}}
"""


class Counting(cf.Executor):
    """In this process, counting the confirmation tasks (replicates 4); ``fail`` says what to
    do with the n-th one: raise from ``submit`` (a kill) or deliver an error (a lost worker)."""

    def __init__(self, fail: dict[int, BaseException] | None = None, lost: set[int] = frozenset()):
        self.confirmed, self.fail, self.lost = [], fail or {}, lost

    def submit(self, fn, /, task, **kwargs):
        if task.replicates == 4:
            n = len(self.confirmed)
            if n in self.fail:
                raise self.fail[n]
            self.confirmed.append(task.number)
            if n in self.lost:
                future = cf.Future()
                future.set_exception(BrokenProcessPool("a worker died"))
                return future
        return SerialExecutor().submit(fn, task, **kwargs)


@pytest.fixture(scope="module")
def confirmed(tmp_path_factory):
    """The confirmed study run uninterrupted in this process: (calibration, outcome, folder)."""
    folder = tmp_path_factory.mktemp("confirmed")
    calibration = load_calibration(write(folder, CONFIRMED))
    return calibration, run_calibration(calibration, folder / "out"), folder / "out"


def test_confirm_chooses_the_lowest_loss_on_more_replicates_not_the_study_best(confirmed):
    from simulation.evidence import evaluate, fit_loss
    from simulation.evidence.trial import top_trials

    calibration, done, _ = confirmed
    top = top_trials(done.study, 3)
    assert [c.trial for c in done.confirmations] == [t.number for t in top]
    assert [c.loss for c in done.confirmations] == [t.value for t in top]
    by_trial = {c.trial: c.confirmed_loss for c in done.confirmations}
    chosen = min(by_trial, key=lambda n: (by_trial[n], n))
    assert done.chosen.number == chosen and done.best == top[[t.number for t in top].index(chosen)].params
    assert chosen != best_trial(done.study).number  # the case this study was picked for
    assert by_trial[chosen] < by_trial[best_trial(done.study).number]
    # the confirmed loss is the loss on 4 replicates of the same seed; the first is the
    # very run the trial was scored on
    trial = done.chosen
    on_four = evaluate(calibration.entries, replicates=4, seed=5, parameters=dict(trial.params))
    on_one = evaluate(calibration.entries, replicates=1, seed=5, parameters=dict(trial.params))
    assert fit_loss(on_four) == pytest.approx(by_trial[chosen], abs=1e-12)
    assert fit_loss(on_one) == pytest.approx(trial.value, abs=1e-12)
    assert on_four[0].replicates[0] == on_one[0].replicates[0]
    assert (done.confirm_ran, done.confirm_reused) == (3, 0)


def test_confirm_writes_its_choice_everywhere_downstream(confirmed, tmp_path):
    calibration, done, out = confirmed
    trial = done.chosen
    table = report.history(done.study, calibration, done.confirmations)
    assert list(table.columns[:4]) == ["trial", "state", "loss", "confirmed_loss"]
    confirmed_rows = table.dropna(subset=["confirmed_loss"])
    assert sorted(confirmed_rows["trial"]) == sorted(c.trial for c in done.confirmations)
    best = report.scored_set(trial)
    report.write_best(tmp_path, calibration, best, trial, 6, done.confirmations)
    header = (tmp_path / "best_parameters.yaml").read_text()
    assert f"# trial {trial.number} of 6" in header and "on 4 replicates among the 3 best" in header
    applied = yaml.safe_load(report.apply_defaults(calibration, best, trial, tmp_path / "c.yaml",
                                                   confirmations=done.confirmations).read_text())
    mine = next(c for c in done.confirmations if c.trial == trial.number)
    assert applied["study"]["best_trial"] == trial.number
    assert applied["study"]["loss"] == trial.value
    assert applied["study"]["confirmed_loss"] == mine.confirmed_loss
    assert applied["study"]["confirmed_replicates"] == 4
    document = report.confirmation_document(calibration, done.study, done.confirmations, trial)
    assert document["chosen"] == trial.number and document["study_best"] != trial.number
    assert [row["chosen"] for row in document["trials"]].count(True) == 1
    assert report.report_replicates(calibration) == 4
    line = confirm_line(done, best_trial(done.study), trial)
    assert f"3 best trial(s) scored on 4 replicates (3 now, 0 from {CONFIRM_FILE})" in line
    assert f"chose trial {trial.number}: loss {mine.confirmed_loss:.4g} on 4, against" in line
    record = json.loads((out / CONFIRM_FILE).read_text())
    assert [r["trial"] for r in record["trials"]] == sorted(c.trial for c in done.confirmations)
    assert {(r["replicates"], r["seed"]) for r in record["trials"]} == {(4, 5)}


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), "lost"])
def test_an_interrupted_confirmation_resumes_without_scoring_a_trial_twice(confirmed, tmp_path, stop):
    """A kill as the second confirmation is submitted (or its worker lost): the first is in
    confirm.json; the resumed run scores only the others and chooses as an uninterrupted run."""
    calibration, reference, _ = confirmed
    out = tmp_path / "out"
    if stop == "lost":
        first = Counting(lost={1})
        with pytest.raises(CalibrationError, match="trial .* did not finish.*--resume"):
            run_calibration(calibration, out, first)
        recorded = 2  # the others are recorded; the lost one is not
    else:
        first = Counting(fail={1: stop})
        with pytest.raises(KeyboardInterrupt):
            run_calibration(calibration, out, first)
        recorded = 1
    stored = [r["trial"] for r in json.loads((out / CONFIRM_FILE).read_text())["trials"]]
    assert len(stored) == recorded
    again = Counting()
    done = run_calibration(calibration, out, again, resume=True)
    assert (done.ran, done.confirm_ran, done.confirm_reused) == (0, 3 - recorded, recorded)
    assert not set(again.confirmed) & set(stored)  # none scored twice
    assert done.confirmations == reference.confirmations
    assert done.chosen.number == reference.chosen.number
    assert run_calibration(calibration, out, Counting(), resume=True).confirm_ran == 0


def test_a_record_that_no_longer_matches_is_scored_again(confirmed, tmp_path):
    calibration, reference, folder = confirmed
    out = tmp_path / "out"
    shutil.copytree(folder, out)
    document = json.loads((out / CONFIRM_FILE).read_text())
    document["trials"][0]["parameters"]["emergency_cover"] += 0.01  # not that trial's set
    document["trials"][1]["replicates"] = 3  # scored on other replicates
    (out / CONFIRM_FILE).write_text(json.dumps(document))
    again = Counting()
    done = run_calibration(calibration, out, again, resume=True)
    assert sorted(again.confirmed) == sorted(r["trial"] for r in document["trials"][:2])
    assert sum("scored again" in note for note in done.repaired) == 2
    assert done.confirmations == reference.confirmations


def test_an_extended_study_confirms_its_new_top_and_reuses_the_rest(confirmed, tmp_path):
    calibration, _, _ = confirmed
    out = tmp_path / "out"
    short = run_calibration(calibration, out, trials=4)
    again = Counting()
    done = run_calibration(calibration, out, again, resume=True, trials=8)
    whole = run_calibration(calibration, tmp_path / "whole", trials=8)
    assert done.confirmations == whole.confirmations and done.chosen.number == whole.chosen.number
    kept = {c.trial for c in short.confirmations} & {c.trial for c in done.confirmations}
    assert sorted(again.confirmed) == sorted({c.trial for c in done.confirmations} - kept)
    assert done.confirm_reused == len(kept)


@pytest.mark.slow
def test_a_process_pool_confirms_as_one_process(confirmed, tmp_path):
    calibration, reference, _ = confirmed
    with open_executor(workers=2) as pool:
        done = run_calibration(calibration, tmp_path / "pool", pool)
    assert done.confirmations == reference.confirmations


@pytest.mark.parametrize("value, key, message", [
    ("{top: 0, replicates: 4}", "confirm.top", "greater than or equal to 1"),
    ("{top: 2.5, replicates: 4}", "confirm.top", "valid integer"),
    ("{top: true, replicates: 4}", "confirm.top", "valid integer"),
    ("{top: 3, replicates: 2}", "confirm.replicates", "more than the file's replicates (2)"),
    ("{top: 3}", "confirm.replicates", "required key is missing"),
    ("{top: 3, replicates: 4, replicats: 4}", "confirm.replicats",
     "did you mean 'replicates'? (allowed: replicates, top)"),
    ("3", "confirm", "valid dictionary"),
])
def test_bad_confirm_values_name_the_file_line_and_key(tmp_path, value, key, message):
    path = write(tmp_path, BASE + f"replicates: 2\nconfirm: {value}\n")
    [(file, line, got, text)] = problems(path)
    assert (file, line, got) == (str(path), 7, key)
    assert message in text


def test_without_confirm_the_outputs_are_as_before(reference, tmp_path):
    calibration = load_calibration(FIXTURE)
    assert calibration.confirm is None
    done = run_calibration(calibration, tmp_path / "out", trials=2)
    assert done.confirmations == [] and done.chosen == best_trial(done.study)
    assert not (tmp_path / "out" / CONFIRM_FILE).exists()
    assert "confirmed_loss" not in report.history(done.study, calibration).columns
    applied = yaml.safe_load(report.apply_defaults(calibration, done.best, done.chosen,
                                                   tmp_path / "c.yaml").read_text())
    assert list(applied["study"]) == ["name", "best_trial", "loss", "trials", "replicates", "seed"]
    assert report.report_replicates(calibration) == 1
    # confirm is not part of what the study depends on: a confirmed file resumes its study
    with_confirm = write(tmp_path, FIXTURE.read_text() + f"library: [{LIBRARY}]\n"
                         "confirm: {top: 2, replicates: 2}\n")
    assert load_calibration(with_confirm).fingerprint() == calibration.fingerprint()

