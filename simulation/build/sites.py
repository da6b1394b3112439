"""Read a table of camps and displacement sites into camp nodes tied to their unit.

Columns (HXL hashtag, else name, else the recipe's ``columns:``): ``name`` (``#loc+name``,
``site_name``), ``pcode`` of the unit it sits in (``#adm2+code`` at level 2, ``admin2Pcode``),
``latitude``/``longitude`` (``#geo+lat``/``#geo+lon``), ``persons`` (``#affected+idps``,
``numPresentIdpInd``, ``persons``), optional ``capacity`` in persons (``#capacity``).

A site is placed in its P-code's unit, else by point in polygon; a P-code the boundaries lack
with coordinates is placed by its point (counted warning); with neither it is an error. A site
without coordinates is drawn at its unit's point. Site persons are IDPs: the builder takes them
from the IDPs DTM reports in the unit (DTM counts people in sites and with host families).
"""

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from simulation.build.provenance import Provenance
from simulation.build.recipe import BuildError, SitesSource
from simulation.build.tables import problem, read_table


@dataclass
class Sites:
    name: list[str]
    unit: np.ndarray  # unit index each site is in
    x: np.ndarray
    y: np.ndarray
    persons: np.ndarray
    capacity: np.ndarray  # persons; NaN when not given
    rows: np.ndarray
    file: str
    columns: dict


def read_sites(path: Path, shown: str, level: int, source: SitesSource,
               units: gpd.GeoDataFrame, provenance: Provenance) -> Sites:
    table = read_table(path, shown)
    m = source.columns
    name = table.find("name", m, hxl=["#loc+name"], names=["site_name", "name"],
                      wanted="the site name")
    pcode = table.find("pcode", m, hxl=[f"#adm{level}+code"],
                       names=[f"admin{level}Pcode", f"adm{level}_pcode", "pcode"], required=False)
    lat = table.find("latitude", m, hxl=["#geo+lat"], names=["latitude"], required=False)
    lon = table.find("longitude", m, hxl=["#geo+lon"], names=["longitude"], required=False)
    persons_col = table.find("persons", m, hxl=["#affected+idps-m-f", "#population-m-f"],
                             names=["numPresentIdpInd", "persons", "individuals"],
                             wanted="persons at the site")
    capacity_col = table.find("capacity", m, hxl=["#capacity"], names=["capacity"],
                              required=False)
    if pcode is None and (lat is None or lon is None):
        table.find("pcode", m, hxl=[f"#adm{level}+code"], names=[f"admin{level}Pcode"],
                   wanted=f"the level-{level} P-code or latitude and longitude")
    frame, rows = table.frame, table.rows()
    persons = table.numbers(persons_col)
    capacity = (table.numbers(capacity_col, allow_empty=True) if capacity_col
                else np.full(len(frame), np.nan))
    x = (pd.to_numeric(frame[lon].str.strip(), errors="coerce").to_numpy(float) if lon
         else np.full(len(frame), np.nan))
    y = (pd.to_numeric(frame[lat].str.strip(), errors="coerce").to_numpy(float) if lat
         else np.full(len(frame), np.nan))
    has_point = ~np.isnan(x) & ~np.isnan(y)
    contained = np.full(len(frame), -1)
    if has_point.any():
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x[has_point], y[has_point]),
                                  crs="EPSG:4326")
        joined = gpd.sjoin(points, units[["geometry"]], how="inner", predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        contained[np.flatnonzero(has_point)[joined.index]] = units.index.get_indexer(
            joined["index_right"])
    index = {code: i for i, code in enumerate(units["pcode"])}
    unit = np.full(len(frame), -1)
    for i in range(len(frame)):
        code = frame[pcode].iloc[i].strip() if pcode else ""
        if code in index:
            unit[i] = index[code]
            if contained[i] >= 0 and contained[i] != unit[i]:
                provenance.warn(shown, int(rows[i]), pcode, "a site whose point lies in another "
                                "unit than its P-code", "placed in its P-code's unit")
        elif contained[i] >= 0:
            unit[i] = contained[i]
            if code:
                provenance.warn(shown, int(rows[i]), pcode, "a P-code the boundaries lack",
                                "placed by its coordinates")
        else:
            what = (f"P-code {code!r} is not in the boundaries" if code else "no P-code")
            where = " and its point is outside every unit" if has_point[i] else (
                " and no coordinates")
            raise BuildError([problem(shown, int(rows[i]), pcode or lat, f"{what}{where}; "
                                      f"give a level-{level} P-code or coordinates inside a unit")])
    x = np.where(has_point, x, units["x"].to_numpy()[unit])
    y = np.where(has_point, y, units["y"].to_numpy()[unit])
    names = [frame[name].iloc[i].strip() or f"Site {i + 1}" for i in range(len(frame))]
    provenance.source("sites", path, shown, rows=len(frame),
                      columns={"name": name, "persons": persons_col})
    return Sites(names, unit, x, y, persons, capacity, rows, shown,
                 {"name": name, "persons": persons_col, "pcode": pcode, "latitude": lat,
                  "longitude": lon, "capacity": capacity_col})
