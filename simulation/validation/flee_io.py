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
Cells are stripped of surrounding blanks and blank lines skipped.

Real folders hold things Flee accepts (or stumbles over) that are not errors of the format.
Each is read the way Flee reads it, or, where Flee stops, by a stated rule, and never
silently: it becomes a :class:`DataWarning` (file, row or column, what was done, the nearest
location name where there is one) in ``FleeConflict.data_warnings``; ``strict=True`` raises
each as a :class:`FleeFormatError` instead. The cases (Flee's behaviour in brackets):

- a UTF-8 byte-order mark; Windows (CRLF) line ends (csv reads CRLF alike; a BOM would be
  part of Flee's first cell) - read as plain text;
- a header row without '#' in locations/routes/closures [Flee reads it as data and stops] -
  skipped; a count file's first row that is a header other than ``Date``/``DateTime``
  [Flee stops on it] - skipped;
- a location name defined twice [Flee creates both; ``Ecosystem.linkUp`` and the closures
  attach to the last, ``add_conflict_zone`` to the first] - the last definition is the one
  location, the earlier row is left out;
- a location_type Flee cannot parse [Flee prints an error and keeps a location with
  move chance 1, no camp, no town] - a pass-through location;
- a route from a location to itself [a link Flee's agents can take without moving] - left
  out;
- a closure naming no location or country, or of a type Flee does not enact [Flee prints a
  warning and closes nothing] - nothing closed;
- a ``conflicts.csv`` column naming no location [``add_conflict_zone`` finds none and does
  nothing] - ignored; a column given twice [Flee's table mixes the two] - the first kept;
  a first column that does not count the days 0, 1, 2, ... [Flee reads rows as days in file
  order] - rows read in order;
- a ``data_layout.csv`` row naming no location [Flee loads its counts; the comparison runs
  over the simulation's camps only] - not compared, but its increases add to the newly
  displaced, as Flee's ``DataTable.get_daily_difference`` sums every row after the first;
  a row with one cell [skipped by Flee] - skipped; a name listed twice [the first is
  compared, both are summed for spawning] - the same; a camp with no row [Flee stops at
  ``get_field``] - simulated but not compared;
- a count file whose rows are out of date order, or none of whose rows falls inside the
  period - read as Flee's interpolation reads it (held at the first or last count).

Where Flee fails part-way, the reader says what is covered: a ``conflicts.csv`` with fewer
day rows than sim_period's Length (Flee runs until it indexes past the table) is an error
naming the covered days, and ``days=N`` runs the first N; days on which new arrivals must be
spawned while no location is in conflict (Flee's ``pick_spawn_locations`` asserts) are a
warning, and those arrivals are spread over the locations ever in conflict without the
conflict factor (``simulation/phases/arrivals.py``). Every other problem raises
:class:`FleeFormatError` naming the file, the 1-based line as an editor shows it (and the
column where it helps), and what is allowed.

This module reads input_csv/ and puts the conflict together; ``flee_cells`` reads the cells
of every file (and holds the error and warning types), ``flee_sources`` the daily counts of
source_data/.
"""

import os
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

# FleeFormatError and DataWarning belong to this module's API (read_flee_conflict raises the
# one, its result holds the others), so callers import them from here; flee_cells defines them.
from simulation.validation.flee_cells import (
    DataWarning,
    FleeFormatError,
    _columns,
    _date,
    _is_file,
    _is_header,
    _known,
    _Notes,
    _number,
    _read_rows,
    _whole,
    nearest_name,
)
from simulation.validation.flee_sources import (
    _apply_registration_corrections,
    _daily_counts,
    _read_layout_tables,
)

_LOCATION_COLUMNS = "name,region,country,latitude,longitude,location_type,conflict_date,population"
_CLOSURE_TYPES = ("country", "location", "link", "camp", "idpcamp", "remove_forced_redirection")
#: what a location_type must contain, as flee/flee.py Location.__init__ tests it (case-insensitive)
LOCATION_KINDS = ("camp", "conflict", "forward", "marker", "flood_zone", "default", "town")
#: Flee acts on a conflict intensity above this (InputGeography.AddNewConflictZones)
INTENSITY_EPSILON = 1e-6


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
    ``observed`` maps each camp with counts to its daily count and ``observed_total`` is the
    ``total`` series, both of length ``length_days``, as Flee's ``DataTable.get_field``
    produces them. ``arrival_basis`` is the daily sum Flee's spawning takes differences of
    (every data_layout row but ``total``, see :func:`daily_arrivals`). Arrays are read-only.
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
    #: the camps compared with counts (camps of locations.csv that data_layout.csv lists)
    camp_names: tuple[str, ...]
    observed: dict[str, np.ndarray]
    observed_total: np.ndarray
    arrival_basis: np.ndarray | None = None
    #: camps simulated but not compared: data_layout.csv has no row for them
    unscored_camps: tuple[str, ...] = ()
    #: the Length of sim_period.csv (``length_days`` is less when ``days`` was given)
    period_length: int | None = None
    data_warnings: tuple[DataWarning, ...] = ()


def read_flee_conflict(directory: str | os.PathLike[str], strict: bool = False,
                       days: int | None = None, hasten: int = 1) -> FleeConflict:
    """Read and check one Flee conflict directory; raise FleeFormatError on any problem.

    Quirks Flee accepts become ``data_warnings`` (module docstring); ``strict`` refuses them.
    ``days``: simulate only the first ``days`` days of the period (at most its Length).
    ``hasten``: one agent per ``hasten`` persons, as Flee's ``optimisations: hasten``
    (SimulationSettings' PopulationScaleDownFactor): every location population is floor-divided
    by it (InputGeography: ``int(population) // hasten``) and every count of the camp and total
    files divided by it as read, before corrections and daily interpolation
    (DataTable._processEntry: ``count / hasten``), so spawned numbers and the counts ARD
    compares with are those of Flee at that setting.
    """
    if not isinstance(hasten, int) or hasten < 1:
        raise ValueError(f"hasten must be a whole number of persons per agent >= 1, not {hasten!r}")
    root = Path(directory)
    if not root.is_dir():
        raise FleeFormatError(root, "conflict directory not found",
                              "a directory holding input_csv/ and source_data/")
    notes = _Notes(root, strict)
    inputs, sources = root / "input_csv", root / "source_data"
    period_file = inputs / "sim_period.csv"
    if not _is_file(period_file) and _is_file(inputs / "conflict_period.csv"):
        period_file = inputs / "conflict_period.csv"  # Flee 2 layout
    start, period_length = _read_sim_period(period_file, notes)
    length = period_length
    if days is not None:
        if not 1 <= days <= period_length:
            raise FleeFormatError(period_file, f"--days {days} is outside the period",
                                  f"1..{period_length} (sim_period.csv Length)")
        length = days
    locations = _read_locations(inputs / "locations.csv", notes)
    if hasten > 1:  # (issue 17, hasten: Flee's InputGeography floor-divides populations)
        locations = tuple(replace(loc, population=loc.population // hasten) for loc in locations)
    names = {loc.name for loc in locations}
    countries = {loc.country for loc in locations}
    routes = _read_routes(inputs / "routes.csv", names, notes)
    closures = _read_closures(inputs / "closures.csv", names, countries, length, notes)
    conflicts_file = inputs / "conflicts.csv"
    if _is_file(conflicts_file):
        conflict_names, intensity = _read_conflicts(conflicts_file, names, length,
                                                    period_length, days is not None, notes)
        conflict_source = "conflicts.csv"
    else:
        conflict_names, intensity = _conflicts_from_dates(conflicts_file, locations, length)
        conflict_source = "locations.csv conflict_date"
    # A camp is any location whose type contains "camp" (flee/flee.py, Location.__init__).
    all_camps = tuple(loc.name for loc in locations if "camp" in loc.location_type.lower())
    if not all_camps:  # nothing to validate against, and no arrivals to derive
        raise FleeFormatError(inputs / "locations.csv", "no camp location",
                              "at least one location whose location_type contains 'camp' "
                              "(the places UNHCR counts)")
    layout = _read_layout_tables(sources, names, all_camps, start, length, notes)
    if hasten > 1:  # (issue 17, hasten: Flee's DataTable divides each count as it reads it)
        layout = [(row_name, np.column_stack([table[:, 0], table[:, 1] / hasten]))
                  for row_name, table in layout]
    tables = {}
    for row_name, table in layout:
        tables.setdefault(row_name, table)  # a name listed twice: the first (_find_headerindex)
    _apply_registration_corrections(inputs / "registration_corrections.csv", tables, start)
    camp_names = tuple(camp for camp in all_camps if camp in tables)
    unscored = tuple(camp for camp in all_camps if camp not in tables)
    day_index = np.arange(length)
    observed = {camp: _frozen(_daily_counts(tables[camp], day_index)) for camp in camp_names}
    spawned = [_daily_counts(table, day_index) for row_name, table in layout if row_name != "total"]
    basis = np.sum(spawned, axis=0) if spawned else np.zeros(length)
    if "total" in tables:
        total = _daily_counts(tables["total"], day_index)
    else:
        total = np.sum([observed[c] for c in camp_names], axis=0)
    _check_spawning(inputs, locations, conflict_names, intensity, basis, notes)
    return FleeConflict(
        name=root.resolve().name, directory=root, start_date=start, length_days=length,
        locations=locations, routes=routes, closures=closures, conflict_names=conflict_names,
        conflict_intensity=_frozen(intensity), conflict_source=conflict_source,
        camp_names=camp_names, observed=observed, observed_total=_frozen(total),
        arrival_basis=_frozen(basis), unscored_camps=unscored, period_length=period_length,
        data_warnings=tuple(notes.items),
    )


# --- input_csv -----------------------------------------------------------------------------


def _read_sim_period(path: Path, notes: _Notes) -> tuple[date, int]:
    """StartDate and Length rows, keys case-insensitive (flee/datamanager/read_period.py)."""
    start: date | None = None
    length: int | None = None
    for row in _read_rows(path, notes):
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


def _read_locations(path: Path, notes: _Notes) -> tuple[FleeLocation, ...]:
    """Locations as Flee's InputGeography.ReadLocationsFromCSV and StoreInputGeographyInEcosystem
    read them: columns past the eighth are custom attributes and are ignored here. A name
    defined twice keeps its last definition (the one Flee's routes attach to)."""
    by_name: dict[str, tuple[int, FleeLocation]] = {}
    for index, row in enumerate(_read_rows(path, notes)):
        if _is_header(row, index, "name", path, notes):
            continue
        _columns(row, 8, path, _LOCATION_COLUMNS)
        name, region, country, lat, lon, kind, conflict, population = row.cells[:8]
        if not name:
            raise FleeFormatError(path, "empty location name", "a non-empty name", row.line)
        coordinate = "a number in degrees, or empty"
        conflict_date = None
        if conflict:
            conflict_date = _whole(conflict, path, row.line, "conflict_date", "a day number")
        elif "conflict" in kind.lower():
            raise FleeFormatError(path, f"{kind} location {name!r} has no conflict_date",
                                  "a day number for conflict locations", row.line)
        if not any(word in kind.lower() for word in LOCATION_KINDS):
            notes.warn(path, f"location_type {kind!r} of {name!r} is not one Flee knows "
                       f"(a type containing {', '.join(LOCATION_KINDS)})",
                       "read as a pass-through location, as Flee keeps it (move chance 1, "
                       "neither camp nor town)", row=row.line, column="location_type")
        allowed = "a whole number >= 0, or empty"
        people = _whole(population, path, row.line, "population", allowed) if population else 0
        if people < 0:
            raise FleeFormatError(path, f"population {people} is negative", allowed, row.line)
        location = FleeLocation(
            name=name, region=region or "unknown", country=country or "unknown",
            latitude=_number(lat, path, row.line, "latitude", coordinate) if lat else 0.0,
            longitude=_number(lon, path, row.line, "longitude", coordinate) if lon else 0.0,
            location_type=kind, conflict_date=conflict_date, population=people,
        )
        if name in by_name:
            first = by_name.pop(name)[0]
            notes.warn(path, f"location {name!r} is defined again (first on row {first})",
                       "the last definition is used, as Flee's routes, closures and counts "
                       "attach to it; the earlier row is left out (Flee keeps it as a location "
                       "with no routes, and puts a conflict of that name there)",
                       row=row.line, column="name")
        by_name[name] = (row.line, location)
    if not by_name:
        raise FleeFormatError(path, "no locations", f"one row per location: {_LOCATION_COLUMNS}")
    return tuple(location for _, location in by_name.values())


def _read_routes(path: Path, names: Collection[str], notes: _Notes) -> tuple[FleeRoute, ...]:
    """Routes as InputGeography.ReadLinksFromCSV / StoreInputGeographyInEcosystem read them."""
    routes: list[FleeRoute] = []
    source = f"a location name from {path.with_name('locations.csv')}"
    for index, row in enumerate(_read_rows(path, notes)):
        if _is_header(row, index, "name1", path, notes):
            continue
        _columns(row, 3, path, "name1,name2,distance[,forced_redirection]")
        name1, name2, distance = row.cells[:3]
        _known(name1, names, path, row.line, "location", source)
        _known(name2, names, path, row.line, "location", source)
        km = _number(distance, path, row.line, "distance", "a distance in km >= 0")
        if km < 0:
            raise FleeFormatError(path, f"distance {distance} is negative",
                                  "a distance in km >= 0", row.line)
        cell, allowed = (row.cells[3] if len(row.cells) > 3 else ""), "0, 1, 2 or empty"
        forced = _whole(cell, path, row.line, "forced_redirection", allowed) if cell else 0
        if forced not in (0, 1, 2):
            raise FleeFormatError(path, f"forced_redirection {forced} is not allowed", allowed,
                                  row.line)
        if name1 == name2:
            notes.warn(path, f"route from {name1!r} to itself",
                       "left out (Flee adds a link on which its agents go nowhere)", row=row.line)
            continue
        routes.append(FleeRoute(name1, name2, km, forced))
    return tuple(routes)


def _read_closures(path: Path, names: Collection[str], countries: Collection[str],
                   length: int, notes: _Notes) -> tuple[FleeClosure, ...]:
    """Closures as InputGeography.ReadClosuresFromCSV reads them; names are checked the way
    flee/flee.py uses them: countries for "country", locations otherwise (name2 only where
    Flee reads it: "link" and "remove_forced_redirection"). A closure Flee would not enact
    (unknown type, or a name that matches nothing) is left out with a warning."""
    closures: list[FleeClosure] = []
    layout = "closure_type,name1,name2,closure_start,closure_end"
    for index, row in enumerate(_read_rows(path, notes)):
        if _is_header(row, index, "closure_type", path, notes):
            continue
        _columns(row, 5, path, layout)
        kind, name1, name2, start, end = row.cells[:5]
        start_day = _whole(start, path, row.line, "closure_start", "a day number >= 0")
        end_day = _whole(end, path, row.line, "closure_end", "a day number >= 0, or -1")
        if start_day < 0 or end_day < -1:
            raise FleeFormatError(path, f"closure days {start_day}..{end_day} out of range",
                                  "closure_start >= 0; closure_end >= 0, or -1 for end of run",
                                  row.line)
        if kind not in _CLOSURE_TYPES:
            notes.warn(path, f"closure_type {kind!r} is not one Flee enacts "
                       f"({', '.join(_CLOSURE_TYPES)})", "left out (Flee ignores it)",
                       row=row.line, column="closure_type")
            continue
        if kind == "country":
            checks = [("name1", name1, countries), ("name2", name2, countries)]
        elif kind in ("link", "remove_forced_redirection"):
            checks = [("name1", name1, names), ("name2", name2, names)]
        else:
            checks = [("name1", name1, names)]
        unknown = [(column, name, known) for column, name, known in checks if name not in known]
        if unknown:
            column, name, known = unknown[0]
            what = "country" if kind == "country" else "location"
            notes.warn(path, f"{kind} closure names no {what} {name!r}",
                       "nothing closed (Flee finds no link to close)", row=row.line,
                       column=column, nearest=nearest_name(name, known))
            continue
        closures.append(FleeClosure(kind, name1, name2, start_day,
                                    length if end_day == -1 else end_day))
    return tuple(closures)


def _read_conflicts(path: Path, names: Collection[str], length: int, period_length: int,
                    shortened: bool, notes: _Notes) -> tuple[tuple[str, ...], np.ndarray]:
    """Daily intensities as InputGeography.ReadConflictInputCSV reads them: the first row is the
    header (names stripped, empty names skipped), later rows are days 0, 1, ... in file order.
    A column naming no location is left out (Flee's add_conflict_zone finds none)."""
    rows = _read_rows(path, notes)
    if not rows:
        raise FleeFormatError(path, "empty file", "a header '#Day,<location>,...' and day rows")
    header = rows[0]
    columns: list[tuple[int, str]] = []
    for i, name in enumerate(header.cells):
        if i == 0 or not name:
            continue
        if name not in names:
            notes.warn(path, f"column {name!r} names no location in locations.csv",
                       "ignored (Flee's add_conflict_zone finds no such location and does "
                       "nothing)", row=header.line, column=name, nearest=nearest_name(name, names))
        elif any(name == seen for _, seen in columns):
            notes.warn(path, f"column {name!r} appears twice", "the first is used (Flee would "
                       "mix the two columns into one series)", row=header.line, column=name)
        else:
            columns.append((i, name))
    allowed = "a conflict intensity >= 0 (usually 0..1) in every named column"
    values: list[list[float]] = []
    day_column_checked = False
    for row in rows[1:]:
        if row.is_comment():
            continue
        if len(values) >= length:
            break
        if not day_column_checked and row.cells[0] != str(len(values)):
            day_column_checked = True  # one warning for the file
            notes.warn(path, f"first column is {row.cells[0]!r} on the row of day {len(values)}",
                       "rows are read as days 0, 1, 2... in file order, as Flee reads them "
                       "(the first column is not used)", row=row.line, column=header.cells[0])
        day: list[float] = []
        for i, name in columns:
            cell = row.cells[i] if i < len(row.cells) else ""
            if not cell:
                raise FleeFormatError(path, f"no value for {name!r}", allowed, row.line, name)
            value = _number(cell, path, row.line, f"intensity for {name!r}", allowed)
            if value < 0:
                raise FleeFormatError(path, f"intensity {value} for {name!r} is negative",
                                      allowed, row.line, name)
            day.append(value)
        values.append(day)
    if len(values) < length:
        covered = len(values)
        what = f"--days {length}" if shortened else f"sim_period.csv Length {period_length}"
        hint = (f"run the covered days with --days {covered} (Flee would stop on day "
                f"{covered}, indexing past the table)" if covered else "day rows after the header")
        raise FleeFormatError(path, f"{covered} day rows (days 0-{covered - 1}) but {what} "
                              f"needs {length}" if covered else
                              f"no day rows but {what} needs {length}", hint)
    intensity = np.array(values, dtype=float).reshape(length, len(columns))
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


def conflict_states(locations: tuple[FleeLocation, ...], conflict_names: tuple[str, ...],
                    intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flee's conflict intensity of every location on every day, and the day that conflict
    began (Flee's time_of_conflict; -1 for conflicts there from the start): days x locations.

    Flee's state rules (``InputGeography.AddNewConflictZones``): a conflict zone whose
    conflict_date is 0 starts in conflict; a column value above 1e-6 after a day at 0 starts
    (or restarts) the conflict at that value; a 0 after a day at exactly 1 ends it.
    """
    names = [loc.name for loc in locations]
    state = np.array([1.0 if "conflict" in loc.location_type.lower()
                      and (loc.conflict_date or 0) <= 0 else 0.0 for loc in locations])
    since = np.full(len(names), -1)
    index = [names.index(name) for name in conflict_names]
    length = len(intensity)
    out = np.zeros((length, len(names)))
    onset = np.zeros((length, len(names)), dtype=np.int64)
    for day in range(length):
        today = intensity[day]
        before = intensity[day - 1] if day > 0 else None
        for j, i in enumerate(index):
            if today[j] > INTENSITY_EPSILON and (before is None or before[j] < INTENSITY_EPSILON):
                state[i], since[i] = today[j], day
            elif today[j] < INTENSITY_EPSILON and before is not None and before[j] == 1:
                state[i] = 0.0
        out[day], onset[day] = state, since
    return out, onset


def daily_arrivals(basis: np.ndarray) -> np.ndarray:
    """New displaced persons per day as Flee spawns them (``DataTable.get_daily_difference``
    with sum_from_camps, and the refugee debt of FabFlee's run.py): the day's increase of
    ``basis``, a fall carried as a debt against later increases, none on day 0."""
    increase = np.diff(np.asarray(basis, dtype=np.int64))
    counts, debt = [0], 0
    for change in increase.tolist():
        new = change - debt
        debt = -new if new < 0 else 0
        counts.append(max(new, 0))
    return np.array(counts, dtype=np.int64)


def _check_spawning(inputs: Path, locations: tuple[FleeLocation, ...],
                    conflict_names: tuple[str, ...], intensity: np.ndarray, basis: np.ndarray,
                    notes: _Notes) -> None:
    """Days on which Flee must spawn new arrivals but no location is in conflict: Flee's
    ``pick_spawn_locations`` asserts there. A stated rule instead (module docstring), or an
    error when no location is ever in conflict."""
    arrivals = daily_arrivals(basis)
    states, _ = conflict_states(locations, conflict_names, intensity)
    in_conflict = (states > INTENSITY_EPSILON).any(axis=1)
    stranded = np.flatnonzero((arrivals > 0) & ~in_conflict)
    if not len(stranded):
        return
    source = inputs / ("conflicts.csv" if _is_file(inputs / "conflicts.csv") else "locations.csv")
    persons = int(arrivals[stranded].sum())
    if not in_conflict.any():
        raise FleeFormatError(source, f"no location is ever in conflict, but the counts bring "
                              f"{persons:,} new displaced persons (first on day {stranded[0]}); "
                              "Flee's spawning would stop there",
                              "a conflict intensity > 0 for some location on those days")
    spans = _spans(stranded.tolist())
    notes.warn(source, f"{persons:,} new displaced persons arrive on {len(stranded)} day(s) "
               f"when no location is in conflict (days {spans}); Flee's spawning would stop on "
               f"day {stranded[0]}", "they arrive at the locations ever in conflict, weighted "
               "as on other days but without the conflict factor")


def _spans(days: list[int]) -> str:
    """'3-5, 9' for [3, 4, 5, 9] (at most six spans, then '...')."""
    spans: list[list[int]] = []
    for day in days:
        if spans and day == spans[-1][1] + 1:
            spans[-1][1] = day
        else:
            spans.append([day, day])
    text = [f"{a}-{b}" if b > a else f"{a}" for a, b in spans[:6]]
    return ", ".join(text) + (", ..." if len(spans) > 6 else "")


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array
