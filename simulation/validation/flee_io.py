"""Read a conflict directory in the Flee simulator's format (DESIGN.md section 8).

Layout (see any ``shared/data/flee/*/SOURCE.md``)::

    DIR/input_csv/   locations.csv routes.csv closures.csv conflicts.csv sim_period.csv
                     registration_corrections.csv (optional, as in Flee)
    DIR/source_data/ data_layout.csv and the daily count files it names

The older Flee 2 layout, in which many published conflicts are kept, is read too: its period
file is ``conflict_period.csv`` (same rows as ``sim_period.csv``) and it has no
``conflicts.csv``: a location whose type contains "conflict" becomes a conflict zone on its
``conflict_date`` and stays one (Flee 2's ``InputGeography.AddNewConflictZones``), which is
intensity 1 from that day on. Where both are given, Flee 3's files win.

Semantics follow Flee's own code (github.com/djgroen/flee), cited where used:
``flee/InputGeography.py`` (locations, routes, closures, conflicts), ``flee/flee.py``
(which locations are camps, when closures fire), ``flee/datamanager/read_period.py``
(sim_period) and ``flee/datamanager/DataTable.py`` with
``flee/datamanager/handle_refugee_data.py`` (daily counts, registration corrections).
Only ``closures.csv`` is read, never variants such as syria2013's ``closures - syria.csv``.
Cells are stripped of surrounding blanks; blank lines, a UTF-8 BOM and CRLF line ends are
accepted. Every problem raises :class:`FleeFormatError` naming the file, the 1-based line as an
editor shows it, and what is allowed.
"""

import csv
import difflib
import math
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

_LOCATION_COLUMNS = "name,region,country,latitude,longitude,location_type,conflict_date,population"
_CLOSURE_TYPES = ("country", "location", "link", "camp", "idpcamp", "remove_forced_redirection")
#: what a location_type must contain, as flee/flee.py Location.__init__ tests it (case-insensitive)
LOCATION_KINDS = ("camp", "conflict", "forward", "marker", "flood_zone", "default", "town")


class FleeFormatError(ValueError):
    """A Flee-format file is missing or malformed; the message says where and what is allowed."""

    def __init__(self, path: Path | str, problem: str, allowed: str = "", row: int | None = None):
        self.path = Path(path)
        self.problem = problem
        self.allowed = allowed
        self.row = row
        where = f"{self.path}, row {row}" if row is not None else str(self.path)
        super().__init__(f"{where}: {problem}" + (f"; allowed: {allowed}" if allowed else ""))

    def __reduce__(self):  # keep it picklable across processes despite the custom signature
        return (type(self), (self.path, self.problem, self.allowed, self.row))


@dataclass(frozen=True)
class FleeLocation:
    """One row of locations.csv; empty region/country become "unknown", empty coordinates and
    population 0, as Flee's ``InputGeography.StoreInputGeographyInEcosystem`` does."""

    name: str
    region: str
    country: str
    latitude: float
    longitude: float
    location_type: str
    conflict_date: int | None  # day the conflict starts; None when the cell is empty
    population: int  # capacity for camps


@dataclass(frozen=True)
class FleeRoute:
    """One row of routes.csv. ``forced_redirection``: 0 none, 1 redirect from name2 to name1,
    2 from name1 to name2; an empty cell is 0, as in Flee's
    ``InputGeography.StoreInputGeographyInEcosystem``."""

    name1: str
    name2: str
    distance_km: float
    forced_redirection: int


@dataclass(frozen=True)
class FleeClosure:
    """One row of closures.csv; ``end_day`` -1 in the file is resolved to the run length.

    Flee fires the closing event on the day equal to ``start_day`` and the reopening event on
    the day equal to ``end_day`` (``flee/flee.py`` ``Ecosystem.enact_border_closures``), so an
    end at or before the start is kept as written; :meth:`is_active` applies that rule.
    """

    closure_type: str
    name1: str
    name2: str
    start_day: int
    end_day: int

    def is_active(self, day: int) -> bool:
        """Whether the closure is in force after Flee enacts the events of ``day``."""
        reopened = self.start_day <= self.end_day <= day
        return self.start_day <= day and not reopened


