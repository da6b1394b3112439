"""Read an IOM DTM table (the HDX / DTM API layout) into IDPs present per unit, by origin.

Layout: ``id, operation, admin0Name, admin0Pcode, admin1Name, admin1Pcode, admin2Name,
admin2Pcode, adminLevel, numPresentIdpInd, reportingDate, ..., roundNumber, ...,
idpOriginAdmin1Name, idpOriginAdmin1Pcode, ...`` with a HXL row under the header
(``#adm2+code``, ``#affected+idps``, ``#date+reported``, ``#round+code``,
``#adm1+code+origin``...); columns are found by hashtag, else by these names, else through
the recipe's ``columns:`` (roles ``admin1``..``admin3``, ``idps``, ``date``, ``round``,
``origin1``, ``origin2``, ``id``).

Rules (each departure from the plain case is a counted warning in the provenance):

- Per reporting unit, one round: the latest reported by the end of the run (``round: latest``)
  or the one reported nearest the start (``round: nearest``); rows reported after the run ends
  are skipped. A row whose ``id`` was seen already is skipped.
- A row reported at a coarser level than the recipe's (admin2 figures, level-3 nodes) is shared
  among the unit's children in proportion to their population; a P-code the boundaries lack is
  shared the same way within its admin1; with an unknown admin1 too it is an error.
- Origin: the finest origin P-code given; an admin1 origin at level 2 or 3 is placed in the
  unit of that admin1 with the most conflict per resident over the run (``conflict:``), else
  the most populous (assumption: people flee the worst-hit area). An origin that reads
  ``Not available``, is empty or unknown takes the same rule within the reporting unit's own
  admin1 (assumption: most IDPs are displaced within their admin1).
"""

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from simulation.build.provenance import Provenance
from simulation.build.recipe import BuildError, DisplacementSource
from simulation.build.tables import problem, read_table


@dataclass
class Displaced:
    """IDPs present: one entry per (unit, origin unit)."""

    unit: np.ndarray  # unit index where they are
    origin: np.ndarray  # unit index they came from
    persons: np.ndarray
    rows: list[list[int]]
    origin_rule: list[bool]  # origin chosen by the rule (not named by the table)
    file: str
    column: str


