"""Evaluations per minute of ``prds optimise``, beside ``prds compare`` on the same machine.

Runs an optimisation file (default: ``scenarios/optimise/protracted.optimise.yaml`` with its
own settings) on a local process pool into a temporary folder, then ``compare`` on the
scenario files it wrote (the chosen mixes, each programme alone, the even split) with the
same replicates and workers: the same kind of runs, without the search. The ratio of the two
rates is the optimiser's overhead (NSGA-II, the store, the report), which the machine's load
affects less than the absolute figures (printed with the load average and the machine).

Run: ``.venv/bin/python benchmarks/optimise_rate.py [FILE] [--workers 2] [--generations N]
[--population N]``. Not a test.
"""

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from simulation.scenario import SCENARIOS_DIR

DEFAULT = SCENARIOS_DIR / "optimise" / "protracted.optimise.yaml"


def measure(path: Path, workers: int, generations: int | None, population: int | None) -> dict:
    from simulation.compare import compare
    from simulation.optimise import load_optimisation, run_optimisation, write_outputs
    from simulation.optimise.outputs import BASE_FILE, named_rows
    from simulation.sweeps.executors import open_executor

    load_before = os.getloadavg()
    problem = load_optimisation(path).with_search(generations, population)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        with open_executor(workers=workers) as executor:
            result = run_optimisation(problem, folder, executor)
        write_outputs(result)
        seconds = time.perf_counter() - started
        scenarios = Path(folder) / "scenarios"
        files = [scenarios / BASE_FILE] + [scenarios / name for name, _ in named_rows(result)]
        started = time.perf_counter()
        compare(files, replicates=problem.replicates, workers=workers)
        compare_seconds = time.perf_counter() - started
    frame = result.evaluations
    runs_per_minute = 60 * result.ran / seconds
    compare_runs = len(files) * problem.replicates
    compare_per_minute = 60 * compare_runs / compare_seconds
    return {
        "file": str(path), "generations": problem.search.generations,
        "population": problem.search.population, "replicates": problem.replicates,
        "samples": len(result.samples), "workers": workers,
        "candidates": len(frame), "distinct_mixes": int(frame["mix"].nunique()),
        "runs": result.ran, "seconds": round(seconds, 1),
        "candidates_per_minute": round(60 * len(frame) / seconds, 1),
        "runs_per_minute": round(runs_per_minute, 1),
        "compare_runs": compare_runs, "compare_seconds": round(compare_seconds, 1),
        "compare_runs_per_minute": round(compare_per_minute, 1),
        "optimise_vs_compare_rate": round(runs_per_minute / compare_per_minute, 3),
        "all_within_budget": bool(frame["within_budget"].all()),
        "beat_every_programme_alone": int(frame["beats_corners"].sum()),
        "machine": {"cpu": platform.processor() or platform.machine(),
                    "cores": os.cpu_count(), "system": platform.platform(),
                    "python": platform.python_version()},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--generations", type=int, default=None)
    parser.add_argument("--population", type=int, default=None)
    args = parser.parse_args()
    print(json.dumps(measure(args.file, args.workers, args.generations, args.population),
                     indent=2))


if __name__ == "__main__":
    main()