@dataclass(frozen=True, eq=False)
class FleeConflict:
    """A whole conflict: graph, closures, daily conflict intensity and observed camp counts.

    ``conflict_intensity`` has one row per simulated day and one column per name in
    ``conflict_names`` (the file's values; Flee only acts when a value crosses 1e-6).
    ``observed`` maps each camp to its daily count and ``observed_total`` is the ``total`` series,
    both of length ``length_days``, as Flee's ``DataTable.get_field`` produces them.
    Arrays are read-only.
    """

    name: str
    directory: Path
    start_date: date
    length_days: int
    locations: tuple[FleeLocation, ...]
    routes: tuple[FleeRoute, ...]
    closures: tuple[FleeClosure, ...]
    conflict_names: tuple[str, ...]
    conflict_intensity: np.ndarray
    #: where the intensities come from: "conflicts.csv" (Flee 3) or "locations.csv conflict_date"
    conflict_source: str
    camp_names: tuple[str, ...]
    observed: dict[str, np.ndarray]
    observed_total: np.ndarray


@dataclass(frozen=True)
class _Row:
    line: int
    cells: tuple[str, ...]

    def is_comment(self) -> bool:
        return self.cells[0].startswith("#")


def read_flee_conflict(directory: str | os.PathLike[str]) -> FleeConflict:
    """Read and check one Flee conflict directory; raise FleeFormatError on any problem."""
    root = Path(directory)
    if not root.is_dir():
        raise FleeFormatError(root, "conflict directory not found",
                              "a directory holding input_csv/ and source_data/")
    inputs, sources = root / "input_csv", root / "source_data"
    period_file = inputs / "sim_period.csv"
    if not _is_file(period_file) and _is_file(inputs / "conflict_period.csv"):
        period_file = inputs / "conflict_period.csv"  # Flee 2 layout
    start, length = _read_sim_period(period_file)
    locations = _read_locations(inputs / "locations.csv")
    names = {loc.name for loc in locations}
    countries = {loc.country for loc in locations}
    routes = _read_routes(inputs / "routes.csv", names)
    closures = _read_closures(inputs / "closures.csv", names, countries, length)
    conflicts_file = inputs / "conflicts.csv"
    if _is_file(conflicts_file):
        conflict_names, intensity = _read_conflicts(conflicts_file, names, length)
        conflict_source = "conflicts.csv"
    else:
        conflict_names, intensity = _conflicts_from_dates(conflicts_file, locations, length)
        conflict_source = "locations.csv conflict_date"
    # A camp is any location whose type contains "camp" (flee/flee.py, Location.__init__).
    camp_names = tuple(loc.name for loc in locations if "camp" in loc.location_type.lower())
    if not camp_names:  # nothing to validate against, and no arrivals to derive
        raise FleeFormatError(inputs / "locations.csv", "no camp location",
                              "at least one location whose location_type contains 'camp' "
                              "(the places UNHCR counts)")
    tables = _read_layout_tables(sources, names, camp_names, start)
    _apply_registration_corrections(inputs / "registration_corrections.csv", tables, start)
    days = np.arange(length)
    observed = {camp: _frozen(_daily_counts(tables[camp], days)) for camp in camp_names}
    return FleeConflict(
        name=root.resolve().name, directory=root, start_date=start, length_days=length,
        locations=locations, routes=routes, closures=closures, conflict_names=conflict_names,
        conflict_intensity=_frozen(intensity), conflict_source=conflict_source,
        camp_names=camp_names, observed=observed,
        observed_total=_frozen(_daily_counts(tables["total"], days)),
    )


# --- reading cells -------------------------------------------------------------------------


def _read_rows(path: Path) -> list[_Row]:
    """Non-blank rows with stripped cells and their editor line numbers."""
    if not path.is_file():
        raise FleeFormatError(path, "file not found", "a CSV file at this path")
    rows: list[_Row] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for cells in reader:
                stripped = tuple(cell.strip() for cell in cells)
                if any(stripped):
                    rows.append(_Row(reader.line_num, stripped))
    except UnicodeDecodeError as exc:
        raise FleeFormatError(path, f"not UTF-8 text ({exc.reason})", "UTF-8 CSV") from None
    except csv.Error as exc:
        raise FleeFormatError(path, f"not valid CSV ({exc})", "comma-separated values") from None
    return rows


