"""Real-data quirks of Flee-format folders: each is read as Flee reads it, with a data warning,
refused by ``strict``; where Flee stops part-way, the stated behaviour. Every case copies the
shipped mali2012 folder into tmp_path and adds one quirk."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulation.cli import app
from simulation.validation.convert import conflict_states, flee_scenario, node_type
from simulation.validation.flee_io import FleeFormatError, read_flee_conflict
from simulation.validation.flee_sources import _daily_counts
from simulation.validation.runner import validate_conflict

FLEE_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "flee"
MALI = FLEE_DATA / "mali2012"
CRLF = "Windows (CRLF) line ends"


@pytest.fixture(scope="module")
def plain():
    return read_flee_conflict(MALI)


@pytest.fixture
def mali(tmp_path) -> Path:
    """A copy of mali2012 with plain line ends (three of its files have CRLF, itself a quirk),
    so that each test adds exactly one quirk."""
    root = Path(shutil.copytree(MALI, tmp_path / "mali2012"))
    for path in root.rglob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    assert read_flee_conflict(root, strict=True).data_warnings == ()
    return root


def rewrite(root: Path, relative: str, change) -> None:
    """Replace a file's text (read with plain line ends) by ``change(text)``."""
    path = root / relative
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(change(text), encoding="utf-8", newline="\n")


def quirks_in(conflict, file: str) -> list:
    return [w for w in conflict.data_warnings if w.file == file and not w.problem.startswith(CRLF)]


def strict_error(root: Path) -> FleeFormatError:
    with pytest.raises(FleeFormatError) as info:
        read_flee_conflict(root, strict=True)
    assert "--strict" in str(info.value)
    return info.value


# --- each quirk, as Flee reads it --------------------------------------------------------------


def test_a_data_layout_camp_missing_from_locations_is_not_compared_but_spawns(mali, plain):
    # bf-goudoubo.csv ships in mali2012/source_data but no location is called Goudoubo
    rewrite(mali, "source_data/data_layout.csv", lambda t: t + "Goudoubo,bf-goudoubo.csv\n")
    conflict = read_flee_conflict(mali)
    (warning,) = quirks_in(conflict, "source_data/data_layout.csv")
    assert (warning.row, warning.column) == (9, "Goudoubo") and "not compared" in warning.action
    assert conflict.camp_names == plain.camp_names
    assert all((conflict.observed[c] == plain.observed[c]).all() for c in plain.camp_names)
    # Flee's get_daily_difference sums every data_layout row after the first: Goudoubo too
    rows = [line.split(",") for line in (mali / "source_data/bf-goudoubo.csv").read_text().split()]
    start = np.datetime64(str(plain.start_date))
    points = np.array([[(np.datetime64(d) - start).astype(int), float(n)] for d, n in rows])
    goudoubo = _daily_counts(points, np.arange(plain.length_days))
    assert (conflict.arrival_basis - plain.arrival_basis == goudoubo).all() and goudoubo[-1] > 0
    error = strict_error(mali)
    assert "data_layout.csv, row 9, column 'Goudoubo'" in str(error)


def test_a_conflict_column_naming_no_location_does_nothing(mali, plain):
    # ' Gao' written ' gao_' (case and underscore) and a camp column written with a space
    rewrite(mali, "input_csv/conflicts.csv",
            lambda t: t.replace(" Gao,", " gao_,", 1).replace("Bobo-Dioulasso", "Bobo Dioulasso", 1))
    conflict = read_flee_conflict(mali)
    warnings = {w.column: w for w in quirks_in(conflict, "input_csv/conflicts.csv")}
    assert set(warnings) == {"gao_", "Bobo Dioulasso"}
    assert warnings["gao_"].nearest == "Gao" and warnings["Bobo Dioulasso"].nearest == "Bobo-Dioulasso"
    assert warnings["gao_"].row == 1 and "does nothing" in warnings["gao_"].action
    assert "Gao" not in conflict.conflict_names
    gao = [loc.name for loc in conflict.locations].index("Gao")
    # Gao's conflict_date is 23 (> 0): without its column Flee never puts it in conflict
    assert conflict_states(plain)[0][:, gao].max() == 1 and conflict_states(conflict)[0][:, gao].max() == 0
    assert "column 'gao_'" in str(strict_error(mali))


