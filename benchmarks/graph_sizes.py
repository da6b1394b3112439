"""Validation cost against graph size: CPU microseconds per agent-day on 50 to 1,000+ locations.

``prds bench --graph-sizes 50,200,1000`` validates one generated Flee-format conflict per size
(``benchmarks/flee_conflicts.random_conflict``: the same density of places, people and days
whatever the size, 1.5 routes a location) and reports the CPU time per agent-day of each and
its ratio to the smallest size, all measured in one run. The issue-17 target: a 1,000-node
graph costs at most 3x a 50-node one per agent-day.

Each size runs in a fresh Python process (its own peak memory, no caches carried over). The
CPU time is ``validate_conflict``'s: building and running the model (``runner.py``); reading
the files and generating them are outside. ``next_stop_draws_per_agent_day`` says how much
travelling the people did (each draw is one traveller choosing a next stop), because the cost
per agent-day follows it: a bigger country has more towns to pass through.
"""

import tempfile
import time
from pathlib import Path

from benchmarks.runner import in_fresh_process, machine, peak_rss_bytes


def measure_graph(locations: int, persons: int, days: int, seed: int = 0) -> dict:
    """Generate and validate one conflict of ``locations`` locations in this process."""
    import simulation.phases.journeys as journeys
    from benchmarks.flee_conflicts import random_conflict
    from simulation.validation.flee_io import read_flee_conflict
    from simulation.validation.runner import validate_conflict

    draws = []
    counted = journeys.draw_next_stops

    def counting(base, ids, factor, here, u):
        draws.append(len(here))
        return counted(base, ids, factor, here, u)

    with tempfile.TemporaryDirectory(prefix="prds-graph-") as folder:
        path = random_conflict(Path(folder) / f"g{locations}", locations, persons=persons,
                               days=days, seed=seed)
        conflict = read_flee_conflict(path)
        started = time.perf_counter()
        journeys.draw_next_stops = counting  # (a count only: same draws, same results)
        try:
            report = validate_conflict(path, seed=seed)
        finally:
            journeys.draw_next_stops = counted
    return {
        "engine": "validation", "locations": locations, "routes": len(conflict.routes),
        "camps": len(conflict.camp_names), "persons": persons, "days": days,
        "agents_max": report["agents_max"], "agent_days": report["agent_days"],
        "cpu_seconds": round(report["cpu_seconds"], 3),
        "wall_seconds": round(time.perf_counter() - started, 3),
        "cpu_us_per_agent_day": round(report["cpu_us_per_agent_day"], 4),
        "next_stop_draws_per_agent_day": round(sum(draws) / report["agent_days"], 3),
        "cpu_us_per_next_stop_draw": round(report["cpu_seconds"] / max(sum(draws), 1) * 1e6, 4),
        "ard": round(report["ard"], 4), "peak_bytes": peak_rss_bytes(),
    }


def run_graph_benchmark(sizes: list[int], persons: int, days: int, on_row=None) -> list[dict]:
    """One row per graph size, smallest first, each with ``ratio_to_smallest`` (CPU per
    agent-day over that of the smallest size, measured in the same run)."""
    described = machine()
    rows = []
    for locations in sorted(sizes):
        row = in_fresh_process("benchmarks.graph_sizes", "measure_graph",
                               [locations, persons, days], f"validation at {locations} locations")
        row["machine"] = described
        row["ratio_to_smallest"] = round(row["cpu_us_per_agent_day"]
                                         / rows[0]["cpu_us_per_agent_day"], 2) if rows else 1.0
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows
