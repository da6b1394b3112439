"""Validate against a real conflict: run a Flee-format directory and score it with Flee's ARD.

``validate_conflict(dir)`` imports the conflict (``convert.flee_scenario``: daily steps, new
displaced persons added to match the data's total as Flee does), runs it ``replicates``
times with seeds ``seed, seed + 1, ...``, counts the persons in each camp at the end of every
day (the same moment FabFlee's run.py compares with the data), and scores the runs with
Flee's averaged relative difference (``ard.py``; DESIGN.md section 8).

Reported (``validation.json``): ``ard`` (mean over replicates; also each replicate's, and the
ARD of the replicate-mean series), per-camp errors, run time, agents (persons alive at the
end, the most at once), agent-days (the sum over days of the persons alive that day) and CPU
microseconds per agent-day (process CPU time to build and run the model, over agent-days;
reading the files, scoring and plotting are outside), beside Flee's own figures; memory:
``peak_memory_bytes`` (the process's peak resident memory while building and running, the
interpreter and libraries included), ``peak_bytes_per_agent`` (that over the most agents
alive at once) and the same above the resident memory at the start.

A validation's plan reads few household columns, so its model keeps only those
(``VALIDATION_COLUMNS``), node ids in 16 bits where the graph allows (``validation_layout``):
about 26 bytes a person instead of the full store's ~130, with the same numbers. ``hasten``
runs one agent per ``hasten`` persons, as Flee's setting of that name (``flee_io``).
"""

import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulation.codes import Status
from simulation.model import PRDSModel
from simulation.outputs import files
from simulation.scenario import load_scenario
from simulation.validation.ard import averaged_relative_difference
from simulation.validation.convert import (
    VALIDATION_PARAMETERS,
    flee_scenario,
    load_validation_parameters,
)
from simulation.validation.flee_io import FleeConflict, read_flee_conflict

#: Flee's own ARD on its validation set and its CPU cost (DESIGN.md section 8)
FLEE_REFERENCE_ARD = {"mali2012": (0.28, 0.35), "burundi2015": (0.52, 0.54),
                      "nigeria2016": (0.17, 0.25), "syria2013": (0.27, 0.27)}
FLEE_CPU_US_PER_AGENT_DAY = (7.0, 11.0)
#: the speed target: a tenth of Flee's CPU time per agent-day (issue 6)
CPU_TARGET_FACTOR = 0.1
#: the household columns that a validation's phases (shocks, arrivals, journeys) and its
#: recorder read or write; the others are not kept (``validation_layout``)
VALIDATION_COLUMNS = ("node", "group", "status", "size", "origin", "t_displaced",
                      "ever_displaced", "ties", "immobile", "destination", "travel_km",
                      "arrival_status", "hop_journey", "t_criteria_since", "durable_solution")
#: the phases those columns serve: a parameters file adding others gets the full store
VALIDATION_PHASES = {"shocks", "arrivals", "journeys"}


def validation_layout(scenario) -> dict | None:
    """The household store of a validation run: ``VALIDATION_COLUMNS`` in compact dtypes
    (node ids in 16 bits when the graph has fewer than 32,768 nodes; sizes in 8 bits, as
    households are 1 to 30 persons); None (every column) if the plan runs other phases."""
    from simulation.phases import plan_for
    from simulation.state import COLUMNS

    if not {name for name, _ in plan_for(scenario)} <= VALIDATION_PHASES:
        return None
    small = len(scenario.graph.nodes) <= np.iinfo(np.int16).max
    compact = {"size": np.int8} | ({"node": np.int16, "origin": np.int16,
                                    "destination": np.int16} if small else {})
    return {name: compact.get(name, COLUMNS[name].dtype) for name in VALIDATION_COLUMNS}


def _reset_peak_memory() -> bool:
    """Reset the kernel's high-water mark of this process's resident memory (Linux
    /proc/self/clear_refs 5), so the next reading is this run's peak; False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _memory_bytes(field: str) -> int:
    """VmHWM (peak) or VmRSS (now) of this process from /proc/self/status, else ru_maxrss."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class CampCounts:
    """Stands in for the model's recorder: persons settled in each camp, and persons alive, per
    step (a validation records only what it compares, so recording stays a few array passes)."""

    def __init__(self, model, camps: list[int]):
        self.model = model
        self.camps = np.asarray(camps, dtype=np.int64)
        self.counts = np.zeros((len(camps), model.steps_total))
        self.alive = np.zeros(model.steps_total)
        self.single = 0  # rows 0..single-1 are known to be one-person households

    def record(self, t: int) -> None:
        hh, n_nodes = self.model.households, self.model.graph.n_nodes
        transit = np.flatnonzero(hh.status == Status.IN_TRANSIT)
        if self.single < len(hh) and (hh.size[self.single:] == 1).all():
            self.single = len(hh)  # (sizes never change: only new rows need a look)
        if self.single == len(hh):  # persons = households: integer counts, no weights
            at = np.bincount(hh.node, minlength=n_nodes).astype(np.float64)
            at -= np.bincount(hh.node[transit], minlength=n_nodes)
            alive = len(hh)
        else:
            at = np.bincount(hh.node, weights=hh.size, minlength=n_nodes)
            at -= np.bincount(hh.node[transit], weights=hh.size[transit], minlength=n_nodes)
            alive = hh.size.sum(dtype=np.int64)
        self.counts[:, t - 1] = at[self.camps]
        self.alive[t - 1] = alive


