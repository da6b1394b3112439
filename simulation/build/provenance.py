"""Where every value of a built scenario came from: ``<scenario stem>.provenance.json``.

``prds build recipe.yaml --out car.yaml`` writes ``car.yaml`` and, beside it,
``car.provenance.json``. Readers (reports, the workshop app, ``outputs/maps.py``) find it by
the scenario's stem. The format is stable; a new key may be added, none is renamed or removed
while ``format`` stays ``prds-provenance/1``. The same recipe and files
give the same bytes (no time stamp)::

    {
      "format": "prds-provenance/1",
      "scenario": "car.yaml",                 # the scenario file it describes (same folder)
      "recipe": "scenarios/build/car-2024.recipe.yaml",
      "sources": {                             # one entry per recipe source that was read
        "boundaries": {"file": "...", "sha256": "...", "rows": 72, "layer": null,
                       "crs": "EPSG:4326", "reprojected": false},
        "population": {"file": "...", "sha256": "...", "rows": 73, "encoding": "latin-1",
                       "columns": {"pcode": "Adm2_Pcode", "total": "T_TL"}},
        ...
      },
      "nodes": {                               # by node name, in the scenario's order
        "Bangui": {
          "unit": {"file": B, "row": 63, "column": "adm2_pcode"},
          "type": {"assumed": "town: population >= 50000 or density >= 500 per km2 ..."},
          "x": {"file": B, "row": 63, "column": "geometry",
                "derived": "representative point (longitude)"},
          "threat": {"file": C, "row": [5, 9, 12], "column": "fatalities",
                     "derived": "monthly events and fatalities per 100,000 residents ..."},
          "meb": {"assumed": "recipe defaults.town.meb"},
          ...                                  # one entry per key the node sets
        }, ...
      },
      "edges": [                               # in the scenario's order
        {"source": "Bangui", "target": "Bimbo",
         "distance": {"file": B, "row": [63, 1], "column": "geometry",
                      "derived": "great-circle km between representative points"},
         "border": {"file": B, "row": [63, 1], "column": "adm0_pcode"}}, ...
      ],
      "populations": [                         # parallel to the scenario's populations
        {"group": "host", "node": "Bangui", "origin": null,
         "households": {"file": P, "row": [13, 14], "column": "T_TL",
                        "derived": "(persons - IDPs present) / household_size",
                        "less": {"file": D, "row": 7, "column": "numPresentIdpInd"}},
         "persons": 839081, ...}, ...
      ],
      "assumptions": [                         # what the data could not give
        {"what": "wage at host_area nodes", "value": 150.0,
         "rule": "recipe defaults.host_area.wage"}, ...
      ],
      "warnings": [                            # real-data quirks handled, each counted
        {"file": P, "row": [13, 14], "column": "Adm2_Pcode",
         "what": "P-code CF711 on 2 rows", "done": "summed the rows", "count": 1}, ...
      ]
    }

A *citation* (the value of each key under ``nodes``, ``edges`` and ``populations``) is one of:

- ``{"file", "row", "column"}``: the value was read there. ``file`` is the path as the recipe
  gives it, made relative to the scenario's folder when possible; ``row`` is the row as a
  spreadsheet shows it (the header is row 1, a HXL hashtag row is row 2), or for a boundaries
  file the feature's 1-based position; a list of rows when several were combined. Optional
  ``derived`` says how the value was computed from them; ``less`` cites a value subtracted.
- ``{"assumed": "rule or default"}``: nothing in the data gave it; the rule or recipe default.

``warnings`` are grouped by (file, column, what, done); ``row`` lists up to
:data:`ROWS_SHOWN` rows of the group and ``count`` counts them all.
"""

import hashlib
from pathlib import Path

FORMAT = "prds-provenance/1"
#: rows listed per warning group (the count covers them all)
ROWS_SHOWN = 20


def cite(file: str, row: int | list[int] | None, column: str | None, derived: str | None = None,
         **more) -> dict:
    """A citation of a value read from ``file`` at ``row`` and ``column``."""
    out: dict = {"file": file, "row": row, "column": column}
    if derived:
        out["derived"] = derived
    out.update(more)
    return out


def assumed(rule: str) -> dict:
    """A citation of a value no source gave: the rule or default used."""
    return {"assumed": rule}


def provenance_path(scenario: str | Path) -> Path:
    """``car.yaml`` -> ``car.provenance.json`` (beside it)."""
    scenario = Path(scenario)
    return scenario.with_name(f"{scenario.stem}.provenance.json")


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Provenance:
    """Collects sources, citations, assumptions and warnings while a scenario is built."""

    def __init__(self) -> None:
        self.sources: dict[str, dict] = {}
        self.nodes: dict[str, dict] = {}
        self.edges: list[dict] = []
        self.populations: list[dict] = []
        self.assumptions: list[dict] = []
        self._assumed_keys: set[str] = set()
        self._warnings: dict[tuple, dict] = {}

    def source(self, role: str, path: Path, shown: str, **facts) -> None:
        self.sources[role] = {"file": shown, "sha256": file_digest(path), **facts}

    def assume(self, what: str, value, rule: str) -> None:
        """List an assumption once (a default used at many nodes is one assumption)."""
        if what not in self._assumed_keys:
            self._assumed_keys.add(what)
            self.assumptions.append({"what": what, "value": value, "rule": rule})

    def warn(self, file: str, row, column: str | None, what: str, done: str) -> None:
        """Count one occurrence of a data quirk that was handled as ``done`` says."""
        key = (file, column, what, done)
        entry = self._warnings.setdefault(key, {"file": file, "row": [], "column": column,
                                                "what": what, "done": done, "count": 0})
        entry["count"] += 1
        for r in row if isinstance(row, list) else [row]:
            if r is not None and len(entry["row"]) < ROWS_SHOWN:
                entry["row"].append(r)

    @property
    def warnings(self) -> list[dict]:
        return list(self._warnings.values())

    def as_record(self, scenario: str, recipe: str) -> dict:
        return {
            "format": FORMAT,
            "scenario": scenario,
            "recipe": recipe,
            "sources": self.sources,
            "nodes": self.nodes,
            "edges": self.edges,
            "populations": self.populations,
            "assumptions": self.assumptions,
            "warnings": self.warnings,
        }
