"""Road km between neighbouring units from a local OpenStreetMap XML file (recipe ``edges.roads``).

The file is read with osmnx's ``graph_from_xml`` (a local file: nothing is downloaded), one-way
streets both ways (people on foot, and the model's routes are undirected) and every part of
the network kept, not only the largest. Only ways tagged ``highway=*`` count as roads (any
value, tracks and paths included: much displacement is on foot); an extract's rivers,
buildings and boundaries are left out.

Road km between two neighbouring units = the great-circle km from each unit's point to its
nearest road node, plus the shortest path on the road network between those two nodes
(edge lengths are osmnx's great-circle lengths of the ways' segments). An edge falls back to
great-circle km between the units' points, with a counted warning in the provenance, when
a unit has no road node within ``edges.road_access_km`` of its point (the file does not
cover it; default :data:`simulation.build.recipe.ROAD_ACCESS_KM`, 35 km) or the network has
no path between the two nodes (roads in separate pieces). A node of a way that is no road (a
river) is no road node. The
provenance of each edge says which it got (``method``: ``road`` or ``great-circle``).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse
import scipy.sparse.csgraph

from simulation.build.graph import great_circle_km
from simulation.build.recipe import ROAD_ACCESS_KM, BuildError
from simulation.build.tables import problem


@dataclass(frozen=True)
class Roads:
    """A road network: node coordinates and a symmetric sparse matrix of segment km."""

    file: str  # as shown in messages and the provenance
    lon: np.ndarray
    lat: np.ndarray
    km: scipy.sparse.csr_matrix
    ways: int  # highway ways read

    @property
    def nodes(self) -> int:
        return len(self.lon)


def read_roads(path: Path, shown: str) -> Roads:
    """The ``highway`` ways of an OpenStreetMap XML file as a :class:`Roads` network.

    A missing, unreadable or garbled file, or one without any highway way, is a
    :class:`BuildError` naming the file.
    """
    if not path.is_file():
        raise BuildError([problem(shown, None, None, "OpenStreetMap file not found (recipe "
                                  "edges.roads)")])
    import osmnx

    try:
        graph = osmnx.graph_from_xml(path, bidirectional=True, simplify=False, retain_all=True)
    except Exception as error:  # noqa: BLE001 - XML parse errors, osmnx's own, I/O
        raise BuildError([problem(shown, None, None, "cannot read as OpenStreetMap XML (recipe "
                                  f"edges.roads): {type(error).__name__}: {error}")]) from None
    ids: dict[int, int] = {}  # OSM node id -> index, for the nodes of highway ways only
    rows, cols, lengths, ways = [], [], [], set()
    for u, v, data in graph.edges(data=True):
        if "highway" not in data:
            continue
        rows.append(ids.setdefault(u, len(ids)))
        cols.append(ids.setdefault(v, len(ids)))
        lengths.append(float(data["length"]) / 1000.0)
        osmid = data.get("osmid")
        ways.update(osmid if isinstance(osmid, list) else [osmid])
    if not rows:
        raise BuildError([problem(shown, None, None, "no roads: the file has no way tagged "
                                  "highway=* (recipe edges.roads)")])
    lon = np.array([graph.nodes[n]["x"] for n in ids], dtype=float)
    lat = np.array([graph.nodes[n]["y"] for n in ids], dtype=float)
    km = _shortest_parallel(rows, cols, lengths, len(lon))
    return Roads(file=shown, lon=lon, lat=lat, km=km, ways=len(ways))


def _shortest_parallel(rows: list[int], cols: list[int], lengths: list[float],
                       n: int) -> scipy.sparse.csr_matrix:
    """A symmetric matrix of segment km: the shortest of parallel segments between two nodes."""
    a = np.array(rows + cols, dtype=np.int64)
    b = np.array(cols + rows, dtype=np.int64)
    km = np.array(lengths + lengths, dtype=float)
    km = np.maximum(km, 1e-6)  # a zero-length segment is still an edge (0 means none in csgraph)
    order = np.lexsort((km, b, a))
    a, b, km = a[order], b[order], km[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return scipy.sparse.csr_matrix((km[first], (a[first], b[first])), shape=(n, n))


@dataclass(frozen=True)
class RoadDistances:
    """Road km for each neighbour pair (NaN where it falls back), and why it fell back."""

    km: np.ndarray
    reason: list[str | None]  # None: road km; else why great-circle km was used
    access_km: np.ndarray  # per unit, km from its point to its nearest road node


def road_km(roads: Roads, x: np.ndarray, y: np.ndarray, pairs: np.ndarray,
            max_access_km: float = ROAD_ACCESS_KM) -> RoadDistances:
    """Road km between the units of each pair (see the module docstring for the rule)."""
    n_units = len(x)
    nearest = np.empty(n_units, dtype=np.int64)
    access = np.empty(n_units)
    for u in range(n_units):  # one unit at a time: memory stays units + road nodes
        d = great_circle_km(x[u], y[u], roads.lon, roads.lat)
        nearest[u] = int(np.argmin(d))
        access[u] = float(d[nearest[u]])
    reachable = access <= max_access_km
    wanted = [(k, int(i), int(j)) for k, (i, j) in enumerate(pairs)
              if reachable[i] and reachable[j]]
    path = _path_km(roads, nearest, wanted)
    km = np.full(len(pairs), np.nan)
    reason: list[str | None] = []
    for k, (i, j) in enumerate(pairs):
        if not (reachable[i] and reachable[j]):
            reason.append(f"no road node within {max_access_km:g} km of the unit's point")
        elif not np.isfinite(path[k]):
            reason.append("no road path between the units (the roads are in separate pieces)")
        else:
            km[k] = access[i] + path[k] + access[j]
            reason.append(None)
    return RoadDistances(km=km, reason=reason, access_km=access)


#: shortest-path searches run together (memory: this many times the road nodes, 8 bytes each)
SEARCH_CHUNK = 16


def _path_km(roads: Roads, nearest: np.ndarray, wanted: list[tuple[int, int, int]]) -> dict:
    """Road km between the nearest road nodes of each wanted pair (k, i, j): k -> km.

    One Dijkstra search per unit of a vertex cover of the pairs (greedy, most pairs first),
    not per unit: every pair has a searched end, and the network is undirected.
    """
    degree: dict[int, int] = {}
    for _, i, j in wanted:
        degree[i] = degree.get(i, 0) + 1
        degree[j] = degree.get(j, 0) + 1
    sources: set[int] = set()
    for u in sorted(degree, key=lambda u: (-degree[u], u)):
        if any(u in (i, j) and i not in sources and j not in sources for _, i, j in wanted):
            sources.add(u)
    out = dict.fromkeys((k for k, _, _ in wanted), np.inf)
    ordered = sorted(sources)
    for start in range(0, len(ordered), SEARCH_CHUNK):
        chunk = ordered[start:start + SEARCH_CHUNK]
        row = {u: r for r, u in enumerate(chunk)}
        found = scipy.sparse.csgraph.dijkstra(roads.km, directed=False,
                                              indices=nearest[chunk])
        for k, i, j in wanted:
            if i in row:
                out[k] = float(found[row[i], nearest[j]])
            elif j in row:
                out[k] = float(found[row[j], nearest[i]])
    return out
