"""Settlement graph geometry: which units share a border, and how far apart they are.

Two units are neighbours when their polygons come within ``tolerance_m`` of each other (a
shapely STRtree ``dwithin`` query): real boundaries have slivers and gaps of a few metres
between units that share a border, and exact ``touches`` would miss those. Corner-only
contacts count as neighbours too (as a road may pass there). Distances are great-circle km
between the units' points (centroid, or a point inside where the centroid falls outside).
"""

import numpy as np
import shapely

#: mean Earth radius (IUGG), km
EARTH_RADIUS_KM = 6371.0088
#: metres per degree of latitude (for the neighbour tolerance in degrees)
M_PER_DEGREE = 111_320.0


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine distance in km (arrays broadcast)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in
                              (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def neighbour_pairs(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """(i, j) pairs with i < j of polygons within ``tolerance_m`` of each other, sorted."""
    tree = shapely.STRtree(geoms)
    tolerance = tolerance_m / M_PER_DEGREE
    if tolerance > 0:
        left, right = tree.query(geoms, predicate="dwithin", distance=tolerance)
    else:
        left, right = tree.query(geoms, predicate="intersects")
    pairs = np.stack([left, right], axis=1)
    pairs = pairs[pairs[:, 0] < pairs[:, 1]]
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected component label of each of ``n`` units (union-find over the pairs)."""
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        a, b = root(int(i)), root(int(j))
        if a != b:
            parent[max(a, b)] = min(a, b)
    return np.array([root(i) for i in range(n)])
