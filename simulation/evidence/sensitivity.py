"""Which assumptions matter: a Morris screening of parameters on the evidence outcomes.

Every parameter of ``simulation/params.py`` whose source is an assumption (``source_kind``)
is screened over its declared range; the outcomes are the evidence entries' statistics
(``simulation/evidence/``). Nothing here re-implements a piece that exists:

- the design is a sweep (``simulation/sweeps``): an :class:`EvidenceSweep` is a ``Sweep``
  whose factors are ``parameters.<name>`` (uniform over the declared range), whose outcomes
  are entry ids and whose "scenario" is the library (its entries' fingerprint); the Morris
  design (SALib, ``sweeps/design.py``), the runner, executors and result store
  (``--resume``) are the sweeps' own, and so are the point means of the analysis
  (``sweeps/analysis.py``); the Morris estimators are SALib's, applied to the elementary
  effects whose two ends are defined (:func:`analyse` says why);
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
from simulation.sweeps.analysis import CONFIDENCE, RESAMPLES, point_means
from simulation.sweeps.design import SweepDesign
from simulation.sweeps.spec import Sweep

#: the kind of source screened by default (``params.source_kind``)
SCREENED_KIND = "assumption"
#: the Morris grid levels (the sweeps' default; Saltelli et al. 2008's usual choice)
LEVELS = 4
#: the factor key path of a parameter (as in sweep files)
PREFIX = "parameters."
#: paired replicates at the defaults that measure each entry's seed spread (``prds evidence``'s)
SPREAD_REPLICATES = 5


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
    missing = [outcome for outcome in sweep.outcomes if outcome not in by_id]
    if missing:
        raise SensitivityError(f"entries: the screening measures {missing}, not among the "
                               f"entries given")
    ordered = tuple(by_id[outcome] for outcome in sweep.outcomes)
    return run_sweep(sweep, out_dir, executor, resume=resume, model=EvidenceModel(ordered),
                     progress=progress)


@dataclass
class Screening:
    """The screening's indices and what could not be computed.

    ``indices``: one row per (parameter, entry): ``mu_star``, ``mu_star_conf``, ``mu``,
    ``sigma`` in the entry's units per whole range, the same over the entry's tolerance unit
    (``*_bands``), ``effects`` (elementary effects used) and ``undefined`` (steps of the
    parameter where the statistic was undefined at one end or both: nobody measured).
    ``notes``: entries or parameters with too few defined steps.
    """

    indices: pd.DataFrame
    units: dict[str, float]
    notes: list[str] = field(default_factory=list)
    #: entry id -> its seed spread in bands (:func:`seed_spread`), when measured
    spread: dict[str, float] = field(default_factory=dict)

    def influence(self) -> pd.DataFrame:
        """One row per screened parameter: its largest ``mu_star_bands`` over the entries,
        with that entry, the interval, ``entries_moved`` (entries it moves by a band or more:
        the breadth, since a narrow band makes one entry's number large) and the rank
        (1 = most influential, by the largest)."""
        frame = self.indices.dropna(subset=["mu_star_bands"])
        if frame.empty:
            return pd.DataFrame(columns=["parameter", "influence", "influence_conf", "entry",
                                         "sigma_bands", "entries_moved", "rank"])
        top = frame.loc[frame.groupby("parameter", sort=False)["mu_star_bands"].idxmax()]
        top = top.rename(columns={"mu_star_bands": "influence",
                                  "mu_star_conf_bands": "influence_conf"})
        top = top.sort_values(["influence", "parameter"], ascending=[False, True])
        top = top[["parameter", "influence", "influence_conf", "entry", "sigma_bands"]]
        moved = frame[frame["mu_star_bands"] >= 1.0].groupby("parameter").size()
        top["entries_moved"] = top["parameter"].map(moved).fillna(0).astype(int)
        top.insert(len(top.columns), "rank", np.arange(1, len(top) + 1))
        return top.reset_index(drop=True)


def seed_spread(entries: list[LibraryEntry], seed: int = 0, executor=None,
                replicates: int = SPREAD_REPLICATES) -> dict[str, float]:
    """Per entry, the 10-90% range of its statistic over ``replicates`` paired replicates at
    the defaults (``evaluate``, as ``prds evidence`` runs it), in tolerance units: how much
    one replicate's value moves with the seed alone, to read an influence against."""
    from simulation.evidence.evaluate import evaluate

    out = {}
    for r in evaluate(entries, replicates=replicates, seed=seed, executor=executor):
        low, high = r.model["p10"], r.model["p90"]
        unit = next(e.spec.tolerance.unit for e in entries if e.id == r.id)
        out[r.id] = math.nan if low is None or high is None else (high - low) / unit
    return out


def elementary_effects(design: SweepDesign, y: np.ndarray, levels: int) -> np.ndarray:
    """Morris elementary effects (factors x trajectories) of the point values ``y``.

    As SALib's ``analyze.morris`` computes them (the value after the step minus the value
    before, signed by the step's direction, over the grid step ``levels / (2 (levels - 1))``,
    in the design's unit coordinates: per whole range), except that an effect with an
    undefined end (NaN) is NaN instead of making the whole index NaN.
    """
    k = len(design.names)
    per = k + 1
    count = len(y) // per
    delta = levels / (2.0 * (levels - 1))
    unit = design.unit.reshape(count, per, k)
    steps = np.diff(unit, axis=1)                        # trajectories x k steps x k factors
    moved = np.abs(steps).argmax(axis=2)                 # the factor each step moves
    sign = np.sign(np.take_along_axis(steps, moved[..., None], axis=2)[..., 0])
    change = np.diff(y.reshape(count, per), axis=1) * sign / delta
    effects = np.full((k, count), np.nan)
    for t in range(count):
        effects[moved[t], t] = change[t]
    return effects


def morris_indices(effects: np.ndarray, seed: int, resamples: int = RESAMPLES,
                   confidence: float = CONFIDENCE) -> dict[str, np.ndarray]:
    """mu, mu*, sigma and mu*'s bootstrap half-interval per factor, over its defined effects.

    SALib's estimators (``analyze.morris``: the mean, the mean absolute value, the standard
    deviation with ddof 1, and z x the standard deviation of mu* over ``resamples`` bootstrap
    resamples drawn from ``numpy.random.default_rng(seed)`` factor by factor), so with every
    effect defined the numbers are SALib's to the last bit (``tests/evidence``); a factor with
    fewer than 2 defined effects gets NaN.
    """
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    out = {name: np.full(len(effects), np.nan) for name in ("mu", "mu_star", "sigma", "mu_star_conf")}
    for j, row in enumerate(effects):
        ee = row[np.isfinite(row)]
        if len(ee) < 2:
            continue
        out["mu"][j] = np.average(ee)
        out["mu_star"][j] = np.average(np.abs(ee))
        out["sigma"][j] = np.std(ee, ddof=1)
        draws = ee[rng.integers(len(ee), size=(resamples, len(ee)))]
        out["mu_star_conf"][j] = norm.ppf(0.5 + confidence / 2) * np.average(
            np.abs(draws), axis=1).std(ddof=1)
    return out


def analyse(sweep: EvidenceSweep, entries: list[LibraryEntry], design: SweepDesign,
            results: pd.DataFrame) -> Screening:
    """The Morris indices of every entry, normalised by its tolerance unit.

    A point's value is the mean over its replicates (``sweeps.analysis.point_means``); a
    point where any replicate's statistic is undefined (nobody measured: NaN) or failed is
    undefined, so means always pair the same seeds. An elementary effect with an undefined
    end is left out of that parameter's indices for that entry and counted (``undefined``):
    SALib's ``analyze.morris`` would make the whole entry NaN, and in the protracted setting a
    parameter that stops flight (``flight_threshold`` 1) leaves no refugee to measure at
    many points. The estimators are SALib's (:func:`morris_indices`).
    """
    units = {entry.id: entry.spec.tolerance.unit for entry in entries}
    rows, notes = [], []
    for entry_id in sweep.outcomes:
        frame = _undefined_points_masked(results, entry_id)
        y = point_means(design, frame, entry_id)
        effects = elementary_effects(design, y, sweep.design.levels)
        found = morris_indices(effects, sweep.seed)
        unit = units[entry_id]
        defined = np.isfinite(effects).sum(axis=1)
        for j, name in enumerate(design.names):
            rows.append({"parameter": name.removeprefix(PREFIX), "entry": entry_id,
                         "mu_star": found["mu_star"][j], "mu_star_conf": found["mu_star_conf"][j],
                         "mu": found["mu"][j], "sigma": found["sigma"][j], "unit": unit,
                         "mu_star_bands": found["mu_star"][j] / unit,
                         "mu_star_conf_bands": found["mu_star_conf"][j] / unit,
                         "sigma_bands": found["sigma"][j] / unit,
                         "effects": int(defined[j]),
                         "undefined": int(effects.shape[1] - defined[j])})
        short = [name.removeprefix(PREFIX) for j, name in enumerate(design.names) if defined[j] < 2]
        if short:
            notes.append(f"{entry_id}: no indices for {', '.join(short)} (fewer than 2 steps "
                         f"with the statistic defined at both ends)")
        lost = int(effects.size - defined.sum())
        if lost and len(short) < len(design.names):
            notes.append(f"{entry_id}: {lost} of {effects.size} elementary effects left out "
                         f"(statistic undefined at a point: nobody measured)")
    columns = ["parameter", "entry", "mu_star", "mu_star_conf", "mu", "sigma", "unit",
               "mu_star_bands", "mu_star_conf_bands", "sigma_bands", "effects", "undefined"]
    return Screening(pd.DataFrame(rows, columns=columns), units, notes)


def _undefined_points_masked(results: pd.DataFrame, entry_id: str) -> pd.DataFrame:
    """``results`` with the entry undefined at every replicate of a point where any
    replicate is undefined or failed (a point's mean then always pairs the same seeds)."""
    frame = results.copy()
    bad = (frame["status"] != "ok") | frame[entry_id].isna()
    points = set(frame.loc[bad, "point"].tolist())
    frame.loc[frame["point"].isin(points), entry_id] = math.nan
    return frame
