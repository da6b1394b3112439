"""Samplers: from a sweep's factors and design to the table of runs, each with its own seed.

The samplers (grid, Latin hypercube, Sobol/Saltelli, Morris; SALib for the last three) draw
points in the unit cube; each factor maps its column to values. Each point is run
``replicates`` times. Run ``i`` (points in order, replicates within a point) gets the seed of
``numpy.random.SeedSequence(root).spawn(n)[i]``, so a run's inputs and seed depend only on its
index: the results are the same whatever executor runs them, on how many workers, in whatever
order they finish.
"""

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.sample import latin as salib_latin
from SALib.sample import morris as salib_morris
from SALib.sample import sobol as salib_sobol

from simulation.sweeps.factors import value_kind
from simulation.sweeps.spec import Sweep

#: columns every run has besides its factors and outcomes
RUN_COLUMNS = ("run", "point", "replicate", "seed")


@dataclass(frozen=True)
class SweepDesign:
    """The points of a sweep and its runs.

    ``unit`` holds the sampler's coordinates in [0, 1] (what Morris analysis reads);
    ``points`` the factor values per point; ``runs`` one row per run: ``run``, ``point``,
    ``replicate``, ``seed`` and the factor values.
    """

    method: str
    names: tuple[str, ...]
    unit: np.ndarray
    points: pd.DataFrame
    runs: pd.DataFrame

    @property
    def problem(self) -> dict:
        """The SALib problem: every factor on its unit interval."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [[0.0, 1.0]] * len(self.names)}


def unit_sample(sweep: Sweep) -> np.ndarray:
    """The design's points in the unit cube (rows = points, columns = factors)."""
    factors = list(sweep.factors.values())
    design = sweep.design
    problem = {"num_vars": len(factors), "names": list(sweep.factors),
               "bounds": [[0.0, 1.0]] * len(factors)}
    if design.method == "grid":  # every combination; level i of k sits at i / (k - 1)
        counts = [len(f.grid(design.samples)) for f in factors]
        axes = [np.linspace(0.0, 1.0, k) if k > 1 else np.zeros(1) for k in counts]
        return np.array(list(itertools.product(*axes)), dtype=np.float64).reshape(-1, len(factors))
    if design.method == "lhs":
        return salib_latin.sample(problem, design.samples, seed=sweep.seed)
    if design.method == "sobol":
        return salib_sobol.sample(problem, design.samples, calc_second_order=design.second_order,
                                  scramble=True, seed=sweep.seed)
    if design.method == "morris":
        return salib_morris.sample(problem, design.samples, num_levels=design.levels,
                                   seed=sweep.seed)
    raise ValueError(f"unknown design method {design.method!r}")


def factor_values(sweep: Sweep, unit: np.ndarray) -> pd.DataFrame:
    """The factor values at unit-cube points: one column per factor key path."""
    columns = {}
    for j, (key, factor) in enumerate(sweep.factors.items()):
        if sweep.design.method == "grid":
            levels = factor.grid(sweep.design.samples)
            index = np.rint(unit[:, j] * (len(levels) - 1)).astype(np.int64)
            values = np.array(levels, dtype=object)[index]
        else:
            values = factor.from_unit(unit[:, j])
        columns[key] = _typed(values, value_kind(factor))
    return pd.DataFrame(columns)


def build_design(sweep: Sweep) -> SweepDesign:
    """The design of ``sweep`` (apply ``Sweep.with_samples`` first to change its size)."""
    unit = unit_sample(sweep)
    points = factor_values(sweep, unit)
    points.insert(0, "point", np.arange(len(points), dtype=np.int64))
    n_points, reps = len(points), sweep.replicates
    runs = points.loc[np.repeat(np.arange(n_points), reps)].reset_index(drop=True)
    replicate = np.tile(np.arange(reps, dtype=np.int64), n_points)
    run = np.arange(n_points * reps, dtype=np.int64)
    keys = replicate if sweep.common_seeds else run
    runs.insert(0, "run", run)
    runs.insert(2, "replicate", replicate)
    runs.insert(3, "seed", run_seeds(sweep.seed, keys))
    return SweepDesign(method=sweep.design.method, names=tuple(sweep.factors), unit=unit,
                       points=points, runs=runs)


def run_seed(root: int, key: int) -> int:
    """The seed of run ``key``: child ``key`` of ``SeedSequence(root)``, as spawn() makes it.

    ``SeedSequence(root, spawn_key=(key,))`` is exactly ``SeedSequence(root).spawn(n)[key]``
    without building the other ``n - 1`` children. The 64-bit state is halved to fit a
    scenario seed (below 2**63).
    """
    child = np.random.SeedSequence(root, spawn_key=(int(key),))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def run_seeds(root: int, keys) -> np.ndarray:
    return np.array([run_seed(root, k) for k in np.asarray(keys).tolist()], dtype=np.int64)


def _typed(values, kind: str) -> pd.Series:
    if kind == "str":
        return pd.Series(np.asarray(values, dtype=object).tolist(), dtype="string")
    if kind == "int":
        return pd.Series(np.asarray(values, dtype=np.float64).round().astype(np.int64))
    return pd.Series(np.asarray(values, dtype=np.float64))
