"""Maps of a run: unit polygons shaded by an outcome, nodes where they are, routes as lines.

A scenario is drawn on a map when it names a ``map`` and can place its nodes: node
``x``/``y`` (longitude and latitude, WGS84, as ``prds build`` and ``prds import-flee`` write
them), or the polygon of the node's ``unit`` in the scenario's ``map.boundaries`` file.
Without a ``map`` key, x/y are drawing positions (the bundled default's) and no map is drawn. With boundaries, each unit is
shaded by the outcome of the households at its nodes (several nodes in one unit, e.g. a camp
and its host area, are pooled by households); without, the nodes carry the colour. Routes are
lines between nodes, border crossings dashed. Everything is drawn with matplotlib from local
files (geopandas reads them): no web tiles, so maps work offline.

Speed: ``prds run`` draws a map every run. Boundaries are read once per process (only the key
and geometry columns) and simplified for drawing to about a pixel (shared borders kept shared
with GEOS's coverage simplification), so a 175-unit level-3 file draws in well under a second
(``benchmarks/README.md``). The figures are built without pyplot: the workshop app draws them
from a worker thread.
"""

import functools
import json
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, PercentFormatter

from simulation.codes import Coping, NodeType, names

#: outcomes a map can shade: key -> (what it is, whether a fall is an improvement)
OUTCOMES = {
    "harmful_coping_share": ("share in crisis or emergency coping (LCS 3-4)", True),
    "emergency_coping_share": ("share in emergency coping (LCS 4)", True),
    "self_reliant_share": ("share self-reliant (RSI)", False),
}
#: marker of each node type (camps distinct from the places they sit in)
MARKERS = {"origin": "D", "town": "s", "camp": "^", "host_area": "o", "border": "P",
           "abroad": "*"}
#: a unit of the boundaries file that no node of the scenario names
NOT_IN_SCENARIO = "#eeeeee"
#: a unit whose nodes hold no household (or no indicator yet)
NO_HOUSEHOLDS = "#c8c8c8"
ROUTE, BORDER_ROUTE = "#4d4d4d", "#7b3294"
#: boundary files a map reads, by suffix
FORMATS = {".parquet": "GeoParquet", ".geoparquet": "GeoParquet", ".geojson": "GeoJSON",
           ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "shapefile"}
#: drawing tolerance: this fraction of the larger side of the boundaries' extent (about a
#: pixel of a 1,000-pixel map; assumption: finer detail is not visible)
SIMPLIFY = 1 / 1500
#: nodes labelled by name: all of them up to this many, else the most populous this many
LABELLED = 14


class MapError(ValueError):
    """Boundaries that cannot be drawn: a missing file, a missing key column, an unknown format."""


@dataclass(frozen=True)
class Units:
    """The polygons of a boundaries file, ready to draw (WGS84, simplified for drawing)."""

    file: str
    key: str
    keys: np.ndarray  # the key column (str), one per row
    geometry: np.ndarray  # shapely polygons, simplified
    points: np.ndarray  # (rows, 2) a representative point of each full polygon (lon, lat)
    notes: tuple[str, ...] = ()  # what reading did (reprojection, rows without geometry)

    def bounds(self) -> tuple[float, float, float, float]:
        import shapely

        return tuple(shapely.total_bounds(self.geometry).tolist())


def node_counts(households, n_nodes: int) -> dict[str, np.ndarray]:
    """Households at each node and, of them, how many are in each map outcome (counts)."""
    node = households.node.astype(np.intp)
    count = functools.partial(np.bincount, node, minlength=n_nodes)
    return {
        "households": count().astype(np.float64),
        "harmful_coping_share": count(weights=households.lcs >= Coping.CRISIS),
        "emergency_coping_share": count(weights=households.lcs == Coping.EMERGENCY),
        "self_reliant_share": count(weights=households.self_reliant),
    }


def node_shares(counts: dict[str, np.ndarray], outcome: str) -> np.ndarray:
    """The share of each node's households in ``outcome`` (NaN where a node has none)."""
    at = counts["households"]
    return np.divide(counts[outcome], at, out=np.full(len(at), np.nan), where=at > 0)


