"""Bad input: fuzz the Flee-format reader (simulation/validation/flee_io.py) and its import.

A tiny valid conflict directory (three locations, routes, a closure, daily conflicts, camp
counts with a registration correction) is damaged by hypothesis, a few times per example:
- cells: empty, text, negative, NaN, infinite, overflowing and denormal numbers, thousands
  of digits, unknown or duplicate names, impossible or far dates, quotes, control characters
- rows: dropped, doubled, cut short, widened, blank lines
- files: deleted, emptied, replaced by binary garbage or by a folder, re-encoded (latin-1,
  UTF-16, UTF-32; a BOM and CRLF line ends are valid)
Every case must end in a ``FleeFormatError`` naming the file (and its row where it points
at one), or in a conflict whose numbers are finite and non-negative, which converts to a
scenario that loads (or is refused with a ScenarioError) and runs with every invariant.
"""

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from reliability_strategies import DERANDOMIZE, FUZZ_EXAMPLES

from simulation.checks import InvariantChecker
from simulation.model import PRDSModel
from simulation.scenario import ScenarioError, load_scenario
from simulation.validation.convert import flee_scenario, load_validation_parameters
from simulation.validation.flee_io import FleeFormatError, read_flee_conflict

pytestmark = pytest.mark.timeout(300)

BASE: dict[str, str] = {
    "input_csv/sim_period.csv": "StartDate,2015-01-01\nLength,6\n",
    "input_csv/locations.csv": (
        "#name,region,country,latitude,longitude,location_type,conflict_date,population\n"
        "A,R1,Home,1.0,2.0,conflict_zone,0,5000\n"
        "B,R1,Home,1.5,2.5,town,,3000\n"
        "C,R2,Away,2.0,3.0,camp,,800\n"),
    "input_csv/routes.csv": "#name1,name2,distance,forced_redirection\nA,B,120,0\nB,C,200,0\n",
    "input_csv/closures.csv": ("#closure_type,name1,name2,closure_start,closure_end\n"
                               "location,B,C,2,3\n"),
    "input_csv/conflicts.csv": "#Day,A,B\n0,1,0\n1,1,0\n2,1,1\n3,0.5,0\n4,0,0\n5,0,0\n",
    "input_csv/registration_corrections.csv": "C,2015-01-04,normalize\n",
    "source_data/data_layout.csv": "total,total.csv\nC,c.csv\n",
    "source_data/total.csv": "2015-01-01,0\n2015-01-03,40\n2015-01-04,60\n2015-01-06,90\n",
    "source_data/c.csv": "Date,count\n2015-01-01,0\n2015-01-03,40\n2015-01-04,60\n2015-01-06,90\n",
}
BAD_CELLS = st.one_of(
    st.sampled_from(["", " ", "abc", "-1", "-0.5", "0", "2.5", "nan", "NaN", "inf", "-inf",
                     "1e309", "1e308", "1e-300", "9" * 30, "9" * 5000, "Nowhere", "A", "C",
                     "Home", "camp", "town", "conflict_zone", "link", "country", "2015-13-45",
                     "2015-01-02", "1999-01-01", "2100-01-01", "0001-01-01", '"', '"a,b"',
                     "é", "\x00", "#", "#x", "-", "1,2", "true", "StartDate", "Length"]),
    st.text(max_size=6),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def damaged(draw) -> dict[str, str | bytes | None]:
    """The base conflict with 1-3 kinds of damage; None marks a file replaced by a folder."""
    files: dict[str, str | bytes | None] = dict(BASE)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(files)))
        content = files[name]
        kind = draw(st.sampled_from(["cell", "cell", "cell", "drop", "double", "cut", "widen",
                                     "blank", "delete", "empty", "garbage", "encode", "folder",
                                     "crlf_bom"]))
        if not isinstance(content, str):
            continue
        rows = [line.split(",") for line in content.splitlines()]
        if kind == "delete":
            del files[name]
            continue
        if kind == "empty":
            files[name] = ""
        elif kind == "garbage":
            files[name] = draw(st.binary(max_size=80))
        elif kind == "folder":
            files[name] = None
        elif kind == "encode":
            text = content.replace("A", "Å") if "A" in content else content + "é\n"
            files[name] = text.encode(draw(st.sampled_from(["latin-1", "utf-16", "utf-32",
                                                             "utf-8-sig", "cp1252"])),
                                      errors="replace")
        elif kind == "crlf_bom":
            files[name] = "\ufeff" + content.replace("\n", "\r\n")
        elif rows:
            i = draw(st.integers(0, len(rows) - 1))
            if kind == "cell":
                j = draw(st.integers(0, len(rows[i]) - 1))
                rows[i][j] = draw(BAD_CELLS)
            elif kind == "drop":
                del rows[i]
            elif kind == "double":
                rows.insert(i, list(rows[i]))
            elif kind == "cut":
                rows[i] = rows[i][: draw(st.integers(0, max(0, len(rows[i]) - 1)))]
            elif kind == "widen":
                rows[i] = rows[i] + [draw(BAD_CELLS)]
            elif kind == "blank":
                rows.insert(i, [""])
            files[name] = "\n".join(",".join(row) for row in rows) + "\n"
    return files


def build(root: Path, files: dict[str, str | bytes | None]) -> Path:
    if root.exists():
        shutil.rmtree(root)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (root / "input_csv").mkdir(parents=True, exist_ok=True)
    (root / "source_data").mkdir(parents=True, exist_ok=True)
    return root


def event(name: str) -> None:
    try:
        hypothesis_event(name)
    except Exception:  # outside a hypothesis test: nothing to record
        pass


def outcome(root: Path, settings_: dict) -> str:
    """Read ``root``; assert a clear FleeFormatError or a sound conflict that imports and runs."""
    try:
        conflict = read_flee_conflict(root)
    except FleeFormatError as error:
        text = str(error)
        assert error.path == root or root in error.path.parents, text
        assert text.startswith(str(error.path)) and error.problem, text
        if error.row is not None:
            assert f"row {error.row}" in text and error.row >= 1, text
        event("FleeFormatError with a row" if error.row is not None else "FleeFormatError")
        return "error"
    assert conflict.length_days >= 1
    for series in (conflict.observed_total, *conflict.observed.values()):
        assert series.shape == (conflict.length_days,)
        assert np.isfinite(series).all() and (series >= 0).all(), series
    intensity = conflict.conflict_intensity
    assert np.isfinite(intensity).all() and (intensity >= 0).all()
    try:
        scenario = load_scenario(flee_scenario(conflict, settings_))
    except ScenarioError as error:
        assert error.problems, str(error)
        event("valid conflict, scenario refused")
        return "refused"
    model = PRDSModel(scenario, steps=min(2, scenario.steps), with_agents=False)
    InvariantChecker(model).run()
    event("valid conflict, imported and run")
    return "valid"


@pytest.fixture(scope="module")
def validation_settings():
    return load_validation_parameters()


def test_the_base_conflict_is_valid_and_runs(tmp_path, validation_settings):
    assert outcome(build(tmp_path / "base", BASE), validation_settings) == "valid"


@settings(derandomize=DERANDOMIZE, max_examples=FUZZ_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(damaged())
def test_damaged_flee_directories_fail_clearly_or_import(tmp_path, validation_settings, files):
    outcome(build(tmp_path / "conflict", files), validation_settings)


def test_a_missing_directory_is_a_flee_format_error(tmp_path):
    with pytest.raises(FleeFormatError, match="not found"):
        read_flee_conflict(tmp_path / "nowhere")
