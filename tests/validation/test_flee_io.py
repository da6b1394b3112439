"""Tests of the Flee-format reader on the shipped conflicts and on tiny hand-made ones."""

import csv
import pickle
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.validation.flee_io import FleeClosure, FleeFormatError, read_flee_conflict
from simulation.validation.flee_sources import _daily_counts

FLEE_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "flee"
CONFLICTS = ("burundi2015", "mali2012", "nigeria2016", "syria2013")


# --- independent counts from the raw CSV files -----------------------------------------------


def _data_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [[cell.strip() for cell in row] for row in csv.reader(handle)]
    return [row for row in rows if any(row) and not row[0].startswith("#")]


def _length(directory: Path) -> int:
    rows = _data_rows(directory / "input_csv" / "sim_period.csv")
    return next(int(row[1]) for row in rows if row[0].lower() == "length")


@pytest.fixture(scope="module", params=CONFLICTS)
def shipped(request):
    directory = FLEE_DATA / request.param
    return directory, read_flee_conflict(directory)


def test_shipped_counts_match_the_raw_files(shipped):
    directory, conflict = shipped
    inputs = directory / "input_csv"
    locations = _data_rows(inputs / "locations.csv")
    camps = [row[0] for row in locations if "camp" in row[5].lower()]
    length = _length(directory)
    header = (inputs / "conflicts.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    conflict_columns = [name.strip() for name in header.split(",")[1:] if name.strip()]

    assert conflict.name == directory.name
    assert conflict.length_days == length
    assert len(conflict.locations) == len(locations)
    assert [loc.name for loc in conflict.locations] == [row[0] for row in locations]
    assert len(conflict.routes) == len(_data_rows(inputs / "routes.csv"))
    assert len(conflict.closures) == len(_data_rows(inputs / "closures.csv"))
    assert list(conflict.camp_names) == camps
    assert list(conflict.conflict_names) == conflict_columns
    assert conflict.conflict_intensity.shape == (length, len(conflict_columns))
    assert conflict.conflict_intensity.dtype == np.float64
    assert set(conflict.observed) == set(camps)
    assert all(series.shape == (length,) for series in conflict.observed.values())
    assert conflict.observed_total.shape == (length,)
    assert not conflict.observed_total.flags.writeable


def test_syria_reads_closures_csv_not_the_syria_variant():
    directory = FLEE_DATA / "syria2013"
    variant = _data_rows(directory / "input_csv" / "closures - syria.csv")
    assert len(variant) > 1  # the variant has rows; closures.csv has only its header
    assert read_flee_conflict(directory).closures == ()


def test_burundi_closures_as_written():
    closures = read_flee_conflict(FLEE_DATA / "burundi2015").closures
    assert closures[0] == FleeClosure("location", "Bujumbura", "Lusenda", 0, 91)
    assert closures[1] == FleeClosure("remove_forced_redirection", "Nduta", "Nyarugusu", 101, 0)
    # Flee reopens on day 0 (a no-op) then removes the redirection on day 101 for good.
    assert not closures[1].is_active(100) and closures[1].is_active(101)
    assert closures[1].is_active(395)


def test_mali_observed_on_data_dates_interpolation_and_correction():
    conflict = read_flee_conflict(FLEE_DATA / "mali2012")
    assert conflict.start_date == date(2012, 2, 29)
    # nig-niamey.csv: 2012-07-12,6327 (day 134); no registration correction for Niamey.
    assert conflict.observed["Niamey"][134] == 6327
    # Between 2012-03-31,0 (day 31) and 2012-06-30,3567 (day 122): 3567 * 45/91 = 1763.9 -> 1763.
    assert conflict.observed["Niamey"][76] == 1763
    # bf-mentao.csv: 2012-05-18,8820 (day 79), rescaled by the 2012-10-03 correction
    # 5876/10038 (the count on that date over the one before it): 5163.01 -> 5163.
    assert conflict.observed["Mentao"][79] == 5163
    # After the correction date the raw counts stand: 2012-10-03,5876 is day 217.
    assert conflict.observed["Mentao"][217] == 5876


def test_burundi_total_before_first_point_of_the_run():
    conflict = read_flee_conflict(FLEE_DATA / "burundi2015")
    # refugees.csv: 2015-04-30,10323 (day -1) and 2015-05-15,37257 (day 14).
    assert conflict.observed_total[0] == 12118  # 10323 + 26934/15 = 12118.6


def test_nigeria_out_of_order_row_follows_flee():
    # niger.csv has ... 2019-02-28,118868 / 2018-04-30,118868 / 2019-08-31,119541: Flee
    # interpolates from the out-of-order row to the next one.
    conflict = read_flee_conflict(FLEE_DATA / "nigeria2016")
    day = (date(2019, 4, 30) - date(2016, 3, 3)).days
    assert conflict.observed["Niger"][day] == 119371  # 118868 + 673 * 365/488


# --- the daily interpolation against a literal port of Flee's loop --------------------------


def _flee_get_interpolated_data(table: np.ndarray, day: int) -> int:
    """flee/datamanager/DataTable.py, DataTable.get_interpolated_data, line for line."""
    old_val, old_day = table[0, 1], table[0, 0]
    if day <= old_day:
        return int(old_val)
    for i in range(1, len(table)):
        if day < table[i, 0]:
            old_val, old_day = table[i - 1, 1], table[i - 1, 0]
            fraction = float(day - old_day) / float(table[i, 0] - old_day)
            if fraction > 1.0:
                return -1
            return int(old_val + fraction * float(table[i, 1] - old_val))
    return int(table[-1, 1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-10, 60), st.floats(0, 1e6)), min_size=1, max_size=8))
