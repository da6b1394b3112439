"""Which assumptions matter: a Morris screening of parameters on the evidence outcomes.

Every parameter of ``simulation/params.py`` whose source is an assumption (``source_kind``)
is screened over its declared range; the outcomes are the evidence entries' statistics
(``simulation/evidence/``). Nothing here re-implements a piece that exists:

- the design is a sweep (``simulation/sweeps``): an :class:`EvidenceSweep` is a ``Sweep``
  whose factors are ``parameters.<name>`` (uniform over the declared range), whose outcomes
  are entry ids and whose "scenario" is the library (its entries' fingerprint); the Morris
  design (SALib, ``sweeps/design.py``), the runner, executors, result store (``--resume``)
  and the Morris analysis (``sweeps/analysis.py``) are the sweeps' own;
- a run is one replicate of the whole library at one design point, scored by
  ``simulation.evidence.evaluate`` exactly as ``prds evidence`` scores it (paired study and
  baseline runs with the same seed). With ``common_seeds`` replicate ``k`` of every point
  has the same seed: common random numbers across points, so an elementary effect is the
  parameter's effect, not a change of draws, and a parameter a design never reads has an
  effect of exactly zero.

Influence is normalised per entry by the entry's tolerance unit (``Tolerance.unit``: half
the band's width, or its ``scale`` for a band open on one side; the unit of the calibration
loss), so entries measured in shares, dollars and ratios compare: ``mu_star_bands`` is how
many bands moving the parameter across its whole declared range moves the entry, on
average over the trajectories (Morris 1991; Campolongo et al. 2007's mu*).
"""

import copy
import difflib
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import model_validator

from simulation.evidence.library import LibraryEntry
from simulation.params import Parameters, source_kind
from simulation.sweeps.analysis import analyze, point_means
from simulation.sweeps.design import SweepDesign
from simulation.sweeps.spec import Sweep

#: the kind of source screened by default (``params.source_kind``)
SCREENED_KIND = "assumption"
#: the Morris grid levels (the sweeps' default; Saltelli et al. 2008's usual choice)
LEVELS = 4
#: the factor key path of a parameter (as in sweep files)
PREFIX = "parameters."


class SensitivityError(ValueError):
    """A screening that cannot be run as asked; the message names the option and the value."""


def screened_parameters(kind: str = SCREENED_KIND) -> list[str]:
    """The parameters whose source is of ``kind``, in declaration order."""
    return [row["name"] for row in Parameters.describe() if source_kind(row["source"]) == kind]


