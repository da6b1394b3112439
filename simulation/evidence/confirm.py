"""The calibration's confirmation stage: the study's best trials scored again on more
replicates, and the trial chosen from them (``confirm: {top: K, replicates: R}`` in the file).

A trial is scored on few replicates, so the best of many is partly chosen by their noise.
Once the study has its trials, the K best (lowest loss, then lowest number) are scored again
on R replicates with the same seed (replicate k is child k of ``SeedSequence(seed)``, so the
first ``replicates`` are the runs the trial was scored on), one task per trial on the same
executor, and the set chosen is the one with the lowest loss on R (ties: lowest number). Each
result is written to ``confirm.json`` as soon as it is told (atomically), keyed by trial
number with the parameters, replicates and seed it was scored with: a resumed run re-uses
those that still match a trial of the top K and scores only the others. Without ``confirm``,
the chosen set is the study's best trial. ``calibrate.run_calibration`` runs this stage after
the study; this module does not import ``calibrate``.
"""

import concurrent.futures as cf
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.evidence.calibration_spec import Calibration, CalibrationError
from simulation.evidence.evaluate import finite_or_none
from simulation.evidence.trial import TrialTask, best_trial, evaluate_trial, top_trials
from simulation.outputs import files

CONFIRM_FILE = "confirm.json"


@dataclass(frozen=True)
class Confirmation:
    """One of the best trials scored again on the confirmation's replicates."""

    trial: int
    loss: float  # on the study's replicates (the trial's value)
    confirmed_loss: float  # on ``confirm.replicates`` (NaN if that evaluation failed)
    replicates: int
    targets: dict[str, Any]
    error: str | None = None


def chosen_trial(study, confirmations: list[Confirmation]):
    """The confirmed trial with the lowest confirmed loss (ties: lowest number); the study's
    best trial if nothing was confirmed (no ``confirm``, or every confirmation failed)."""
    ok = [c for c in confirmations if math.isfinite(c.confirmed_loss)]
    if not ok:
        return best_trial(study)
    number = min(ok, key=lambda c: (c.confirmed_loss, c.trial)).trial
    return next(t for t in study.get_trials(deepcopy=False) if t.number == number)


def confirm_trials(calibration: Calibration, study, out_dir: Path, executor: cf.Executor,
                   progress: Callable[[int, int], None] | None = None
                   ) -> tuple[list[Confirmation], int, int, list[str]]:
    """Score the ``confirm.top`` best trials again on ``confirm.replicates`` (module docstring).

    Returns the confirmations (best study loss first), how many were evaluated now, how many
    were re-used from ``confirm.json``, and notes (a record that no longer matched). A task
    whose worker was lost is not recorded: the others are, then a :class:`CalibrationError`
    says to resume (the confirmation is run again then).
    """
    confirm = calibration.confirm
    path = out_dir / CONFIRM_FILE
    records, notes = read_confirmations(path, calibration)
    top = top_trials(study, confirm.top)
    done: dict[int, dict] = {}
    for trial in top:
        record = records.get(trial.number)
        if record is None:
            continue
        if record_matches(record, trial, calibration):
            done[trial.number] = record
        else:
            notes.append(f"trial {trial.number}'s confirmation in {CONFIRM_FILE} was made with "
                         f"other parameters, replicates or seed: scored again")
    reused = len(done)
    entries = tuple(calibration.entries)
    tasks = [TrialTask(t.number, dict(t.params), entries, calibration.weights,
                       confirm.replicates, calibration.seed, calibration.margin)
             for t in top if t.number not in done]
    if progress:
        progress(len(done), len(top))
    lost = []

    def tell(future, task):
        try:
            result = future.result()
        except Exception as error:  # noqa: BLE001 - a lost worker: not a result, run it again
            lost.append(f"trial {task.number} ({type(error).__name__}: {error})")
            return
        records[task.number] = done[task.number] = confirmation_record(task, result)
        write_confirmations(path, calibration, records)  # told: recorded at once
        if progress:
            progress(len(done), len(top))

    pending = {}
    for task in tasks:
        pending[executor.submit(evaluate_trial, task)] = task
        for future in [f for f in pending if f.done()]:  # (an executor that runs on submit)
            tell(future, pending.pop(future))
    for future in cf.as_completed(pending):
        tell(future, pending[future])
    if lost:
        raise CalibrationError([(str(path), None, "confirm", "the confirmation of "
                                 f"{'; '.join(sorted(lost))} did not finish (the others are "
                                 f"recorded); rerun with --resume to run it again")])
    values = {t.number: t.value for t in top}
    confirmations = [Confirmation(trial=n, loss=values[n], confirmed_loss=_nan(done[n]["loss"]),
                                  replicates=done[n]["replicates"], targets=done[n]["targets"],
                                  error=done[n].get("error"))
                     for n in values]
    return confirmations, len(tasks), reused, notes


def confirmation_record(task: TrialTask, result: dict) -> dict[str, Any]:
    """What ``confirm.json`` keeps of one confirmation: enough to check it on resume."""
    record = {"trial": task.number, "parameters": dict(task.parameters),
              "replicates": task.replicates, "seed": task.seed,
              "loss": finite_or_none(result.get("loss", math.nan)),
              "targets": result.get("targets", {}),
              "seconds": finite_or_none(result.get("seconds", math.nan))}
    if "error" in result:
        record["error"] = result["error"]
    return record


def record_matches(record: dict, trial, calibration: Calibration) -> bool:
    """Whether a stored confirmation is this trial's on this file's replicates and seed."""
    return (record.get("parameters") == dict(trial.params)
            and record.get("replicates") == calibration.confirm.replicates
            and record.get("seed") == calibration.seed)


def read_confirmations(path: Path, calibration: Calibration) -> tuple[dict[int, dict], list[str]]:
    """The records in ``confirm.json`` by trial number ({} if none, or another calibration's)."""
    import json

    if not path.exists():
        return {}, []
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        records = {int(r["trial"]): r for r in document["trials"]}
    except (ValueError, KeyError, TypeError) as error:
        return {}, [f"ignored {path.name}, which could not be read ({error}): the "
                    f"confirmations are scored again"]
    if document.get("fingerprint") != calibration.fingerprint():
        return {}, [f"ignored {path.name}, written for another calibration: the "
                    f"confirmations are scored again"]
    return records, []


def write_confirmations(path: Path, calibration: Calibration, records: dict[int, dict]) -> Path:
    """Write ``confirm.json`` (atomically): every record, in trial order."""
    return files.write_json(path, {"calibration": calibration.name,
                                   "fingerprint": calibration.fingerprint(),
                                   "trials": [records[n] for n in sorted(records)]})


def _nan(x: float | None) -> float:
    return math.nan if x is None else float(x)
