"""Run a sweep on any ``concurrent.futures.Executor``, writing results as runs finish.

The executor only ever sees :func:`evaluate` and a :class:`RunTask`: the scenario as plain
data, the overrides, the seed and the model function, all picklable. So the same sweep runs on
an in-process executor, a local process pool or a Dask cluster (``Client.get_executor()``) and
gives the same table. A run that raises is recorded with its error and the sweep goes on.
Runs travel in batches (``evaluate_batch``): one submission, one round trip and one part
file for several runs, sized so that each worker still gets many batches (``batch_size``).
At most a window of ``2 x workers`` batches is submitted at a time, so a sweep of a million
runs does not queue a million tasks, and a kill loses at most those.
"""

import concurrent.futures as cf
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.api import run_one
from simulation.sweeps.design import SweepDesign, build_design
from simulation.sweeps.spec import Sweep
from simulation.sweeps.store import ResultStore, sweep_document

#: the model a sweep runs: ``model(scenario, seed, overrides) -> summary dict``
Model = Callable[[dict, int, dict], dict]

#: merge parts into results.parquet after this many part files (keeps the folder small)
CONSOLIDATE_EVERY = 256


class ExecutorStopped(RuntimeError):
    """The executor cannot take more runs (a worker process died and broke the pool)."""


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run, and nothing of the parent's state."""

    run: int
    seed: int
    overrides: dict[str, Any]
    scenario: dict
    outcomes: tuple[str, ...]
    model: Model = run_one


def evaluate(task: RunTask) -> dict:
    """Run one task; return its outcomes, or its error (a failed run does not stop a sweep)."""
    try:
        summary = task.model(task.scenario, task.seed, task.overrides)
        row = {key: float(summary[key]) for key in task.outcomes}
        return {"run": task.run, "status": "ok", "error": None, **row}
    except Exception as error:  # noqa: BLE001 - any failure of a run is recorded, not raised
        return failed_row(task.run, task.outcomes, error)


def evaluate_batch(batch: tuple[RunTask, ...]) -> list[dict]:
    """Run several tasks in turn (one submission for all); their rows in the same order."""
    return [evaluate(task) for task in batch]


#: most runs in one batch (a default run takes ~0.1 s: a batch then takes about a second)
MAX_BATCH = 8