def declared_ranges(names: list[str]) -> dict[str, tuple[float, float]]:
    """The declared range of each named parameter; an unknown name is an error with the
    nearest name."""
    rows = {row["name"]: row for row in Parameters.describe()}
    out = {}
    for name in names:
        if name not in rows:
            close = difflib.get_close_matches(name, rows, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SensitivityError(f"parameter {name!r}: not a field of simulation/params.py{hint}")
        out[name] = (float(rows[name]["min"]), float(rows[name]["max"]))
    return out


@dataclass(frozen=True)
class EvidenceModel:
    """The sweep model of a screening: one replicate of every entry at one design point.

    Called by the sweep runner as ``model(scenario, seed, overrides)``: ``overrides`` are the
    point's ``parameters.<name>`` values, ``seed`` the replicate's root seed; returns each
    entry's statistic (NaN where nobody is measured). Picklable: it travels to pool and Dask
    workers with its entries, as a calibration trial does.
    """

    entries: tuple[LibraryEntry, ...]

    def __call__(self, scenario: dict, seed: int, overrides: dict[str, Any]) -> dict[str, float]:
        from simulation.evidence.evaluate import evaluate

        parameters = {key.removeprefix(PREFIX): value for key, value in overrides.items()}
        results = evaluate(list(self.entries), replicates=1, seed=seed, parameters=parameters)
        return {r.id: math.nan if r.model["median"] is None else float(r.model["median"])
                for r in results}

    def __repr__(self) -> str:  # sweep.json records the model by name, not its entries
        return f"{type(self).__module__}.{type(self).__qualname__}({len(self.entries)} entries)"


class EvidenceSweep(Sweep):
    """A sweep of parameters over the evidence library (see the module docstring).

    ``scenario`` holds the library's fingerprint (entry ids and a digest of each entry with
    its study and baseline scenarios as loaded, calibrated defaults included): what the
    sweep store checks on ``--resume``, so a changed entry, scenario or default is a
    different screening, never mixed into an old one.
    """

    @model_validator(mode="after")
    def _check(self):  # replaces Sweep._check: outcomes are entry ids, not summary keys
        if self.levers:
            raise ValueError("levers: a screening varies parameters only (uncertainties)")
        if not self.uncertainties:
            raise ValueError("uncertainties: screen at least one parameter")
        for key in self.uncertainties:
            if not key.startswith(PREFIX) or key.removeprefix(PREFIX) not in Parameters.model_fields:
                raise ValueError(f"uncertainties: {key!r} is not parameters.<a field of params.py>")
        if len(set(self.outcomes)) != len(self.outcomes):
            raise ValueError("outcomes: an entry is listed twice")
        if self.design.method != "morris":
            raise ValueError("design: a screening is a Morris design")
        return self

    def scenario_data(self) -> dict:
        """The library's fingerprint (the runs take their scenarios from the entries)."""
        return copy.deepcopy(self.scenario)  # type: ignore[arg-type]

    @property
    def parameters(self) -> list[str]:
        """The screened parameters' names (factor key paths without ``parameters.``)."""
        return [key.removeprefix(PREFIX) for key in self.uncertainties]


def library_fingerprint(entries: list[LibraryEntry]) -> dict[str, str]:
    """Entry id -> digest of the entry and its scenarios as loaded (defaults included)."""
    out = {}
    for entry in entries:
        study, base = entry.scenarios()
        made_of = {"entry": entry.spec.model_dump(mode="json"),
                   "study": study.model_dump(mode="json"),
                   "baseline": None if base is None else base.model_dump(mode="json")}
        text = json.dumps(made_of, sort_keys=True, default=str)
        out[entry.id] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return out


def screening_sweep(entries: list[LibraryEntry], parameters: list[str] | None = None,
                    trajectories: int = 10, replicates: int = 1, seed: int = 0,
                    levels: int = LEVELS) -> EvidenceSweep:
    """The Morris screening of ``parameters`` (default: every assumption) on ``entries``.

    ``trajectories`` Morris trajectories of ``len(parameters) + 1`` points each, every point
    run ``replicates`` times with the replicate seeds shared by all points. Bad input (fewer
    than 2 trajectories, no entries, an unknown or repeated parameter) is a
    :class:`SensitivityError` naming the option.
    """
    if trajectories < 2:
        raise SensitivityError(f"trajectories: a Morris screening needs at least 2 trajectories "
                               f"(got {trajectories}): mu* is a mean over trajectories and its "
                               f"interval a bootstrap over them")
    if replicates < 1:
        raise SensitivityError(f"replicates: at least 1 (got {replicates})")
    if not entries:
        raise SensitivityError("entries: no evidence entries to screen on")
    names = screened_parameters() if parameters is None else list(parameters)
    if not names:
        raise SensitivityError("parameters: no parameter to screen")
    if len(set(names)) != len(names):
        raise SensitivityError(f"parameters: listed twice: {sorted({n for n in names if names.count(n) > 1})}")
    ranges = declared_ranges(names)
    data = {
        "name": "evidence-sensitivity",
        "description": "Morris screening of parameters on the evidence entries' statistics",
        "scenario": {"evidence": library_fingerprint(entries)},
        "seed": seed, "replicates": replicates, "common_seeds": True,
        "design": {"method": "morris", "samples": trajectories, "levels": levels},
        "uncertainties": {f"{PREFIX}{name}": {"low": low, "high": high}
                          for name, (low, high) in ranges.items()},
        "outcomes": [entry.id for entry in entries],
    }
    sweep = EvidenceSweep.model_validate(data)
    sweep._file = "<prds sensitivity>"
    return sweep


def run_screening(sweep: EvidenceSweep, entries: list[LibraryEntry], out_dir, executor=None, *,
                  resume: bool = False, progress=None):
    """Run the screening's sweep into ``out_dir`` (the sweep store: resumable; the same
    numbers on any executor). Returns the sweep runner's ``SweepOutcome``."""
    from simulation.sweeps.runner import run_sweep

    by_id = {entry.id: entry for entry in entries}
    ordered = tuple(by_id[outcome] for outcome in sweep.outcomes)
    return run_sweep(sweep, out_dir, executor, resume=resume, model=EvidenceModel(ordered),
                     progress=progress)


@dataclass
class Screening:
    """The screening's indices and what could not be computed.

    ``indices``: one row per (parameter, entry): ``mu_star``, ``mu_star_conf``, ``mu``,
    ``sigma`` in the entry's units per whole range, the same over the entry's tolerance unit
    (``*_bands``), and ``trajectories`` used. ``notes``: entries left out or trimmed.
    """

    indices: pd.DataFrame
    units: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def influence(self) -> pd.DataFrame:
        """One row per screened parameter: its largest ``mu_star_bands`` over the entries,
        with that entry, the interval and the rank (1 = most influential)."""
        frame = self.indices.dropna(subset=["mu_star_bands"])
        if frame.empty:
            return pd.DataFrame(columns=["parameter", "influence", "influence_conf", "entry",
                                         "sigma_bands", "rank"])
        top = frame.loc[frame.groupby("parameter", sort=False)["mu_star_bands"].idxmax()]
        top = top.rename(columns={"mu_star_bands": "influence",
                                  "mu_star_conf_bands": "influence_conf"})
        top = top.sort_values(["influence", "parameter"], ascending=[False, True])
        top = top[["parameter", "influence", "influence_conf", "entry", "sigma_bands"]]
        top.insert(len(top.columns), "rank", np.arange(1, len(top) + 1))
        return top.reset_index(drop=True)


def analyse(sweep: EvidenceSweep, entries: list[LibraryEntry], design: SweepDesign,
            results: pd.DataFrame) -> Screening:
    """The Morris indices of every entry (``sweeps.analysis.analyze``), normalised.

    Per entry, a point whose statistic is undefined in any replicate (nobody measured: NaN)
    makes its trajectory unusable for that entry; such trajectories are left out for that
    entry alone (a note says how many), and the entry is left out with fewer than 2 usable.
    A statistic the same at every point moves with no parameter: mu* is 0 for all.
    """
    units = {entry.id: entry.spec.tolerance.unit for entry in entries}
    per = len(design.names) + 1
    count = len(design.points) // per
    rows, notes = [], []
    for entry_id in sweep.outcomes:
        frame = _undefined_points_masked(results, entry_id)
        y = point_means(design, frame, entry_id)
        usable = np.isfinite(y).reshape(count, per).all(axis=1)
        if usable.sum() < 2:
            notes.append(f"{entry_id}: left out: its statistic is undefined (nobody measured) "
                         f"somewhere on {count - int(usable.sum())} of {count} trajectories")
            continue
        if not usable.all():
            notes.append(f"{entry_id}: {count - int(usable.sum())} of {count} trajectories left "
                         f"out (statistic undefined at a point: nobody measured)")
        sub, sub_results = _trajectories(design, frame, usable, per)
        found = analyze(sweep, sub, sub_results, [entry_id])
        table = found.table
        if table.empty:  # the same at every point: no parameter moves it
            table = pd.DataFrame({"factor": list(design.names), "mu_star": 0.0,
                                  "mu_star_conf": 0.0, "mu": 0.0, "sigma": 0.0})
            notes.append(f"{entry_id}: the same at every point: no screened parameter moves it")
        unit = units[entry_id]
        for row in table.to_dict("records"):
            rows.append({"parameter": row["factor"].removeprefix(PREFIX), "entry": entry_id,
                         "mu_star": row["mu_star"], "mu_star_conf": row["mu_star_conf"],
                         "mu": row["mu"], "sigma": row["sigma"], "unit": unit,
                         "mu_star_bands": row["mu_star"] / unit,
                         "mu_star_conf_bands": row["mu_star_conf"] / unit,
                         "sigma_bands": row["sigma"] / unit,
                         "trajectories": int(usable.sum())})
    columns = ["parameter", "entry", "mu_star", "mu_star_conf", "mu", "sigma", "unit",
               "mu_star_bands", "mu_star_conf_bands", "sigma_bands", "trajectories"]
    return Screening(pd.DataFrame(rows, columns=columns), units, notes)


def _undefined_points_masked(results: pd.DataFrame, entry_id: str) -> pd.DataFrame:
    """``results`` with the entry undefined at every replicate of a point where any
    replicate is undefined or failed (a point's mean then always pairs the same seeds)."""
    frame = results.copy()
    bad = (frame["status"] != "ok") | frame[entry_id].isna()
    points = set(frame.loc[bad, "point"].tolist())
    frame.loc[frame["point"].isin(points), entry_id] = math.nan
    return frame


def _trajectories(design: SweepDesign, results: pd.DataFrame, usable: np.ndarray,
                  per: int) -> tuple[SweepDesign, pd.DataFrame]:
    """The design and results restricted to the usable trajectories, points renumbered."""
    if usable.all():
        return design, results
    keep = np.repeat(usable, per)
    old = np.flatnonzero(keep)
    renumber = {int(p): i for i, p in enumerate(old)}
    points = design.points.iloc[old].reset_index(drop=True)
    points["point"] = np.arange(len(points), dtype=np.int64)
    runs = design.runs[design.runs["point"].isin(renumber)].copy()
    runs["point"] = runs["point"].map(renumber)
    kept = results[results["point"].isin(renumber)].copy()
    kept["point"] = kept["point"].map(renumber)
    sub = SweepDesign(method=design.method, names=design.names, unit=design.unit[keep],
                      points=points, runs=runs.reset_index(drop=True))
    return sub, kept.reset_index(drop=True)
