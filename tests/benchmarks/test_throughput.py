"""``prds bench --runs`` at a tiny size: every measurement is made and reported (not timed)."""

import json

from rich.console import Console

from benchmarks.throughput import scenario_data, show_throughput
from simulation.scenario import DEFAULT_SCENARIO, load_raw


def test_throughput_benchmark_runs_every_measurement(tmp_path):
    console = Console(record=True, width=160)
    result = show_throughput(console, 2, tmp_path, sizes=(120,), runs=2, samples=1, workers=2,
                             dask=False)
    [row] = result["in_process"]
    assert row["households"] == 120 and row["runs"] == 2 and row["runs_per_s"] > 0
    [sweep] = result["sweeps"]
    assert sweep["executor"] == "process pool" and sweep["workers"] == 2
    assert sweep["runs"] == 10  # one Sobol sample x (8 factors + 2)
    assert abs(sweep["runs_per_s_per_core"] - sweep["runs_per_s"] / 2) <= 0.01
    fixed = result["fixed_step_cost"]["microseconds_per_step"]
    assert {"shocks", "coping", "mobility", "record and step"} <= set(fixed)
    assert all(value > 0 for name, value in fixed.items() if name != "interventions")
    assert json.loads((tmp_path / "runs.json").read_text()) == result
    shown = console.export_text()
    assert "runs per second" in shown and "fixed cost of a step" in shown


def test_the_default_size_is_the_bundled_file_itself():
    data, _ = load_raw(DEFAULT_SCENARIO)
    assert scenario_data(6400, 36) == {**data, "steps": 36}
    assert sum(p["households"] for p in scenario_data(1000, 36)["populations"]) == 1000
