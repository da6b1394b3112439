"""Read a COD-PS population table and place its persons on the boundary units.

Columns: by HXL hashtag (``#adm2+code``, ``#population+total``...) when the table has a hashtag
row, else by the COD names (``Adm2_Pcode``/``adm2_pcode``, ``Adm2_name``, ``T_TL``), or the
recipe's ``columns:`` (roles ``pcode``, ``name``, ``total``, ``parent1``...). CSV or XLSX,
UTF-8 or Latin-1, thousands separators.

Population and boundaries are often different COD versions; the rules, in order, each counted
as a warning in the provenance (the table's total is kept):

1. A P-code on several rows: the rows are summed (CAF level 2: Bangui ``CF711`` has a row for
   its 1st arrondissement, 15,716, and one for the rest, 823,365: together the city).
2. A P-code the boundaries lack: matched by name to a unit that has no row of its own, within
   the same parent, else the grandparent...; names compare without case, accents, punctuation,
   word order or ordinal suffixes ("2e Arrondissement" = "Arrondissement 2").
3. Still unmatched: its persons are shared among the units of its nearest parent that the
   boundaries have, in proportion to area. With no such parent it is an error.
4. A unit without a row: it takes the share of its parent's persons that its area is of the
   parent's area, taken from its siblings in proportion (with no sibling: 0 persons).
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np

from simulation.build.provenance import Provenance
from simulation.build.recipe import BuildError, PopulationSource
from simulation.build.tables import problem, read_table


@dataclass
class Placed:
    """Persons per unit (aligned with the units' rows) and where each figure came from."""

    persons: np.ndarray
    rows: list[list[int]]  # source rows behind each unit's figure
    notes: list[str | None]  # how a figure was derived, where not read directly
    file: str
    column: str
    total: float  # the table's total


def read_population(path: Path, shown: str, level: int, source: PopulationSource,
                    units: gpd.GeoDataFrame, provenance: Provenance) -> Placed:
    table = read_table(path, shown, source.sheet)
    mapping = source.columns
    pcode = table.find("pcode", mapping, hxl=[f"#adm{level}+code"], names=[f"adm{level}_pcode"],
                       wanted=f"the level-{level} P-code")
    total = table.find("total", mapping, hxl=["#population+total", "#population-f-m"],
                       names=["T_TL", "total", "population"], wanted="the total population")
    name = table.find("name", mapping, hxl=[f"#adm{level}+name"], names=[f"adm{level}_name"],
                      required=False)
    parents = {k: table.find(f"parent{k}", mapping, hxl=[f"#adm{k}+code"],
                             names=[f"adm{k}_pcode"], required=False) for k in range(1, level)}
    persons = table.numbers(total)
    codes = table.frame[pcode].str.strip().to_numpy(dtype=object)
    rows = table.rows()
    empty = np.flatnonzero(codes == "")
    if empty.size:
        raise BuildError([problem(shown, int(rows[empty[0]]), pcode, "empty P-code")])
    provenance.source("population", path, shown, rows=len(codes), encoding=table.encoding,
                      columns={"pcode": pcode, "total": total})

    # 1. one record per P-code, duplicated rows summed
    records: dict[str, dict] = {}
    for i, code in enumerate(codes):
        record = records.setdefault(code, {"persons": 0.0, "rows": [], "first": i})
        record["persons"] += persons[i]
        record["rows"].append(int(rows[i]))
    for record in records.values():
        if len(record["rows"]) > 1:
            provenance.warn(shown, record["rows"], pcode, "a P-code on several rows",
                            "summed the rows (they are parts of one unit)")

    index = {code: i for i, code in enumerate(units["pcode"])}
    n = len(units)
    placed = np.zeros(n)
    cited: list[list[int]] = [[] for _ in range(n)]
    notes: list[str | None] = [None] * n
    has_row = np.zeros(n, dtype=bool)
    unmatched = []
    for code, record in records.items():
        i = index.get(code)
        if i is None:
            unmatched.append((code, record))
            continue
        placed[i] += record["persons"]
        cited[i] += record["rows"]
        has_row[i] = True

    # 2. by name within the nearest parent
    keys = np.array([_name_key(v) for v in units["name"]], dtype=object)
    still = []
    for code, record in unmatched:
        first = record["first"]
        row_parents = [(k, table.frame[parents[k]].iloc[first].strip() if parents[k] else "")
                       for k in range(level - 1, 0, -1)]
        target = None
        if name:
            key = _name_key(table.frame[name].iloc[first])
            known = [(k, parent) for k, parent in row_parents if parent]
            for k, parent in known or [(0, "")]:  # no parent given: among all units
                within = (units[f"parent{k}"].to_numpy() == parent) if k else np.ones(n, bool)
                found = np.flatnonzero(within & (keys == key) & ~has_row)
                if found.size == 1:
                    target = int(found[0])
                    where = f"within {parent}" if k else "among all units"
                    break
        if target is None:
            still.append((code, record, row_parents))
            continue
        placed[target] += record["persons"]
        cited[target] += record["rows"]
        has_row[target] = True
        notes[target] = f"P-code {code} matched by name to {units['pcode'].iloc[target]}"
        provenance.warn(shown, record["rows"], pcode, "a P-code the boundaries lack",
                        f"matched by name to a unit without a row, {where}")

    # 3. apportioned by area within the nearest parent the boundaries have
    for code, record, row_parents in still:
        target_units = None
        for k, parent in row_parents:
            if parent:
                found = np.flatnonzero(units[f"parent{k}"].to_numpy() == parent)
                if found.size:
                    target_units = found
                    break
        if target_units is None:
            raise BuildError([problem(shown, record["rows"][0], pcode,
                                      f"P-code {code!r} is not in the boundaries, no unit has "
                                      "its name and its parent is unknown; correct the P-code "
                                      "or use population and boundaries of one COD version")])
        area = units["area_km2"].to_numpy()[target_units]
        placed[target_units] += record["persons"] * area / area.sum()
        for t in target_units:
            cited[t] += record["rows"]
            notes[t] = f"includes an area share of P-code {code} (not in the boundaries)"
        provenance.warn(shown, record["rows"], pcode, "a P-code the boundaries lack",
                        "its persons shared among its parent's units by area")

    # 4. units without a row: their area share of the parent, taken from the siblings
    area = units["area_km2"].to_numpy()

    def unit_place(i: int) -> tuple:  # the unit's row in the boundaries file
        return (units.attrs.get("file", shown), int(units["row"].iloc[i]),
                units.attrs.get("pcode_column"))

    for i in np.flatnonzero(~has_row):
        k = level - 1
        parent = units[f"parent{k}"].iloc[i] if k else ""
        siblings = np.flatnonzero((units[f"parent{k}"].to_numpy() == parent) & has_row) if (
            k and parent) else np.array([], dtype=int)
        if siblings.size == 0:
            notes[i] = "no population row and no sibling with one: 0 persons"
            provenance.warn(*unit_place(i), "a unit without a population row", "0 persons")
            continue
        share = area[i] / (area[i] + area[siblings].sum())
        taken = placed[siblings] * share
        placed[siblings] -= taken
        placed[i] = taken.sum()
        cited[i] = sorted({r for s in siblings for r in cited[s]})
        notes[i] = f"no row: its area share ({share:.1%}) of the units of parent {parent}"
        provenance.warn(*unit_place(i), "a unit without a population row", "given its area "
                        "share of its parent's persons, taken from its siblings")
    return Placed(placed, cited, notes, shown, total, float(persons.sum()))


_ORDINAL = re.compile(r"^(\d+)(er|re|e|eme|ieme|st|nd|rd|th)$")


def _name_key(name) -> str:
    """Case, accents, punctuation, word order and ordinal suffixes removed."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    words = [_ORDINAL.sub(r"\1", w) for w in re.split(r"[^a-z0-9]+", text) if w]
    return " ".join(sorted(words))