def test_daily_counts_equal_flee_loop(points):
    table = np.array(points, dtype=float)
    days = np.arange(50)
    expected = [_flee_get_interpolated_data(table, int(day)) for day in days]
    assert _daily_counts(table, days).tolist() == expected


# --- tiny hand-made conflicts ------------------------------------------------------------------

TINY = {
    "input_csv/sim_period.csv": "StartDate,2020-01-01\nLength,20\n",
    "input_csv/locations.csv": (
        "#name,region,country,latitude,longitude,location_type,conflict_date,population\n"
        "Alpha,R1,Homeland,1.0,2.0,conflict_zone,0,1000\n"
        "Beta Town,R1,Homeland,1.5,2.5,town,,500\n"
        "Camp One,R2,Abroad,2.0,3.0,camp,,300\n"
    ),
    "input_csv/routes.csv": (
        "#name1,name2,distance,forced_redirection\n"
        "Alpha,Beta Town,10,\n"
        "Beta Town,Camp One,20.5,2\n"
    ),
    "input_csv/closures.csv": (
        "#closure_type,name1,name2,closure_start,closure_end\n"
        "country,Homeland,Abroad,2,-1\n"
    ),
    "input_csv/conflicts.csv": "#Day,Alpha,\n" + "".join(f"{d},1\n" for d in range(20)),
    "input_csv/registration_corrections.csv": "",
    "source_data/data_layout.csv": "total,refugees.csv\nCamp One,camp-one.csv\n",
    "source_data/refugees.csv": "Date,Refugee_numbers\n2019-12-27,100\n2020-01-06,200\n",
    "source_data/camp-one.csv": "2020-01-01,0\n2020-01-11,1000\n2020-01-16,500\n",
}


def make_conflict(tmp_path: Path, changes: dict[str, str | None] | None = None) -> Path:
    """Write TINY under tmp_path with some files replaced (or removed, with None)."""
    files = {**TINY, **(changes or {})}
    root = tmp_path / "tiny"
    for relative, text in files.items():
        if text is not None:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(text.encode("utf-8"))
    return root


def test_tiny_conflict_reads(tmp_path):
    conflict = read_flee_conflict(make_conflict(tmp_path))
    assert conflict.camp_names == ("Camp One",)
    assert conflict.routes[0].distance_km == 10 and conflict.routes[0].forced_redirection == 0
    assert conflict.routes[1].distance_km == 20.5 and conflict.routes[1].forced_redirection == 2
    assert conflict.locations[1].conflict_date is None
    assert conflict.locations[2].population == 300
    # closure_end -1 is the end of the run.
    assert conflict.closures == (FleeClosure("country", "Homeland", "Abroad", 2, 20),)
    assert conflict.closures[0].is_active(19) and not conflict.closures[0].is_active(1)
    # header 'Date,Refugee_numbers' skipped; before the first data point of the run Flee
    # interpolates from the earlier row: day 0 lies between day -5 (100) and day 5 (200).
    assert conflict.observed_total[0] == 150
    assert conflict.observed_total[19] == 200
    assert conflict.observed["Camp One"].tolist()[:3] == [0, 100, 200]


