"""The benchmark: household-steps per second and peak memory, engine and reference side by side.

Each (engine, size) is measured in a fresh Python process, so that its peak memory is its
own: the child reads ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (the kernel's high-water
mark of resident memory) once after the imports (``baseline_bytes``) and once at the end.
``peak_bytes_per_household`` is the whole process's peak divided by the households: the
interpreter, NumPy, pandas, Mesa, the column store, every NumPy temporary of the step, the
recorder's tables and, for the engine, one Mesa agent per household are all in it. RSS is
used rather than tracemalloc because it sees everything (interpreter and libraries
included) and costs nothing while the run is timed; tracemalloc would slow the creation of
a million agents several times over and miss memory outside Python's allocators.

Both engines run the same generated scenario (``benchmarks/generated.py``) with the same
seed. The time that counts is the steps (``run_seconds``, wall clock); building the households
and the Mesa agents is reported apart (``build_seconds``), and ``total_seconds`` is the whole
run. The process's CPU time over the steps is reported too
(``cpu_microseconds_per_household_step``): on a machine shared with other work, wall-clock
times stretch with the load (``machine.load_average_at_start``) and CPU time much less.
"""

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

#: columns of every row of bench.json
ROW_KEYS = ("engine", "households", "steps", "household_steps_per_s", "peak_bytes_per_household")


def machine() -> dict:
    """What the numbers were measured on: CPU, cores, memory, Python and library versions."""
    import mesa
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "numpy": numpy.__version__,
        "mesa": mesa.__version__,
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }


def peak_rss_bytes() -> int:
    """The process's peak resident memory so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def measure(engine: str, households: int, steps: int, nodes: int | None = None,
            seed: int = 1) -> dict:
    """Build and run one model in this process; return its row (see module docstring)."""
    from benchmarks.generated import default_nodes, generated_scenario
    from benchmarks.reference import ReferenceModel
    from simulation.model import PRDSModel
    from simulation.scenario import load_scenario

    baseline = peak_rss_bytes()
    nodes = nodes or default_nodes(households)
    spec = load_scenario(generated_scenario(nodes, households, seed=0), {"steps": steps})
    started = time.perf_counter()
    if engine == "vector":
        model = PRDSModel(spec, seed=seed, with_agents=True)
    elif engine == "reference":
        model = ReferenceModel(spec, seed=seed)
    else:
        raise ValueError(f"engine must be 'vector' or 'reference', not {engine!r}")
    built, cpu_started = time.perf_counter(), time.process_time()
    model.run()
    finished, cpu_seconds = time.perf_counter(), time.process_time() - cpu_started
    agents = len(model.agents)
    if agents != households:
        raise RuntimeError(f"{engine}: {agents} Mesa agents for {households} households")
    peak = peak_rss_bytes()
    run_seconds = finished - built
    return {
        "engine": engine, "households": households, "steps": steps,
        "household_steps_per_s": round(households * steps / run_seconds),
        "peak_bytes_per_household": round(peak / households),
        "nodes": nodes, "mesa_agents": agents,
        "microseconds_per_household_step": round(run_seconds / (households * steps) * 1e6, 4),
        "cpu_microseconds_per_household_step": round(cpu_seconds / (households * steps) * 1e6, 4),
        "build_seconds": round(built - started, 2), "run_seconds": round(run_seconds, 3),
        "total_seconds": round(finished - started, 2),
        "peak_bytes": peak, "baseline_bytes": baseline,
        "peak_bytes_per_household_above_baseline": round((peak - baseline) / households),
    }


def measure_in_fresh_process(engine: str, households: int, steps: int,
                             nodes: int | None = None, seed: int = 1) -> dict:
    """``measure`` in a child Python process (its own peak memory); returns its row."""
    return in_fresh_process("benchmarks.runner", "measure",
                            [engine, households, steps, nodes, seed],
                            f"{engine} at {households} households")


def in_fresh_process(module: str, function: str, args: list, what: str) -> dict:
    """``module.function(*args)`` in a child Python process; returns the dict it returns."""
    code = (f"import json, sys; from {module} import {function}; "
            f"print(json.dumps({function}(*json.loads(sys.argv[1]))))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(args)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_benchmark(sizes: list[int], steps: int, reference_max: int, nodes: int | None = None,
                  on_row=None, repeats: int = 3) -> list[dict]:
    """All rows: the engine at every size, the reference at sizes up to ``reference_max``.

    Sizes run smallest first, the reference right after the engine at each size, so one
    run gives the side-by-side ratio; ``on_row(row)`` is called as each row is done. The
    engine runs ``repeats`` times (each in a fresh process) at sizes up to 100,000, where a
    run takes seconds, and its row is the run with the median time: on a shared machine one
    run can land in a burst of other work. The reference, minutes long, runs once.
    """
    described = machine()
    rows = []
    for households in sorted(sizes):
        engines = ["vector"] + (["reference"] if households <= reference_max else [])
        for engine in engines:
            times = repeats if engine == "vector" and households <= 100_000 else 1
            runs = sorted((measure_in_fresh_process(engine, households, steps, nodes)
                           for _ in range(max(times, 1))), key=lambda r: r["run_seconds"])
            row = runs[len(runs) // 2]
            row["runs"] = len(runs)
            row["run_seconds_of_each_run"] = [r["run_seconds"] for r in runs]
            row["machine"] = described
            rows.append(row)
            if on_row is not None:
                on_row(row)
    add_speedups(rows)
    return rows


def add_speedups(rows: list[dict]) -> None:
    """Give each engine row measured beside a reference row its speed-up per household-step."""
    reference = {r["households"]: r for r in rows if r["engine"] == "reference"}
    for row in rows:
        if row["engine"] == "vector" and row["households"] in reference:
            other = reference[row["households"]]
            row["speedup_vs_reference"] = round(
                row["household_steps_per_s"] / other["household_steps_per_s"], 1)
            row["cpu_speedup_vs_reference"] = round(
                other["cpu_microseconds_per_household_step"]
                / row["cpu_microseconds_per_household_step"], 1)
