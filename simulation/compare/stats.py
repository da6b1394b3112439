"""Statistics of a paired comparison: bands, paired differences, cost per outcome.

Bands are the median and the 10th and 90th percentiles across replicates (Covasim's
convention; numpy's default linear interpolation). A difference is taken replicate by
replicate (scenario minus baseline, same seed) and then summarised, so noise shared by the
pair cancels. A cost per outcome divides the median cost by the median effect in households;
when the median effect is below half a household (zero or negative), there is nothing to buy
and the cost per outcome is ``None`` ("n/a"), never a division by almost zero.
"""

from collections.abc import Callable, Sequence

import numpy as np

from simulation.compare.runner import Replicate

#: an effect smaller than this many households is no effect (see module docstring)
MIN_EFFECT = 0.5


def band(values: Sequence[float] | np.ndarray, axis: int = 0) -> dict:
    """Median and 10-90% band of ``values`` (floats, or arrays along ``axis``)."""
    data = np.asarray(values, dtype=np.float64)
    p10, median, p90 = np.percentile(data, [10, 50, 90], axis=axis)
    if np.ndim(median) == 0:
        return {"median": float(median), "p10": float(p10), "p90": float(p90)}
    return {"median": median, "p10": p10, "p90": p90}


def outcome_bands(runs: list[Replicate], keys: Sequence[str]) -> dict[str, dict]:
    """Band of each summary outcome across the replicates of one scenario."""
    return {key: band([run.summary[key] for run in runs]) for key in keys}


def difference_bands(runs: list[Replicate], baseline: list[Replicate],
                     keys: Sequence[str]) -> dict[str, dict]:
    """Band of the paired difference (run k minus baseline run k) of each outcome."""
    _check_pairs(runs, baseline)
    return {key: band([run.summary[key] - base.summary[key]
                       for run, base in zip(runs, baseline, strict=True)]) for key in keys}


def series_bands(runs: list[Replicate], name: str, baseline: list[Replicate] | None = None) -> dict:
    """Per-step band of a series (of its paired difference when ``baseline`` is given)."""
    values = np.stack([run.series[name] for run in runs])
    if baseline is not None:
        _check_pairs(runs, baseline)
        values = values - np.stack([base.series[name] for base in baseline])
    return band(values, axis=0)


def _count(share_key: str, of: str = "households") -> Callable[[Replicate], float]:
    def count(run: Replicate) -> float:
        total = run.ever_displaced if of == "ever_displaced" else run.summary["households"]
        return run.summary[share_key] * total
    return count


#: cost-per-outcome measures: key -> (label, households with the outcome in a run, sign of gain)
COST_OUTCOMES: dict[str, tuple[str, Callable[[Replicate], float], int]] = {
    "self_reliant": ("per extra household self-reliant", _count("self_reliant_share"), +1),
    "out_of_harmful_coping": ("per household kept out of crisis or emergency coping",
                              _count("harmful_coping_share"), -1),
    "irregular_migration_averted": ("per irregular migration averted",
                                    _count("irregular_migration"), -1),
    "durable_solution": ("per extra durable solution",
                         _count("durable_solution_share", of="ever_displaced"), +1),
}


def cost_block(runs: list[Replicate], baseline: list[Replicate]) -> dict:
    """Cost total (band), cost by intervention, and cost per outcome against the baseline."""
    _check_pairs(runs, baseline)
    costs = [run.summary["cost_total"] for run in runs]
    total = band(costs)
    per_outcome = {}
    for key, (label, count, sign) in COST_OUTCOMES.items():
        effects = [sign * (count(run) - count(base)) for run, base in zip(runs, baseline, strict=True)]
        effect = band(effects)
        if effect["median"] < MIN_EFFECT:
            usd, note = None, "n/a: no gain over the baseline (median effect below half a household)"
        elif total["median"] <= 0:
            usd, note = 0.0, "no cost"
        else:
            usd, note = total["median"] / effect["median"], (
                "median cost / median effect" + ("" if effect["p10"] > 0 else
                                                 "; the 10-90% band of the effect includes zero"))
        per_outcome[key] = {"label": label, "effect_households": effect, "usd_per_outcome": usd,
                            "note": note}
    by_intervention = []
    for i, report in enumerate(runs[0].interventions if runs else []):
        by_intervention.append({
            "name": report["name"], "type": report["type"],
            "cost": band([run.interventions[i]["cost"] for run in runs]),
            "transfers": band([run.interventions[i]["transfers"] for run in runs]),
            "works": band([run.interventions[i]["works"] for run in runs]),
            "overhead": band([run.interventions[i]["overhead"] for run in runs]),
            "households_reached": band([run.interventions[i]["households_reached"] for run in runs]),
        })
    return {"total": total, "per_outcome": per_outcome, "by_intervention": by_intervention}


def median_flows(runs: list[Replicate]) -> np.ndarray:
    """Median number of households moving between each pair of nodes over the run."""
    return np.median(np.stack([run.flows for run in runs]), axis=0)


def _check_pairs(runs: list[Replicate], baseline: list[Replicate]) -> None:
    if [r.seed for r in runs] != [b.seed for b in baseline]:
        raise ValueError("paired statistics need the same seeds in the same order")