def test_a_location_defined_twice_keeps_the_last_definition(mali, plain):
    rewrite(mali, "input_csv/locations.csv",
            lambda t: t + "Mopti,Mopti,Mali,14.5,-4.2,town,,999\n")
    conflict = read_flee_conflict(mali)
    (warning,) = quirks_in(conflict, "input_csv/locations.csv")
    assert (warning.row, warning.column) == (25, "name") and "first on row 14" in warning.problem
    moptis = [loc for loc in conflict.locations if loc.name == "Mopti"]
    assert len(moptis) == 1 and moptis[0].population == 999  # Flee's routes attach to the last
    assert len(conflict.locations) == len(plain.locations) and conflict.routes == plain.routes
    assert "locations.csv, row 25" in str(strict_error(mali))


def test_bom_and_windows_line_ends_read_alike(mali, plain):
    text = (MALI / "input_csv/locations.csv").read_text(encoding="utf-8")
    (mali / "input_csv/locations.csv").write_bytes(
        ("\ufeff" + text).replace("\n", "\r\n").encode("utf-8"))
    conflict = read_flee_conflict(mali)
    assert conflict.locations == plain.locations
    (bom,) = quirks_in(conflict, "input_csv/locations.csv")
    assert bom.row == 1 and "byte-order mark" in bom.problem
    (crlf,) = [w for w in conflict.data_warnings if w.problem.startswith(CRLF)]
    assert "input_csv/locations.csv" in crlf.file + crlf.problem  # one warning names every file
    assert "locations.csv, row 1" in str(strict_error(mali))


def test_quoted_dates_read_as_plain_dates(mali, plain):
    rewrite(mali, "source_data/nig-niamey.csv",
            lambda t: "\n".join(f'"{d}","{n}"' for d, n in (r.split(",") for r in t.split())))
    conflict = read_flee_conflict(mali)
    assert (conflict.observed["Niamey"] == plain.observed["Niamey"]).all()
    assert quirks_in(conflict, "source_data/nig-niamey.csv") == []  # Flee's csv reads them alike


def test_unmarked_header_rows_are_skipped(mali, plain):
    rewrite(mali, "input_csv/routes.csv", lambda t: t.lstrip("#"))
    rewrite(mali, "source_data/nig-abala.csv", lambda t: "date,refugees\n" + t)
    conflict = read_flee_conflict(mali)
    assert conflict.routes == plain.routes
    assert (conflict.observed["Abala"] == plain.observed["Abala"]).all()
    (routes,) = quirks_in(conflict, "input_csv/routes.csv")
    (abala,) = quirks_in(conflict, "source_data/nig-abala.csv")
    assert routes.row == 1 and abala.row == 1 and "stops" in routes.action + abala.action


def test_counts_dated_outside_the_period_hold_the_nearest_count(mali):
    rewrite(mali, "source_data/nig-niamey.csv", lambda t: "2013-06-01,100\n2013-07-01,200\n")
    conflict = read_flee_conflict(mali)
    assert (conflict.observed["Niamey"] == 100).all()  # Flee: the first count before it
    (warning,) = quirks_in(conflict, "source_data/nig-niamey.csv")
    assert "no count dated inside" in warning.problem


def test_count_rows_out_of_date_order_follow_flee(mali, plain):
    def swap(text):
        lines = text.split("\n")
        lines[2], lines[3] = lines[3], lines[2]
        return "\n".join(lines)
    rewrite(mali, "source_data/nig-abala.csv", swap)
    (warning,) = quirks_in(read_flee_conflict(mali), "source_data/nig-abala.csv")
    assert warning.row == 4 and "before the row above" in warning.problem


def test_the_shipped_nigeria_out_of_order_rows_are_listed():
    conflict = read_flee_conflict(FLEE_DATA / "nigeria2016")
    files = {w.file for w in conflict.data_warnings if "before the row above" in w.problem}
    assert files == {"source_data/niger.csv", "source_data/cameroon.csv", "source_data/chad.csv"}


