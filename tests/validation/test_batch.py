"""`prds validate` over many conflicts: folders found, one summary table, the same from the
process pool and from Dask (measured columns aside), Flee's ARD from a table or the CLI."""

import json
from pathlib import Path

import pandas as pd
import pytest
from flee_cases import write_conflict
from typer.testing import CliRunner

from simulation.cli import app
from simulation.sweeps.executors import open_executor
from simulation.validation.batch import (
    MEASURED_COLUMNS,
    SUMMARY_COLUMNS,
    BatchError,
    find_conflicts,
    flee_ard_for,
    parse_flee_ard,
    validate_many,
)
from simulation.validation.runner import validate_conflict


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Three small conflicts (one broken: a route to a place that does not exist) and a table
    of Flee's ARD beside them."""
    root = tmp_path_factory.mktemp("conflicts")
    write_conflict(root / "alpha")
    write_conflict(root / "beta", {"input_csv/sim_period.csv": "StartDate,2020-01-01\nLength,40\n"})
    write_conflict(root / "broken", {"input_csv/routes.csv": "Alpha,Nowhere,10\n"})
    (root / "notes").mkdir()  # not a conflict: ignored
    (root / "flee_ard.csv").write_text("conflict,flee_ard\nalpha,0.5\nbeta,0.25\n")
    return root


def test_find_conflicts_in_a_folder_of_folders_and_by_name(folder, tmp_path):
    assert [p.name for p in find_conflicts([folder])] == ["alpha", "beta", "broken"]
    assert [p.name for p in find_conflicts([folder / "beta", folder / "alpha"])] == ["beta", "alpha"]
    with pytest.raises(BatchError, match="folder not found"):
        find_conflicts([tmp_path / "absent"])
    with pytest.raises(BatchError, match="neither a conflict folder"):
        find_conflicts([folder / "notes"])
    write_conflict(tmp_path / "elsewhere" / "alpha")
    with pytest.raises(BatchError, match="two conflicts are named 'alpha'"):
        find_conflicts([folder, tmp_path / "elsewhere"])


def test_flee_ard_from_the_table_beside_the_folders_and_the_command_line(folder):
    conflicts = find_conflicts([folder])
    assert flee_ard_for(conflicts) == {"alpha": 0.5, "beta": 0.25}
    assert flee_ard_for(conflicts, ["beta=0.3"]) == {"alpha": 0.5, "beta": 0.3}
    for bad in ("beta", "=0.3", "beta=x", "beta=-1"):
        with pytest.raises(BatchError, match="--flee-ard"):
            parse_flee_ard([bad])


def _run(folder: Path, out: Path, **executor) -> pd.DataFrame:
    conflicts = find_conflicts([folder])
    with open_executor(fresh=True, **executor) as pool:
        return validate_many(conflicts, out, pool, flee_ard_for(conflicts), replicates=2,
                             seed=3)


def test_the_pool_and_dask_write_the_same_table(folder, tmp_path):
    pool = _run(folder, tmp_path / "pool", workers=2)
    dask = _run(folder, tmp_path / "dask", workers=2, dask="local")
    assert list(pool.columns) == list(SUMMARY_COLUMNS)
    assert list(pool["conflict"]) == ["alpha", "beta", "broken"]
    assert list(pool["status"]) == ["ok", "ok", "failed"]
    assert "Nowhere" in pool.loc[2, "error"] and "routes.csv" in pool.loc[2, "error"]
    model = [c for c in SUMMARY_COLUMNS if c not in MEASURED_COLUMNS]
    pd.testing.assert_frame_equal(pool[model], dask[model])
    assert (pool.loc[:1, "peak_memory_mb"] > 0).all() and (pool.loc[:1, "run_seconds"] > 0).all()
    # each row is its conflict's own report, which is in its own folder
    for name in ("alpha", "beta"):
        report = json.loads((tmp_path / "pool" / name / "validation.json").read_text())
        row = pool[pool["conflict"] == name].iloc[0]
        assert row["ard"] == report["ard"] and row["agents"] == report["agents"]
        assert row["ard_rescaled"] == report["ard_rescaled_of_mean_series"]
        assert report["seeds"] == [3, 4]
    again = validate_conflict(folder / "beta", replicates=2, seed=3)
    assert again["ard"] == pool.loc[1, "ard"] and pool.loc[1, "days"] == 40
    assert list(pool["flee_ard"][:2]) == [0.5, 0.25]
    written = pd.read_csv(tmp_path / "pool" / "summary.csv")
    assert list(written.columns) == list(SUMMARY_COLUMNS) and len(written) == 3
    markdown = (tmp_path / "pool" / "summary.md").read_text()
    assert "| alpha | ok |" in markdown and "rescaled" in markdown and "| broken | failed |" in markdown


def test_the_cli_validates_a_folder_of_conflicts(folder, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["validate", str(folder / "alpha"), str(folder / "beta"),
                                      "--workers", "1", "--out", str(out),
                                      "--flee-ard", "alpha=0.4", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "validation summary" in result.output
    table = pd.read_csv(out / "summary.csv")
    assert list(table["conflict"]) == ["alpha", "beta"] and list(table["days"]) == [30, 30]
    assert list(table["flee_ard"]) == [0.4, 0.25]
    assert (out / "alpha" / "camps.png").is_file() and (out / "beta" / "camps.csv").is_file()


def test_progress_reports_every_day_of_every_replicate(folder):
    calls = []
    report = validate_conflict(folder / "beta", replicates=2,
                               progress=lambda done, total, agents: calls.append((done, total, agents)))
    assert [done for done, _, _ in calls] == list(range(1, 81))
    assert {total for _, total, _ in calls} == {80}
    assert calls[-1][2] == report["agents"] and calls[39][2] > 0


def test_resume_skips_conflicts_finished_with_the_same_options(folder, tmp_path):
    conflicts = find_conflicts([folder / "alpha", folder / "beta"])
    with open_executor(workers=1) as serial:
        first = validate_many(conflicts, tmp_path, serial, days=20)
        (tmp_path / "beta" / "validation.json").unlink()  # a sign of a rerun
        again = validate_many(conflicts, tmp_path, serial, resume=True, days=20)
        assert not (tmp_path / "beta" / "validation.json").exists()
        pd.testing.assert_frame_equal(first, again)
        other = validate_many(conflicts, tmp_path, serial, resume=True, days=10)
    assert (tmp_path / "beta" / "validation.json").exists() and list(other["days"]) == [10, 10]
