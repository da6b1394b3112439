"""A calibration trial: the task that scores one set of parameters on the fitted entries
(one task on any ``concurrent.futures.Executor``), and the ranking of a study's scored trials.

The loss is the weighted mean of the fitted entries' losses (``Tolerance.loss``: 0 inside the
band, else distance in band units; with the file's ``margin``, inside the band narrowed by
that margin). Used by ``calibrate`` (the study) and ``confirm`` (the best trials scored
again); it imports neither.
"""

import math
import time
from dataclasses import dataclass
from typing import Any

from simulation.evidence.evaluate import finite_or_none
from simulation.evidence.library import LibraryEntry


@dataclass(frozen=True)
class TrialTask:
    """One trial's evaluation: everything a worker needs, nothing of the parent's state."""

    number: int
    parameters: dict[str, float]
    entries: tuple[LibraryEntry, ...]
    weights: dict[str, float]
    replicates: int
    seed: int
    #: the calibration's ``margin``: each entry's loss against its band narrowed by this
    margin: float = 0.0


def evaluate_trial(task: TrialTask) -> dict[str, Any]:
    """Run a trial's evaluation; return its loss and per-target results, or its error."""
    from simulation.evidence import evaluate

    started = time.perf_counter()
    try:
        results = evaluate(list(task.entries), replicates=task.replicates, seed=task.seed,
                           parameters=task.parameters, margin=task.margin)
    except Exception as error:  # noqa: BLE001 - a failed trial is recorded, the study goes on
        return {"number": task.number, "error": f"{type(error).__name__}: {error}"[:2000],
                "seconds": time.perf_counter() - started}
    targets = {r.id: {"loss": finite_or_none(r.loss),
                      **{k: r.model.get(k) for k in ("median", "p10", "p90")}} for r in results}
    losses = [(task.weights[r.id], r.loss) for r in results]
    loss = sum(w * x for w, x in losses) / sum(w for w, _ in losses)
    out = {"number": task.number, "loss": loss, "targets": targets,
           "seconds": time.perf_counter() - started}
    if not math.isfinite(loss):
        bad = [r.id for r in results if not math.isfinite(r.loss)]
        out["error"] = f"no finite statistic for {', '.join(bad)} (nobody measured?)"
    return out


def best_trial(study):
    """The completed trial with the lowest loss (the lowest number among ties), or None."""
    top = top_trials(study, 1)
    return top[0] if top else None


def top_trials(study, k: int) -> list:
    """The ``k`` completed trials with the lowest loss, best first (ties: lowest number)."""
    from optuna.trial import TrialState

    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return sorted(done, key=lambda t: (t.value, t.number))[:k]
