"""Sensitivity analysis of a finished sweep: read only the design and the results table.

- ``sobol`` designs: first-order (S1) and total (ST) Sobol indices with bootstrap confidence
  intervals (Saltelli et al. 2010 estimators, SALib ``analyze.sobol``).
- ``morris`` designs: mu*, mu and sigma of the elementary effects, mu* with a bootstrap
  interval (Morris 1991; Campolongo et al. 2007; SALib ``analyze.morris``). Effects are in
  outcome units per whole range of a factor (the design is read in unit coordinates), so
  factors with different units compare.
- ``lhs`` and ``grid`` designs: Spearman rank correlation of each factor with each outcome
  (Helton and Davis 2003), a screening measure for designs without an index estimator.

Replicates are averaged per point before analysis (the stochastic part of the model then
shows as lower indices, not as a factor). A point without any successful run makes indices
impossible; they are skipped with a note, and ``--resume`` retries the failed runs.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol
from scipy import stats

from simulation.sweeps.design import SweepDesign
from simulation.sweeps.spec import Sweep

#: bootstrap resamples for confidence intervals, and their level
RESAMPLES = 500
CONFIDENCE = 0.95

INDEX_COLUMNS = {
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
    "morris": ["mu_star", "mu_star_conf", "mu", "sigma"],
    "lhs": ["spearman", "p_value"],
    "grid": ["spearman", "p_value"],
}


@dataclass
class Analysis:
    """A tidy table (one row per outcome x factor) and notes on what could not be computed."""

    method: str
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: Sobol second-order indices S2 (with ``second_order: true``): outcome, factor pair, S2
    second_order: pd.DataFrame | None = None


def point_means(design: SweepDesign, results: pd.DataFrame, outcome: str) -> np.ndarray:
    """The outcome per design point, averaged over its successful replicates (NaN if none)."""
    ok = results[results["status"] == "ok"]
    means = ok.groupby("point")[outcome].mean()
    return means.reindex(np.arange(len(design.points))).to_numpy(dtype=np.float64)


def analyze(sweep: Sweep, design: SweepDesign, results: pd.DataFrame,
            outcomes: list[str] | None = None) -> Analysis:
    """Sensitivity indices of every outcome to every factor (see the module docstring)."""
    outcomes = outcomes or list(sweep.outcomes)
    method = design.method
    rows, notes, pairs = [], [], []
    missing = int(np.isnan(point_means(design, results, outcomes[0])).sum()) if outcomes else 0
    if missing and method in ("sobol", "morris"):
        notes.append(f"{missing} of {len(design.points)} points have no successful run: "
                     f"{method} indices need them all (rerun with --resume to retry failures)")
        return Analysis(method, _empty(method), notes)
    for outcome in outcomes:
        y = point_means(design, results, outcome)
        if np.nanstd(y) == 0.0:
            notes.append(f"{outcome} is the same in every run: no indices")
            continue
        if method == "sobol":
            found = salib_sobol.analyze(design.problem, y, calc_second_order=sweep.design.second_order,
                                        num_resamples=RESAMPLES, conf_level=CONFIDENCE,
                                        seed=sweep.seed)
            values = {c: found[c] for c in INDEX_COLUMNS["sobol"]}
            if sweep.design.second_order:
                pairs += _pairs(outcome, design.names, found["S2"], found["S2_conf"])
        elif method == "morris":
            found = salib_morris.analyze(design.problem, design.unit, y, num_resamples=RESAMPLES,
                                         conf_level=CONFIDENCE, num_levels=sweep.design.levels,
                                         seed=sweep.seed)
            values = {c: np.asarray(found[c], dtype=np.float64) for c in INDEX_COLUMNS["morris"]}
        else:
            values = _ranks(sweep, design, y)
        for j, name in enumerate(design.names):
            rows.append({"outcome": outcome, "factor": name, "kind": sweep.kind(name),
                         **{c: float(values[c][j]) for c in INDEX_COLUMNS[method]}})
    table = pd.DataFrame(rows) if rows else _empty(method)
    second = pd.DataFrame(pairs, columns=["outcome", "factor", "other", "S2", "S2_conf"]) \
        if sweep.design.second_order and method == "sobol" else None
    return Analysis(method, table, notes, second)


def _pairs(outcome: str, names, s2: np.ndarray, conf: np.ndarray) -> list[tuple]:
    """The upper triangle of SALib's S2 matrix as rows."""
    return [(outcome, names[i], names[j], float(s2[i, j]), float(conf[i, j]))
            for i in range(len(names)) for j in range(i + 1, len(names))]


def _ranks(sweep: Sweep, design: SweepDesign, y: np.ndarray) -> dict[str, np.ndarray]:
    """Spearman's rho per factor; named values rank in the order the sweep file lists them."""
    keep = ~np.isnan(y)
    rho, p = [], []
    for name in design.names:
        column = design.points[name]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            order = {value: i for i, value in enumerate(sweep.factors[name].values)}
            codes = column.map(order).to_numpy(dtype=np.float64)
        else:
            codes = column.to_numpy(dtype=np.float64)
        if np.unique(codes[keep]).size < 2:
            rho.append(np.nan)
            p.append(np.nan)
            continue
        result = stats.spearmanr(codes[keep], y[keep])
        rho.append(float(result.statistic))
        p.append(float(result.pvalue))
    return {"spearman": np.array(rho), "p_value": np.array(p)}


def _empty(method: str) -> pd.DataFrame:
    return pd.DataFrame(columns=["outcome", "factor", "kind", *INDEX_COLUMNS[method]])
