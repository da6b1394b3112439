"""Fit parameters to evidence entries with Optuna: a persistent, resumable, reproducible study.

As Starsim's calibration does (``ss.Calibration``: Optuna, TPE sampling, parallel trials, a
study in storage), with three choices made for this project's standards:

- **Storage**: an Optuna journal file (``study.journal`` in the output folder; an append-only
  log of records, each fsync'ed), so a killed run loses nothing that was recorded.
- **Resume after a kill**: a trial that was running when the process died is *run again from
  the parameters it was asked with*, under its own number, and told; a batch whose asking was
  cut short is completed first. So a killed and resumed study has the same trials, numbers and
  losses as one never interrupted: no trial lost, none repeated (``tests/evidence``).
- **Reproducible whatever the executor**: trials are asked in batches of ``batch`` (from the
  file, not from ``--workers``); a batch is asked only once every earlier trial is told, and
  trial ``n`` is asked from a TPE sampler seeded from (seed, n). What the sampler sees when
  asking trial ``n`` is thus fixed by the ask order, never by which worker finished first; and
  every trial is evaluated with the same seeds (common random numbers across trials). In
  process, a process pool or Dask give the same study.

Each trial's evaluation is one task (``trial.py``) on any ``concurrent.futures.Executor``
(``sweeps/executors.py``): the task carries the entries and the trial's parameters and runs
``simulation.evidence.evaluate`` in the worker; its loss is the weighted mean of the fitted
entries' losses, each counted from the band narrowed by the file's ``margin``.

**Confirmation** (``confirm: {top: K, replicates: R}`` in the file; ``confirm.py``): once the
study has its trials, the K best are scored again on R replicates and the set chosen is the
one with the lowest loss on R, each result kept in ``confirm.json`` as it is told, so a
resumed run scores only those not yet recorded. Without ``confirm``, the chosen set is the
study's best trial.
"""

import concurrent.futures as cf
import math
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulation.evidence.calibration_spec import Calibration, CalibrationError
from simulation.evidence.confirm import Confirmation, chosen_trial, confirm_trials
from simulation.evidence.evaluate import finite_or_none
from simulation.evidence.trial import TrialTask, best_trial, evaluate_trial
from simulation.outputs import files

STUDY_FILE = "study.journal"


def trial_seed(seed: int, number: int) -> int:
    """The sampler seed for trial ``number``: child ``number`` of ``SeedSequence(seed)``."""
    child = np.random.SeedSequence(seed, spawn_key=(int(number),))
    return int(child.generate_state(1, dtype=np.uint32)[0])


@dataclass
class CalibrationProgress:
    """Counts passed to the progress callback after every told trial."""

    total: int
    done: int = 0
    failed: int = 0
    best: float = math.inf
    started_with: int = 0
    started_at: float = field(default_factory=time.perf_counter)

    @property
    def rate(self) -> float:
        elapsed = time.perf_counter() - self.started_at
        return (self.done - self.started_with) / elapsed if elapsed > 0 else 0.0


@dataclass
class CalibrationOutcome:
    """What :func:`run_calibration` returns."""

    study: Any  # optuna.Study
    out_dir: Path
    ran: int
    rerun: int
    skipped: int
    repaired: list[str]
    #: the top trials scored again (``confirm``), best study loss first; [] without it
    confirmations: list[Confirmation] = field(default_factory=list)
    confirm_ran: int = 0
    confirm_reused: int = 0

    @property
    def chosen(self):
        """The chosen trial: the lowest confirmed loss among the confirmed, else the study's
        best (None if no trial completed)."""
        return chosen_trial(self.study, self.confirmations)

    @property
    def best(self) -> dict[str, float] | None:
        """The chosen trial's parameters (None if no trial completed)."""
        trial = self.chosen
        return None if trial is None else dict(trial.params)


