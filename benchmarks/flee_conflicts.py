"""Generated conflicts in Flee's format, for measuring validation at any graph size and scale.

Two kinds, both written as ordinary Flee folders (``input_csv/``, ``source_data/``) that
``prds validate`` reads like a real one. Generated data is never committed: write it under
``out/`` or a temporary folder.

- ``random_conflict(folder, locations)``: a random planar road network of any size (the
  held-out conflicts of issue 17 reach 780 locations and 1,488 routes). Locations are
  scattered over a square whose side grows with sqrt(locations), so the density of places,
  and with it route lengths and journey lengths, stays the same whatever the size: a bigger
  graph is more of the same country, not a finer mesh of it (assumption, chosen so that the
  cost per agent-day of graphs of different sizes can be compared). Routes: the Euclidean
  minimum spanning tree of the Delaunay triangulation (so the graph is connected) plus the
  shortest other Delaunay edges up to ``routes_per_location`` routes a location (Delaunay
  edges never cross: the network is planar, as roads between towns are); road km = 1.2 x
  straight line (assumption). 10% of the locations are conflict zones (half at war from
  day 0, the others starting on a random day in the first half), 8% camps, the rest towns;
  three countries side by side, the border between the first two closed for the first 20
  days (so the open-route set changes once). Camp counts: each camp fills along a logistic
  curve to its share of ``persons``, reported every 7-30 days, as UNHCR updates are.
- ``scaled_conflict(source, folder, persons)``: a shipped conflict with every population
  and camp count multiplied so that the largest daily camp total is ``persons`` (the scale
  test of issue 17: 25 million people from syria2013's 3.8 million).

Command line (writes the folder and prints its path)::

    python -m benchmarks.flee_conflicts random out/gen/g1000 --locations 1000
    python -m benchmarks.flee_conflicts scaled ../shared/data/flee/syria2013 out/gen/syria25m \\
        --persons 25000000
"""

import argparse
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay

#: km between neighbouring locations on average (the square's area per location is this ^ 2)
SPACING_KM = 60.0
ROAD_FACTOR = 1.2
KM_PER_DEGREE = 111.0
CONFLICT_SHARE, CAMP_SHARE = 0.10, 0.08
COUNTRIES = ("Homeland", "Eastland", "Southland")
START = date(2020, 1, 1)


def planar_routes(xy: np.ndarray, routes: int) -> list[tuple[int, int, float]]:
    """(i, j, km) routes: the minimum spanning tree of the Delaunay triangulation, then its
    shortest other edges, ``routes`` in all (fewer if the triangulation has fewer)."""
    triangles = Delaunay(xy).simplices
    pairs = np.vstack([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]])
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    length = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    n = len(xy)
    tree = minimum_spanning_tree(coo_matrix((length, (pairs[:, 0], pairs[:, 1])), shape=(n, n)))
    in_tree = set(zip(*(np.sort(np.vstack(tree.nonzero()), axis=0)), strict=True))
    chosen = [k for k, (i, j) in enumerate(pairs) if (i, j) in in_tree]
    rest = [k for k in np.argsort(length, kind="stable") if tuple(pairs[k]) not in in_tree]
    chosen += rest[: max(routes - len(chosen), 0)]
    return [(int(pairs[k, 0]), int(pairs[k, 1]), round(ROAD_FACTOR * float(length[k]), 1))
            for k in sorted(chosen)]


