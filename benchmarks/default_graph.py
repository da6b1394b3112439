"""Household-steps per second on the bundled default graph, scaled to 10k and 100k households.

The default scenario's populations, capacities, jobs and regular-pathway slots are scaled by
one factor, so the region is the same and only its size changes. Reported with the machine.
Run: ``.venv/bin/python benchmarks/default_graph.py [--sizes 10000,100000] [--steps 36]``.
Not a test: numbers vary with the machine; ratios in ``prds bench`` are the comparable figures.
"""

import argparse
import copy
import json
import os
import platform
import time

from simulation.model import PRDSModel
from simulation.scenario import DEFAULT_SCENARIO, load_raw, load_scenario


def scaled_default(households: int) -> dict:
    """The default scenario with every population and capacity scaled to ``households``."""
    data, _ = load_raw(DEFAULT_SCENARIO)
    data = copy.deepcopy(data)
    total = sum(p["households"] for p in data["populations"])
    factor = households / total
    for population in data["populations"]:
        population["households"] = int(round(population["households"] * factor))
    for node in data["graph"]["nodes"]:
        for key in ("capacity", "labour_demand"):
            if node.get(key) is not None:
                node[key] = node[key] * factor
    for edge in data["graph"]["edges"]:
        edge["regular_slots"] = edge.get("regular_slots", 0) * factor
    return data


def measure(households: int, steps: int, seed: int = 1) -> dict:
    scenario = load_scenario(scaled_default(households), {"steps": steps})
    started = time.perf_counter()
    model = PRDSModel(scenario, seed=seed, with_agents=True)
    built = time.perf_counter()
    model.run()
    finished = time.perf_counter()
    n = len(model.households)
    return {
        "households": n,
        "steps": steps,
        "build_seconds": round(built - started, 3),
        "run_seconds": round(finished - built, 3),
        "household_steps_per_s": round(n * steps / (finished - built)),
        "phase_seconds": {k: round(v, 3) for k, v in model.phase_seconds.items()},
    }


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, " \
           f"Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--steps", type=int, default=36)
    args = parser.parse_args()
    rows = [measure(int(size), args.steps) for size in args.sizes.split(",")]
    print(json.dumps({"machine": machine(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
