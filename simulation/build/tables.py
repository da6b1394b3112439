"""Read a humanitarian table (CSV or XLSX) and find its columns by HXL hashtag or by name.

Real downloads differ in small ways this reader absorbs: UTF-8 or Latin-1 text, a HXL hashtag
row under the header (HDX, DTM and WFP exports) or none (COD-PS), thousands separators
(``"448,465"``). Columns are found, in order, by the recipe's ``columns:`` mapping, by HXL
hashtag pattern (libhxl's ``TagPattern``: ``#affected+idps`` matches ``#affected+idps+ind``,
``#adm1+code-origin`` excludes the origin column), then by header name, case-insensitively.
libhxl reads files only by path and adds little to pandas for reading; its tag patterns are
what it is used for.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from hxl.model import Column, TagPattern

from simulation.build.recipe import BuildError

TABLE_FORMATS = {".csv": "CSV", ".tsv": "TSV", ".txt": "CSV", ".xlsx": "XLSX", ".xlsm": "XLSX"}


def problem(file: str, row: int | None, column: str | None, message: str) -> tuple:
    """One (file, row, 'column X', message) entry of a :class:`BuildError`."""
    return (file, row, f"column {column}" if column else "", message)


@dataclass
class Table:
    """A table as text cells, its HXL hashtags (if any) and where its data rows start."""

    file: str  # as shown in messages and provenance
    frame: pd.DataFrame  # every cell a string ('' when empty)
    hashtags: dict[str, str] = field(default_factory=dict)  # column -> hashtag
    encoding: str = "utf-8"

    @property
    def first_row(self) -> int:
        """Spreadsheet row number of the first data row (header = 1, HXL row = 2)."""
        return 3 if self.hashtags else 2

    def rows(self, index=None) -> np.ndarray:
        """Spreadsheet row numbers of the frame's rows (or of positions ``index``)."""
        positions = np.arange(len(self.frame)) if index is None else np.asarray(index)
        return positions + self.first_row

    def find(self, role: str, mapping: dict[str, str], hxl=(), names=(), required=True,
             wanted: str = "") -> str | None:
        """The column playing ``role``: the mapping's, else by hashtag, else by name."""
        if role in mapping:
            if mapping[role] not in self.frame.columns:
                raise BuildError([problem(self.file, 1, mapping[role], f"no such column (the "
                                          f"recipe maps {role!r} to it); columns: "
                                          f"{', '.join(self.frame.columns)}")])
            return mapping[role]
        for pattern in hxl:
            tag = TagPattern.parse(pattern)
            for column, hashtag in self.hashtags.items():
                parsed = Column.parse(hashtag)
                if parsed and tag.match(parsed):
                    return column
        lower = {str(c).strip().lower(): c for c in self.frame.columns}
        for name in names:
            if name.lower() in lower:
                return lower[name.lower()]
        if not required:
            return None
        looked = ", ".join([*hxl, *names])
        raise BuildError([problem(self.file, 1, None, f"no column for {wanted or role}: looked "
                                  f"for {looked}; name it in the recipe (columns: {{{role}: "
                                  f"...}}); columns: {', '.join(map(str, self.frame.columns))}")])

    def numbers(self, column: str, allow_empty: bool = False) -> np.ndarray:
        """A column as floats; thousands separators allowed; a bad cell is an error."""
        text = self.frame[column].str.strip()
        plain = text.str.replace(_THOUSANDS, "", regex=True).str.replace("\u00a0", "")
        values = pd.to_numeric(plain.where(plain != "", None), errors="coerce")
        bad = values.isna() & ((plain != "") | (not allow_empty))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise BuildError([problem(self.file, int(self.rows([i])[0]), column,
                                      f"not a number: {text.iloc[i]!r} ({int(bad.sum())} such "
                                      "rows)")])
        out = values.to_numpy(dtype=float)
        negative = np.flatnonzero(out < 0)
        if negative.size:
            i = int(negative[0])
            raise BuildError([problem(self.file, int(self.rows([i])[0]), column,
                                      f"must be >= 0 (got {text.iloc[i]!r})")])
        return out


#: a separator between groups of three digits: "1,234,567" or "1 234 567"
_THOUSANDS = re.compile(r"(?<=\d)[, ](?=\d{3}(?:\D|$))")


def read_table(path: Path, shown: str, sheet: str | None = None) -> Table:
    """Read CSV/TSV/XLSX as text; detect the encoding and a HXL hashtag row."""
    kind = TABLE_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise BuildError([problem(shown, None, None, f"unknown table format {path.suffix!r}; "
                                  f"allowed: {', '.join(sorted(TABLE_FORMATS))}")])
    if not path.exists():
        raise BuildError([problem(shown, None, None, "file not found")])
    encoding = "utf-8"
    try:
        if kind == "XLSX":
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, engine="openpyxl")
        else:
            raw = path.read_bytes()
            try:
                raw.decode("utf-8-sig")
                encoding = "utf-8"
            except UnicodeDecodeError:
                encoding = "latin-1"  # COD-PS tables; Latin-1 decodes any byte
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=(
                "utf-8-sig" if encoding == "utf-8" else encoding),
                sep="\t" if kind == "TSV" else ",", skipinitialspace=True)
    except (ValueError, KeyError, OSError, pd.errors.ParserError) as error:
        raise BuildError([problem(shown, None, None, f"cannot read as {kind}: {error}")]) from None
    frame = frame.fillna("").astype(str)
    frame.columns = [str(c).strip() for c in frame.columns]
    hashtags: dict[str, str] = {}
    if len(frame) and all(Column.parse(v) for v in frame.iloc[0] if v.strip()) and any(
            v.strip() for v in frame.iloc[0]):
        hashtags = {c: v.strip() for c, v in frame.iloc[0].items() if v.strip()}
        frame = frame.iloc[1:].reset_index(drop=True)
    return Table(shown, frame, hashtags, encoding)