def map_problem(scenario) -> str | None:
    """Why the scenario cannot be drawn on a map, or None when it can.

    A scenario is drawn when it names a ``map``: with ``map.boundaries`` (its units' polygons),
    or with node x/y that the ``map`` key says are longitude/latitude. Without a ``map`` key,
    x/y are drawing positions (the bundled default's), not a place.
    """
    if scenario.map is None:
        return ("no map: the scenario names no map (map: {boundaries, key} for unit polygons, "
                "or map: {} when node x/y are longitude/latitude)")
    if has_boundaries(scenario):
        return None
    if any(node.x is not None and node.y is not None for node in scenario.graph.nodes):
        return None
    return ("no map: the scenario's nodes have no coordinates (x, y) and it names no "
            "boundaries (map: {boundaries, key})")


def has_boundaries(scenario) -> bool:
    """Whether the scenario's map names a boundaries file (unit polygons)."""
    return scenario.map is not None and scenario.map.boundaries is not None


def read_units(spec) -> Units:
    """The scenario's ``map`` boundaries (a :class:`MapSpec`), read once per process."""
    path = Path(spec.boundaries)
    try:
        stat = path.stat()
    except OSError:
        raise MapError(f"{path}: boundaries file not found (map.boundaries)") from None
    return _read_units(str(path), spec.key, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_units(file: str, key: str, _mtime: int, _size: int) -> Units:
    import geopandas
    import shapely

    path = Path(file)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise MapError(f"{file}: unknown boundaries format {path.suffix or '(no suffix)'!r}; "
                       f"allowed: {', '.join(sorted(set(FORMATS)))}")
    columns = _columns(path, kind)
    if key not in columns:
        raise MapError(f"{file}: no column {key!r} (map.key); columns: "
                       f"{', '.join(c for c in columns if c != 'geometry')}")
    try:
        if kind == "GeoParquet":
            frame = geopandas.read_parquet(path, columns=[key, columns["geometry"]])
        else:
            frame = geopandas.read_file(path, columns=[key], engine="pyogrio")
    except Exception as error:  # a damaged file: say which and why
        raise MapError(f"{file}: cannot read the boundaries ({kind}): {error}") from None
    notes = []
    present = ~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    if not present.all():
        notes.append(f"{int((~present).sum())} rows of {path.name} without geometry left out")
        frame = frame[present]
    frame = _to_wgs84(frame, file, notes)
    geometry = frame.geometry.to_numpy()
    points = shapely.get_coordinates(shapely.point_on_surface(geometry))
    width = max(np.ptp(points[:, 0]) if len(points) else 0.0,
                np.ptp(points[:, 1]) if len(points) else 0.0)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geometry)
    tolerance = max(xmax - xmin, ymax - ymin, width) * SIMPLIFY
    try:  # keeps the borders neighbours share identical, so no slivers open between them
        simple = shapely.coverage_simplify(geometry, tolerance)
    except Exception:  # an older GEOS, or polygons that overlap (not a coverage)
        simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
    return Units(file=file, key=key, keys=frame[key].astype(str).to_numpy(), geometry=simple,
                 points=points, notes=tuple(notes))


def _columns(path: Path, kind: str) -> dict[str, str]:
    """Column names of a boundaries file (``"geometry"`` maps to its geometry column)."""
    try:
        if kind == "GeoParquet":
            import pyarrow.parquet as pq

            schema = pq.read_schema(path)
            geo = json.loads((schema.metadata or {}).get(b"geo", b"{}"))
            if not geo.get("primary_column"):
                raise MapError(f"{path}: a Parquet file without GeoParquet metadata (no 'geo' "
                               "key): not a boundaries file")
            return {name: name for name in schema.names} | {"geometry": geo["primary_column"]}
        import pyogrio

        fields = pyogrio.read_info(path)["fields"]
        return {str(name): str(name) for name in fields} | {"geometry": "geometry"}
    except MapError:
        raise
    except Exception as error:
        raise MapError(f"{path}: cannot read the boundaries ({kind}): {error}") from None


