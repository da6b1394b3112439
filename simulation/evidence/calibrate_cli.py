"""``prds calibrate``: fit parameters to evidence entries (Optuna), resumably; write the results.

The Optuna machinery is imported when the command runs, so ``prds --help`` stays quick.
"""

import json
import math
import signal
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from simulation.sweeps.cli import (
    _fail,
    _interrupt,
    dask_option,
    refuse_workers_with_cluster,
    workers_option,
)

console = Console()
errors = Console(stderr=True)


def calibrate_command(
    calibration_file: Path = typer.Argument(..., help="calibration YAML (see "
                                            "scenarios/evidence/calibration.yaml)"),
    trials: int = typer.Option(None, "--trials", min=1,
                               help="trials in all (default: the file's); more than a finished "
                                    "study has extends it"),
    workers: int = workers_option(),
    dask: str = dask_option("run trials"),
    resume: bool = typer.Option(False, "--resume",
                                help="continue the study in --out: told trials are kept, a "
                                     "trial cut short by a kill is run again from its "
                                     "parameters"),
    out: Path = typer.Option(None, "--out", help="output folder (default: out/calibrate/<name>)"),
    apply: bool = typer.Option(False, "--apply",
                               help="write the best set to simulation/calibrated.yaml: the "
                                    "defaults of every scenario"),
) -> None:
    """Fit the file's parameters to its evidence entries with Optuna (TPE); write the study
    (study.journal), trials.parquet, best_parameters.yaml and a before/after report. With
    confirm: in the file, the best trials are scored again on more replicates
    (confirm.json) and the best of them there is chosen.

    Rerun with --resume after an interruption: no trial is lost or repeated, and the study
    is the one an uninterrupted run makes.
    """
    from simulation.evidence import calibration_report as report
    from simulation.evidence.calibrate import run_calibration
    from simulation.evidence.calibration_spec import CalibrationError, load_calibration
    from simulation.evidence.confirm import CONFIRM_FILE
    from simulation.evidence.library import EvidenceError
    from simulation.evidence.trial import best_trial
    from simulation.sweeps.executors import ClusterError, open_executor

    try:
        calibration = load_calibration(calibration_file)
    except (CalibrationError, EvidenceError) as error:
        _fail(str(error))
    refuse_workers_with_cluster(workers, dask, "the trials")
    out = out or Path("out") / "calibrate" / calibration.name
    total = trials or calibration.trials
    console.print(f"calibration [bold]{calibration.name}[/]: {len(calibration.parameters)} "
                  f"parameters, {len(calibration.weights)} fitted entries, {total} trials in "
                  f"batches of {calibration.batch}, {calibration.replicates} paired replicate(s) "
                  f"each", highlight=False)
    if calibration.confirm is not None:
        console.print(f"then the {calibration.confirm.top} best trial(s) scored again on "
                      f"{calibration.confirm.replicates} replicates; the best there is chosen",
                      highlight=False)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[what]}"),
               TimeElapsedColumn())
    try:
        with open_executor(workers, dask) as executor:
            with Progress(*columns, console=console) as bar:
                task = bar.add_task(calibration.name, total=total, what="trials  best loss -")
                confirming = []

                def show(state):
                    best = f"{state.best:.4g}" if math.isfinite(state.best) else "-"
                    failed = f"  [red]{state.failed} failed[/]" if state.failed else ""
                    bar.update(task, completed=state.done,
                               what=f"trials  best loss {best}{failed}")

                def show_confirm(confirmed, of):
                    if not confirming:
                        confirming.append(bar.add_task("confirm", total=of, what=(
                            f"best trials scored on {calibration.confirm.replicates} "
                            f"replicates")))
                    bar.update(confirming[0], completed=confirmed)

                done = run_calibration(calibration, out, executor, resume=resume, trials=trials,
                                       progress=show, confirm_progress=show_confirm,
                                       after_batch=lambda s: report.write_history(s, calibration, out))
            report.write_history(done.study, calibration, out, done.confirmations)
            for note in done.repaired:
                console.print(f"note: {note}", highlight=False)
            trial = done.chosen
            if trial is None:
                _fail(f"no trial completed; the errors are in {out / 'trials.parquet'}", 1)
            best = report.scored_set(trial)
            report.write_best(out, calibration, best, trial, len(done.study.trials),
                              done.confirmations)
            document = _cached(out, calibration, best)
            if document is None:
                console.print("evaluating every entry before and after (defaults, best set)",
                              highlight=False)
                document = report.before_after(calibration, best, executor)
            confirmation = report.confirmation_document(calibration, done.study,
                                                        done.confirmations, trial)
            if confirmation is not None:
                document["confirmation"] = confirmation
            report.write_before_after(out, document)
    except CalibrationError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        _fail(f"interrupted; every told trial is in {out / 'study.journal'}"
              + (f" and every confirmation in {out / CONFIRM_FILE}" if calibration.confirm
                 else "") + " - continue with --resume", 130)
    except ClusterError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{error.strerror or error}: {error.filename or out}")
    finally:
        signal.signal(signal.SIGTERM, previous)
    console.print(before_after_table(document))
    console.print(f"{done.ran} trials run, {done.rerun} cut short by a kill run again, "
                  f"{done.skipped} already told; "
                  f"{'chosen' if calibration.confirm else 'best'}: trial {trial.number}, loss "
                  f"{trial.value:.4g}; wrote [bold]{out}[/] (best_parameters.yaml, "
                  f"trials.parquet, before_after.html)", highlight=False)
    if calibration.confirm is not None:
        console.print(confirm_line(done, best_trial(done.study), trial), highlight=False)
    if apply:
        path = report.apply_defaults(calibration, best, trial, confirmations=done.confirmations)
        console.print(f"applied: [bold]{path}[/] now holds the defaults of "
                      f"{', '.join(best)} (regenerate the regression baseline: "
                      f"prds baseline --update)", highlight=False)


