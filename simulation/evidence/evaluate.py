"""Evaluate the library: run every entry's design on paired replicates and score it.

``evaluate(entries, replicates, seed, parameters, executor)`` returns one
:class:`TargetResult` per entry: the model's median and 10-90% band over replicates of the
entry's statistic at its step (or the ratio of two steps), whether the median is inside the
tolerance band, and a loss for calibration (0 inside the band; outside, the distance to
the nearest edge over the tolerance's unit, ``Tolerance.loss``). Replicate k runs with seed
k of ``replicate_seeds(seed, replicates)`` (the scheme of ``prds compare``), the same seed
for a study scenario and its baseline, so effects are paired.
"""

import concurrent.futures as cf
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulation.compare.seeds import replicate_seeds
from simulation.compare.stats import band
from simulation.evidence.library import LibraryEntry
from simulation.evidence.runner import DesignTask, run_design_task

#: below this many households measured a share or mean is mostly sampling noise (the usual
#: rule of thumb for a normal approximation; an assumption): ``prds evidence`` says so
FEW_HOUSEHOLDS = 30


@dataclass
class TargetResult:
    """One entry scored against the model (``pass_`` because ``pass`` is a keyword)."""

    id: str
    source: str
    published: dict[str, Any]
    model: dict[str, float]
    tolerance: dict[str, Any]
    pass_: bool
    use: str
    loss: float
    #: the statistic at every step across replicates: {"step", "median", "p10", "p90"} lists
    series: dict[str, list[float]] = field(default_factory=dict)
    replicates: list[float] = field(default_factory=list)
    #: households the statistic is computed over at the entry's step, per replicate (the
    #: study run's: participants, the measured population, or both sides of a cutoff)
    households: list[int] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The entry as ``evidence.json`` writes it."""
        return {"id": self.id, "source": self.source, "published": self.published,
                "model": self.model, "tolerance": self.tolerance, "pass": self.pass_,
                "use": self.use, "loss": finite_or_none(self.loss),
                "households": self.households_measured}

    @property
    def households_measured(self) -> int | None:
        """The median over replicates of ``households`` (None before any replicate)."""
        return int(np.median(self.households)) if self.households else None

    @property
    def few_households(self) -> bool:
        """Whether the statistic is computed over fewer than ``FEW_HOUSEHOLDS`` households."""
        measured = self.households_measured
        return measured is not None and measured < FEW_HOUSEHOLDS


def finite_or_none(x: float) -> float | None:
    """``x`` as a float, or None where it is NaN or infinite (JSON has neither)."""
    return float(x) if math.isfinite(x) else None


def target_value(series: np.ndarray, at: int, relative_to: int | None) -> float:
    """The entry's number from its per-step statistic (steps count from 1)."""
    value = float(series[at - 1])
    if relative_to is None:
        return value
    reference = float(series[relative_to - 1])
    return value / reference if abs(reference) > 1e-12 else math.nan


def plan(entries: list[LibraryEntry], seeds: list[int],
         parameters: dict[str, Any] | None) -> list[DesignTask]:
    """The tasks: entries sharing scenario, baseline and horizon share one task per seed."""
    groups: dict[tuple, list[LibraryEntry]] = {}
    for entry in entries:
        key = (entry.scenario_path, entry.baseline_path, entry.steps)
        groups.setdefault(key, []).append(entry)
    tasks = []
    for g, ((_, _, steps), members) in enumerate(groups.items()):
        study, base = members[0].scenarios(parameters)
        designs = tuple((e.id, e.spec.design) for e in members)
        tasks += [DesignTask(g, k, seed, steps, study, base, designs) for k, seed in enumerate(seeds)]
    return tasks