def _to_wgs84(frame, file: str, notes: list[str]):
    """Longitude and latitude (WGS84): reprojected when the file says another CRS."""
    if frame.crs is None:
        xmin, ymin, xmax, ymax = frame.total_bounds
        if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
            raise MapError(f"{file}: no coordinate reference system, and the coordinates are "
                           "not degrees of longitude and latitude; save it with its CRS")
        notes.append(f"{Path(file).name} gives no CRS: read as WGS84 longitude/latitude")
        return frame
    if frame.crs.equals("EPSG:4326", ignore_axis_order=True) or frame.crs.equals("OGC:CRS84"):
        return frame
    notes.append(f"{Path(file).name} reprojected from {frame.crs.to_string()} to WGS84")
    return frame.to_crs("EPSG:4326")


def node_positions(scenario, units: Units | None) -> np.ndarray:
    """(nodes, 2) longitude and latitude of each node: its x/y, else a point inside its unit
    polygon; NaN for a node that has neither (it is left off the map)."""
    where = {}
    if units is not None:
        for key, point in zip(units.keys, units.points, strict=True):
            where.setdefault(key, point)
    out = np.full((len(scenario.graph.nodes), 2), np.nan)
    for i, node in enumerate(scenario.graph.nodes):
        if node.x is not None and node.y is not None:
            out[i] = (node.x, node.y)
        elif node.unit is not None and node.unit in where:
            out[i] = where[node.unit]
    return out


@dataclass
class DrawnMap:
    """A drawn map and the artists that change with the outcome (the app redraws those)."""

    figure: Figure
    ax: object
    units: Units | None
    unit_patches: PatchCollection | None  # one patch per row of the boundaries file
    unit_nodes: list[np.ndarray]  # per unit row, the nodes in it
    node_markers: dict[str, tuple[object, np.ndarray]]  # node type -> (scatter, node indices)
    cmap: object
    norm: Normalize
    unit_values: np.ndarray = field(default_factory=lambda: np.empty(0))
    biggest: float = 1.0
    #: marker area (points^2) of the largest node: smaller when many nodes share the map
    largest_marker: float = 240.0

    def update(self, households: np.ndarray, values: np.ndarray) -> None:
        """Shade units (or nodes) by ``values`` per node, size nodes by ``households``."""
        households = np.asarray(households, dtype=np.float64)
        values = np.asarray(values, dtype=np.float64)
        sizes = 8 + self.largest_marker * np.sqrt(households / max(self.biggest, 1.0))
        for scatter, nodes in self.node_markers.values():
            scatter.set_sizes(sizes[nodes])
            if self.unit_patches is None:
                scatter.set_facecolor(self._colours(values[nodes]))
        if self.unit_patches is not None:
            self.unit_values = np.array([_pooled(values, households, nodes)
                                         for nodes in self.unit_nodes])
            colours = self._colours(self.unit_values)
            outside = np.array([len(nodes) == 0 for nodes in self.unit_nodes], dtype=bool)
            colours[outside] = matplotlib.colors.to_rgba(NOT_IN_SCENARIO)
            self.unit_patches.set_facecolor(colours)

    def _colours(self, values: np.ndarray) -> np.ndarray:
        colours = self.cmap(self.norm(np.nan_to_num(values)))
        colours[np.isnan(values)] = matplotlib.colors.to_rgba(NO_HOUSEHOLDS)
        return colours


def _pooled(values: np.ndarray, households: np.ndarray, nodes: np.ndarray) -> float:
    """The households-weighted mean of the nodes' values (a share pooled over the unit)."""
    weights = households[nodes] * ~np.isnan(values[nodes])
    total = weights.sum()
    return float(np.nansum(values[nodes] * weights) / total) if total > 0 else np.nan


