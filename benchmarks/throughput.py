"""Many small runs: runs per second per core, in process and through sweeps (issue 16).

``prds bench --runs`` calls :func:`run_throughput`. It measures, for the bundled default
region (6,400 households) and for the same region scaled to 1,000 households:

- **in process**: ``simulation.api.run_one`` (what sweeps, calibration and optimisation call)
  back to back in this process; runs per second of wall clock and per CPU second (one core);
- **through a sweep**: ``run_sweep`` on a Sobol design of the throughput sweep's factors
  (``scenarios/sweeps/throughput.sweep.yaml``), on a local process pool and on a Dask local
  cluster with the same number of workers; runs per second of wall clock, and per core;
- **the fixed cost of a step, by phase**: the same region with a tiny population (64
  households), where a step costs what its phases cost whatever the population: NumPy calls
  on small arrays, random stream construction, the recorder.

Numbers depend on the machine and what else it runs: every row carries the load average
before and after (``benchmarks.runner.machine``).
"""

import copy
import os
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.default_graph import scaled_default
from simulation.api import run_one
from simulation.model import PRDSModel
from simulation.outputs.recorder import FinalSummary
from simulation.scenario import DEFAULT_SCENARIO, load_raw, load_scenario

SWEEP_FILE = Path(__file__).resolve().parent.parent / "scenarios" / "sweeps" / "throughput.sweep.yaml"


def _load() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def scenario_data(households: int, steps: int) -> dict:
    """The default region with ``households`` households (the bundled file itself at its own
    size, 6,400), run for ``steps`` steps."""
    data, _ = load_raw(DEFAULT_SCENARIO)
    if households != sum(p["households"] for p in data["populations"]):
        data = scaled_default(households)
    data = copy.deepcopy(data)
    data["steps"] = steps
    return data


def in_process(data: dict, runs: int, seed: int = 1) -> dict:
    """``run_one`` ``runs`` times in this process (after one warm-up run); per-run seconds."""
    scenario = load_scenario(data)
    run_one(scenario, seed)  # warm-up: first-call costs (imports, caches) are not per run
    walls, cpus = [], []
    for i in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        run_one(copy.deepcopy(data), seed + 1 + i, {"parameters.flight_rate": 0.6})
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return {"runs": runs, "median_run_seconds": round(wall, 4),
            "median_run_cpu_seconds": round(cpu, 4),
            "runs_per_s": round(1.0 / wall, 2), "runs_per_cpu_s": round(1.0 / cpu, 2)}


def sweep_data(data: dict, samples: int) -> dict:
    """The throughput sweep over ``data`` with ``samples`` Sobol base samples."""
    sweep = yaml.safe_load(SWEEP_FILE.read_text(encoding="utf-8"))
    sweep["scenario"] = data
    sweep["steps"] = data["steps"]
    sweep["design"]["samples"] = samples
    return sweep


def _ready() -> int:
    """A no-op task: submitted once per worker to start the executor's processes."""
    return os.getpid()


def through_sweep(data: dict, samples: int, workers: int, dask: str | None) -> dict:
    """A Sobol sweep of ``samples x (factors + 2)`` runs on ``workers`` local processes or
    Dask workers; runs per second of wall clock from the first submission to the last write
    (executor start-up excluded, reported apart: it is paid once per sweep)."""
    from simulation.sweeps import from_data, run_sweep
    from simulation.sweeps.executors import open_executor

    sweep = from_data(sweep_data(data, samples))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, open_executor(workers, dask) as executor:
        # start the workers (and the forkserver, with its imports) before the clock starts
        for future in [executor.submit(_ready) for _ in range(2 * workers)]:
            future.result()
        ready = time.perf_counter()
        done = run_sweep(sweep, folder, executor)
        finished = time.perf_counter()
    if not done.complete:
        raise RuntimeError(f"the throughput sweep failed {done.failed} of {len(done.results)} runs")
    seconds = finished - ready
    runs = len(done.results)
    return {"executor": "dask local" if dask else "process pool", "workers": workers,
            "runs": runs, "seconds": round(seconds, 2),
            "startup_seconds": round(ready - started, 2),
            "runs_per_s": round(runs / seconds, 2),
            "runs_per_s_per_core": round(runs / seconds / workers, 2)}


