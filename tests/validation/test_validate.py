"""`prds validate` end to end: a shipped conflict, and the report's numbers re-derived."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from flee_cases import write_conflict
from typer.testing import CliRunner

from simulation.cli import app
from simulation.validation.ard import averaged_relative_difference
from simulation.validation.flee_io import read_flee_conflict
from simulation.validation.runner import FLEE_REFERENCE_ARD, validate_conflict

FLEE_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "flee"
PNG = b"\x89PNG\r\n\x1a\n"


def test_validate_mali_from_the_cli(tmp_path):
    out = tmp_path / "mali"
    result = CliRunner().invoke(app, ["validate", str(FLEE_DATA / "mali2012"), "--out", str(out),
                                      "--seed", "11"])
    assert result.exit_code == 0, result.output
    assert "ARD" in result.output and "Abala" in result.output
    report = json.loads((out / "validation.json").read_text())
    conflict = read_flee_conflict(FLEE_DATA / "mali2012")
    assert set(report["per_camp"]) == set(conflict.camp_names)
    assert report["seeds"] == [11] and report["ard_replicates"] == [report["ard"]]
    # everyone the data brings is simulated: agents = the largest camp total (Flee's spawning)
    totals = np.vstack([conflict.observed[c] for c in conflict.camp_names]).sum(axis=0)
    assert report["agents"] == totals.max()
    assert report["agent_days"] > report["agents"] * 100 and report["cpu_us_per_agent_day"] > 0
    # quality guard: Flee's own ARD on mali2012 is 0.28-0.35 (DESIGN.md section 8)
    assert report["ard"] < 0.45
    for name in ("camps.png", "error.png"):
        assert (out / name).read_bytes()[:8] == PNG


def test_report_matches_its_series(tmp_path):
    directory = write_conflict(tmp_path / "c")
    report = validate_conflict(directory, out=tmp_path / "out", replicates=2, seed=2)
    assert report["seeds"] == [2, 3] and len(report["ard_replicates"]) == 2
    assert report["ard"] == np.mean(report["ard_replicates"])
    assert report["ard_replicates"][0] != report["ard_replicates"][1]
    series = pd.read_csv(tmp_path / "out" / "camps.csv")
    simulated = {c: g["simulated_mean"].to_numpy() for c, g in series.groupby("camp")}
    observed = {c: g["observed"].to_numpy() for c, g in series.groupby("camp")}
    again = averaged_relative_difference(simulated, observed)
    assert again.ard == pytest.approx(report["ard_of_mean_series"], abs=1e-3)  # CSV: 1 decimal
    camp_near = series[series["camp"] == "Camp Near"]
    assert (camp_near["simulated_mean"][camp_near["day"] < 30] == 0).all()  # border closed
    assert report["per_camp"]["Camp Near"]["final_simulated"] > 0


@pytest.mark.parametrize("name", [
    "mali2012", "burundi2015",
    pytest.param("nigeria2016", marks=pytest.mark.slow),  # 25 s
    pytest.param("syria2013", marks=pytest.mark.slow),  # 55 s, 3.8 million persons, 1.5 GB
])
def test_global_parameters_meet_flee_on_every_shipped_conflict(name):
    report = validate_conflict(FLEE_DATA / name, replicates=1, seed=0)
    assert report["ard"] <= FLEE_REFERENCE_ARD[name][1]
    assert report["targets"]["ard_at_or_below_flee"] is True