def draw_map(scenario, households, values, *, outcome: str = "harmful_coping_share",
             difference: bool = False, title: str | None = None, ax=None,
             biggest: float | None = None, legend: bool = True,
             colorbar: bool = True) -> DrawnMap:
    """Draw ``scenario`` on a map: units (or nodes) shaded by ``values`` per node.

    Args:
        households: households at each node (marker area, and weights pooling a unit).
        values: per node, the share in ``outcome`` (a key of OUTCOMES), or with
            ``difference`` the change from a baseline (scenario minus baseline).
        title: the map's title (default: the scenario's name and the outcome).
        ax: draw into these axes (default: a new figure sized to the map).
        biggest: households of the largest marker (default: the largest node now; give
            the same value to maps that should be compared).
        legend, colorbar: with ``ax``, draw the legend and the colour bar beside the axes
            (False: the caller draws one for several maps, as the workshop app does).

    Raises MapError when the scenario cannot be drawn (see :func:`map_problem`) or its
    boundaries cannot be read.
    """
    problem = map_problem(scenario)
    if problem:
        raise MapError(problem)
    what, lower_is_better = OUTCOMES[outcome]
    units = read_units(scenario.map) if has_boundaries(scenario) else None
    positions = node_positions(scenario, units)
    placed = ~np.isnan(positions).any(axis=1)
    extent = _extent(units, {node.unit for node in scenario.graph.nodes}, positions[placed])
    aspect = _aspect(extent) if _geographic(extent) else 1.0
    layout = None
    if ax is None:
        layout = _Layout.for_map(extent, aspect)
        figure = Figure(figsize=(layout.width, layout.height))
        ax = figure.add_axes(layout.map_rect())
    figure = ax.figure

    if difference:
        cmap = matplotlib.colormaps["RdBu_r" if lower_is_better else "RdBu"]
        reach = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 0.0
        reach = max(0.05, math.ceil(reach * 20) / 20)  # symmetric, in 5-point steps
        norm = TwoSlopeNorm(0.0, -reach, reach)
        bar_label = f"change in {what}, percentage points"
    else:
        cmap = matplotlib.colormaps["RdYlGn_r" if lower_is_better else "RdYlGn"]
        norm = Normalize(0.0, 1.0)
        bar_label = what

    unit_patches, unit_nodes = None, []
    if units is not None:
        row_of = {}
        for row, key in enumerate(units.keys):
            row_of.setdefault(key, []).append(row)
        members: list[list[int]] = [[] for _ in units.keys]
        for i, node in enumerate(scenario.graph.nodes):
            for row in row_of.get(node.unit, []):
                members[row].append(i)
        unit_nodes = [np.array(m, dtype=np.intp) for m in members]
        unit_patches = PatchCollection([PathPatch(_path(g)) for g in units.geometry],
                                       edgecolor="#ffffff", linewidth=0.35, zorder=1)
        ax.add_collection(unit_patches)

    _draw_routes(ax, scenario, positions)
    node_markers = {}
    types = [node.type for node in scenario.graph.nodes]
    for kind in names(NodeType):
        nodes = np.flatnonzero(placed & np.array([t == kind for t in types]))
        if len(nodes):
            scatter = ax.scatter(positions[nodes, 0], positions[nodes, 1], marker=MARKERS[kind],
                                 facecolor="white", edgecolor="#222222", linewidth=0.7,
                                 zorder=4 if kind == "camp" else 3)
            node_markers[kind] = (scatter, nodes)
    households = np.asarray(households, dtype=np.float64)
    drawn = DrawnMap(figure=figure, ax=ax, units=units, unit_patches=unit_patches,
                     unit_nodes=unit_nodes, node_markers=node_markers, cmap=cmap, norm=norm,
                     biggest=float(biggest if biggest is not None else households.max(initial=1)),
                     largest_marker=240.0 * min(1.0, math.sqrt(20 / max(int(placed.sum()), 1))))
    drawn.update(households, values)
    _label(ax, scenario, positions, placed, households)

    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect(aspect)
    ax.set_axis_off()
    if layout is not None or colorbar:
        mappable = ScalarMappable(norm, cmap)
        bar = (figure.colorbar(mappable, cax=figure.add_axes(layout.bar_rect())) if layout
               else figure.colorbar(mappable, ax=ax, shrink=0.7, pad=0.01))
        style_colorbar(bar, bar_label, difference)
    handles = legend_handles(scenario, node_markers,
                             units is not None and any(len(m) == 0 for m in unit_nodes))
    if units is not None:
        _scale_bar(ax, extent)
    heading = title or f"{scenario.name}: {what}"
    if layout is None:
        if legend:
            ax.legend(handles=handles, loc="lower left", fontsize=6, framealpha=0.85)
        ax.set_title(heading, fontsize=9, loc="left")
        return drawn
    figure.text(layout.left, layout.title_y(), heading, fontsize=10.5, ha="left", va="center")
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(layout.left,
                  layout.legend_top()), ncols=5, fontsize=7, frameon=False, handlelength=1.6,
                  columnspacing=1.2, borderaxespad=0.0)
    figure.text(layout.left, 0.012, textwrap.fill(footnote(scenario, units, placed, difference),
                                                   layout.footnote_chars()),
                fontsize=6.5, color="#555555", ha="left", va="bottom", linespacing=1.3)
    return drawn


