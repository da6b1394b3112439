"""``prds sensitivity``: the Morris screening of the assumptions on the evidence entries.

The design covers exactly the parameters marked as assumptions, over their declared ranges;
on a tiny problem (two parameters, two trajectories, one cheap fixture entry of
``calibration_library/``: the share of displaced households in debt after 12 months of a
500-household setting) a parameter the entry's scenario never reads has mu* exactly 0 and
one it reads has mu* > 0; the numbers are the same in process and on a pool of two, and
after a resume; the indices are SALib's when every point is defined, and an undefined point
costs only its own elementary effects; bad input is a clear error; the committed page
``docs/sensitivity.md`` lists every parameter with its current kind of source.
"""

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulation.cli import app
from simulation.evidence import EvidenceError, load_library
from simulation.evidence.sensitivity import (
    SensitivityError,
    analyse,
    elementary_effects,
    morris_indices,
    run_screening,
    screened_parameters,
    screening_sweep,
)
from simulation.params import Parameters, source_kind
from simulation.sweeps.analysis import analyze
from simulation.sweeps.design import build_design
from simulation.sweeps.executors import open_executor

HERE = Path(__file__).resolve().parent
LIBRARY = HERE / "calibration_library"
ROOT = HERE.parents[1]
RUNNER = CliRunner()
#: the cheap entry, a parameter its setting never reads (no labour mobility programme) and
#: one it reads (the camp's rations: 200 of the 300 displaced households live in the camp)
ENTRY = "fixture_debt_share"
UNREAD, READ = "remittance_share", "camp_ration_share"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny screening, run in process: (sweep, entries, outcome of the run)."""
    entries = load_library(LIBRARY, only=[ENTRY])
    sweep = screening_sweep(entries, parameters=[UNREAD, READ], trajectories=2, seed=5)
    done = run_screening(sweep, entries, tmp_path_factory.mktemp("serial"))
    return sweep, entries, done


def test_the_design_covers_exactly_the_assumptions_over_their_declared_ranges():
    entries = load_library(LIBRARY, only=[ENTRY])
    sweep = screening_sweep(entries, trajectories=2)
    rows = {row["name"]: row for row in Parameters.describe()}
    assumptions = [name for name, row in rows.items() if source_kind(row["source"]) == "assumption"]
    assert sweep.parameters == assumptions == screened_parameters()
    assert "savings_rate" not in sweep.parameters  # calibrated: held at its fitted default
    for key, factor in sweep.uncertainties.items():
        name = key.removeprefix("parameters.")
        assert (factor.low, factor.high) == (rows[name]["min"], rows[name]["max"]), name
    design = build_design(sweep)
    assert len(design.points) == 2 * (len(assumptions) + 1)
    values = design.points[list(sweep.uncertainties)]
    assert (values.min() >= [rows[k.removeprefix("parameters.")]["min"] for k in values]).all()
    assert (values.max() <= [rows[k.removeprefix("parameters.")]["max"] for k in values]).all()


def test_an_unread_parameter_has_mu_star_zero_and_a_read_one_does_not(tiny):
    sweep, entries, done = tiny
    assert done.complete and len(done.results) == 2 * 3
    indices = analyse(sweep, entries, done.design, done.results).indices.set_index("parameter")
    assert indices.loc[UNREAD, "mu_star"] == 0.0 and indices.loc[UNREAD, "sigma"] == 0.0
    assert indices.loc[READ, "mu_star"] > 0.0
    assert indices.loc[READ, "mu_star_bands"] == pytest.approx(
        indices.loc[READ, "mu_star"] / 0.1)  # the band 0.7-0.9: half-width 0.1
    assert (indices["effects"] == 2).all() and (indices["undefined"] == 0).all()


def test_the_same_numbers_in_process_on_a_pool_of_two_and_after_a_resume(tiny, tmp_path):
    sweep, entries, serial = tiny
    with open_executor(workers=2) as pool:
        pooled = run_screening(sweep, entries, tmp_path / "pool", pool)
    columns = ["run", "point", "seed", *sweep.uncertainties, ENTRY]
    pd.testing.assert_frame_equal(serial.results[columns], pooled.results[columns],
                                  check_exact=True)
    again = run_screening(sweep, entries, tmp_path / "pool", resume=True)
    assert (again.ran, again.skipped) == (0, len(serial.results))
    pd.testing.assert_frame_equal(serial.results[columns], again.results[columns],
                                  check_exact=True)


def test_with_every_point_defined_the_indices_are_salibs(tiny):
    sweep, entries, done = tiny
    ours = analyse(sweep, entries, done.design, done.results).indices
    salib = analyze(sweep, done.design, done.results, [ENTRY]).table
    for column in ("mu_star", "mu_star_conf", "mu", "sigma"):
        assert ours[column].tolist() == salib[column].tolist(), column


def test_an_undefined_point_costs_only_its_own_elementary_effects():
    """y = 2 u0 (u1 unread) on 3 trajectories; one point undefined: the two steps into and
    out of it are left out, every other effect is exactly 2 (or 0)."""
    entries = load_library(LIBRARY, only=[ENTRY])
    sweep = screening_sweep(entries, parameters=[READ, UNREAD], trajectories=3, seed=1)
    design = build_design(sweep)
    y = 2.0 * design.unit[:, 0]
    y[4] = math.nan  # the middle point of trajectory 1 (points 3, 4, 5)
    effects = elementary_effects(design, y, sweep.design.levels)
    assert np.isnan(effects[:, 1]).all() and np.isfinite(effects[:, [0, 2]]).all()
    assert effects[0, [0, 2]] == pytest.approx([2.0, 2.0]) and (effects[1, [0, 2]] == 0).all()
    found = morris_indices(effects, seed=1)
    assert found["mu_star"][0] == pytest.approx(2.0) and found["mu_star"][1] == 0.0


def test_bad_input_is_a_clear_error():
    entries = load_library(LIBRARY, only=[ENTRY])
    with pytest.raises(SensitivityError, match=r"trajectories: .* at least 2 .*got 1"):
        screening_sweep(entries, trajectories=1)
    with pytest.raises(SensitivityError, match=r"'remitance_share'.*did you mean 'remittance_share'"):
        screening_sweep(entries, parameters=["remitance_share"], trajectories=2)
    with pytest.raises(EvidenceError, match=r"unknown entry id\(s\) \['no_such_entry'\]"):
        load_library(LIBRARY, only=["no_such_entry"])
    result = RUNNER.invoke(app, ["sensitivity", "--library", str(LIBRARY), "--only",
                                 "no_such_entry"])
    assert result.exit_code == 2 and "unknown entry id(s) ['no_such_entry']" in result.output
    result = RUNNER.invoke(app, ["sensitivity", "--library", str(LIBRARY), "--trajectories", "1"])
    assert result.exit_code == 2 and "at least 2 trajectories (got 1)" in result.output


def test_the_command_writes_the_table_of_every_parameter(tmp_path):
    docs = tmp_path / "sensitivity.md"
    result = RUNNER.invoke(app, ["sensitivity", "--library", str(LIBRARY), "--only", ENTRY,
                                 "--parameter", UNREAD, "--parameter", READ, "-r", "2",
                                 "--seed", "5", "--workers", "1", "--out", str(tmp_path / "out"),
                                 "--docs", str(docs)])
    assert result.exit_code == 0, result.output
    rows = _table_rows(docs.read_text(encoding="utf-8"))
    assert set(rows) == set(Parameters.model_fields)
    assert rows[READ]["rank"] == "1" and rows[UNREAD]["rank"] == "2"
    assert rows[UNREAD]["influence"].startswith("0 ± 0")
    assert rows["flight_rate"]["influence"] == "not screened"
    assert (tmp_path / "out" / "sensitivity.json").exists()
    assert "prds sensitivity --trajectories 2 --replicates 1 --seed 5" in docs.read_text()


def test_the_committed_page_lists_every_parameter_with_its_current_kind():
    """docs/sensitivity.md is regenerated, never edited: a parameter added, or a kind of
    source changed (a calibration applied), without running the command again fails here."""
    rows = _table_rows((ROOT / "docs" / "sensitivity.md").read_text(encoding="utf-8"))
    kinds = {row["name"]: source_kind(row["source"]) for row in Parameters.describe()}
    assert set(rows) == set(kinds), set(rows) ^ set(kinds)
    stale = {name: rows[name]["kind"] for name in kinds if rows[name]["kind"] != kinds[name]}
    assert not stale, f"docs/sensitivity.md is stale (rerun the command in its header): {stale}"
    screened = {name for name, row in rows.items() if row["influence"] != "not screened"}
    assert screened == set(screened_parameters())


def _table_rows(text: str) -> dict[str, dict[str, str]]:
    """The parameter table of a sensitivity page: name -> rank, kind, influence."""
    rows = {}
    for line in text.splitlines():
        found = re.match(r"^\| (\d*) \| `(\w+)` \| ([^|]+) \| [^|]+ \| [^|]+ \| ([^|]+) \|", line)
        if found:
            rows[found.group(2)] = {"rank": found.group(1), "kind": found.group(3).strip(),
                                    "influence": found.group(4).strip()}
    return rows