@dataclass
class Replicate:
    """One run: daily camp counts (camps x days) and its costs."""

    seed: int
    counts: np.ndarray
    alive: np.ndarray
    cpu_seconds: float
    wall_seconds: float
    phase_seconds: dict
    #: peak and starting resident memory of the process (bytes); whether the peak is this
    #: run's own (reset at its start) or the process's since it began
    peak_memory_bytes: int = 0
    start_memory_bytes: int = 0
    peak_is_this_run: bool = False
    store_bytes_per_row: float = 0.0


def run_replicate(scenario, camps: list[str], seed: int, on_day=None) -> Replicate:
    """Build and run the model once, counting persons in ``camps`` each day;
    ``on_day(day, persons_alive)`` is called after each simulated day if given."""
    own_peak = _reset_peak_memory()
    start_memory = _memory_bytes("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    model = PRDSModel(scenario, seed=seed, with_agents=False, layout=validation_layout(scenario))
    recorder = CampCounts(model, [model.graph.index[c] for c in camps])
    model.recorder = recorder
    model.run(progress=None if on_day is None else
              lambda step: on_day(step, int(recorder.alive[step - 1])))
    store = model.households
    return Replicate(seed=seed, counts=recorder.counts, alive=recorder.alive,
                     cpu_seconds=time.process_time() - cpu,
                     wall_seconds=time.perf_counter() - wall,
                     phase_seconds={k: round(v, 3) for k, v in model.phase_seconds.items()},
                     peak_memory_bytes=_memory_bytes("VmHWM"), start_memory_bytes=start_memory,
                     peak_is_this_run=own_peak,
                     store_bytes_per_row=store.nbytes() / max(store.capacity, 1))


def validate_conflict(directory: str | Path, out: str | Path | None = None, replicates: int = 1,
                      seed: int = 0, parameters: str | Path | None = None,
                      progress=None, strict: bool = False, days: int | None = None,
                      hasten: int = 1) -> dict:
    """Run and score one Flee-format conflict; write ``validation.json`` and plots to ``out``.

    ``progress(days_done, days_total, persons_alive)`` is called after every simulated day
    (over all replicates) if given. ``strict`` refuses the data quirks Flee accepts (else
    they are listed under ``data_warnings``); ``days`` runs only the first days of the period;
    ``hasten``: one agent per ``hasten`` persons, populations and counts divided as Flee does.
    """
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    conflict = read_flee_conflict(directory, strict=strict, days=days, hasten=hasten)
    settings = load_validation_parameters(parameters)
    scenario = load_scenario(flee_scenario(conflict, settings))
    camps = list(conflict.camp_names)
    runs = []
    total = replicates * conflict.length_days
    for k in range(replicates):
        on_day = None
        if progress is not None:
            def on_day(day, alive, done=k * conflict.length_days):
                progress(done + day, total, alive)
        runs.append(run_replicate(scenario, camps, seed + k, on_day))
    report = score(conflict, runs, scenario, parameters or VALIDATION_PARAMETERS)
    report["hasten"] = hasten
    report["persons_per_agent"] = hasten
    if out is not None:
        write_report(Path(out), conflict, runs, report)
    return report


def score(conflict: FleeConflict, runs: list[Replicate], scenario, parameters) -> dict:
    """The validation report of ``runs`` against the conflict's observed camp counts."""
    camps = list(conflict.camp_names)
    observed = {c: conflict.observed[c] for c in camps}
    per_run = [averaged_relative_difference(dict(zip(camps, r.counts, strict=True)), observed)
               for r in runs]
    mean = np.mean([r.counts for r in runs], axis=0)
    of_mean = averaged_relative_difference(dict(zip(camps, mean, strict=True)), observed)
    rescaled = averaged_relative_difference(dict(zip(camps, mean, strict=True)), observed,
                                            rescaled=True)
    ards = [r.ard for r in per_run]
    agent_days = float(np.mean([r.alive.sum() for r in runs]))
    cpu = float(np.mean([r.cpu_seconds for r in runs]))
    cpu_us = cpu / agent_days * 1e6 if agent_days > 0 else float("nan")
    reference = FLEE_REFERENCE_ARD.get(conflict.name)
    capacity = {loc.name: loc.population for loc in conflict.locations}
    per_camp = {}
    for k, camp in enumerate(camps):
        per_camp[camp] = {
            **of_mean.per_camp[camp],
            "capacity": capacity[camp],
            "final_observed": float(observed[camp][-1]),
            "final_simulated": float(mean[k, -1]),
            "ard_contribution_per_replicate": [r.per_camp[camp]["ard_contribution"]
                                               for r in per_run],
        }
    return {
        "conflict": conflict.name,
        "directory": str(conflict.directory),
        "days": conflict.length_days,
        "start_date": str(conflict.start_date),
        "conflict_source": conflict.conflict_source,
        "period_days": conflict.period_length,
        "unscored_camps": list(conflict.unscored_camps),
        "data_warnings": [w.as_dict() for w in conflict.data_warnings],
        "replicates": len(runs),
        "seeds": [r.seed for r in runs],
        "ard": float(np.mean(ards)),
        "ard_replicates": ards,
        "ard_sd": float(np.std(ards, ddof=1)) if len(ards) > 1 else 0.0,
        "ard_of_mean_series": of_mean.ard,
        "ard_rescaled_of_mean_series": rescaled.ard,
        "per_camp": per_camp,
        "run_seconds": float(np.mean([r.wall_seconds for r in runs])),
        "cpu_seconds": cpu,
        "agents": int(np.mean([r.alive[-1] for r in runs])),
        "agents_max": int(np.mean([r.alive.max() for r in runs])),
        "agent_days": agent_days,
        "cpu_us_per_agent_day": cpu_us,
        "phase_seconds": runs[0].phase_seconds,
        **memory_report(runs),
        "flee_reference": {
            "ard": list(reference) if reference else None,
            "cpu_us_per_agent_day": list(FLEE_CPU_US_PER_AGENT_DAY),
            "source": "DESIGN.md section 8 (Flee 3 on its own validation set)",
        },
        "targets": {
            "ard_at_or_below_flee": (float(np.mean(ards)) <= reference[1]) if reference else None,
            "cpu_us_per_agent_day_max": CPU_TARGET_FACTOR * FLEE_CPU_US_PER_AGENT_DAY[0],
            "cpu_at_most_tenth_of_flee": cpu_us <= CPU_TARGET_FACTOR * FLEE_CPU_US_PER_AGENT_DAY[0],
        },
        "scenario": {"days_per_step": scenario.days_per_step, "phases": scenario.phases,
                     "parameters_file": str(parameters),
                     "parameters": scenario.parameters.model_dump()},
    }


def memory_report(runs: list[Replicate]) -> dict:
    """Peak memory of the runs (the largest) and per agent (over the most agents at once)."""
    worst = max(runs, key=lambda r: r.peak_memory_bytes)
    agents = max(float(worst.alive.max()), 1.0)
    return {
        "peak_memory_bytes": int(worst.peak_memory_bytes),
        "peak_bytes_per_agent": round(worst.peak_memory_bytes / agents, 1),
        "start_memory_bytes": int(worst.start_memory_bytes),
        "peak_bytes_per_agent_above_start": round(
            (worst.peak_memory_bytes - worst.start_memory_bytes) / agents, 1),
        "household_store_bytes_per_agent": round(worst.store_bytes_per_row, 1),
        "memory_measure": ("the process's peak resident memory during the run (VmHWM, reset "
                           "at its start)" if worst.peak_is_this_run else
                           "the process's peak resident memory since it started (ru_maxrss)"),
    }


def write_report(out: Path, conflict: FleeConflict, runs: list[Replicate], report: dict) -> list[Path]:
    """validation.json, the daily series (CSV) and the plots, written atomically."""
    from simulation.validation import plots

    camps = list(conflict.camp_names)
    counts = np.stack([r.counts for r in runs])
    written = [files.write_json(out / "validation.json", report)]
    lines = ["day,camp,observed,simulated_mean,simulated_min,simulated_max"]
    for k, camp in enumerate(camps):
        obs = conflict.observed[camp]
        for day in range(conflict.length_days):
            sims = counts[:, k, day]
            lines.append(f"{day},{camp},{int(obs[day])},{sims.mean():.1f},{sims.min():.0f},"
                         f"{sims.max():.0f}")
    written.append(files.write_text(out / "camps.csv", "\n".join(lines) + "\n"))
    written.append(files.save_figure(out / "camps.png", plots.camps_figure(conflict, counts, report)))
    written.append(files.save_figure(out / "error.png", plots.error_figure(conflict, counts, report)))
    return written