def _series(days: int, final: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """(day, count) reports of a camp filling along a logistic curve to ``final``."""
    middle, width = rng.uniform(0.2, 0.7) * days, rng.uniform(0.05, 0.2) * days
    report_days = [0]
    while report_days[-1] < days - 1:
        report_days.append(min(report_days[-1] + int(rng.integers(7, 31)), days - 1))
    return [(d, int(final / (1.0 + np.exp(-(d - middle) / width)))) for d in report_days]


def _write(folder: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def random_conflict(folder: str | Path, locations: int = 1000, routes_per_location: float = 1.5,
                    persons: int = 200_000, days: int = 180, seed: int = 0) -> Path:
    """Write a random conflict of ``locations`` locations (see module docstring)."""
    if locations < 10:
        raise ValueError(f"locations must be at least 10, got {locations}")
    rng = np.random.default_rng(seed)
    side = SPACING_KM * np.sqrt(locations)
    xy = rng.uniform(0.0, side, size=(locations, 2))
    kind = np.full(locations, "town", dtype=object)
    order = rng.permutation(locations)
    n_conflict = max(2, round(CONFLICT_SHARE * locations))
    n_camp = max(2, round(CAMP_SHARE * locations))
    kind[order[:n_conflict]] = "conflict_zone"
    kind[order[n_conflict:n_conflict + n_camp]] = "camp"
    country = np.where(xy[:, 0] < 0.6 * side, 0, np.where(xy[:, 1] < side / 2, 1, 2))
    names = [f"L{i:04d}" for i in range(locations)]
    conflict_ids = np.flatnonzero(kind == "conflict_zone")
    onset = np.where(rng.random(len(conflict_ids)) < 0.5, 0,
                     rng.integers(1, max(days // 2, 2), len(conflict_ids)))
    camps = np.flatnonzero(kind == "camp")
    shares = rng.dirichlet(np.ones(len(camps)))
    finals = np.floor(shares * persons).astype(np.int64)
    series = {int(c): _series(days, int(f), rng) for c, f in zip(camps, finals, strict=True)}
    capacity = {c: max(count for _, count in s) for c, s in series.items()}

    rows = ["#name,region,country,latitude,longitude,location_type,conflict_date,population"]
    for i in range(locations):
        population = capacity[i] if kind[i] == "camp" else int(rng.integers(1_000, 200_000))
        when = int(onset[np.searchsorted(conflict_ids, i)]) if kind[i] == "conflict_zone" else ""
        rows.append(f"{names[i]},R{country[i]},{COUNTRIES[country[i]]},"
                    f"{xy[i, 1] / KM_PER_DEGREE:.5f},{xy[i, 0] / KM_PER_DEGREE:.5f},{kind[i]},"
                    f"{when},{population}")
    routes = planar_routes(xy, round(routes_per_location * locations))
    conflict_rows = ["#Day," + ",".join(names[i] for i in conflict_ids)]
    for d in range(days):
        conflict_rows.append(f"{d}," + ",".join("1" if d >= o else "0" for o in onset))
    dated = lambda d: (START + timedelta(days=int(d))).isoformat()  # noqa: E731
    files = {
        "input_csv/sim_period.csv": f"StartDate,{START.isoformat()}\nLength,{days}\n",
        "input_csv/locations.csv": "\n".join(rows) + "\n",
        "input_csv/routes.csv": "#name1,name2,distance,forced_redirection\n" + "".join(
            f"{names[i]},{names[j]},{km},0\n" for i, j, km in routes),
        "input_csv/closures.csv": ("#closure_type,name1,name2,closure_start,closure_end\n"
                                   f"country,{COUNTRIES[0]},{COUNTRIES[1]},0,20\n"),
        "input_csv/conflicts.csv": "\n".join(conflict_rows) + "\n",
        "source_data/data_layout.csv": "total,refugees.csv\n" + "".join(
            f"{names[c]},camp-{names[c]}.csv\n" for c in camps),
    }
    total = np.zeros(days)
    for c, points in series.items():
        files[f"source_data/camp-{names[c]}.csv"] = "".join(
            f"{dated(d)},{count}\n" for d, count in points)
        day, count = np.array(points).T
        total += np.interp(np.arange(days), day, count)
    files["source_data/refugees.csv"] = "".join(f"{dated(d)},{int(total[d])}\n"
                                                for d in range(0, days, 30))
    return _write(Path(folder), files)


def scaled_conflict(source: str | Path, folder: str | Path, persons: int) -> Path:
    """Copy the conflict ``source`` to ``folder`` with every location population and camp
    count scaled so that its largest daily camp total is ``persons``."""
    from simulation.validation.flee_io import read_flee_conflict

    source, folder = Path(source), Path(folder)
    conflict = read_flee_conflict(source)
    largest = np.vstack([conflict.observed[c] for c in conflict.camp_names]).sum(axis=0).max()
    factor = persons / float(largest)
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(source, folder)
    locations = folder / "input_csv" / "locations.csv"
    lines = locations.read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if len(cells) >= 8 and cells[7].strip():
            cells[7] = str(round(float(cells[7]) * factor))
        out.append(",".join(cells))
    locations.write_text("\n".join(out) + "\n", encoding="utf-8")
    for path in (folder / "source_data").glob("*.csv"):
        if path.name == "data_layout.csv":
            continue
        scaled = []
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split(",")
            try:
                cells[1] = str(round(float(cells[1]) * factor))
            except (IndexError, ValueError):
                pass  # a header, comment or empty count: kept as it is
            scaled.append(",".join(cells))
        path.write_text("\n".join(scaled) + "\n", encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    kinds = parser.add_subparsers(dest="kind", required=True)
    rand = kinds.add_parser("random", help="a random planar conflict")
    rand.add_argument("folder")
    rand.add_argument("--locations", type=int, default=1000)
    rand.add_argument("--routes-per-location", type=float, default=1.5)
    rand.add_argument("--persons", type=int, default=200_000)
    rand.add_argument("--days", type=int, default=180)
    rand.add_argument("--seed", type=int, default=0)
    scaled = kinds.add_parser("scaled", help="a shipped conflict scaled to more persons")
    scaled.add_argument("source")
    scaled.add_argument("folder")
    scaled.add_argument("--persons", type=int, default=25_000_000)
    args = parser.parse_args(argv)
    if args.kind == "random":
        path = random_conflict(args.folder, args.locations, args.routes_per_location,
                               args.persons, args.days, args.seed)
    else:
        path = scaled_conflict(args.source, args.folder, args.persons)
    print(path)


if __name__ == "__main__":
    main()