def open_study(calibration: Calibration, out_dir: Path, resume: bool):
    """The study in ``out_dir`` (created, or loaded on ``resume``), checked to be this one's.

    The journal's last record may be cut short by a kill mid-write: it is removed (the record
    it held was not complete, so nothing it said had happened) and reported in the return.
    """
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path = out_dir / STUDY_FILE
    repaired = []
    if path.exists() and path.stat().st_size and not resume:
        raise CalibrationError([(str(out_dir), None, "", "this folder already holds a study: "
                                 "pass --resume to continue it, or choose another --out")])
    if path.exists():
        repaired += _repair_journal(path)
    lock = Path(str(path) + ".lock")
    if lock.exists():  # left by a killed writer: this process holds the folder's lock
        lock.unlink()
        repaired.append(f"removed the journal lock {lock.name} a killed run left")
    storage = JournalStorage(JournalFileBackend(str(path), lock_obj=JournalFileOpenLock(str(path))))
    names = [s.study_name for s in storage.get_all_studies()]
    if calibration.name in names:
        study = optuna.load_study(study_name=calibration.name, storage=storage)
        stored = study.user_attrs.get("fingerprint")
        if stored != calibration.fingerprint():
            raise CalibrationError([(str(out_dir), None, "", "this folder holds a study of "
                                     "another calibration (its ranges, targets, entries, "
                                     "replicates, seed or batch differ); choose another --out")])
    elif names:
        raise CalibrationError([(str(out_dir), None, "", f"this folder holds the study "
                                 f"{names[0]!r}, not {calibration.name!r}; choose another --out")])
    else:
        study = optuna.create_study(study_name=calibration.name, storage=storage,
                                    direction="minimize")
        study.set_user_attr("fingerprint", calibration.fingerprint())
        study.set_user_attr("calibration", calibration.model_dump(mode="json"))
    return study, repaired


def _repair_journal(path: Path) -> list[str]:
    """Cut a last record that a kill left without its end of line (see ``open_study``)."""
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return []
    keep = data.rfind(b"\n") + 1
    with open(path, "rb+") as handle:
        handle.truncate(keep)
        os.fsync(handle.fileno())
    return [f"removed an incomplete last record ({len(data) - keep} bytes) that a killed run "
            f"left in {path.name}"]


