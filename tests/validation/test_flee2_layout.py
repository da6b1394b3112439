"""The older Flee 2 layout (conflict_period.csv, conflict dates in locations.csv, no
conflicts.csv) reads as the same conflict: many published conflicts are kept in it."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from simulation.validation.flee_io import FleeFormatError, read_flee_conflict
from simulation.validation.runner import validate_conflict

FLEE_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "flee"


def flee2_copy(name: str, root: Path) -> Path:
    """A Flee 2 layout of a shipped conflict, in ``root``: the input files copied without
    conflicts.csv, sim_period.csv renamed, the count series linked (never copied)."""
    source = FLEE_DATA / name
    inputs = root / "input_csv"
    inputs.mkdir(parents=True)
    for path in (source / "input_csv").glob("*.csv"):
        if path.name == "conflicts.csv":
            continue
        target = "conflict_period.csv" if path.name == "sim_period.csv" else path.name
        shutil.copyfile(path, inputs / target)
    (root / "source_data").symlink_to(source / "source_data")
    return root


@pytest.mark.parametrize("name", ["mali2012", "burundi2015", "nigeria2016"])
def test_conflict_dates_give_the_same_intensities(name, tmp_path):
    # in these three, conflicts.csv is 0 until each location's conflict_date, then 1
    flee3 = read_flee_conflict(FLEE_DATA / name)
    flee2 = read_flee_conflict(flee2_copy(name, tmp_path / name))
    assert (flee3.conflict_source, flee2.conflict_source) == (
        "conflicts.csv", "locations.csv conflict_date")
    assert (flee2.start_date, flee2.length_days) == (flee3.start_date, flee3.length_days)
    ever = {n for j, n in enumerate(flee3.conflict_names) if flee3.conflict_intensity[:, j].any()}
    assert set(flee2.conflict_names) == ever
    for j, zone in enumerate(flee2.conflict_names):
        column = flee3.conflict_intensity[:, flee3.conflict_names.index(zone)]
        np.testing.assert_array_equal(flee2.conflict_intensity[:, j], column, err_msg=zone)


def test_a_flee2_conflict_validates_to_the_same_ard(tmp_path):
    flee3 = validate_conflict(FLEE_DATA / "mali2012", out=tmp_path / "flee3", seed=4)
    flee2 = validate_conflict(flee2_copy("mali2012", tmp_path / "mali2012"),
                              out=tmp_path / "flee2", seed=4)
    assert flee2["conflict_source"] == "locations.csv conflict_date"
    assert flee2["ard"] == flee3["ard"]


def test_conflicts_csv_wins_over_conflict_dates(tmp_path):
    # syria2013's conflict_date column is stale (Hama: 269 there, day 10 in conflicts.csv)
    root = flee2_copy("syria2013", tmp_path / "syria")
    shutil.copyfile(FLEE_DATA / "syria2013" / "input_csv" / "conflicts.csv",
                    root / "input_csv" / "conflicts.csv")
    conflict = read_flee_conflict(root)
    hama = conflict.conflict_intensity[:, conflict.conflict_names.index("Hama")]
    assert conflict.conflict_source == "conflicts.csv" and hama[10] > 0 and hama[9] == 0


def test_no_conflicts_at_all_is_a_clear_error(tmp_path):
    root = flee2_copy("mali2012", tmp_path / "mali")
    locations = root / "input_csv" / "locations.csv"
    rows = [line.split(",") for line in locations.read_text().splitlines()]
    for row in rows[1:]:
        row[5] = row[5].replace("conflict_zone", "town")
    locations.write_text("\n".join(",".join(row) for row in rows) + "\n")
    with pytest.raises(FleeFormatError) as caught:
        read_flee_conflict(root)
    message = str(caught.value)
    assert str(root / "input_csv" / "conflicts.csv") in message
    assert "conflict_date" in message and "Flee 2" in message
