"""Bad input at the command line: a clear error (exit 2), never a traceback, never a file.

``prds run`` on hypothesis-damaged scenario files (the mutations of test_fuzz_scenario.py)
either fails with exit code 2, an ``error:`` line naming the file, and no output folder, or
runs and writes every output whole. ``prds compare``, ``prds import-flee`` and
``prds validate`` are checked on a few bad inputs the same way.
"""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import tiny_scenario_dict
from hypothesis import HealthCheck, given, settings
from reliability_strategies import DERANDOMIZE
from test_fuzz_scenario import mutated
from typer.testing import CliRunner

from simulation.cli import app

RUNNER = CliRunner()


def invoke(*args: str):
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"traceback from prds {' '.join(map(str, args))}: {result.exception!r}\n{result.output}")
    return result


@settings(derandomize=DERANDOMIZE, max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated())
def test_prds_run_on_damaged_files_fails_cleanly_or_writes_whole_files(tmp_path, data):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    out = tmp_path / "out"
    if out.exists():
        for path in out.iterdir():
            path.unlink()
        out.rmdir()
    result = invoke("run", scenario, "--out", out, "--steps", "1", "--no-plots")
    if result.exit_code == 2:
        assert "error:" in result.output and str(scenario) in result.output.replace("\n", "")
        assert not out.exists(), "a bad scenario left an output folder"
        return
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["steps"] == 1
    assert len(pd.read_parquet(out / "timeseries.parquet")) > 0 or \
        json.loads((out / "summary.json").read_text())["households"] == 0


@pytest.mark.parametrize("content", ["graph: {nodes: []}\n", "name: [\n", "\x9b", "- a\n"])
def test_prds_compare_on_a_bad_file_fails_cleanly(tmp_path, content):
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(tiny_scenario_dict(steps=2)))
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("compare", good, bad, "--replicates", "1", "--workers", "1", "--out", out)
    assert result.exit_code == 2 and "error:" in result.output
    assert "bad.yaml" in result.output.replace("\n", "")
    assert not out.exists()


@pytest.mark.parametrize("command", ["import-flee", "validate"])
def test_flee_commands_on_a_damaged_conflict_fail_cleanly(tmp_path, command):
    conflict = tmp_path / "conflict"
    (conflict / "input_csv").mkdir(parents=True)
    (conflict / "input_csv" / "sim_period.csv").write_text("StartDate,2015-01-01\nLength,x\n")
    out = tmp_path / "out" / ("scenario.yaml" if command == "import-flee" else "")
    result = invoke(command, conflict, "--out", out)
    assert result.exit_code == 2 and "error:" in result.output
    assert "sim_period.csv" in result.output.replace("\n", "") and "row 2" in result.output
    assert not (tmp_path / "out").exists()


def test_missing_scenario_file_fails_cleanly(tmp_path):
    result = invoke("run", tmp_path / "nowhere.yaml", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "file not found" in result.output
    assert not Path(tmp_path / "out").exists()
