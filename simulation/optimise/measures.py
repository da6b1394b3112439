"""Robustness measures, dominance, the Pareto front and the hypervolume.

A candidate runs once per (uncertainty sample point, replicate): S x R runs, the same S x R
worlds and seeds for every candidate. For each objective it gets two numbers over those runs:

- ``<objective>_median``: the median (numpy's linear interpolation);
- ``<objective>_p10``: the bad tail, the value the candidate does at least as well as in 90%
  of its runs. For a ``max`` objective that is the 10th percentile; for a ``min`` objective
  (where high is bad) the 90th percentile. So ``_p10`` is always "as bad as it gets in one
  run out of ten", and better is still larger for ``max`` and smaller for ``min``.

Without uncertainties the runs are the R paired replicates alone (the model's own
stochasticity); with them, the spread is the world's and the model's together.
"""

import numpy as np

#: the bad-tail percentile of a max objective (the min objective's is 100 minus it)
TAIL = 10.0


def bad_tail(values: np.ndarray, sense: str) -> float:
    """The 10th percentile of a ``max`` objective's values, the 90th of a ``min`` one's."""
    q = TAIL if sense == "max" else 100.0 - TAIL
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def robust(values: np.ndarray, sense: str) -> dict[str, float]:
    """``{"median": ..., "p10": ...}`` of one objective over a candidate's runs."""
    values = np.asarray(values, dtype=np.float64)
    return {"median": float(np.median(values)), "p10": bad_tail(values, sense)}


def to_minimise(frame, objectives: dict[str, str], statistic: str) -> np.ndarray:
    """The objectives as a matrix to minimise (``max`` objectives negated), rows = candidates."""
    columns = [frame[f"{key}_{statistic}"].to_numpy(dtype=np.float64) * (-1.0 if sense == "max"
                                                                        else 1.0)
               for key, sense in objectives.items()]
    return np.column_stack(columns) if columns else np.empty((len(frame), 0))


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` is at least as good as ``b`` on every objective and better on one
    (both to minimise)."""
    return bool(np.all(a <= b) and np.any(a < b))


def non_dominated(F: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows of ``F`` (to minimise) that no other row dominates."""
    n = len(F)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        if keep[i]:
            worse = np.all(F[i] <= F, axis=1) & np.any(F[i] < F, axis=1)
            keep &= ~worse
    return keep


def normaliser(F: np.ndarray):
    """Map objectives (to minimise) to [0, 1] by the range of ``F`` (0 = the best seen)."""
    ideal, nadir = F.min(axis=0), F.max(axis=0)
    span = np.where(nadir > ideal, nadir - ideal, 1.0)
    return lambda G: (G - ideal) / span


def hypervolume(F: np.ndarray, scale, reference: float = 1.1) -> float:
    """Hypervolume of the non-dominated rows of ``F`` after ``scale``, reference point 1.1 in
    every normalised objective (pymoo's indicator; Zitzler and Thiele 1998)."""
    from pymoo.indicators.hv import HV

    if len(F) == 0:
        return 0.0
    front = scale(F[non_dominated(F)])
    return float(HV(ref_point=np.full(F.shape[1], reference))(front))
