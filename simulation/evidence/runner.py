"""Run study designs on paired replicates: one task per (scenario pair, replicate).

Entries that share a scenario, a baseline and a horizon share their runs: a task runs the
study scenario (and its paired baseline with the same seed, as ``prds compare`` pairs
replicates) once and measures every entry of the group on it, step by step. A task carries
its scenarios as validated data and returns plain arrays, so it runs the same on any
``concurrent.futures.Executor`` (in process, a local pool, Dask: ``sweeps/executors.py``)
and gives the same numbers: a run depends only on its scenario and seed.
"""

from dataclasses import dataclass

import numpy as np

from simulation.evidence.measures import measure
from simulation.evidence.schema import Design
from simulation.scenario.schema import Scenario


@dataclass(frozen=True)
class DesignTask:
    """One replicate of one group of entries sharing their runs."""

    group: int
    replicate: int
    seed: int
    steps: int
    scenario: Scenario
    baseline: Scenario | None
    designs: tuple[tuple[str, Design], ...]  # (entry id, design)


class Probe:
    """Per-step readings of the measured quantities (a ``model.run`` progress callback)."""

    def __init__(self, model, variables: set[str], before: set[str] = frozenset()):
        self.model = model
        self.variables = sorted(variables)
        self.rows: dict[str, list[np.ndarray]] = {name: [] for name in self.variables}
        #: readings before the first step (a cutoff design's assignment is pre-treatment)
        self.initial = {name: measure(name)(model).copy() for name in sorted(before)}
        self.group: list[np.ndarray] = []
        self.status: list[np.ndarray] = []

    def __call__(self, step: int) -> None:
        hh = self.model.households
        for name in self.variables:
            self.rows[name].append(measure(name)(self.model).copy())
        self.group.append(hh.group.copy())
        self.status.append(hh.status.copy())


def _stack(arrays: list[np.ndarray], n: int) -> np.ndarray:
    """Steps x the first ``n`` households (rows added later by arrivals are left out)."""
    return np.stack([a[:n] for a in arrays])


def _participants(model, design: Design) -> np.ndarray:
    chosen = [i for i in model.interventions
              if design.intervention is None or i.spec.name == design.intervention]
    if design.intervention is not None and not chosen:
        names = [i.spec.name for i in model.interventions]
        raise ValueError(f"no intervention named {design.intervention!r} in the scenario "
                         f"(interventions: {names})")
    reached = [i.reached for i in chosen]
    return np.unique(np.concatenate(reached)) if reached else np.empty(0, dtype=np.int64)


def _filter(probe: Probe, design: Design, n: int) -> np.ndarray:
    """Steps x households mask of the measured groups and statuses at each step."""
    from simulation.codes import Group, Status, parse

    group, status = _stack(probe.group, n), _stack(probe.status, n)
    mask = np.ones(group.shape, dtype=bool)
    if design.groups:
        mask &= np.isin(group, [int(parse(Group, g)) for g in design.groups])
    if design.statuses:
        mask &= np.isin(status, [int(parse(Status, s)) for s in design.statuses])
    return mask


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    count = mask.sum(axis=1)
    total = np.where(mask, values, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(len(count), np.nan), where=count > 0)


def series_of(design: Design, variant: Probe, baseline: Probe | None,
              variant_model) -> tuple[np.ndarray, np.ndarray]:
    """The design's statistic at every step (NaN where nobody is measured), and how many
    households it is computed over at each step (in the study run: a conditional share over
    a handful of households is noise, and readers should see that)."""
    n = len(baseline.group[0]) if baseline is not None else len(variant.group[0])
    values = _stack(variant.rows[design.variable], n)
    if design.who == "population":
        mask = _filter(variant, design, n)
        if design.statistic == "conditional_share":
            mask &= _stack(variant.rows[design.among], n) > 0.5  # type: ignore[index]
        return _masked_mean(values, mask), mask.sum(axis=1)
    if design.who == "participants":
        rows = _participants(variant_model, design)
        rows = rows[rows < n]
        base = _stack(baseline.rows[design.variable], n)  # type: ignore[union-attr]
        mask = np.zeros(values.shape, dtype=bool)
        mask[:, rows] = True
        mask &= _filter(variant, design, n) if (design.groups or design.statuses) else True
        treated, control = _masked_mean(values, mask), _masked_mean(base, mask)
        if design.statistic == "effect":
            return treated - control, mask.sum(axis=1)
        return (np.divide(treated, control, out=np.full(len(treated), np.nan),
                          where=np.abs(control) > 1e-9) - 1.0, mask.sum(axis=1))
    # cutoff: households within the bandwidth either side of the threshold of the assignment
    # variable before the first step, in the study run; the outcome's mean above minus below
    assignment = variant.initial[design.assignment][:n]  # type: ignore[index]
    near = np.abs(assignment - design.threshold) <= design.bandwidth
    above = near & (assignment >= design.threshold)
    below = near & (assignment < design.threshold)
    population = _filter(variant, design, n)
    above, below = population & above[None, :], population & below[None, :]
    return (_masked_mean(values, above) - _masked_mean(values, below),
            above.sum(axis=1) + below.sum(axis=1))


def run_design_task(task: DesignTask) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Run one task (see module docstring): {entry id: (the statistic at every step, the
    households it is computed over at every step)}."""
    from simulation.model import PRDSModel
    from simulation.outputs.recorder import StateOnly

    variables = {d.variable for _, d in task.designs} | {d.among for _, d in task.designs if d.among}
    before = {d.assignment for _, d in task.designs if d.assignment}
    # the probes read the state after every step; no tidy table or summary is needed
    model = PRDSModel(task.scenario, seed=task.seed, steps=task.steps, with_agents=False,
                      recorder=StateOnly)
    probe = Probe(model, variables, before)
    model.run(progress=probe)
    base_probe = None
    if task.baseline is not None:
        base = PRDSModel(task.baseline, seed=task.seed, steps=task.steps, with_agents=False,
                         recorder=StateOnly)
        base_probe = Probe(base, variables)
        base.run(progress=base_probe)
    return {entry_id: series_of(design, probe, base_probe, model)
            for entry_id, design in task.designs}