def batch_size(runs: int, width: int) -> int:
    """Runs per batch: as many as ``MAX_BATCH``, but at least 8 batches per worker, so that
    the last batches do not leave workers idle and small sweeps keep one run per batch."""
    if width <= 1:
        return 1
    return max(1, min(MAX_BATCH, runs // (8 * width)))


def failed_row(run: int, outcomes, error: BaseException) -> dict:
    message = f"{type(error).__name__}: {error}".strip()
    return {"run": run, "status": "failed", "error": message[:2000],
            **{key: float("nan") for key in outcomes}}


@dataclass
class SweepProgress:
    """Counts passed to the progress callback after every write."""

    total: int
    done: int = 0
    failed: int = 0
    started_with: int = 0
    started_at: float = field(default_factory=time.perf_counter)

    @property
    def rate(self) -> float:
        """Runs finished per second in this session."""
        elapsed = time.perf_counter() - self.started_at
        return (self.done - self.started_with) / elapsed if elapsed > 0 else 0.0

    @property
    def remaining_seconds(self) -> float | None:
        rate = self.rate
        return (self.total - self.done) / rate if rate > 0 else None


@dataclass
class SweepOutcome:
    """What :func:`run_sweep` returns: the results table and what this call did."""

    results: pd.DataFrame
    design: SweepDesign
    out_dir: Path
    ran: int
    skipped: int
    failed: int

    @property
    def complete(self) -> bool:
        return len(self.results) == len(self.design.runs) and bool(
            (self.results["status"] == "ok").all())


def tasks(sweep: Sweep, design: SweepDesign, model: Model = run_one,
          skip: set[int] = frozenset()) -> list[RunTask]:
    """One task per run not in ``skip``, in run order."""
    scenario = sweep.scenario_data()
    outcomes = tuple(sweep.outcomes)
    names = list(design.names)
    out = []
    for record in design.runs[["run", "seed", *names]].to_dict("records"):
        if record["run"] in skip:
            continue
        overrides = {name: _plain(record[name]) for name in names}
        out.append(RunTask(run=int(record["run"]), seed=int(record["seed"]), overrides=overrides,
                           scenario=scenario, outcomes=outcomes, model=model))
    return out


def run_sweep(sweep: Sweep, out_dir: str | Path, executor: cf.Executor | None = None, *,
              resume: bool = False, model: Model = run_one,
              progress: Callable[[SweepProgress], None] | None = None,
              window: int | None = None, batch: int | None = None) -> SweepOutcome:
    """Run every run of ``sweep`` not yet written to ``out_dir`` on ``executor``.

    Args:
        sweep: a validated sweep (``load_sweep``; ``sweep.with_samples(n)`` to resize it).
        out_dir: the output folder (see ``simulation.sweeps.store``).
        executor: any ``concurrent.futures.Executor`` (default: in this process, one by one).
        resume: continue a sweep already in ``out_dir``; runs written without error are skipped.
        model: ``model(scenario_dict, seed, overrides) -> summary`` (default ``run_one``);
            must be picklable for process or cluster executors (a module-level function).
        progress: called with a :class:`SweepProgress` after every write.
        window: most batches submitted at once (default: twice the executor's workers).
        batch: runs per batch (default ``batch_size``: one with a serial executor).
    """
    from simulation.sweeps.executors import SerialExecutor, executor_width

    design = build_design(sweep)
    store = ResultStore(out_dir, design, sweep.outcomes)
    store.open(sweep_document(sweep, design, model), resume=resume)
    try:
        done = store.completed() if resume else set()
        todo = tasks(sweep, design, model, skip=done)
        executor = executor or SerialExecutor()
        width = executor_width(executor)
        window = window or max(1, 2 * width)
        batch = batch or batch_size(len(todo), width)
        batches = [tuple(todo[i:i + batch]) for i in range(0, len(todo), batch)]
        state = SweepProgress(total=len(design.runs), done=len(done), started_with=len(done))
        if progress:
            progress(state)
        failed = _drive(executor, batches, store, window, state, progress)
        results = store.consolidate()
    finally:
        store.close()
    return SweepOutcome(results=results, design=design, out_dir=Path(out_dir), ran=len(todo),
                        skipped=len(done), failed=failed)


def _drive(executor, batches: list[tuple[RunTask, ...]], store: ResultStore, window: int,
           state: SweepProgress, progress) -> int:
    """Keep ``window`` batches in flight; write the runs that finished together as one part."""
    queue = iter(batches)
    pending: dict[cf.Future, tuple[RunTask, ...]] = {}
    failed = parts = 0
    try:
        while True:
            while len(pending) < window:
                batch = next(queue, None)
                if batch is None:
                    break
                try:
                    pending[executor.submit(evaluate_batch, batch)] = batch
                except RuntimeError as error:  # a broken pool, a closed client
                    _write_finished(pending, store, state, progress)
                    raise ExecutorStopped(f"the executor stopped taking runs ({type(error).__name__}"
                                          f": {error}); every finished run is written - "
                                          f"continue with --resume") from error
            if not pending:
                return failed
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            rows = []
            for future in sorted(finished, key=lambda f: pending[f][0].run):
                batch = pending.pop(future)
                try:
                    rows += future.result()
                except BaseException as error:  # noqa: BLE001 - a lost worker, a cancelled task
                    if isinstance(error, KeyboardInterrupt):
                        raise
                    rows += [failed_row(task.run, task.outcomes, error) for task in batch]
            store.write(rows)
            parts += 1
            bad = sum(r["status"] != "ok" for r in rows)
            failed += bad
            state.done += len(rows)
            state.failed += bad
            if progress:
                progress(state)
            if parts % CONSOLIDATE_EVERY == 0:
                store.consolidate()
    finally:
        for future in pending:
            future.cancel()


def _write_finished(pending: dict, store: ResultStore, state: SweepProgress, progress) -> None:
    """Write the runs that finished (successfully or not) before the executor stopped."""
    rows = []
    for future in [f for f in pending if f.done() and not f.cancelled()]:
        batch = pending.pop(future)
        error = future.exception()
        rows += ([failed_row(task.run, task.outcomes, error) for task in batch] if error
                 else future.result())
    if rows:
        store.write(sorted(rows, key=lambda r: r["run"]))
        state.done += len(rows)
        state.failed += sum(r["status"] != "ok" for r in rows)
        if progress:
            progress(state)


def _plain(value):
    """A NumPy scalar as a plain Python value (what the scenario schema expects)."""
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA:
        return None
    return value


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