def test_a_location_type_flee_cannot_parse_is_a_pass_through(mali):
    rewrite(mali, "input_csv/locations.csv", lambda t: t.replace(",town,,148456", ",village,,148456"))
    conflict = read_flee_conflict(mali)
    (warning,) = quirks_in(conflict, "input_csv/locations.csv")
    assert (warning.row, warning.column) == (14, "location_type")
    nodes = {n["name"]: n for n in flee_scenario(conflict)["graph"]["nodes"]}
    assert nodes["Mopti"]["type"] == "border" == node_type("village")


def test_a_route_to_itself_is_left_out(mali, plain):
    rewrite(mali, "input_csv/routes.csv", lambda t: t + "Mopti,Mopti,5,\n")
    conflict = read_flee_conflict(mali)
    assert conflict.routes == plain.routes
    assert len(quirks_in(conflict, "input_csv/routes.csv")) == 1


def test_conflict_columns_day_numbers_are_not_used(mali, plain):
    def shift(text):
        head, *rows = text.strip().split("\n")
        return "\n".join([head, *(f"{int(r.split(',')[0]) + 1}," + r.split(",", 1)[1] for r in rows)])
    rewrite(mali, "input_csv/conflicts.csv", shift)
    conflict = read_flee_conflict(mali)
    assert (conflict.conflict_intensity == plain.conflict_intensity).all()
    (warning,) = quirks_in(conflict, "input_csv/conflicts.csv")  # once for the file
    assert warning.row == 2 and "file order" in warning.action


def test_a_camp_without_counts_is_simulated_not_compared(mali, plain):
    rewrite(mali, "source_data/data_layout.csv", lambda t: t.replace("Niamey,nig-niamey.csv\n", ""))
    conflict = read_flee_conflict(mali)
    assert conflict.unscored_camps == ("Niamey",) and "Niamey" not in conflict.camp_names
    (warning,) = quirks_in(conflict, "source_data/data_layout.csv")
    assert warning.column == "Niamey" and "not compared" in warning.action
    nodes = {n["name"]: n["type"] for n in flee_scenario(conflict)["graph"]["nodes"]}
    assert nodes["Niamey"] == "camp"
    report = validate_conflict(mali, days=20)
    assert "Niamey" not in report["per_camp"] and report["unscored_camps"] == ["Niamey"]


# --- where Flee stops part-way ------------------------------------------------------------------


def _keep_day_rows(root: Path, days: int) -> None:
    rewrite(root, "input_csv/conflicts.csv", lambda t: "\n".join(t.split("\n")[: days + 1]) + "\n")


def test_fewer_conflict_rows_than_the_period_name_the_covered_days(mali, tmp_path):
    _keep_day_rows(mali, 200)
    with pytest.raises(FleeFormatError) as info:
        read_flee_conflict(mali)
    message = str(info.value)
    assert "conflicts.csv" in message and "200 day rows (days 0-199)" in message
    assert "Length 300" in message and "--days 200" in message
    conflict = read_flee_conflict(mali, days=200)
    assert conflict.length_days == 200 and conflict.period_length == 300
    assert conflict.observed["Abala"].shape == (200,)
    failed = CliRunner().invoke(app, ["validate", str(mali), "--out", str(tmp_path / "no")])
    assert failed.exit_code == 2 and "--days 200" in failed.output
    ran = CliRunner().invoke(app, ["validate", str(mali), "--days", "200", "--out",
                                   str(tmp_path / "out")])
    assert ran.exit_code == 0, ran.output
    report = json.loads((tmp_path / "out" / "validation.json").read_text())
    assert report["days"] == 200 and report["period_days"] == 300


def test_days_beyond_the_period_are_refused(mali):
    with pytest.raises(FleeFormatError, match="outside the period"):
        read_flee_conflict(mali, days=301)


def _no_conflict_before_day(root: Path, day: int) -> None:
    rewrite(root, "input_csv/locations.csv", lambda t: t.replace(",conflict_zone,0,", f",conflict_zone,{day},"))
    def silence(text):
        head, *rows = text.strip().split("\n")
        quiet = [r.split(",")[0] + ", 0" * (len(r.split(",")) - 1) if k < day else r
                 for k, r in enumerate(rows)]
        return "\n".join([head, *quiet]) + "\n"
    rewrite(root, "input_csv/conflicts.csv", silence)