def test_registration_correction_rescales_earlier_counts(tmp_path):
    plain = read_flee_conflict(make_conflict(tmp_path / "a")).observed["Camp One"]
    fix = {"input_csv/registration_corrections.csv": "Camp One,2020-01-16,normalize\n"}
    corrected = read_flee_conflict(make_conflict(tmp_path / "b", fix)).observed["Camp One"]
    # factor 500/1000 on every row before 2020-01-16: (0, 1000, 500) -> (0, 500, 500).
    assert plain[5] == 500 and corrected[5] == 250
    assert plain[10] == 1000 and corrected[10] == 500
    assert plain[13] == 700 and corrected[13] == 500
    assert plain[19] == corrected[19] == 500


def test_counts_before_first_data_point_are_the_first_count(tmp_path):
    root = make_conflict(tmp_path, {"source_data/camp-one.csv": "2020-01-06,40\n2020-01-16,140\n"})
    series = read_flee_conflict(root).observed["Camp One"]
    assert series[:6].tolist() == [40] * 6
    assert series[10] == 90
    assert series[15:].tolist() == [140] * 5


def test_quirks_bom_crlf_blank_lines_extra_columns_and_other_closure_files(tmp_path):
    root = make_conflict(tmp_path, {
        "input_csv/locations.csv": (
            "\ufeff#name,region,country,latitude,longitude,location_type,conflict_date,"
            "population,custom\r\n\r\n"
            "Alpha ,R1,Homeland,1.0,2.0,conflict_zone,0,1000,x\r\n"
            "Beta Town,R1,Homeland,1.5,2.5,town,,500,y\r\n"
            "Camp One,R2,Abroad,2.0,3.0,camp,,,z\r\n"
        ),
        "source_data/camp-one.csv": (
            "# UNHCR\n2020-01-01,0,extra\n\n2020-01-05,,\n2020-01-11,1000,\n"
        ),
    })
    (root / "input_csv" / "closures - other.csv").write_text("this,is,not,read\n")
    conflict = read_flee_conflict(root)
    assert [loc.name for loc in conflict.locations] == ["Alpha", "Beta Town", "Camp One"]
    assert conflict.locations[2].population == 0  # empty population is 0, as in Flee
    assert conflict.observed["Camp One"][5] == 500  # empty count on 2020-01-05 is skipped


def test_exception_is_picklable(tmp_path):
    error = FleeFormatError(tmp_path / "x.csv", "bad", "good", 3)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.row == 3


# --- errors: file name, row and what is allowed -------------------------------------------------


def _error(tmp_path: Path, changes: dict[str, str | None], strict: bool = False) -> FleeFormatError:
    with pytest.raises(FleeFormatError) as info:
        read_flee_conflict(make_conflict(tmp_path, changes), strict=strict)
    error = info.value
    assert error.__suppress_context__ or error.__context__ is None  # no chained traceback
    return error


def test_unknown_location_in_route(tmp_path):
    routes = "#h\nAlpha,Beta Town,10\nAlpha,Camp Onee,5\n"
    error = _error(tmp_path, {"input_csv/routes.csv": routes})
    assert "routes.csv, row 3" in str(error) and "'Camp Onee'" in str(error)
    assert "did you mean 'Camp One'" in str(error) and "locations.csv" in str(error)


def _warnings(tmp_path: Path, changes: dict[str, str | None]):
    return read_flee_conflict(make_conflict(tmp_path, changes)).data_warnings


def test_unknown_location_in_closure_closes_nothing_or_is_refused(tmp_path):
    changes = {"input_csv/closures.csv": "#h\nlink,Alpha,Gamma,0,4\n"}
    conflict = read_flee_conflict(make_conflict(tmp_path / "a", changes))
    assert conflict.closures == ()
    (warning,) = conflict.data_warnings
    assert (warning.file, warning.row, warning.column) == ("input_csv/closures.csv", 2, "name2")
    assert "'Gamma'" in warning.problem and "nothing closed" in warning.action
    error = _error(tmp_path / "b", changes, strict=True)
    assert "closures.csv, row 2, column 'name2'" in str(error) and "--strict" in str(error)


def test_unknown_country_in_closure(tmp_path):
    changes = {"input_csv/closures.csv": "country,Homeland,Abroadd,0,4\n"}
    (warning,) = _warnings(tmp_path / "a", changes)
    assert warning.row == 1 and warning.nearest == "Abroad" and "country" in warning.problem
    error = _error(tmp_path / "b", changes, strict=True)
    assert "closures.csv, row 1" in str(error) and "'Abroadd'" in str(error)
    assert "nearest location: 'Abroad'" in str(error)


