"""Compare scenarios with paired replicates: the Python API behind ``prds compare``.

``compare([base, other, ...], replicates=20)`` runs replicate *k* of every scenario with the
same seed, then summarises (``stats.py``) into the document written as ``comparison.json``::

    {"baseline": NAME, "replicates": N, "seed_scheme": ..., "seeds": [...],
     "outcome_keys": [...],
     "scenarios": {NAME: {"file": ..., "outcomes": {KEY: {"median", "p10", "p90"}},
                          "difference": {KEY: {...same...}},
                          "cost": {"total": {...}, "per_outcome": {...}, "by_intervention": [...]}}}}

The first scenario is the baseline. Outcome keys are ``simulation.outputs.summary.OUTCOME_KEYS``
(DESIGN.md section 7).
"""

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulation.compare import stats
from simulation.compare.runner import Replicate, Task, run_tasks
from simulation.compare.seeds import SEED_SCHEME, replicate_seeds
from simulation.outputs import files
from simulation.outputs.summary import OUTCOME_KEYS
from simulation.scenario import Scenario, load_scenario
from simulation.scenario.schema import Scenario as ScenarioModel


@dataclass
class Comparison:
    """Scenarios, their paired replicates, and the summary document."""

    names: list[str]
    files: list[str | None]
    scenarios: list[Scenario]
    root_seed: int
    seeds: list[int]
    runs: list[list[Replicate]]  # runs[scenario][replicate]
    workers: int
    seconds: float = 0.0
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def baseline(self) -> str:
        return self.names[0]

    @property
    def replicates(self) -> int:
        return len(self.seeds)

    @property
    def seed_scheme(self) -> str:
        return SEED_SCHEME.format(root=self.root_seed)

    def summarise(self) -> dict[str, Any]:
        """Build (and keep) the comparison document (module docstring)."""
        base = self.runs[0]
        scenarios = {}
        for name, file, runs in zip(self.names, self.files, self.runs, strict=True):
            scenarios[name] = {
                "file": file,
                "outcomes": stats.outcome_bands(runs, OUTCOME_KEYS),
                "difference": stats.difference_bands(runs, base, OUTCOME_KEYS),
                "cost": stats.cost_block(runs, base),
            }
        self.document = {
            "baseline": self.baseline, "replicates": self.replicates,
            "seed_scheme": self.seed_scheme, "seeds": self.seeds,
            "outcome_keys": list(OUTCOME_KEYS), "scenarios": scenarios,
        }
        return self.document

    def write(self, out_dir: str | Path, report: bool = True) -> list[Path]:
        """Write ``comparison.json``, and ``report.html`` with its PNG plots."""
        out = Path(out_dir)
        written = [files.write_json(out / "comparison.json", self.document or self.summarise())]
        if report:
            from simulation.report import write_report

            written += write_report(self, out)
        return written


def scenario_names(scenarios: list[Scenario], sources: list[str | None]) -> list[str]:
    """Each scenario's ``name``; repeated names get their file stem or position added."""
    names = [s.name for s in scenarios]
    out = []
    for i, (name, source) in enumerate(zip(names, sources, strict=True)):
        if names.count(name) > 1:
            stem = Path(source).stem if source else str(i + 1)
            name = f"{name} ({stem})"
            if name in out:
                name = f"{name} #{i + 1}"
        out.append(name)
    return out


def compare(scenarios: list[Scenario | str | Path | dict], replicates: int = 20,
            seed: int | None = None, workers: int | None = None,
            progress=None, dask: str | None = None) -> Comparison:
    """Run every scenario ``replicates`` times with paired seeds and summarise.

    Args:
        scenarios: the baseline first, then the others: Scenario objects, YAML paths or dicts.
        replicates: runs per scenario (replicate k of each shares seed k).
        seed: root of the replicate seeds (default: the baseline scenario's ``seed``).
        workers: local processes (default: one per core; 1 runs in this process). The
            numbers do not depend on it.
        progress: optional ``progress(done, total)`` after each run.
        dask: run on a Dask cluster: ``"local"`` (a LocalCluster of ``workers`` workers) or
            a scheduler address, through the sweeps' executors; the same numbers.
    """
    if len(scenarios) < 1:
        raise ValueError("compare needs at least one scenario (the baseline)")
    loaded, sources = [], []
    for item in scenarios:
        if isinstance(item, ScenarioModel):
            loaded.append(item)
            sources.append(None)
        else:
            loaded.append(load_scenario(item))
            sources.append(None if isinstance(item, dict) else str(item))
    _check_comparable(loaded, sources)
    root = loaded[0].seed if seed is None else int(seed)
    seeds = replicate_seeds(root, replicates)
    tasks = [Task(i, k, s, scenario) for i, scenario in enumerate(loaded)
             for k, s in enumerate(seeds)]
    started = time.perf_counter()
    total = len(tasks)
    report = None if progress is None else (lambda done: progress(done, total))
    if dask is None:
        results = run_tasks(tasks, workers, report)
    else:
        from simulation.sweeps.executors import open_executor

        with open_executor(workers, dask) as executor:
            results = run_tasks(tasks, progress=report, executor=executor)
    runs = [[r for r in results if r.scenario_index == i] for i in range(len(loaded))]
    comparison = Comparison(
        names=scenario_names(loaded, sources), files=sources, scenarios=loaded, root_seed=root,
        seeds=seeds, runs=runs, workers=workers or 0, seconds=time.perf_counter() - started,
    )
    comparison.summarise()
    return comparison


def _check_comparable(scenarios: list[Scenario], sources: list[str | None]) -> None:
    """Paired outcomes are compared at one horizon: same steps and step length."""
    base = scenarios[0]
    for scenario, source in zip(scenarios[1:], sources[1:], strict=True):
        if (scenario.steps, scenario.days_per_step) != (base.steps, base.days_per_step):
            where = source or scenario.name
            raise ValueError(
                f"{where}: {scenario.steps} steps of {scenario.days_per_step} days, but the "
                f"baseline has {base.steps} of {base.days_per_step}; a paired comparison needs "
                "the same horizon (set steps and days_per_step alike)")
