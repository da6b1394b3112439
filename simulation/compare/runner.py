"""Run replicates, serially or in a local process pool, with identical results either way.

A task is one (scenario, replicate) pair: the validated scenario and the seed, both
picklable. The worker runs it and keeps only what the comparison and the report need: the
final summary, per-step series (the summary outcomes, coping-level shares, mean income and
aid), the flow matrix between nodes, counts for costs per outcome, and the interventions'
accounts. Results are gathered by task index, so the order of completion does not matter and
a pool gives the same numbers as a serial loop (each run depends only on its scenario and
seed).
"""

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulation.codes import Group
from simulation.outputs.summary import SUMMARY_KEYS
from simulation.scenario.schema import Scenario

#: per-step series kept from each run, besides the summary keys
EXTRA_SERIES = ("lcs_none", "lcs_stress", "lcs_crisis", "lcs_emergency", "mean_income",
                "mean_aid", "mean_income_displaced", "mean_aid_displaced")


@dataclass(frozen=True)
class Task:
    scenario_index: int
    replicate: int
    seed: int
    scenario: Scenario


@dataclass
class Replicate:
    """What one run contributes to a comparison."""

    scenario_index: int
    replicate: int
    seed: int
    summary: dict
    series: dict[str, np.ndarray]
    flows: np.ndarray
    ever_displaced: int
    interventions: list[dict]


class SeriesRecorder:
    """Per-step means recorded alongside the model's own recorder (no second pass later)."""

    def __init__(self, model):
        self.model = model
        self.rows: dict[str, list[float]] = {name: [] for name in EXTRA_SERIES}

    def __call__(self, step: int) -> None:
        hh = self.model.households
        n = max(len(hh), 1)
        counts = np.bincount(hh.lcs, minlength=5)[1:5] / n
        for name, share in zip(EXTRA_SERIES[:4], counts, strict=True):
            self.rows[name].append(float(share))
        displaced = hh.group == Group.DISPLACED
        k = max(int(displaced.sum()), 1)
        self.rows["mean_income"].append(float(hh.income.sum(dtype=np.float64)) / n)
        self.rows["mean_aid"].append(float(hh.aid.sum(dtype=np.float64)) / n)
        self.rows["mean_income_displaced"].append(float(hh.income[displaced].sum(dtype=np.float64)) / k)
        self.rows["mean_aid_displaced"].append(float(hh.aid[displaced].sum(dtype=np.float64)) / k)


def run_task(task: Task) -> Replicate:
    """Run one replicate and keep what the comparison needs (see module docstring)."""
    from simulation.model import PRDSModel

    model = PRDSModel(task.scenario, seed=task.seed, with_agents=False)
    extra = SeriesRecorder(model)
    model.run(progress=extra)
    metrics = model.recorder.metrics()
    series = {key: metrics[key].to_numpy(dtype=np.float64) for key in SUMMARY_KEYS}
    series["step"] = metrics["step"].to_numpy(dtype=np.float64)
    series.update({name: np.asarray(values) for name, values in extra.rows.items()})
    summary = dict(model.recorder.summaries[-1])
    summary.pop("step", None)
    return Replicate(
        scenario_index=task.scenario_index, replicate=task.replicate, seed=task.seed,
        summary=summary, series=series, flows=model.flows.copy(),
        ever_displaced=int(np.count_nonzero(model.households.ever_displaced)),
        interventions=[i.report() for i in model.interventions],
    )


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_tasks(tasks: list[Task], workers: int | None = None,
              progress: Callable[[int], None] | None = None,
              executor: cf.Executor | None = None) -> list[Replicate]:
    """Run every task; ``workers`` > 1 uses a local process pool. Results in task order.

    The pool forks its workers from a server that has already imported the model
    (``forkserver``): safe with threads in the parent, and the imports are paid once.
    ``executor``: any ``concurrent.futures.Executor`` instead (the sweeps' executors: a Dask
    cluster's, ``simulation.sweeps.executors.open_executor``); the same results.
    """
    if executor is not None:
        return _run_on(executor, tasks, progress)
    workers = default_workers() if workers is None else max(1, int(workers))
    workers = min(workers, len(tasks)) if tasks else 1
    results: list[Replicate | None] = [None] * len(tasks)
    done = 0
    if workers == 1:
        for i, task in enumerate(tasks):
            results[i] = run_task(task)
            done += 1
            if progress:
                progress(done)
        return results  # type: ignore[return-value]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["simulation.compare.runner", "simulation.model"])
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return _run_on(pool, tasks, progress)


def _run_on(executor: cf.Executor, tasks: list[Task],
            progress: Callable[[int], None] | None) -> list[Replicate]:
    results: list[Replicate | None] = [None] * len(tasks)
    futures = {executor.submit(run_task, task): i for i, task in enumerate(tasks)}
    try:
        for done, future in enumerate(cf.as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress:
                progress(done)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results  # type: ignore[return-value]