def test_unknown_closure_type(tmp_path):
    changes = {"input_csv/closures.csv": "#h\n\nborder,Alpha,Beta Town,0,4\n"}
    (warning,) = _warnings(tmp_path / "a", changes)
    assert warning.row == 3 and warning.column == "closure_type"
    assert "remove_forced_redirection" in warning.problem and "Flee ignores it" in warning.action
    error = _error(tmp_path / "b", changes, strict=True)
    assert "closures.csv, row 3" in str(error)


def test_too_few_conflict_rows(tmp_path):
    error = _error(tmp_path, {"input_csv/conflicts.csv": "#Day,Alpha\n0,1\n1,1\n"})
    assert "conflicts.csv" in str(error) and "2 day rows" in str(error) and "20" in str(error)


def test_camp_without_series(tmp_path):
    error = _error(tmp_path, {"source_data/data_layout.csv": "total,refugees.csv\n"})
    assert "data_layout.csv" in str(error) and "'Camp One'" in str(error)


def test_bad_date_in_series(tmp_path):
    error = _error(tmp_path, {"source_data/camp-one.csv": "2020-01-01,0\n2020-13-01,5\n"})
    assert "camp-one.csv, row 2" in str(error) and "'2020-13-01'" in str(error)
    assert "YYYY-MM-DD" in str(error)


def test_a_count_beyond_any_population_is_refused(tmp_path):
    """1e300 persons is a damaged file: refused by name, not cast to a wrong int64 (the fuzz
    test once met it as 'invalid value encountered in cast' and garbage arrivals)."""
    error = _error(tmp_path, {"source_data/camp-one.csv": "2020-01-01,0\n2020-01-05,1e300\n"})
    assert "camp-one.csv, row 2" in str(error) and "more persons than live on Earth" in str(error)
    assert "at most 1e+10" in str(error)


def test_bad_start_date(tmp_path):
    error = _error(tmp_path, {"input_csv/sim_period.csv": "StartDate,01/01/2020\nLength,20\n"})
    assert "sim_period.csv, row 1" in str(error) and "YYYY-MM-DD" in str(error)


def test_correction_date_not_in_data(tmp_path):
    error = _error(tmp_path, {"input_csv/registration_corrections.csv": "Camp One,2020-01-12\n"})
    assert "registration_corrections.csv, row 1" in str(error) and "2020-01-12" in str(error)


def test_non_numeric_distance(tmp_path):
    error = _error(tmp_path, {"input_csv/routes.csv": "#h\nAlpha,Beta Town,ten\n"})
    assert "routes.csv, row 2" in str(error) and "'ten' is not a number" in str(error)


def test_negative_distance(tmp_path):
    error = _error(tmp_path, {"input_csv/routes.csv": "#h\nAlpha,Beta Town,-4\n"})
    assert "routes.csv, row 2" in str(error) and "negative" in str(error)
    assert "km >= 0" in str(error)


def test_missing_column(tmp_path):
    locations = "#h\nAlpha,R1,Homeland,1,2,conflict_zone,0\n"
    error = _error(tmp_path, {"input_csv/locations.csv": locations})
    assert "locations.csv, row 2" in str(error) and "7 columns, 8 needed" in str(error)
    assert "latitude,longitude" in str(error)


def test_missing_file(tmp_path):
    error = _error(tmp_path, {"input_csv/routes.csv": None})
    assert str(error.path).endswith("routes.csv") and "file not found" in str(error)


def test_missing_series_file(tmp_path):
    layout = "total,refugees.csv\nCamp One,nope.csv\n"
    error = _error(tmp_path, {"source_data/data_layout.csv": layout})
    assert "data_layout.csv, row 2" in str(error) and "'nope.csv' not found" in str(error)


def test_empty_locations(tmp_path):
    error = _error(tmp_path, {"input_csv/locations.csv": "#name,region,country\n\n"})
    assert "locations.csv" in str(error) and "no locations" in str(error)


def test_missing_directory(tmp_path):
    with pytest.raises(FleeFormatError, match="conflict directory not found"):
        read_flee_conflict(tmp_path / "absent")


def test_no_camp_is_a_clear_error(tmp_path):
    # found by the fuzzer: without a camp there is nothing to compare and no arrivals to derive
    locations = TINY["input_csv/locations.csv"].replace(",camp,,300", ",town,,300")
    error = _error(tmp_path, {"input_csv/locations.csv": locations})
    assert str(error.path).endswith("locations.csv") and "no camp location" in str(error)
    assert "contains 'camp'" in str(error)
