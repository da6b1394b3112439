"""What a calibration writes: the trial history, the best set, before/after, the applied defaults.

Files in the output folder (each written atomically, ``simulation.outputs.files``):

- ``trials.parquet``: one row per trial: ``trial``, ``state`` (COMPLETE, FAIL, RUNNING),
  ``loss``, ``confirmed_loss`` (only with ``confirm``: the loss on its replicates of the top
  trials, NaN for the others), one column per parameter, ``loss.<id>`` and ``median.<id>``
  per target, ``seconds``, ``error``;
- ``best_parameters.yaml``: the chosen set (the study's best trial, or with ``confirm`` the
  best on the confirmation's replicates), exactly the values the trial was scored with, as
  a scenario's ``parameters:`` block (with the trial, the loss and the targets in its
  header). Not rounded: a share of households at a threshold can sit on a mass point of
  the model (every refugee household living on the same e-card has the same ratio of aid
  to basket), and rounding the survival share of 2026-12-07 to 4 digits (0.827793 to
  0.8278) moved `vasyr_below_survival` from the confirmed 0.518 to 0.488;
- ``before_after.json``, ``before_after.html`` and ``before_after/<id>.png``: every entry of
  the libraries, fitted and test, evaluated with the defaults in force ("before") and with
  the chosen set ("after"), on the confirmation's replicates if there is one: the published
  band, the model's median and 10-90% band, the loss; with ``confirm``, the confirmed
  trials' losses on the study's replicates and on the confirmation's, and which was chosen.

``apply_defaults`` writes ``simulation/calibrated.yaml`` (``simulation/calibrated.py``).
"""

import math
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simulation.calibrated import CALIBRATED_FILE
from simulation.evidence.calibration_spec import Calibration
from simulation.evidence.evaluate import finite_or_none
from simulation.outputs import files

REPO = Path(__file__).resolve().parents[2]


