"""`prds bench --graph-sizes`: the rows run and are consistent (tiny sizes; nothing timed)."""

import json

import pytest
from typer.testing import CliRunner

from benchmarks.graph_sizes import measure_graph
from simulation.cli import app


def test_graph_size_row_measures_a_generated_validation():
    row = measure_graph(16, persons=400, days=8)
    assert row["locations"] == 16 and row["routes"] == 24 and row["days"] == 8
    assert row["agent_days"] > 0 and row["cpu_seconds"] > 0
    # (cpu_seconds is rounded to the millisecond)
    assert row["cpu_us_per_agent_day"] == pytest.approx(
        row["cpu_seconds"] / row["agent_days"] * 1e6, rel=0.05)
    assert row["next_stop_draws_per_agent_day"] > 0 and row["peak_bytes"] > 0


def test_bench_graph_sizes_writes_rows_with_ratios(tmp_path):
    result = CliRunner().invoke(app, ["bench", "--graph-sizes", "12,16", "--graph-persons",
                                      "300", "--graph-days", "6", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "graph_sizes.json").read_text())
    assert [r["locations"] for r in rows] == [12, 16]
    assert rows[0]["ratio_to_smallest"] == 1.0
    assert rows[1]["ratio_to_smallest"] == round(
        rows[1]["cpu_us_per_agent_day"] / rows[0]["cpu_us_per_agent_day"], 2)
    assert "machine" in rows[0] and "x smallest" in result.output