def test_arrivals_on_days_without_conflict_follow_the_stated_rule(mali, plain):
    _no_conflict_before_day(mali, 10)
    conflict = read_flee_conflict(mali)
    (warning,) = quirks_in(conflict, "input_csv/conflicts.csv")
    assert "days 1-9" in warning.problem and "Flee's spawning would stop on day 1" in warning.problem
    assert "without the conflict factor" in warning.action
    # the same persons arrive as from the unchanged folder: none is lost
    quirky, reference = validate_conflict(mali, days=20), validate_conflict(MALI, days=20)
    assert quirky["agents"] == reference["agents"] > 0
    assert "no location is in conflict" in str(strict_error(mali))


def test_no_location_ever_in_conflict_is_an_error(mali):
    _no_conflict_before_day(mali, 400)
    with pytest.raises(FleeFormatError, match="no location is ever in conflict") as info:
        read_flee_conflict(mali)
    assert "Flee's spawning would stop" in str(info.value)


# --- strict, and the report -------------------------------------------------------------------

QUIRKS = {
    "layout row with one cell": ("source_data/data_layout.csv", lambda t: t + "Mentao\n"),
    "layout name twice": ("source_data/data_layout.csv", lambda t: t + "Abala,nig-abala.csv\n"),
    "total not first": ("source_data/data_layout.csv",
                        lambda t: "\n".join(t.strip().split("\n")[::-1]) + "\n"),
    "conflict column twice": ("input_csv/conflicts.csv",
                              lambda t: t.replace(" Gao,", " Kidal,", 1)),
    "closure of an unknown country": ("input_csv/closures.csv",
                                      lambda t: t.replace("Burkina_Faso", "Burkina Faso", 1)),
}


@pytest.mark.parametrize("quirk", QUIRKS)
def test_every_quirk_warns_by_default_and_strict_refuses_it(mali, quirk):
    file, change = QUIRKS[quirk]
    rewrite(mali, file, change)
    warnings = quirks_in(read_flee_conflict(mali), file)
    assert warnings and all(w.action for w in warnings)
    error = strict_error(mali)
    assert str(error).startswith(str(mali / file)) and (error.row or error.column)


def test_the_country_near_miss_names_the_nearest_country(mali):
    rewrite(mali, "input_csv/closures.csv", lambda t: t.replace("Burkina_Faso", "Burkina Faso", 1))
    conflict = read_flee_conflict(mali)
    (warning,) = quirks_in(conflict, "input_csv/closures.csv")
    assert warning.nearest == "Burkina_Faso" and len(conflict.closures) == 1


def test_warnings_are_printed_once_and_listed_in_validation_json(mali, tmp_path):
    rewrite(mali, "source_data/data_layout.csv", lambda t: t + "Goudoubo,bf-goudoubo.csv\n")
    result = CliRunner().invoke(app, ["validate", str(mali), "--days", "10", "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.count("'Goudoubo' is not a location") == 1
    report = json.loads((tmp_path / "out" / "validation.json").read_text())
    (entry,) = [w for w in report["data_warnings"] if w["column"] == "Goudoubo"]
    assert entry == {"file": "source_data/data_layout.csv", "row": 9, "column": "Goudoubo",
                     "problem": entry["problem"], "action": entry["action"], "nearest": None}
    refused = CliRunner().invoke(app, ["validate", str(mali), "--strict", "--out",
                                       str(tmp_path / "strict")])
    assert refused.exit_code == 2 and "--strict" in refused.output


def test_import_flee_prints_the_warnings_and_strict_refuses(mali, tmp_path):
    rewrite(mali, "input_csv/routes.csv", lambda t: t + "Mopti,Mopti,5,\n")
    done = CliRunner().invoke(app, ["import-flee", str(mali), "--out", str(tmp_path / "s.yaml")])
    assert done.exit_code == 0, done.output
    assert "warning:" in done.output and "route from 'Mopti' to itself" in done.output
    refused = CliRunner().invoke(app, ["import-flee", str(mali), "--strict", "--out",
                                       str(tmp_path / "t.yaml")])
    assert refused.exit_code == 2 and "routes.csv, row" in refused.output
    assert not (tmp_path / "t.yaml").exists()
