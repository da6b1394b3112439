"""Read administrative boundaries (COD-AB) into one row per unit of the chosen level.

Formats (geopandas/pyogrio): GeoParquet with WKB or GeoArrow native geometry, GeoJSON,
GeoPackage, shapefile (``.shp`` or a zipped one). Columns: the COD-AB names ``adm{N}_pcode``,
``adm{N}_name`` and the parents' ``adm{K}_pcode`` (any case), or a ``columns:`` mapping
(roles ``pcode``, ``name``, ``parent1``...``parent{N-1}``, ``country``). Coordinates are
reprojected to WGS84 when the file has another CRS (recorded in the provenance); a file
without a CRS whose coordinates fit longitude and latitude is taken as WGS84 with a warning.

An empty or missing geometry, a missing or duplicated P-code is an error naming the row; an
invalid geometry (self-intersection, as real boundaries often have) is repaired with shapely's
``make_valid`` and counted as a warning.
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from simulation.build.provenance import Provenance
from simulation.build.recipe import BoundariesSource, BuildError
from simulation.build.tables import problem

BOUNDARY_FORMATS = (".parquet", ".geoparquet", ".geojson", ".json", ".gpkg", ".shp", ".zip")
#: equal-area projection for unit areas (NSIDC EASE-Grid 2.0 global, EPSG:6933)
EQUAL_AREA = "EPSG:6933"


def read_boundaries(path: Path, shown: str, level: int, source: BoundariesSource,
                    provenance: Provenance) -> gpd.GeoDataFrame:
    """Units with columns pcode, name, parent1.., country, row, area_km2, x, y, geometry."""
    suffix = path.suffix.lower()
    if suffix not in BOUNDARY_FORMATS:
        raise BuildError([problem(shown, None, None, f"unknown boundaries format {suffix!r}; "
                                  f"allowed: {', '.join(BOUNDARY_FORMATS)}")])
    if not path.exists():
        raise BuildError([problem(shown, None, None, "file not found")])
    try:
        if suffix in (".parquet", ".geoparquet"):
            frame = gpd.read_parquet(path)
        else:
            frame = gpd.read_file(path, layer=source.layer, engine="pyogrio")
    except Exception as error:  # noqa: BLE001 - pyogrio, pyarrow and geopandas raise their own kinds
        raise BuildError([problem(shown, None, None, f"cannot read boundaries: {error}")]) from None
    columns = {str(c).lower(): c for c in frame.columns}

    def column(role: str, standard: str, required: bool = True) -> str | None:
        name = source.columns.get(role)
        if name is not None and name not in frame.columns:
            raise BuildError([problem(shown, None, name, f"no such column (the recipe maps "
                                      f"{role!r} to it); columns: {', '.join(map(str, frame.columns))}")])
        name = name or columns.get(standard)
        if name is None and required:
            raise BuildError([problem(shown, None, standard, f"no level-{level} column "
                                      f"{standard!r}; name it in the recipe (columns: "
                                      f"{{{role}: ...}}); columns: {', '.join(map(str, frame.columns))}")])
        return name

    pcode = column("pcode", f"adm{level}_pcode")
    name = column("name", f"adm{level}_name")
    parents = {k: column(f"parent{k}", f"adm{k}_pcode", required=False) for k in range(1, level)}
    country = column("country", "adm0_pcode", required=False)
    rows = np.arange(1, len(frame) + 1)

    codes = frame[pcode].astype("string").str.strip()
    empty = codes.isna() | (codes == "")
    if empty.any():
        raise BuildError([problem(shown, int(rows[empty.to_numpy()][0]), pcode,
                                  f"empty P-code ({int(empty.sum())} rows)")])
    doubled = codes.duplicated(keep=False).to_numpy()
    if doubled.any():
        first = codes[doubled].iloc[0]
        where = rows[(codes == first).to_numpy()].tolist()
        raise BuildError([problem(shown, where[0], pcode, f"P-code {first!r} on rows {where} "
                                  f"({int(doubled.sum())} rows share a P-code); one polygon per "
                                  "unit: dissolve them first")])
    geometry = frame.geometry
    missing = (geometry.isna() | geometry.is_empty).to_numpy()
    if missing.any():
        raise BuildError([problem(shown, int(rows[missing][0]), "geometry",
                                  f"empty or missing geometry ({int(missing.sum())} rows)")])
    kinds = set(geometry.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise BuildError([problem(shown, None, "geometry", f"units must be polygons (found "
                                  f"{', '.join(sorted(kinds))})")])

    facts: dict = {"rows": len(frame), "layer": source.layer, "reprojected": False,
                   "columns": {"pcode": pcode, "name": name}}
    if frame.crs is None:
        minx, miny, maxx, maxy = geometry.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise BuildError([problem(shown, None, "geometry", "no CRS and coordinates that are "
                                      "not longitude/latitude; save the file with its CRS")])
        provenance.warn(shown, None, "geometry", "no CRS in the file",
                        "taken as WGS84 (EPSG:4326): coordinates fit longitude/latitude")
        frame = frame.set_crs("EPSG:4326")
    elif not frame.crs.equals("EPSG:4326") and frame.crs.to_epsg() != 4326:
        facts["reprojected"] = True
        facts["crs_in_file"] = frame.crs.to_string()
        frame = frame.to_crs("EPSG:4326")
    facts["crs"] = "EPSG:4326"

    geoms = frame.geometry.values
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        for r in rows[invalid]:
            provenance.warn(shown, int(r), "geometry", "invalid polygon",
                            "repaired with shapely make_valid")
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        # make_valid may return a collection holding lines: keep the polygonal part
        geoms[invalid] = [_polygonal(g) for g in geoms[invalid]]

    out = gpd.GeoDataFrame({
        "pcode": codes.to_numpy(dtype=object),
        "name": frame[name].astype("string").fillna("").str.strip().to_numpy(dtype=object),
        "row": rows,
    }, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")
    for k, col in parents.items():
        out[f"parent{k}"] = (frame[col].astype("string").fillna("").str.strip().to_numpy(dtype=object)
                             if col else "")  # unknown: name matching then needs no parent
    out["country"] = (frame[country].astype("string").fillna("").to_numpy(dtype=object)
                      if country else "")
    out["area_km2"] = out.geometry.to_crs(EQUAL_AREA).area.to_numpy() / 1e6
    points = _inside_points(out.geometry.values)
    out["x"], out["y"] = shapely.get_x(points), shapely.get_y(points)
    provenance.source("boundaries", path, shown, **facts)
    out.attrs.update(file=shown, pcode_column=pcode)
    return out


def _polygonal(geometry):
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else geometry


def _inside_points(geoms: np.ndarray) -> np.ndarray:
    """Each unit's centroid, or a point surely inside it where the centroid falls outside."""
    centroids = shapely.centroid(geoms)
    inside = shapely.contains(geoms, centroids)
    if not inside.all():
        centroids[~inside] = shapely.point_on_surface(geoms[~inside])
    return centroids