def history(study, calibration: Calibration, confirmations=()) -> pd.DataFrame:
    """The trial history as a table (see module docstring), in trial order."""
    confirmed = {c.trial: c.confirmed_loss for c in confirmations}
    rows = []
    names = list(calibration.parameters)
    targets = list(calibration.weights)
    for trial in study.get_trials(deepcopy=False):
        attrs = trial.user_attrs
        row: dict[str, Any] = {"trial": trial.number, "state": trial.state.name,
                               "loss": trial.value if trial.value is not None else math.nan}
        if calibration.confirm is not None:
            row["confirmed_loss"] = confirmed.get(trial.number, math.nan)
        for name in names:
            row[name] = trial.params.get(name, math.nan)
        per_target = attrs.get("targets") or {}
        for target in targets:
            result = per_target.get(target) or {}
            row[f"loss.{target}"] = _number(result.get("loss"))
            row[f"median.{target}"] = _number(result.get("median"))
        row["seconds"] = _number(attrs.get("seconds"))
        row["error"] = attrs.get("error")
        rows.append(row)
    confirm = ["confirmed_loss"] if calibration.confirm is not None else []
    columns = ["trial", "state", "loss", *confirm, *names,
               *(f"{kind}.{t}" for t in targets for kind in ("loss", "median")), "seconds", "error"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["error"] = frame["error"].astype("string")
    return frame


def _number(value) -> float:
    return math.nan if value is None else float(value)


def write_history(study, calibration: Calibration, out_dir: Path, confirmations=()) -> Path:
    return files.write_parquet(out_dir / "trials.parquet",
                               history(study, calibration, confirmations))


def scored_set(trial) -> dict[str, float]:
    """The parameter values ``trial`` was scored with, exactly (floats round-trip through
    YAML), so that the defaults applied are the set the calibration confirmed."""
    return {name: float(value) for name, value in trial.params.items()}


def write_best(out_dir: Path, calibration: Calibration, best: dict[str, float], trial,
               trials: int, confirmations=()) -> Path:
    """``best_parameters.yaml``: a ``parameters:`` block with where it came from."""
    header = (f"# Best parameter set of calibration {calibration.name!r} ({calibration._file}):\n"
              f"# trial {trial.number} of {trials}, loss {trial.value:.4g} (mean "
              f"loss of the fitted entries, in tolerance units; 0 = every one inside its band).\n"
              f"{_confirmed_header(trial, confirmations)}"
              f"# Fitted to: {', '.join(calibration.weights)}.\n"
              f"# Use it in a scenario (parameters: ...) or make it the defaults with --apply.\n")
    body = yaml.safe_dump({"parameters": best}, sort_keys=False)
    return files.write_text(out_dir / "best_parameters.yaml", header + body)


def _confirmed_header(trial, confirmations) -> str:
    """The header lines on the confirmation, if the chosen trial was confirmed."""
    mine = chosen_confirmation(trial, confirmations)
    if mine is None:
        return ""
    return (f"# Chosen as the lowest loss, {mine.confirmed_loss:.4g}, on {mine.replicates} "
            f"replicates among the {len(confirmations)} best trials scored again on them "
            f"(confirm).\n")


def chosen_confirmation(trial, confirmations):
    """The confirmation of ``trial``, if it was confirmed."""
    return next((c for c in confirmations if c.trial == trial.number), None)


def apply_defaults(calibration: Calibration, best: dict[str, float], trial,
                   path: Path = CALIBRATED_FILE, confirmations=()) -> Path:
    """Write the fitted values as the package's calibrated defaults (``simulation/calibrated.py``)."""
    source = Path(calibration._file).resolve()
    shown = source.relative_to(REPO) if source.is_relative_to(REPO) else source
    command = f"prds calibrate {shown} --apply"
    header = ("# The calibrated defaults of simulation/params.py (read by simulation/calibrated.py).\n"
              f"# Written by: {command}\n"
              "# Do not edit by hand: rerun that command (README, \"Calibrating\").\n")
    study = {"name": calibration.name, "best_trial": trial.number, "loss": float(trial.value)}
    mine = chosen_confirmation(trial, confirmations)
    if mine is not None:  # (the loss above is on the study's replicates)
        study.update(confirmed_loss=float(mine.confirmed_loss),
                     confirmed_replicates=mine.replicates, confirmed_top=len(confirmations))
    study.update(trials=calibration.trials, replicates=calibration.replicates,
                 seed=calibration.seed)
    document = {
        "command": command,
        "calibration": str(shown),
        "study": study,
        "fitted_to": list(calibration.weights),
        "parameters": best,
    }
    return files.write_text(path, header + yaml.safe_dump(document, sort_keys=False))


# --- before / after ------------------------------------------------------------------------------
def report_replicates(calibration: Calibration) -> int:
    """The replicates of the before/after: the confirmation's if any, else the study's."""
    confirm = calibration.confirm
    return confirm.replicates if confirm is not None else calibration.replicates


def before_after(calibration: Calibration, best: dict[str, float], executor=None) -> dict:
    """Every entry of the libraries with the defaults in force and with ``best``."""
    from simulation.evidence import evaluate

    entries = calibration.library_entries
    replicates = report_replicates(calibration)
    rows = {}
    for label, parameters in (("before", None), ("after", best)):
        results = evaluate(entries, replicates=replicates, seed=calibration.seed,
                           parameters=parameters, executor=executor)
        for result in results:
            row = rows.setdefault(result.id, {"id": result.id, "use": result.use,
                                              "fitted": result.id in calibration.weights,
                                              "source": result.source,
                                              "published": result.published,
                                              "tolerance": result.tolerance})
            row[label] = {"model": result.model, "loss": finite_or_none(result.loss),
                          "pass": result.pass_}
    return {"calibration": calibration.name, "fingerprint": calibration.fingerprint(),
            "parameters": best, "replicates": replicates, "seed": calibration.seed,
            "targets": list(rows.values())}


def confirmation_document(calibration: Calibration, study, confirmations, chosen) -> dict | None:
    """The confirmation for the before/after document (None without ``confirm``): each
    confirmed trial's loss on the study's replicates and on the confirmation's."""
    from simulation.evidence.trial import best_trial

    if calibration.confirm is None:
        return None
    return {"top": calibration.confirm.top, "replicates": calibration.confirm.replicates,
            "study_replicates": calibration.replicates, "chosen": chosen.number,
            "study_best": best_trial(study).number,
            "trials": [{"trial": c.trial, "loss": finite_or_none(c.loss),
                        "confirmed_loss": finite_or_none(c.confirmed_loss),
                        "chosen": c.trial == chosen.number, "error": c.error}
                       for c in confirmations]}


def write_before_after(out_dir: Path, document: dict) -> list[Path]:
    """``before_after.json``, one PNG per entry and ``before_after.html`` (PNGs embedded)."""
    from simulation.report.document import CSS, esc, image, render_png, table

    written = [files.write_json(out_dir / "before_after.json", document)]
    images = {}
    for row in document["targets"]:
        data = render_png(target_figure(row))
        images[row["id"]] = data
        written.append(files.atomic_write(out_dir / "before_after" / f"{row['id']}.png",
                                          lambda tmp, data=data: tmp.write_bytes(data)))
    headers = ["entry", "use", "published", "band", "before: median [p10, p90]", "loss",
               "after: median [p10, p90]", "loss"]
    body = []
    for row in document["targets"]:
        cells = [f'<td class="key">{esc(row["id"])}</td>',
                 f"<td>{esc(row['use'] + (' (fitted)' if row['fitted'] else ''))}</td>",
                 f"<td>{esc(_published(row['published']))}</td>",
                 f"<td>{esc(_band(row['tolerance']))}</td>"]
        for label in ("before", "after"):
            side = row[label]
            mark = "pass" if side["pass"] else "fail"
            cells.append(f"<td>{esc(_model(side['model']))}</td>")
            cells.append(f'<td class="{"pos" if side["pass"] else "neg"}">'
                         f"{esc(_loss(side['loss']))} ({mark})</td>")
        body.append(cells)
    parameters = "".join(f"<tr><td class=\"key\">{esc(k)}</td><td>{v:g}</td></tr>"
                         for k, v in document["parameters"].items())
    confirmation = _confirmation_html(document.get("confirmation"))
    page = "\n".join([
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>Calibration {esc(document['calibration'])}: before and after</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>Calibration {esc(document['calibration'])}: before and after</h1>",
        f"<p class=\"meta\">Before: the defaults in force (simulation/params.py and "
        f"simulation/calibrated.yaml). After: the best set below. {document['replicates']} "
        f"paired replicates from seed {document['seed']}. Test entries never entered the "
        f"loss: they show how the fitted set does on evidence it was not fitted to.</p>",
        table(headers, body),
        "<h2>Best set</h2>",
        f"<table><tbody>{parameters}</tbody></table>",
        *confirmation,
        "<h2>Per entry</h2>",
        *(image(f"before_after/{key}.png", f"{key}: published band and the model before and "
                f"after", data) for key, data in images.items()),
        "</body></html>",
    ])
    written.append(files.write_text(out_dir / "before_after.html", page))
    return written


def _confirmation_html(confirmation: dict | None) -> list[str]:
    """The confirmed trials as a section of before_after.html ([] without ``confirm``)."""
    from simulation.report.document import esc, table

    if not confirmation:
        return []
    r, study_r = confirmation["replicates"], confirmation["study_replicates"]
    body = [[f'<td class="key">{row["trial"]}</td>', f"<td>{esc(_loss(row['loss']))}</td>",
             f"<td>{esc(_loss(row['confirmed_loss']) if not row['error'] else 'failed')}</td>",
             f"<td>{'chosen' if row['chosen'] else ''}</td>"]
            for row in confirmation["trials"]]
    return ["<h2>Confirmation</h2>",
            f"<p class=\"meta\">The {len(confirmation['trials'])} best trials of the study "
            f"scored again on {r} paired replicates (the {_replicates(study_r)} each was "
            f"scored on and {r - study_r} more): the set chosen is the one with the lowest loss "
            f"on {r}. The study's "
            f"best trial was {confirmation['study_best']}; trial {confirmation['chosen']} was "
            f"chosen.</p>",
            table(["trial", f"loss on {_replicates(study_r)}", f"loss on {_replicates(r)}",
                   "chosen"], body)]


def _replicates(n: int) -> str:
    return "1 replicate" if n == 1 else f"{n} replicates"


def target_figure(row: dict):
    """One entry: its tolerance band (shaded), the published figure, and the model's median
    with its 10-90% band before and after calibration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.0, 1.9))
    tolerance, published = row["tolerance"], row["published"]
    values = []
    low, high = tolerance.get("low"), tolerance.get("high")
    for label, y, colour in (("after", 0, "tab:blue"), ("before", 1, "tab:grey")):
        model = row[label]["model"]
        if model.get("median") is None:
            continue
        lo, hi = model.get("p10", model["median"]), model.get("p90", model["median"])
        axes.errorbar([model["median"]], [y], xerr=[[model["median"] - lo], [hi - model["median"]]],
                      fmt="o", color=colour, capsize=4)
        values += [lo, hi, model["median"]]
    if published.get("low") is not None and published.get("high") is not None:
        axes.plot([published["low"], published["high"]], [2, 2], color="black", lw=2)
        values += [published["low"], published["high"]]
    if published.get("value") is not None:
        axes.plot([published["value"]], [2], "D", color="black")
        values.append(published["value"])
    values += [v for v in (low, high) if v is not None]
    span = (max(values) - min(values)) if values else 1.0
    pad = 0.15 * span if span > 0 else 0.1
    left = low if low is not None else min(values) - pad
    right = high if high is not None else max(values) + pad
    axes.axvspan(left, right, color="tab:green", alpha=0.15, label="tolerance band")
    axes.set_yticks([0, 1, 2], ["after", "before", "published"])
    axes.set_ylim(-0.6, 2.6)
    axes.set_xlim(min(values + [left]) - pad, max(values + [right]) + pad)
    axes.set_title(f"{row['id']} ({row['use']}{', fitted' if row['fitted'] else ''})", fontsize=9)
    axes.set_xlabel(published.get("unit", ""), fontsize=8)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    return figure


def _published(published: dict) -> str:
    parts = []
    if published.get("value") is not None:
        parts.append(f"{published['value']:g}")
    if published.get("low") is not None or published.get("high") is not None:
        parts.append(f"[{_g(published.get('low'))}, {_g(published.get('high'))}]")
    return " ".join(parts) + f" {published.get('unit', '')}"


def _band(tolerance: dict) -> str:
    return f"[{_g(tolerance.get('low'))}, {_g(tolerance.get('high'))}]"


def _model(model: dict) -> str:
    if model.get("median") is None:
        return "n/a"
    return f"{model['median']:.3g} [{_g(model.get('p10'))}, {_g(model.get('p90'))}]"


def _loss(loss) -> str:
    return "n/a" if loss is None else f"{loss:.3g}"


def _g(value) -> str:
    return "-" if value is None else f"{value:.3g}"
