"""Reading the cells of a Flee CSV file: rows, numbers, dates and names, and the error and
warnings (:class:`FleeFormatError`, :class:`DataWarning`) that say where a cell went wrong.

Shared by ``flee_io`` (input_csv) and ``flee_sources`` (source_data); it imports neither.
"""

import codecs
import csv
import difflib
import io
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path


class FleeFormatError(ValueError):
    """A Flee-format file is missing or malformed; the message says where and what is allowed."""

    def __init__(self, path: Path | str, problem: str, allowed: str = "", row: int | None = None,
                 column: str | None = None):
        self.path = Path(path)
        self.problem = problem
        self.allowed = allowed
        self.row = row
        self.column = column
        where = str(self.path) + (f", row {row}" if row is not None else "")
        where += f", column {column!r}" if column is not None else ""
        super().__init__(f"{where}: {problem}" + (f"; allowed: {allowed}" if allowed else ""))

    def __reduce__(self):  # keep it picklable across processes despite the custom signature
        return (type(self), (self.path, self.problem, self.allowed, self.row, self.column))


@dataclass(frozen=True)
class DataWarning:
    """A quirk of the data that Flee accepts, and what the reader did about it."""

    file: str  # relative to the conflict directory, e.g. "input_csv/conflicts.csv"
    problem: str
    action: str
    row: int | None = None  # 1-based line, as an editor shows it
    column: str | None = None
    nearest: str | None = None  # the closest location name, where the problem is a name

    def as_dict(self) -> dict:
        """The warning as written under ``data_warnings`` in validation.json."""
        return {"file": self.file, "row": self.row, "column": self.column,
                "problem": self.problem, "action": self.action, "nearest": self.nearest}

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "")
        where += f", column {self.column!r}" if self.column is not None else ""
        hint = f" (nearest location: {self.nearest!r})" if self.nearest else ""
        return f"{where}: {self.problem}{hint}; {self.action}"


class _Notes:
    """Collects the data warnings of one read, once each; in strict mode raises each instead."""

    def __init__(self, root: Path, strict: bool):
        self.root, self.strict = root, strict
        self.items: list[DataWarning] = []
        self._crlf: list[str] = []

    def line_ends(self, path: Path) -> None:
        """A file with Windows (CRLF) line ends: one warning for the conflict, naming them."""
        problem = "Windows (CRLF) line ends"
        action = "read as plain line ends, as Flee's csv reader reads them"
        if self.strict:
            self.warn(path, problem, action)
        self._crlf.append(self._relative(path))
        first = next((i for i, w in enumerate(self.items) if w.problem.startswith(problem)), None)
        others = f" (also in {', '.join(self._crlf[1:])})" if len(self._crlf) > 1 else ""
        item = DataWarning(self._crlf[0], problem + others, action)
        if first is None:
            self.items.append(item)
        else:
            self.items[first] = item

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def warn(self, path: Path, problem: str, action: str, row: int | None = None,
             column: str | None = None, nearest: str | None = None) -> None:
        if self.strict:
            hint = f" (nearest location: {nearest!r})" if nearest else ""
            raise FleeFormatError(path, f"{problem}{hint} [refused by --strict; without it: "
                                  f"{action}]", row=row, column=column)
        item = DataWarning(self._relative(path), problem, action, row, column, nearest)
        if item not in self.items:
            self.items.append(item)


def nearest_name(name: str, known: Collection[str]) -> str | None:
    """The known name closest to ``name``: equal but for case, blanks, '_' and '-' first,
    else difflib's closest match (ratio >= 0.6), else None."""
    key = _name_key(name)
    for candidate in known:
        if _name_key(candidate) == key:
            return candidate
    close = difflib.get_close_matches(name, list(known), n=1)
    return close[0] if close else None


def _name_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name).strip().casefold()


@dataclass(frozen=True)
class _Row:
    line: int
    cells: tuple[str, ...]

    def is_comment(self) -> bool:
        return self.cells[0].startswith("#")


def _read_rows(path: Path, notes: _Notes | None = None) -> list[_Row]:
    """Non-blank rows with stripped cells and their editor line numbers (a BOM and CRLF line
    ends are read as plain text, with a warning)."""
    if not _is_file(path):
        raise FleeFormatError(path, "file not found", "a CSV file at this path")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FleeFormatError(path, f"cannot be read ({exc.strerror})", "a readable file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FleeFormatError(path, f"not UTF-8 text ({exc.reason})", "UTF-8 CSV") from None
    if notes is not None and raw.startswith(codecs.BOM_UTF8):
        notes.warn(path, "starts with a UTF-8 byte-order mark",
                   "read without it (Flee would take it as part of the first cell)", row=1)
    if notes is not None and b"\r\n" in raw:
        notes.line_ends(path)
    rows: list[_Row] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        for cells in reader:
            stripped = tuple(cell.strip() for cell in cells)
            if any(stripped):
                rows.append(_Row(reader.line_num, stripped))
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


def _parse_date(text: str) -> date | None:
    try:  # same format as Flee's DataTable.subtract_dates
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


def _date(text: str, path: Path, line: int, what: str) -> date:
    parsed = _parse_date(text)
    if parsed is None:
        raise FleeFormatError(path, f"{what} {text!r} is not a valid date",
                              "YYYY-MM-DD, e.g. 2015-05-01", line)
    return parsed


def _known(name: str, known: Collection[str], path: Path, line: int, what: str,
           source: str) -> None:
    if name in known:
        return
    close = nearest_name(name, known)
    hint = f" (did you mean {close!r}?)" if close else ""
    raise FleeFormatError(path, f"unknown {what} {name!r}{hint}", source, line)


def _columns(row: _Row, needed: int, path: Path, layout: str) -> None:
    if len(row.cells) < needed:
        raise FleeFormatError(path, f"{len(row.cells)} columns, {needed} needed",
                              f"columns {layout}", row.line)


def _is_header(row: _Row, index: int, first_column: str, path: Path, notes: _Notes) -> bool:
    """Flee's '#' header or comment; an unmarked header naming the first column is skipped
    with a warning (Flee would read it as data and stop)."""
    if row.is_comment():
        return True
    if index == 0 and row.cells[0].lower() == first_column:
        notes.warn(path, f"header row {','.join(row.cells)!r} without a leading '#'",
                   "skipped (Flee reads it as data and stops)", row=row.line)
        return True
    return False


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False where the name cannot be a file (too long, a NUL in it...)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