def read_displacement(path: Path, shown: str, level: int, source: DisplacementSource,
                      units: gpd.GeoDataFrame, residents: np.ndarray, severity: np.ndarray,
                      start: pd.Timestamp, end: pd.Timestamp,
                      provenance: Provenance) -> Displaced:
    """``severity``: conflict per resident of each unit over the run (zeros without data)."""
    table = read_table(path, shown)
    m = source.columns
    admin = {k: table.find(f"admin{k}", m, hxl=[f"#adm{k}+code-origin"],
                           names=[f"admin{k}Pcode"], required=False) for k in range(1, 4)}
    if not any(admin.values()):
        table.find("admin2", m, hxl=["#adm2+code-origin"], names=["admin2Pcode"],
                   wanted="the P-code of the unit reporting")
    idps = table.find("idps", m, hxl=["#affected+idps-m-f"], names=["numPresentIdpInd"],
                      wanted="IDPs present (persons)")
    date = table.find("date", m, hxl=["#date+reported"], names=["reportingDate"],
                      wanted="the reporting date")
    round_ = table.find("round", m, hxl=["#round+code"], names=["roundNumber"], required=False)
    origins = {k: table.find(f"origin{k}", m, hxl=[f"#adm{k}+code+origin"],
                             names=[f"idpOriginAdmin{k}Pcode"], required=False) for k in (1, 2, 3)}
    ident = table.find("id", m, names=["id"], required=False)
    frame = table.frame
    rows = table.rows()
    persons = table.numbers(idps)
    when = pd.to_datetime(frame[date].str.strip(), errors="coerce", format="ISO8601")
    bad = np.flatnonzero(when.isna().to_numpy())
    if bad.size:
        raise BuildError([problem(shown, int(rows[bad[0]]), date, f"not a date: "
                                  f"{frame[date].iloc[bad[0]]!r} (allowed: 2017-03-30 or "
                                  "2017-03-30T00:00:00)")])
    rounds = table.numbers(round_, allow_empty=True) if round_ else np.full(len(frame), np.nan)
    keep = np.ones(len(frame), dtype=bool)
    for i in np.flatnonzero((when > end).to_numpy()):
        provenance.warn(shown, int(rows[i]), date, "reported after the run ends", "row skipped")
        keep[i] = False
    if ident:
        doubled = frame[ident].str.strip().duplicated().to_numpy() & (frame[ident] != "").to_numpy()
        for i in np.flatnonzero(doubled & keep):
            provenance.warn(shown, int(rows[i]), ident, "an id seen on an earlier row",
                            "row skipped")
        keep &= ~doubled

    index = {code: i for i, code in enumerate(units["pcode"])}
    parent1 = units["parent1"].to_numpy() if level > 1 else units["pcode"].to_numpy()
    n = len(units)

    def unit_of(i: int) -> tuple[np.ndarray, np.ndarray, str]:
        """Unit indices and weights for row i's reporting unit, and the column read."""
        for k in range(level, 0, -1):
            column = admin.get(k)
            code = frame[column].iloc[i].strip() if column else ""
            if not code:
                continue
            if k == level and code in index:
                return np.array([index[code]]), np.ones(1), column
            within = units[f"parent{k}"].to_numpy() == code if k < level else np.zeros(n, bool)
            if k == level:  # a P-code the boundaries lack: within its admin1
                provenance.warn(shown, int(rows[i]), column, "a P-code the boundaries lack",
                                "IDPs shared among the units of its admin1 by population")
                continue
            found = np.flatnonzero(within)
            if found.size:
                if k < level and not any(frame[admin[j]].iloc[i].strip() for j in
                                         range(k + 1, level + 1) if admin.get(j)):
                    provenance.warn(shown, int(rows[i]), column, f"IDPs reported at admin "
                                    f"level {k}", f"shared among its level-{level} units by "
                                    "population")
                weights = residents[found] if residents[found].sum() > 0 else np.ones(found.size)
                return found, weights / weights.sum(), column
        raise BuildError([problem(shown, int(rows[i]), admin.get(level) or admin.get(1),
                                  "P-code not in the boundaries (nor its admin1); correct it or "
                                  "use the boundaries of the same COD version")])

    def origin_of(i: int, at: int) -> tuple[int, bool]:
        for k in (3, 2, 1):
            column = origins.get(k)
            code = frame[column].iloc[i].strip() if column else ""
            if not code or k > level:
                continue
            if k == level and code in index:
                return index[code], False
            if k < level:
                found = np.flatnonzero(units[f"parent{k}"].to_numpy() == code)
                if found.size:
                    return _worst(found, severity, residents), False
        column = origins.get(1) or origins.get(2)
        provenance.warn(shown, int(rows[i]), column, "origin not available or unknown",
                        "origin: the worst-hit unit of the reporting unit's admin1")
        found = np.flatnonzero(parent1 == parent1[at])
        return _worst(found, severity, residents), True

    # one round per reporting unit
    reporting = [next((frame[admin[k]].iloc[i].strip() for k in range(level, 0, -1)
                       if admin.get(k) and frame[admin[k]].iloc[i].strip()), "")
                 for i in range(len(frame))]
    chosen = pd.DataFrame({"unit": reporting, "round": rounds, "when": when, "keep": keep})
    chosen["key"] = np.where(np.isnan(rounds), when.astype("int64").to_numpy(), rounds)
    chosen = chosen[chosen["keep"]]
    if source.round == "latest":
        best = chosen.groupby("unit")["key"].transform("max")
        pick = chosen.index[chosen["key"] == best]
    else:
        distance = (chosen["when"] - start).abs()
        nearest = chosen.assign(d=distance).groupby("unit")["d"].transform("min")
        first = chosen[distance == nearest].groupby("unit")["key"].transform("max")
        pick = first.index[chosen.loc[first.index, "key"] == first]
    entries: dict[tuple[int, int], dict] = {}
    for i in pick:
        found, weights, _ = unit_of(int(i))
        for at, w in zip(found, weights, strict=True):
            origin, ruled = origin_of(int(i), int(at))
            entry = entries.setdefault((int(at), origin), {"persons": 0.0, "rows": [],
                                                           "ruled": False})
            entry["persons"] += persons[i] * w
            entry["rows"].append(int(rows[i]))
            entry["ruled"] |= ruled
    provenance.source("displacement", path, shown, rows=len(frame), rows_used=len(pick),
                      round=source.round, columns={"idps": idps, "date": date})
    keys = sorted(entries)
    return Displaced(np.array([k[0] for k in keys], dtype=int),
                     np.array([k[1] for k in keys], dtype=int),
                     np.array([entries[k]["persons"] for k in keys]),
                     [entries[k]["rows"] for k in keys], [entries[k]["ruled"] for k in keys],
                     shown, idps)


def _worst(candidates: np.ndarray, severity: np.ndarray, residents: np.ndarray) -> int:
    """The candidate with the most conflict per resident, else the most populous."""
    if severity[candidates].max() > 0:
        return int(candidates[np.argmax(severity[candidates])])
    return int(candidates[np.argmax(residents[candidates])])
