"""``prds sweep`` end to end: killed partway, resumed, complete and identical; the example
sweep's analysis."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from sweep_cases import reference_results, write_sweep_files
from typer.testing import CliRunner

from simulation.cli import app
from simulation.scenario import SCENARIOS_DIR
from simulation.sweeps import load_sweep

PRDS = str(Path(sys.executable).with_name("prds"))
EXAMPLE = SCENARIOS_DIR / "sweeps" / "behaviour_and_cash.sweep.yaml"


def rows_on_disk(out: Path) -> int:
    parts = list((out / "parts").glob("part-*.parquet")) if (out / "parts").exists() else []
    merged = out / "results.parquet"
    return sum(pq.read_metadata(p).num_rows for p in parts) + (
        pq.read_metadata(merged).num_rows if merged.exists() else 0)


def start(sweep: Path, out: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen([PRDS, "sweep", str(sweep), "--out", str(out), "--no-analysis",
                             *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def stop_when(process: subprocess.Popen, out: Path, rows: int, how) -> int:
    """Wait until ``rows`` runs are on disk, then stop the sweep with ``how(pid)``."""
    deadline = time.monotonic() + 60
    while rows_on_disk(out) < rows:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep wrote nothing for a minute"
        time.sleep(0.01)
    how(process.pid)
    process.communicate(timeout=30)
    return rows_on_disk(out)


def test_killed_sweep_resumes_to_the_complete_identical_table(tmp_path):
    sweep_file = write_sweep_files(tmp_path, steps=6)  # 64 runs of ~0.03 s
    out = tmp_path / "out"
    # a lost machine: the sweep's whole process group killed without warning, mid-run
    killed = start(sweep_file, out, "--workers", "1")
    written = stop_when(killed, out, 6, lambda pid: os.killpg(pid, signal.SIGKILL))
    assert killed.returncode == -signal.SIGKILL
    assert 6 <= written < 64, "the sweep ended before it could be killed"
    # resume: only the missing runs are run
    resumed_run = subprocess.run([PRDS, "sweep", str(sweep_file), "--out", str(out), "--resume",
                                  "--workers", "1", "--no-analysis"], capture_output=True,
                                 text=True, timeout=120)
    assert resumed_run.returncode == 0, resumed_run.stderr
    assert f"{64 - written} runs run, {written} already written, 0 failed" in resumed_run.stdout
    assert not list((out / "parts").iterdir())  # stale temporary files cleared, parts merged

    resumed = pd.read_parquet(out / "results.parquet")
    assert resumed["run"].tolist() == list(range(64))  # every run exactly once
    whole = reference_results()  # the same sweep, uninterrupted, in this process
    assert (whole["status"] == "ok").all()
    pd.testing.assert_frame_equal(resumed, whole, check_exact=True)


def test_sigterm_stops_cleanly_and_says_how_to_resume(tmp_path):
    """SIGTERM (or Ctrl-C) ends the sweep with code 130; finished runs stay written."""
    sweep_file = write_sweep_files(tmp_path, steps=24)
    out = tmp_path / "out"
    received = []
    previous = signal.signal(signal.SIGTERM, lambda *_: received.append("late"))

    def terminate_after_four_runs():
        while rows_on_disk(out) < 4:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=terminate_after_four_runs, daemon=True)
    watcher.start()
    try:
        result = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(out),
                                          "--workers", "1", "--no-analysis"])
    finally:
        watcher.join(timeout=10)
        signal.signal(signal.SIGTERM, previous)
    assert not received, "the sweep ended before the signal came"
    assert result.exit_code == 130
    assert "interrupted; every finished run is in" in result.output and "--resume" in result.output
    assert 4 <= rows_on_disk(out) < 64


def test_example_sweep_gives_indices_with_intervals(tmp_path):
    out = tmp_path / "example"
    result = CliRunner().invoke(app, ["sweep", str(EXAMPLE), "--samples", "2", "--workers", "1",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "S1 (95%)" in result.output and "ST (95%)" in result.output
    table = pd.read_parquet(out / "analysis" / "sensitivity.parquet")
    sweep = load_sweep(EXAMPLE)
    assert set(table["factor"]) == set(sweep.factors)
    assert set(table["outcome"]) == set(sweep.outcomes)
    for column in ("S1", "S1_conf", "ST", "ST_conf"):
        assert table[column].notna().all()
    assert (table["S1_conf"] > 0).any() and (table["ST_conf"] >= 0).all()
    lever = table[(table["factor"] == "interventions.cash.transfer") &
                  (table["outcome"] == "cost_total")]
    assert lever["kind"].tolist() == ["lever"]
    csv = pd.read_csv(out / "analysis" / "sensitivity.csv")
    assert len(csv) == len(table)
    for name in ("sobol.png", "factor_interventions.cash.transfer.png",
                 "factor_parameters.flight_rate.png"):
        assert (out / "analysis" / name).read_bytes()[:4] == b"\x89PNG"
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 2 * (len(sweep.factors) + 2) and (results["status"] == "ok").all()


def test_bad_sweep_file_is_a_clear_error(tmp_path):
    sweep_file = write_sweep_files(tmp_path)
    sweep_file.write_text(sweep_file.read_text().replace("method: lhs", "method: lhc"))
    result = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert f"{sweep_file}:" in result.output and "design.method" in result.output
    assert not (tmp_path / "o").exists()


def test_an_error_naming_a_file_with_brackets_keeps_them(tmp_path):
    """Error messages are printed as written, not read as Rich markup (which would drop a
    ``[...]`` in a file name or key)."""
    folder = tmp_path / "run[old]"
    folder.mkdir()
    sweep_file = write_sweep_files(folder)
    sweep_file.write_text(sweep_file.read_text().replace("method: lhs", "method: lhc"))
    result = CliRunner().invoke(app, ["sweep", str(sweep_file), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "run[old]" in result.output and "design.method" in result.output