def _cached(out: Path, calibration, best: dict) -> dict | None:
    """The before/after document already written for this study, best set and replicates."""
    from simulation.evidence.calibration_report import report_replicates

    path = out / "before_after.json"
    if not path.exists():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    same = (document.get("fingerprint") == calibration.fingerprint()
            and document.get("parameters") == best
            and document.get("replicates") == report_replicates(calibration))
    return document if same else None


def confirm_line(done, study_best, chosen) -> str:
    """One line on the confirmation: how many scored again, the choice, and its loss there
    against the study's best trial's."""
    from simulation.evidence.confirm import CONFIRM_FILE

    by_trial = {c.trial: c for c in done.confirmations}
    if not by_trial:
        return "confirm: no completed trial to score again"
    replicates = next(iter(by_trial.values())).replicates
    mine, theirs = by_trial.get(chosen.number), by_trial[study_best.number]
    line = (f"confirm: {len(by_trial)} best trial(s) scored on {replicates} replicates "
            f"({done.confirm_ran} now, {done.confirm_reused} from {CONFIRM_FILE}); ")
    if mine is None or not math.isfinite(mine.confirmed_loss):  # every confirmation failed
        return line + f"none gave a loss, so the study's best, trial {chosen.number}, is kept"
    line += f"chose trial {chosen.number}: loss {mine.confirmed_loss:.4g} on {replicates}"
    if chosen.number == study_best.number:
        return line + " (the study's best trial too)"
    return line + (f", against {theirs.confirmed_loss:.4g} for the study's best, trial "
                   f"{study_best.number} ({study_best.value:.4g} on the study's replicates)")


def before_after_table(document: dict) -> Table:
    """The before/after document as a printed table."""
    table = Table(title=f"{document['calibration']}: before and after", header_style="bold",
                  caption="loss 0 = the median is inside the tolerance band; test entries "
                          "never entered the loss")
    for column in ("entry", "use", "band", "before", "loss", "after", "loss"):
        table.add_column(column, justify="left" if column in ("entry", "use") else "right")
    for row in document["targets"]:
        tolerance = row["tolerance"]
        cells = [row["id"], row["use"] + (" *" if row["fitted"] else ""),
                 f"[{_g(tolerance.get('low'))}, {_g(tolerance.get('high'))}]"]
        for label in ("before", "after"):
            side = row[label]
            median = side["model"].get("median")
            loss = side["loss"]
            colour = "green" if side["pass"] else "red"
            cells += [_g(median), f"[{colour}]{_g(loss)}[/]"]
        table.add_row(*cells)
    return table


def _g(value) -> str:
    return "-" if value is None else f"{value:.3g}"
