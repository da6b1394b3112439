"""Reading a conflict's ``source_data/``: the daily count files ``data_layout.csv`` names,
summed, corrected and interpolated per day as Flee's ``DataTable`` does.

The cells are read by ``flee_cells``; ``flee_io.read_flee_conflict`` calls these readers.
"""

from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path

import numpy as np

from simulation.validation.flee_cells import (
    FleeFormatError,
    _columns,
    _date,
    _is_file,
    _is_number,
    _known,
    _Notes,
    _number,
    _parse_date,
    _read_rows,
    nearest_name,
)

#: the largest count of persons a data file may give: more than live on Earth is a damaged
#: file (Flee would try to spawn that many agents); it also keeps sums of counts within int64
MAX_COUNT = 1e10


def _read_layout_tables(sources: Path, names: Collection[str], camps: tuple[str, ...],
                        start: date, length: int,
                        notes: _Notes) -> list[tuple[str, np.ndarray]]:
    """(name, (day, count) table) per data_layout.csv row, in file order, as
    DataTable.DataTable.__init__ builds them: files after the second column are added to the
    first with DataTable.AddCSVTables."""
    path = sources / "data_layout.csv"
    layout: list[tuple[str, np.ndarray]] = []
    first_line: dict[str, int] = {}
    for row in _read_rows(path, notes):
        if row.is_comment():
            continue
        if len(row.cells) < 2 or not any(row.cells[1:]):
            notes.warn(path, f"row {','.join(row.cells)!r} names no count file",
                       "skipped, as Flee skips it", row=row.line)
            continue
        name, files = row.cells[0], [cell for cell in row.cells[1:] if cell]
        if name != "total" and name not in names:
            notes.warn(path, f"{name!r} is not a location in locations.csv",
                       "its counts are read but not compared (the ARD is over the "
                       "simulation's camps); they add to the newly displaced, as Flee's "
                       "spawning sums every row after the first", row=row.line, column=name,
                       nearest=nearest_name(name, names))
        elif name in camps or name == "total":
            pass
        else:
            notes.warn(path, f"{name!r} is a location but not a camp",
                       "its counts are not compared; they add to the newly displaced, as "
                       "Flee's spawning sums every row after the first", row=row.line,
                       column=name)
        if name in first_line:
            notes.warn(path, f"{name!r} is listed again (first on row {first_line[name]})",
                       "the first row's counts are compared, both add to the newly displaced "
                       "(Flee's DataTable does the same)", row=row.line, column=name)
        first_line.setdefault(name, row.line)
        for file in files:
            if not _is_file(sources / file):
                raise FleeFormatError(path, f"file {file!r} not found in {sources}",
                                      "file names relative to source_data/", row.line)
        series = [_read_series(sources / file, start, notes) for file in files]
        for file, points in zip(files, series, strict=True):
            inside = (points[:, 0] >= 0) & (points[:, 0] < length)
            if not inside.any():
                notes.warn(sources / file, f"no count dated inside the simulated days "
                           f"({start} + {length} days)", "read as Flee reads it: every day "
                           "holds the first count (all rows after) or the last (all before)")
        table = series[0]
        for points in series[1:]:
            table = _add_tables(table, points)
        layout.append((name, table))
    if not layout:
        raise FleeFormatError(path, "no rows", "a row 'total,<file>.csv' and one per camp")
    if "total" not in first_line:
        notes.warn(path, "no 'total' row", "the total is the sum of the camps (Flee's "
                   f"spawning, summing every row after the first, would leave out "
                   f"{layout[0][0]!r})")
    elif layout[0][0] != "total":
        notes.warn(path, f"'total' is on row {first_line['total']}, not the first",
                   "new arrivals sum every row but 'total' (Flee's spawning sums every row "
                   f"after the first: 'total' in, {layout[0][0]!r} out)", row=first_line["total"])
    missing = [camp for camp in camps if camp not in first_line]
    if len(missing) == len(camps):
        raise FleeFormatError(path, f"no count series for any camp ({list(camps)})",
                              "one row '<camp>,<file>.csv' per camp in locations.csv")
    for camp in missing:
        notes.warn(path, f"no count series for camp {camp!r}",
                   "simulated but not compared, and empty at the start (Flee stops when it "
                   "looks up the camp's counts)", column=camp)
    return layout


def _read_series(path: Path, start: date, notes: _Notes) -> np.ndarray:
    """(day offset, count) rows as DataTable.ConvertCsvFileToNumPyTable reads them: a first row
    'Date,...' or 'DateTime,...' is a header; '#' rows, rows with one cell and rows with an
    empty count are skipped; columns past the second are ignored. Other first-row headers
    are skipped with a warning (Flee stops on them)."""
    allowed = "rows 'YYYY-MM-DD,<count>' with a count >= 0"
    points: list[tuple[float, float]] = []
    for index, row in enumerate(_read_rows(path, notes)):
        if index == 0 and row.cells[0] in ("Date", "DateTime"):
            continue
        if row.is_comment() or len(row.cells) < 2 or not row.cells[1]:
            continue
        if index == 0 and _parse_date(row.cells[0]) is None and not _is_number(row.cells[1]):
            notes.warn(path, f"header row {','.join(row.cells)!r}", "skipped (Flee skips only "
                       "a first row starting 'Date' or 'DateTime', and stops on others)",
                       row=row.line)
            continue
        day = (_date(row.cells[0], path, row.line, "date") - start).days
        count = _number(row.cells[1], path, row.line, "count", allowed)
        if count < 0:
            raise FleeFormatError(path, f"count {row.cells[1]} is negative", allowed, row.line)
        if count > MAX_COUNT:
            raise FleeFormatError(path, f"count {row.cells[1]} is more persons than live on "
                                  f"Earth", f"{allowed} and at most {MAX_COUNT:.0e}", row.line)
        if points and day < points[-1][0]:
            notes.warn(path, f"dated {row.cells[0]}, before the row above it",
                       "read as Flee reads it: the days after the row above are interpolated "
                       "from this row to the next", row=row.line)
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
    if not _is_file(path):
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