def run_calibration(calibration: Calibration, out_dir: str | Path,
                    executor: cf.Executor | None = None, *, resume: bool = False,
                    trials: int | None = None,
                    progress: Callable[[CalibrationProgress], None] | None = None,
                    after_batch: Callable[[Any], None] | None = None,
                    confirm_progress: Callable[[int, int], None] | None = None,
                    ) -> CalibrationOutcome:
    """Run (or continue) the study of ``calibration`` in ``out_dir`` until it has ``trials``.

    Args:
        calibration: from ``load_calibration``.
        out_dir: the output folder: ``study.journal`` and what ``calibration_report`` writes.
        executor: any ``concurrent.futures.Executor`` (default: in this process).
        resume: continue the study already in ``out_dir`` (see the module docstring).
        trials: trials in all (default: the file's ``trials``); more than a finished study
            has extends it.
        progress: called with a :class:`CalibrationProgress` after every told trial.
        after_batch: called with the study after every batch (to write the history).
        confirm_progress: called with (confirmed, to confirm) as the best trials are scored
            again (``confirm`` in the file; ``confirm.py``).
    """
    import optuna
    from optuna.distributions import FloatDistribution
    from optuna.samplers import PartialFixedSampler, TPESampler
    from optuna.trial import Trial, TrialState

    from simulation.sweeps.executors import SerialExecutor

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    total = trials or calibration.trials
    executor = executor or SerialExecutor()
    try:
        lock = files.lock_folder(out)
    except files.FolderBusy:
        raise CalibrationError([(str(out), None, "", "another calibration is writing to this "
                                 "folder; wait for it or choose another --out")]) from None
    try:
        study, repaired = open_study(calibration, out, resume)
        distributions = {name: FloatDistribution(low, high, log=log)
                         for name, (low, high, log) in calibration.bounds().items()}
        entries = tuple(calibration.entries)
        start = calibration.start_values()
        before = study.get_trials(deepcopy=False)
        state = CalibrationProgress(total=total,
                                    done=sum(t.state.is_finished() for t in before))
        state.started_with = state.done
        best = best_trial(study)
        state.best = best.value if best is not None else math.inf
        stale = sum(t.state == TrialState.RUNNING for t in before)
        ran = 0
        if progress:
            progress(state)
        while True:
            trials_now = study.get_trials(deepcopy=False)
            running = [t for t in trials_now if t.state == TrialState.RUNNING]
            n = len(trials_now)
            if not running and n >= total:
                break
            # complete the current batch's asks (a kill may have cut them short), or ask the
            # next batch: every earlier trial is told, so the history each ask sees is fixed
            last = max((t.number for t in running), default=n)
            end = min(total, (last // calibration.batch + 1) * calibration.batch) if running \
                else min(total, (n // calibration.batch + 1) * calibration.batch)
            asked = {}
            for number in range(n, end):
                study.sampler = TPESampler(seed=trial_seed(calibration.seed, number),
                                           n_startup_trials=calibration.startup_trials,
                                           multivariate=True, constant_liar=True)
                if number == 0 and start is not None:  # the set in force, as ``start`` says
                    with warnings.catch_warnings():  # (optuna marks it experimental)
                        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                        study.sampler = PartialFixedSampler(start, study.sampler)
                trial = study.ask(distributions)
                if trial.number != number:  # another writer: the folder lock should prevent it
                    raise RuntimeError(f"asked trial {number}, the study numbered it {trial.number}")
                asked[number] = trial
            todo = {t.number: t.params for t in running}
            todo.update({number: trial.params for number, trial in asked.items()})
            todo = sorted(todo.items())
            tasks = [TrialTask(number, dict(params), entries, calibration.weights,
                               calibration.replicates, calibration.seed, calibration.margin)
                     for number, params in todo]
            futures = {executor.submit(evaluate_trial, task): task for task in tasks}
            for future in cf.as_completed(futures):
                task = futures[future]
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - a lost worker: recorded as failed
                    result = {"number": task.number, "error": f"{type(error).__name__}: {error}",
                              "seconds": math.nan}
                trial = asked.get(task.number) or Trial(study, _trial_id(trials_now, task.number))
                _tell(study, trial, result)
                ran += 1
                state.done += 1
                if "error" in result:
                    state.failed += 1
                else:
                    state.best = min(state.best, result["loss"])
                if progress:
                    progress(state)
            if after_batch:
                after_batch(study)
        confirmations, confirm_ran, confirm_reused = [], 0, 0
        if calibration.confirm is not None:
            confirmations, confirm_ran, confirm_reused, notes = confirm_trials(
                calibration, study, out, executor, confirm_progress)
            repaired += notes
    finally:
        if lock is not None:
            lock.close()
    return CalibrationOutcome(study=study, out_dir=out, ran=ran - min(ran, stale), rerun=min(ran, stale),
                              skipped=len(before) - stale, repaired=repaired,
                              confirmations=confirmations, confirm_ran=confirm_ran,
                              confirm_reused=confirm_reused)


def _trial_id(trials, number: int) -> int:
    return next(t._trial_id for t in trials if t.number == number)


def _tell(study, trial, result: dict) -> None:
    """Record a trial's per-target results, then tell its loss (or its failure)."""
    from optuna.trial import TrialState

    trial.set_user_attr("targets", result.get("targets", {}))
    trial.set_user_attr("seconds", finite_or_none(result.get("seconds", math.nan)))
    if "error" in result:
        trial.set_user_attr("error", result["error"])
        study.tell(trial.number, state=TrialState.FAIL)
    else:
        study.tell(trial.number, result["loss"])