def fixed_step_cost(steps: int, households: int = 64, repeats: int = 5) -> dict:
    """Microseconds per step by phase with a tiny population (the median of ``repeats`` runs);
    ``record and step`` is the rest of a step: the recorder and the model's own bookkeeping."""
    scenario = load_scenario(scenario_data(households, steps))
    by_phase: dict[str, list[float]] = {}
    for seed in range(repeats):
        model = PRDSModel(scenario, seed=seed, with_agents=False, recorder=FinalSummary)
        wall = time.perf_counter()
        model.run()
        wall = time.perf_counter() - wall
        for name, seconds in model.phase_seconds.items():
            by_phase.setdefault(name, []).append(seconds / steps * 1e6)
        by_phase.setdefault("record and step", []).append(
            (wall - sum(model.phase_seconds.values())) / steps * 1e6)
    phases = {name: round(statistics.median(values), 1) for name, values in by_phase.items()}
    return {"households": households, "steps": steps, "microseconds_per_step": phases,
            "total_microseconds_per_step": round(sum(phases.values()), 1)}


def run_throughput(steps: int = 36, sizes: tuple[int, ...] = (6400, 1000), runs: int = 20,
                   samples: int = 8, workers: int = 2, dask: bool = True,
                   on_row=None) -> dict:
    """Every measurement of the module docstring; ``on_row(kind, row)`` as each is done."""
    from benchmarks.runner import machine

    out = {"machine": machine(), "steps": steps, "in_process": [], "sweeps": []}
    for households in sizes:
        data = scenario_data(households, steps)
        row = {"households": households, "load_before": _load(),
               **in_process(data, runs), "load_after": _load()}
        out["in_process"].append(row)
        if on_row:
            on_row("in process", row)
        for cluster in (None, "local") if dask else (None,):
            row = {"households": households, "load_before": _load(),
                   **through_sweep(data, samples, workers, cluster), "load_after": _load()}
            out["sweeps"].append(row)
            if on_row:
                on_row("sweep", row)
    out["fixed_step_cost"] = fixed_step_cost(steps)
    if on_row:
        on_row("fixed cost", out["fixed_step_cost"])
    return out


def show_throughput(console, steps: int, out: Path, **options) -> dict:
    """Run :func:`run_throughput`, print its tables and write ``out/runs.json``."""
    from rich.table import Table

    from simulation.outputs.files import write_json

    def shown(kind, row):
        if kind == "fixed cost":
            return
        where = f"{row['executor']} x{row['workers']}" if kind == "sweep" else "in process"
        console.print(f"  {row['households']:>6,} households, {where}: {row['runs_per_s']} runs/s",
                      highlight=False)

    console.print(f"throughput benchmark: {steps} steps; load average {_load()}", highlight=False)
    result = run_throughput(steps=steps, on_row=shown, **options)
    path = write_json(out / "runs.json", result)
    runs = Table(title="runs per second", header_style="bold")
    for name in ("households", "how", "runs", "runs/s", "runs/s per core", "load before",
                 "load after"):
        runs.add_column(name, justify="left" if name == "how" else "right")
    for row in result["in_process"]:
        runs.add_row(f"{row['households']:,}", "in process (run_one)", str(row["runs"]),
                     f"{row['runs_per_s']}", f"{row['runs_per_cpu_s']} (CPU)",
                     str(row["load_before"]), str(row["load_after"]))
    for row in result["sweeps"]:
        runs.add_row(f"{row['households']:,}", f"prds sweep, {row['executor']} x{row['workers']}",
                     str(row["runs"]), f"{row['runs_per_s']}", f"{row['runs_per_s_per_core']}",
                     str(row["load_before"]), str(row["load_after"]))
    console.print(runs)
    fixed = result["fixed_step_cost"]
    phases = Table(title=f"fixed cost of a step ({fixed['households']} households), µs",
                   header_style="bold")
    for name in fixed["microseconds_per_step"]:
        phases.add_column(name, justify="right")
    phases.add_column("total", justify="right")
    phases.add_row(*(f"{v:,.0f}" for v in fixed["microseconds_per_step"].values()),
                   f"{fixed['total_microseconds_per_step']:,.0f}")
    console.print(phases)
    console.print(f"wrote [bold]{path}[/]", highlight=False)
    return result