def evaluate(entries: list[LibraryEntry], replicates: int = 5, seed: int = 0,
             parameters: dict[str, Any] | None = None, executor: cf.Executor | None = None,
             progress: Callable[[int, int], None] | None = None,
             margin: float = 0.0) -> list[TargetResult]:
    """Score every entry (module docstring), in the order given.

    Args:
        entries: from :func:`load_library`.
        replicates: paired replicates per design.
        seed: root of the replicate seeds.
        parameters: ``Parameters`` fields overriding every scenario of the entries (the
            calibrated set, or a trial's).
        executor: any ``concurrent.futures.Executor`` (default: in this process); the
            numbers do not depend on it.
        progress: optional ``progress(done, total)`` after each task.
        margin: each entry's loss counted from its band narrowed by this share of its loss
            unit (``Tolerance.loss``; a calibration's ``margin``); pass and fail are judged
            on the band itself whatever the margin.
    """
    seeds = replicate_seeds(seed, replicates)
    tasks = plan(entries, seeds, parameters)
    if executor is None:  # (imported here: the executors bring in the model, and every
        from simulation.sweeps.executors import SerialExecutor  # prds command imports this)

        executor = SerialExecutor()
    futures = [executor.submit(run_design_task, task) for task in tasks]
    done_results: list[dict[str, tuple[np.ndarray, np.ndarray]] | None] = [None] * len(tasks)
    index = {future: i for i, future in enumerate(futures)}
    for done, future in enumerate(cf.as_completed(futures), start=1):
        done_results[index[future]] = future.result()
        if progress:
            progress(done, len(tasks))
    by_entry: dict[str, list[np.ndarray]] = {}
    counted: dict[str, list[np.ndarray]] = {}
    for result in done_results:
        for entry_id, (series, households) in result.items():  # type: ignore[union-attr]
            by_entry.setdefault(entry_id, []).append(series)  # tasks are in seed order
            counted.setdefault(entry_id, []).append(households)
    return [score(entry, np.stack(by_entry[entry.id]), np.stack(counted[entry.id]), margin)
            for entry in entries]


def score(entry: LibraryEntry, series: np.ndarray, households: np.ndarray | None = None,
          margin: float = 0.0) -> TargetResult:
    """Score one entry from its statistic per replicate and step (replicates x steps), and
    the households measured per replicate and step (same shape; optional); the loss against
    the band narrowed by ``margin`` (``evaluate``)."""
    spec, design = entry.spec, entry.spec.design
    values = [target_value(s, design.at, design.relative_to) for s in series]
    measured = [] if households is None else [int(h[design.at - 1]) for h in households]
    finite = [v for v in values if math.isfinite(v)]
    model = band(finite) if finite else {"median": math.nan, "p10": math.nan, "p90": math.nan}
    loss = spec.tolerance.loss(model["median"], margin)
    steps = np.arange(1, series.shape[1] + 1)
    with warnings.catch_warnings():  # a step where nobody is measured stays NaN (n/a)
        warnings.simplefilter("ignore", RuntimeWarning)
        over_time = {key: np.nanpercentile(series, q, axis=0)
                     for key, q in (("median", 50), ("p10", 10), ("p90", 90))}
    return TargetResult(
        id=spec.id, source=_source(entry), published=spec.published.model_dump(),
        model={k: finite_or_none(v) for k, v in model.items()},  # type: ignore[misc]
        tolerance={"low": spec.tolerance.low, "high": spec.tolerance.high,
                   "unit": spec.tolerance.unit, "how": spec.tolerance.how},
        pass_=spec.tolerance.contains(model["median"]), use=spec.use, loss=loss,
        series={"step": steps.tolist(),
                **{k: [finite_or_none(x) for x in v.tolist()] for k, v in over_time.items()}},
        replicates=[finite_or_none(v) for v in values],  # type: ignore[misc]
        households=measured,
    )


def _source(entry: LibraryEntry) -> str:
    citation = entry.spec.citation
    link = f"https://doi.org/{citation.doi}" if citation.doi else citation.url
    return f"{citation.text} ({link})"


def fit_loss(results: list[TargetResult]) -> float:
    """The calibration loss: the mean loss over ``use: fit`` entries (``test`` never counts)."""
    fitted = [r.loss for r in results if r.use == "fit"]
    return float(np.mean(fitted)) if fitted else 0.0