def style_colorbar(bar, label: str, difference: bool = False) -> None:
    """Label and tick a map's colour bar (shares in percent, changes in points)."""
    bar.set_label(label, fontsize=8)
    bar.ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{100 * v:+.0f}") if difference
        else PercentFormatter(1.0, decimals=0))
    bar.ax.tick_params(labelsize=7)


@dataclass(frozen=True)
class _Layout:
    """Fixed margins in inches around the map: title above, colour bar right, legend and
    footnote below (a layout engine would move them as the map's shape changes)."""

    width: float
    map_height: float
    top: float = 0.45
    bottom: float = 0.95
    right: float = 1.15
    left: float = 0.015

    @classmethod
    def for_map(cls, extent, aspect: float) -> "_Layout":
        width = 8.0
        ratio = (extent[3] - extent[1]) * aspect / max(extent[2] - extent[0], 1e-9)
        return cls(width, float(np.clip((width - cls.right) * ratio, 2.8, 8.0)))

    @property
    def height(self) -> float:
        return self.top + self.map_height + self.bottom

    def map_rect(self):
        return (self.left, self.bottom / self.height, 1 - self.right / self.width - self.left,
                self.map_height / self.height)

    def bar_rect(self):
        return (1 - 0.95 / self.width, (self.bottom + 0.15 * self.map_height) / self.height,
                0.14 / self.width, 0.7 * self.map_height / self.height)

    def title_y(self) -> float:
        return 1 - 0.5 * self.top / self.height

    def legend_top(self) -> float:
        return (self.bottom - 0.08) / self.height

    def footnote_chars(self) -> int:
        return int(self.width * 21)


