"""Flee's averaged relative difference (ARD) between simulated and observed camp counts.

DESIGN.md section 8: E(t) = sum_c |sim_c(t) - data_c(t)| / sum_c data_c(t), ARD = mean over days.
The conventions are those of Flee's own analysis code (github.com/djgroen/flee,
``flee/postprocessing/plot_flee_output.py``, ``plot_errors``: the "Averaged relative difference"
plot and its "Averaged error normal" figure; the same formula is "Error (normal)" in
``flee/postprocessing/extract-validation-results.py``):

- E(t) is normalised by the **observed** camp total sum_c data_c(t), not the simulated one;
- that denominator is floored at 1 (``np.maximum(un_refs, 1)``), so a day with no observed
  refugees stays in the mean and adds sum_c sim_c(t) (0 when the simulation is empty too);
- ARD is the plain mean of E(t) over every day.

``rescaled=True`` gives Flee's "Error (rescaled)" instead (the figure FabFlee.py's
``vvp_validate_results`` returns): each day the simulated camp counts are scaled so that they
add up to the observed camp total (left at 0 on days with no simulated refugees in camps). Flee rounds each absolute difference
to 4 decimals (``flee/postprocessing/analysis.py``); that is not reproduced, as it changes
nothing for whole-number counts. Flee's per-day "Total error" column of out.csv, which divides
by a cumulative count of new arrivals, is a different quantity and is not this metric.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True, eq=False)
class ArdResult:
    """ARD, the daily error E(t), and per-camp figures.

    ``per_camp[camp]`` holds ``mean_abs_error`` (mean over days of |sim - data|),
    ``relative_error`` (sum over days of |sim - data| over the sum of data, floored at 1),
    ``mean_daily_relative_error`` (mean over days of Flee's ``analysis.rel_error``:
    |sim/data - 1|, 0 on days with no data), ``ard_contribution`` (the camp's share of ARD;
    these add up to ``ard``), ``mean_observed`` and ``mean_simulated``.
    """

    ard: float
    daily_error: np.ndarray
    per_camp: dict[str, dict[str, float]]


def averaged_relative_difference(
    simulated: Mapping[str, ArrayLike],
    observed: Mapping[str, ArrayLike],
    *,
    rescaled: bool = False,
) -> ArdResult:
    """Flee's ARD over the camps of ``observed`` (extra simulated locations are ignored).

    Every series is a daily count of people in one camp, all of the same length.
    """
    camps = list(observed)
    if not camps:
        raise ValueError("observed has no camps; give at least one camp's daily counts")
    missing = [camp for camp in camps if camp not in simulated]
    if missing:
        raise ValueError(f"simulated has no series for observed camp(s) {missing}")
    data = _stack(observed, camps, "observed")
    sim = _stack(simulated, camps, "simulated")
    if sim.shape != data.shape:
        raise ValueError(f"simulated series have {sim.shape[1]} days, observed {data.shape[1]}; "
                         "give both for the same days")
    data_total = data.sum(axis=0)
    if rescaled:
        sim_total = sim.sum(axis=0)
        scale = np.divide(data_total, sim_total, out=np.zeros_like(sim_total),
                          where=sim_total > 0)
        sim = sim * scale
    abs_diff = np.abs(sim - data)
    denominator = np.maximum(data_total, 1.0)
    daily_error = abs_diff.sum(axis=0) / denominator
    with np.errstate(divide="ignore", invalid="ignore"):
        daily_relative = np.where(data >= 1e-5, np.abs(sim / data - 1.0), 0.0)
    per_camp = {
        camp: {
            "mean_abs_error": float(abs_diff[k].mean()),
            "relative_error": float(abs_diff[k].sum() / max(float(data[k].sum()), 1.0)),
            "mean_daily_relative_error": float(daily_relative[k].mean()),
            "ard_contribution": float((abs_diff[k] / denominator).mean()),
            "mean_observed": float(data[k].mean()),
            "mean_simulated": float(sim[k].mean()),
        }
        for k, camp in enumerate(camps)
    }
    return ArdResult(ard=float(daily_error.mean()), daily_error=daily_error, per_camp=per_camp)


def _stack(series: Mapping[str, ArrayLike], camps: list[str], label: str) -> np.ndarray:
    """Camps x days float array; every series 1-D, non-empty, of one length, finite, >= 0."""
    rows = [np.asarray(series[camp], dtype=float) for camp in camps]
    for camp, row in zip(camps, rows, strict=True):
        if row.ndim != 1 or row.size == 0:
            raise ValueError(f"{label}[{camp!r}] must be a non-empty 1-D series of daily counts")
        if row.size != rows[0].size:
            raise ValueError(f"{label}[{camp!r}] has {row.size} days, {label}[{camps[0]!r}] "
                             f"{rows[0].size}; all series must cover the same days")
        if not np.all(np.isfinite(row)) or np.any(row < 0):
            raise ValueError(f"{label}[{camp!r}] has a negative, NaN or infinite count")
    return np.vstack(rows)
