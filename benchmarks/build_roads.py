"""Time road km (recipe ``edges.roads``) on a generated road grid over the CAF at level 3.

    .venv/bin/python benchmarks/build_roads.py [--spacing-km 5]

No real OpenStreetMap extract ships with the project, so this writes a synthetic OSM XML
file: a square grid of ``highway=track`` ways over the Central African Republic's bounding box
(one way per grid row and column, a node every ``--spacing-km``). Then it times, with the
real CAF level-3 boundaries (175 units) and the example's fixtures: reading the file
(osmnx ``graph_from_xml``, parsing the XML in Python), snapping the units' points and the
shortest paths (``simulation.build.roads``), and the whole build with and without roads.
Prints JSON with the machine's load average (numbers vary with what else it runs).
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.build_level3 import recipe

#: the CAF's bounding box, degrees (lon_min, lat_min, lon_max, lat_max), rounded outwards
CAF_BOX = (14.4, 2.2, 27.5, 11.1)
KM_PER_DEGREE = 111.32


def grid_osm(path: Path, spacing_km: float) -> int:
    """Write a grid of tracks over CAF_BOX; returns the number of nodes."""
    lon0, lat0, lon1, lat1 = CAF_BOX
    step = spacing_km / KM_PER_DEGREE
    lons = np.arange(lon0, lon1 + step / 2, step)
    lats = np.arange(lat0, lat1 + step / 2, step)
    ids = np.arange(1, lons.size * lats.size + 1).reshape(lats.size, lons.size)
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n')
        for r, lat in enumerate(lats):
            for c, lon in enumerate(lons):
                out.write(f'<node id="{ids[r, c]}" lat="{lat:.5f}" lon="{lon:.5f}"/>\n')
        way = 1
        for line in [*ids, *ids.T]:
            refs = "".join(f'<nd ref="{n}"/>' for n in line)
            out.write(f'<way id="{way}">{refs}<tag k="highway" v="track"/></way>\n')
            way += 1
        out.write("</osm>\n")
    return int(ids.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spacing-km", type=float, default=5.0)
    args = parser.parse_args()

    import yaml

    from simulation.build import build
    from simulation.build.boundaries import read_boundaries
    from simulation.build.graph import neighbour_pairs
    from simulation.build.provenance import Provenance
    from simulation.build.recipe import load_recipe
    from simulation.build.roads import read_roads, road_km

    report = {"load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        osm = folder / "grid.osm"
        report["road_nodes"] = grid_osm(osm, args.spacing_km)
        report["osm_mb"] = round(osm.stat().st_size / 1e6, 1)
        plain = recipe(folder, 3)
        data = yaml.safe_load(plain.read_text(encoding="utf-8"))
        data["edges"] = {"roads": str(osm)}
        roads_recipe = folder / "roads.recipe.yaml"
        roads_recipe.write_text(yaml.safe_dump(data), encoding="utf-8")

        started = time.perf_counter()
        network = read_roads(osm, osm.name)
        report["read_roads_s"] = round(time.perf_counter() - started, 2)
        parsed = load_recipe(plain)
        units = read_boundaries(parsed.path_of(parsed.boundaries), "boundaries", 3,
                                parsed.boundaries, Provenance())
        pairs = neighbour_pairs(units.geometry.values, parsed.edges.tolerance_m)
        started = time.perf_counter()
        distances = road_km(network, units["x"].to_numpy(), units["y"].to_numpy(), pairs)
        report["snap_and_paths_s"] = round(time.perf_counter() - started, 2)
        report["pairs"] = len(pairs)
        report["pairs_by_road"] = int(np.isfinite(distances.km).sum())

        started = time.perf_counter()
        build(plain, folder / "plain.yaml")
        report["build_without_roads_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        build(roads_recipe, folder / "roads.yaml")
        report["build_with_roads_s"] = round(time.perf_counter() - started, 2)
    report["load_average_end"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