def _path(geometry) -> MplPath:
    """One compound path for a polygon or multipolygon, holes included."""
    import shapely

    vertices, codes = [], []
    for part in shapely.get_parts(geometry):
        for ring in (part.exterior, *part.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            vertices.append(xy)
            ring_codes = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(ring_codes)
    if not vertices:
        return MplPath(np.zeros((1, 2)), [MplPath.MOVETO])
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _draw_routes(ax, scenario, positions: np.ndarray) -> None:
    for border in (False, True):
        segments = []
        for edge in scenario.graph.edges:
            if edge.border != border:
                continue
            ends = [positions[_index(scenario, name)] for name in (edge.source, edge.target)]
            if not np.isnan(ends).any():
                segments.append(ends)
        if segments:
            ax.add_collection(LineCollection(
                segments, colors=BORDER_ROUTE if border else ROUTE,
                linewidths=1.3 if border else 0.8, linestyles="--" if border else "-",
                alpha=0.9 if border else 0.6, zorder=2))


def _index(scenario, name: str) -> int:
    return scenario.node_names().index(name)


def _label(ax, scenario, positions, placed, households) -> None:
    """Names of the nodes: all of them on a small graph, else the most populous."""
    order = [i for i in np.argsort(-households, kind="stable") if placed[i]]
    chosen = order if len(order) <= LABELLED else [i for i in order[:LABELLED] if households[i] > 0]
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for i in chosen:
        ax.annotate(scenario.graph.nodes[i].name, positions[i], xytext=(4, 3),
                    textcoords="offset points", fontsize=6.5, zorder=5, path_effects=halo)


def legend_handles(scenario, node_markers, with_outside: bool) -> list:
    """Legend entries: the node types drawn, routes, border crossings, the grey units."""
    handles = [Line2D([], [], marker=MARKERS[kind], linestyle="", markerfacecolor="white",
                      markeredgecolor="#222222", markersize=6, label=kind.replace("_", " "))
               for kind in node_markers]
    borders = {edge.border for edge in scenario.graph.edges}
    if False in borders:
        handles.append(Line2D([], [], color=ROUTE, lw=0.8, label="route"))
    if True in borders:
        handles.append(Line2D([], [], color=BORDER_ROUTE, lw=1.3, ls="--",
                              label="border crossing"))
    handles.append(Patch(facecolor=NO_HOUSEHOLDS, label="no households"))
    if with_outside:
        handles.append(Patch(facecolor=NOT_IN_SCENARIO, edgecolor="#bbbbbb", lw=0.5,
                             label="not in the scenario"))
    return handles


def footnote(scenario, units, placed, difference: bool) -> str:
    """What the map shows and where its data come from, in a sentence or three."""
    parts = ["Marker area: households at the node."]
    if units is not None:
        parts.append("Units shaded by the households of their nodes, pooled"
                     + (" (change: scenario minus baseline)." if difference else "."))
        source = Path(units.file).name + (f" ({scenario.map.attribution})"
                                          if scenario.map.attribution else "")
        parts.append(f"Boundaries: {source}.")
        parts += [f"{note}." for note in units.notes]
        known = set(units.keys)
        missing = sorted({n.unit for n in scenario.graph.nodes if n.unit and n.unit not in known})
        if missing:
            shown = ", ".join(missing[:6]) + (", ..." if len(missing) > 6 else "")
            parts.append(f"{len(missing)} node units not in the boundaries: {shown}.")
    elif scenario.map.attribution:
        parts.append(f"Coordinates: {scenario.map.attribution}.")
    left_out = [n.name for n, ok in zip(scenario.graph.nodes, placed, strict=True) if not ok]
    if left_out:
        shown = ", ".join(left_out[:6]) + (", ..." if len(left_out) > 6 else "")
        parts.append(f"Not on the map (no coordinates): {shown}.")
    return " ".join(parts)


def _extent(units, named: set, points: np.ndarray) -> tuple[float, float, float, float]:
    """The drawn area: the units the scenario names and its placed nodes, with a margin."""
    import shapely

    boxes = [points.min(axis=0), points.max(axis=0)] if len(points) else []
    if units is not None:
        mine = np.isin(units.keys, list(named - {None}))
        chosen = units.geometry[mine] if mine.any() else units.geometry
        xmin, ymin, xmax, ymax = shapely.total_bounds(chosen)
        boxes += [np.array([xmin, ymin]), np.array([xmax, ymax])]
    corners = np.vstack(boxes)
    (xmin, ymin), (xmax, ymax) = corners.min(axis=0), corners.max(axis=0)
    pad = 0.05 * max(xmax - xmin, ymax - ymin, 1e-6)
    return (xmin - pad, ymin - pad, xmax + pad, ymax + pad)


def _geographic(extent) -> bool:
    return -180 <= extent[0] and extent[2] <= 180 and -90 <= extent[1] and extent[3] <= 90


def _aspect(extent) -> float:
    """Degrees of latitude per degree of longitude drawn: 1 / cos(latitude) (equirectangular)."""
    middle = math.radians((extent[1] + extent[3]) / 2)
    return 1.0 / max(math.cos(middle), 0.1)


def _scale_bar(ax, extent) -> None:
    """A scale bar in km at the lower right (equirectangular at the map's middle latitude)."""
    km_per_degree = 111.32 * math.cos(math.radians((extent[1] + extent[3]) / 2))
    span = (extent[2] - extent[0]) * km_per_degree
    length = _nice(span / 5)
    degrees = length / km_per_degree
    x1 = extent[2] - 0.04 * (extent[2] - extent[0])
    y = extent[1] + 0.04 * (extent[3] - extent[1])
    ax.plot([x1 - degrees, x1], [y, y], color="#222222", lw=2, solid_capstyle="butt", zorder=6)
    ax.annotate(f"{length:g} km", ((x1 - degrees / 2), y), xytext=(0, 3),
                textcoords="offset points", ha="center", fontsize=7, zorder=6)


def _nice(value: float) -> float:
    power = 10 ** math.floor(math.log10(max(value, 1e-9)))
    return max(m * power for m in (1, 2, 5) if m * power <= value) if value >= power else power