def _number(text: str, path: Path, line: int, what: str, allowed: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise FleeFormatError(path, f"{what} {text!r} is not a number", allowed, line)
    return value


def _whole(text: str, path: Path, line: int, what: str, allowed: str) -> int:
    try:
        return int(text)
    except ValueError:
        problem = f"{what} {text!r} is not a whole number"
        raise FleeFormatError(path, problem, allowed, line) from None


def _date(text: str, path: Path, line: int, what: str) -> date:
    try:  # same format as Flee's DataTable.subtract_dates
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise FleeFormatError(path, f"{what} {text!r} is not a valid date",
                              "YYYY-MM-DD, e.g. 2015-05-01", line) from None


def _known(name: str, known: Collection[str], path: Path, line: int, what: str,
           source: str) -> None:
    if name in known:
        return
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise FleeFormatError(path, f"unknown {what} {name!r}{hint}", source, line)


def _columns(row: _Row, needed: int, path: Path, layout: str) -> None:
    if len(row.cells) < needed:
        raise FleeFormatError(path, f"{len(row.cells)} columns, {needed} needed",
                              f"columns {layout}", row.line)


def _is_header(row: _Row, index: int, first_column: str) -> bool:
    """Flee's '#' header or comment; an unmarked header naming the first column is also accepted."""
    return row.is_comment() or (index == 0 and row.cells[0].lower() == first_column)


# --- input_csv -----------------------------------------------------------------------------


def _read_sim_period(path: Path) -> tuple[date, int]:
    """StartDate and Length rows, keys case-insensitive (flee/datamanager/read_period.py)."""
    start: date | None = None
    length: int | None = None
    for row in _read_rows(path):
        key, value = row.cells[0].lower(), (row.cells[1] if len(row.cells) > 1 else "")
        if key == "startdate":
            start = _date(value, path, row.line, "StartDate")
        elif key == "length":
            length = _whole(value, path, row.line, "Length", "a positive number of days")
            if length < 1:
                raise FleeFormatError(path, f"Length {length} is not positive",
                                      "a positive number of days", row.line)
    if start is None:
        raise FleeFormatError(path, "no StartDate row", "a row 'StartDate,YYYY-MM-DD'")
    if length is None:
        raise FleeFormatError(path, "no Length row", "a row 'Length,<days>'")
    return start, length


def _read_locations(path: Path) -> tuple[FleeLocation, ...]:
    """Locations as Flee's InputGeography.ReadLocationsFromCSV and StoreInputGeographyInEcosystem
    read them: columns past the eighth are custom attributes and are ignored here."""
    locations: list[FleeLocation] = []
    first_line: dict[str, int] = {}
    for index, row in enumerate(_read_rows(path)):
        if _is_header(row, index, "name"):
            continue
        _columns(row, 8, path, _LOCATION_COLUMNS)
        name, region, country, lat, lon, kind, conflict, population = row.cells[:8]
        if not name:
            raise FleeFormatError(path, "empty location name", "a non-empty name", row.line)
        if name in first_line:
            raise FleeFormatError(path, f"location {name!r} already defined on row "
                                  f"{first_line[name]}", "each name once", row.line)
        first_line[name] = row.line
        coordinate = "a number in degrees, or empty"
        conflict_date = None
        if conflict:
            conflict_date = _whole(conflict, path, row.line, "conflict_date", "a day number")
        elif "conflict" in kind.lower():
            raise FleeFormatError(path, f"{kind} location {name!r} has no conflict_date",
                                  "a day number for conflict locations", row.line)
        if not any(word in kind.lower() for word in LOCATION_KINDS):
            raise FleeFormatError(path, f"location_type {kind!r} of {name!r} is not one Flee knows",
                                  "a type containing " + ", ".join(LOCATION_KINDS), row.line)
        allowed = "a whole number >= 0, or empty"
        people = _whole(population, path, row.line, "population", allowed) if population else 0
        if people < 0:
            raise FleeFormatError(path, f"population {people} is negative", allowed, row.line)
        locations.append(FleeLocation(
            name=name, region=region or "unknown", country=country or "unknown",
            latitude=_number(lat, path, row.line, "latitude", coordinate) if lat else 0.0,
            longitude=_number(lon, path, row.line, "longitude", coordinate) if lon else 0.0,
            location_type=kind, conflict_date=conflict_date, population=people,
        ))
    if not locations:
        raise FleeFormatError(path, "no locations", f"one row per location: {_LOCATION_COLUMNS}")
    return tuple(locations)


def _read_routes(path: Path, names: Collection[str]) -> tuple[FleeRoute, ...]:
    """Routes as InputGeography.ReadLinksFromCSV / StoreInputGeographyInEcosystem read them."""
    routes: list[FleeRoute] = []
    source = f"a location name from {path.with_name('locations.csv')}"
    for index, row in enumerate(_read_rows(path)):
        if _is_header(row, index, "name1"):
            continue
        _columns(row, 3, path, "name1,name2,distance[,forced_redirection]")
        name1, name2, distance = row.cells[:3]
        _known(name1, names, path, row.line, "location", source)
        _known(name2, names, path, row.line, "location", source)
        if name1 == name2:
            raise FleeFormatError(path, f"route from {name1!r} to itself",
                                  "two different locations", row.line)
        km = _number(distance, path, row.line, "distance", "a distance in km >= 0")
        if km < 0:
            raise FleeFormatError(path, f"distance {distance} is negative",
                                  "a distance in km >= 0", row.line)
        cell, allowed = (row.cells[3] if len(row.cells) > 3 else ""), "0, 1, 2 or empty"
        forced = _whole(cell, path, row.line, "forced_redirection", allowed) if cell else 0
        if forced not in (0, 1, 2):
            raise FleeFormatError(path, f"forced_redirection {forced} is not allowed", allowed,
                                  row.line)
        routes.append(FleeRoute(name1, name2, km, forced))
    return tuple(routes)


def _read_closures(path: Path, names: Collection[str], countries: Collection[str],
                   length: int) -> tuple[FleeClosure, ...]:
    """Closures as InputGeography.ReadClosuresFromCSV reads them; names are checked the way
    flee/flee.py uses them: countries for "country", locations otherwise (name2 only where
    Flee reads it: "link" and "remove_forced_redirection")."""
    closures: list[FleeClosure] = []
    layout = "closure_type,name1,name2,closure_start,closure_end"
    location_source = f"a location name from {path.with_name('locations.csv')}"
    country_source = f"a country from {path.with_name('locations.csv')}: {sorted(countries)}"
    for index, row in enumerate(_read_rows(path)):
        if _is_header(row, index, "closure_type"):
            continue
        _columns(row, 5, path, layout)
        kind, name1, name2, start, end = row.cells[:5]
        if kind not in _CLOSURE_TYPES:
            raise FleeFormatError(path, f"unknown closure_type {kind!r}",
                                  ", ".join(_CLOSURE_TYPES), row.line)
        if kind == "country":
            _known(name1, countries, path, row.line, "country", country_source)
            _known(name2, countries, path, row.line, "country", country_source)
        else:
            _known(name1, names, path, row.line, "location", location_source)
            if kind in ("link", "remove_forced_redirection"):
                _known(name2, names, path, row.line, "location", location_source)
        start_day = _whole(start, path, row.line, "closure_start", "a day number >= 0")
        end_day = _whole(end, path, row.line, "closure_end", "a day number >= 0, or -1")
        if start_day < 0 or end_day < -1:
            raise FleeFormatError(path, f"closure days {start_day}..{end_day} out of range",
                                  "closure_start >= 0; closure_end >= 0, or -1 for end of run",
                                  row.line)
        closures.append(FleeClosure(kind, name1, name2, start_day,
                                    length if end_day == -1 else end_day))
    return tuple(closures)


def _read_conflicts(path: Path, names: Collection[str],
                    length: int) -> tuple[tuple[str, ...], np.ndarray]:
    """Daily intensities as InputGeography.ReadConflictInputCSV reads them: the first row is the
    header (names stripped, empty names skipped), later rows are days 0, 1, ... in file order."""
    rows = _read_rows(path)
    if not rows:
        raise FleeFormatError(path, "empty file", "a header '#Day,<location>,...' and day rows")
    header = rows[0]
    columns = [(i, name) for i, name in enumerate(header.cells) if i > 0 and name]
    seen: set[str] = set()
    for _, name in columns:
        _known(name, names, path, header.line, "location in a conflict column",
               f"a location name from {path.with_name('locations.csv')}")
        if name in seen:
            raise FleeFormatError(path, f"column {name!r} appears twice", "each name once",
                                  header.line)
        seen.add(name)
    allowed = "a conflict intensity >= 0 (usually 0..1) in every named column"
    values: list[list[float]] = []
    for row in rows[1:]:
        if row.is_comment():
            continue
        day: list[float] = []
        for i, name in columns:
            cell = row.cells[i] if i < len(row.cells) else ""
            if not cell:
                raise FleeFormatError(path, f"no value for {name!r}", allowed, row.line)
            value = _number(cell, path, row.line, f"intensity for {name!r}", allowed)
            if value < 0:
                raise FleeFormatError(path, f"intensity {value} for {name!r} is negative",
                                      allowed, row.line)
            day.append(value)
        values.append(day)
    if len(values) < length:
        raise FleeFormatError(path, f"{len(values)} day rows but sim_period.csv Length is {length}",
                              f"at least {length} day rows after the header")
    intensity = np.array(values[:length], dtype=float).reshape(length, len(columns))
    return tuple(name for _, name in columns), intensity


def _conflicts_from_dates(missing: Path, locations: tuple[FleeLocation, ...],
                          length: int) -> tuple[tuple[str, ...], np.ndarray]:
    """Flee 2's conflicts, for a directory without conflicts.csv: each conflict-type location
    is in conflict (intensity 1) from its ``conflict_date`` to the end of the run."""
    zones = [loc for loc in locations if "conflict" in loc.location_type.lower()
             and loc.conflict_date is not None]
    if not zones:
        raise FleeFormatError(missing, "file not found, and no location in locations.csv has a "
                              "conflict type and a conflict_date",
                              "conflicts.csv (Flee 3), or conflict_zone locations with a "
                              "conflict_date (Flee 2)")
    days = np.arange(length)[:, None]
    dates = np.array([loc.conflict_date for loc in zones])[None, :]
    return tuple(loc.name for loc in zones), (days >= dates).astype(float)


# --- source_data: daily counts ------------------------------------------------------------


def _read_layout_tables(sources: Path, names: Collection[str], camps: tuple[str, ...],
                        start: date) -> dict[str, np.ndarray]:
    """(day, count) tables per data_layout.csv row, as DataTable.DataTable.__init__ builds them:
    files after the second column are added to the first with DataTable.AddCSVTables."""
    path = sources / "data_layout.csv"
    tables: dict[str, np.ndarray] = {}
    source = f"'total' or a location name from {sources.parent / 'input_csv' / 'locations.csv'}"
    for row in _read_rows(path):
        if row.is_comment():
            continue
        _columns(row, 2, path, "<name>,<file>.csv[,<more files to add>.csv]")
        name, files = row.cells[0], [cell for cell in row.cells[1:] if cell]
        if name != "total":
            _known(name, names, path, row.line, "location", source)
        if name in tables:
            raise FleeFormatError(path, f"{name!r} is listed twice", "one row per name", row.line)
        if not files:
            raise FleeFormatError(path, f"no file for {name!r}", "'<name>,<file>.csv'", row.line)
        for file in files:
            if not _is_file(sources / file):
                raise FleeFormatError(path, f"file {file!r} not found in {sources}",
                                      "file names relative to source_data/", row.line)
        table = _read_series(sources / files[0], start)
        for file in files[1:]:
            table = _add_tables(table, _read_series(sources / file, start))
        tables[name] = table
    if "total" not in tables:
        raise FleeFormatError(path, "no 'total' row", "a row 'total,<file>.csv'")
    missing = [camp for camp in camps if camp not in tables]
    if missing:
        raise FleeFormatError(path, f"no count series for camp(s) {missing}",
                              "one row '<camp>,<file>.csv' per camp in locations.csv")
    return tables


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False where the name cannot be a file (too long, a NUL in it...)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _read_series(path: Path, start: date) -> np.ndarray:
    """(day offset, count) rows as DataTable.ConvertCsvFileToNumPyTable reads them: a first row
    'Date,...' or 'DateTime,...' is a header; '#' rows, rows with one cell and rows with an
    empty count are skipped; columns past the second are ignored."""
    allowed = "rows 'YYYY-MM-DD,<count>' with a count >= 0"
    points: list[tuple[float, float]] = []
    for index, row in enumerate(_read_rows(path)):
        if index == 0 and row.cells[0].lower() in ("date", "datetime"):
            continue
        if row.is_comment() or len(row.cells) < 2 or not row.cells[1]:
            continue
        day = (_date(row.cells[0], path, row.line, "date") - start).days
        count = _number(row.cells[1], path, row.line, "count", allowed)
        if count < 0:
            raise FleeFormatError(path, f"count {row.cells[1]} is negative", allowed, row.line)
        points.append((float(day), count))
    if not points:
        raise FleeFormatError(path, "no data rows", allowed)
    return np.array(points, dtype=float)


def _add_tables(table1: np.ndarray, table2: np.ndarray) -> np.ndarray:
    """Flee's DataTable.AddCSVTables, step for step (its quirks included, so that the sum
    matches what Flee validates against)."""
    out: list[tuple[float, float]] = []
    offset = 0
    last_c2 = np.zeros(2)
    for c2 in table2:
        while c2[0] > table1[offset][0]:
            out.append((table1[offset][0], last_c2[1] + table1[offset][1]))
            if offset < len(table1) - 1:
                offset += 1
            else:
                break
        if c2[0] == table1[offset][0]:
            out.append((c2[0], c2[1] + table1[offset][1]))
            if offset < len(table1) - 1:
                offset += 1
            last_c2 = c2
        elif c2[0] < table1[offset][0]:
            out.append((c2[0], c2[1] + table1[offset][1]))
            last_c2 = c2
    return np.array(out, dtype=float).reshape(-1, 2)


def _apply_registration_corrections(path: Path, tables: Mapping[str, np.ndarray],
                                    start: date) -> None:
    """Rescale counts before each level-1 to level-2 registration change, in place, as
    handle_refugee_data.RefugeeTable.ReadL1Corrections / correctLevel1Registrations do: for
    every data row (but the first) dated ``date``, all earlier rows are multiplied by
    count(that row) / count(row before). The file is optional, as in Flee."""
    if not path.is_file():
        return
    for row in _read_rows(path):
        if row.is_comment():
            continue
        _columns(row, 2, path, "<camp>,YYYY-MM-DD[,normalize]")
        name, when = row.cells[:2]
        _known(name, tables.keys(), path, row.line, "name",
               f"a name listed in {path.parent.parent / 'source_data' / 'data_layout.csv'}")
        day = (_date(when, path, row.line, "date") - start).days
        table = tables[name]
        hits = [i for i in range(1, len(table)) if int(table[i, 0]) == day]
        if not hits:  # Flee fails here too (UnboundLocalError)
            raise FleeFormatError(path, f"{when} is not a data date of {name!r} after its first",
                                  "a date that appears in the camp's count file", row.line)
        for i in hits:
            with np.errstate(all="ignore"):
                factor = table[i, 1] / table[i - 1, 1]
                rescaled = table[:i, 1] * factor
            if table[i - 1, 1] == 0 or not np.isfinite(rescaled).all():
                # (a count of 1e-310 before the date made the factor infinite and counts NaN)
                raise FleeFormatError(path, f"count of {name!r} just before {when} is "
                                      f"{table[i - 1, 1]:g}, so earlier counts cannot be rescaled",
                                      "a date whose previous count is > 0", row.line)
            table[:i, 1] = rescaled


def _daily_counts(table: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Counts per day as DataTable.get_interpolated_data gives them: the first count up to the
    first data day, the last count after the last, linear in between and truncated to a whole
    number. The segment for day t runs from row i-1 to the first row i >= 1 dated after t, so
    rows out of date order (nigeria2016) are handled exactly as Flee handles them."""
    x, y = table[:, 0], table[:, 1]
    later = days[:, None] < x[None, 1:]
    has_later = later.any(axis=1)
    i = later.argmax(axis=1) + 1 if len(x) > 1 else np.ones(len(days), dtype=int)
    i = np.where(has_later, i, 1)
    x0, y0 = x[i - 1], y[i - 1]
    x1, y1 = (x[i], y[i]) if len(x) > 1 else (x0 + 1.0, y0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = np.trunc(y0 + (days - x0) / (x1 - x0) * (y1 - y0))
    counts = np.where(has_later, inner, np.trunc(y[-1]))
    return np.where(days <= x[0], np.trunc(y[0]), counts)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array
