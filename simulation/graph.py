"""The settlement graph: a networkx graph for people, mirrored into arrays for the engine.

Nodes are settlements (origin, town, camp, host_area, border, abroad) and edges routes
(DESIGN.md section 2). ``graph.nx`` is the networkx view a user draws and inspects; the step
reads only the NumPy arrays, the precomputed shortest-path distance tables and the
neighbour tables of hop-by-hop journeys, which are recomputed only when the set of open
edges changes (closures), never per household.
"""

from collections.abc import Sequence

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import csgraph_from_dense, shortest_path

from simulation.codes import NodeType, parse
from simulation.scenario.schema import GraphSpec

#: node attributes mirrored into float arrays (name in spec == name of array)
NODE_FLOATS = (
    "services", "housing", "damage", "labour_demand", "wage", "meb", "market", "cohesion",
    "hlp", "freedom_of_movement", "hazard", "hazard_threat", "hazard_months",
)


#: node attributes that may change step by step (a schedule in the scenario), other than threat
NODE_SCHEDULES = ("labour_demand", "wage", "meb")


#: graphs up to this many nodes get their shortest paths by ``shortest_paths_small``
SMALL_GRAPH = 16


def shortest_paths_small(dense: np.ndarray) -> np.ndarray:
    """Shortest-path lengths between all pairs of an undirected graph given as a dense table
    of edge weights (inf: no edge; either direction usable), as scipy's Dijkstra gives them,
    bit for bit, without its fixed cost (~1 ms a table, most of a small run's set-up).

    Relaxations from every source at once, ``d(s, v) = min(d(s, v), d(s, u) + w(u, v))``,
    until nothing changes: with weights >= 0 and rounding monotone, both this and Dijkstra
    reach the least sum over walks, each added up from the source edge by edge in the same
    float64 additions, so the same numbers. Costs n^3 a round: for small graphs only."""
    n = len(dense)
    weight = np.minimum(dense, dense.T)  # undirected: an edge usable either way
    lengths = np.full((n, n), np.inf)
    np.fill_diagonal(lengths, 0.0)
    for _ in range(n):
        # via[s, u, v] = d(s, u) + w(u, v); the shortest over u for each pair (s, v)
        relaxed = np.minimum(lengths, (lengths[:, :, None] + weight[None, :, :]).min(axis=1))
        if np.array_equal(relaxed, lengths):
            break
        lengths = relaxed
    return lengths


def schedule_by_step(value, steps: int, dtype=np.float64) -> np.ndarray:
    """A node value at each step 0..steps from a number, a {step: value} map or a per-step list.

    A map holds each value from its step until the next key (a step function; 0 before its
    first key); a list shorter than the run holds its last value.
    """
    out = np.zeros(steps + 1, dtype=dtype)
    if isinstance(value, dict):
        held = 0.0
        keys = sorted(value)
        for step in range(steps + 1):
            while keys and keys[0] <= step:
                held = value[keys.pop(0)]
            out[step] = held
    elif isinstance(value, Sequence):
        values = np.asarray(value, dtype=dtype)
        if len(values):
            out[: min(len(values), steps + 1)] = values[: steps + 1]
            out[len(values):] = values[-1]
    else:
        out[:] = float(value)
    return out


def threat_schedule(threat, steps: int) -> np.ndarray:
    """Threat at each step 0..steps (float32, as the engine has always held it)."""
    return schedule_by_step(threat, steps, np.float32)


class SettlementGraph:
    """Nodes and edges of a scenario, as networkx and as arrays (see module docstring)."""

    def __init__(self, spec: GraphSpec, steps: int, travel_cost_per_km: float = 0.05):
        self.spec = spec
        self.names = [node.name for node in spec.nodes]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.n_nodes = len(self.names)
        self.type = np.array([parse(NodeType, n.type) for n in spec.nodes], dtype=np.int8)
        countries = sorted({n.country for n in spec.nodes})
        self.country_names = countries
        self.country = np.array([countries.index(n.country) for n in spec.nodes], dtype=np.int16)
        #: step x node tables of the values that follow a schedule (economics that change)
        self.by_step = {attr: np.stack([schedule_by_step(getattr(n, attr), steps)
                                        for n in spec.nodes], axis=1) for attr in NODE_SCHEDULES}
        for attr in NODE_FLOATS:
            if attr in self.by_step:
                setattr(self, attr, self.by_step[attr][0].copy())
            else:
                setattr(self, attr, np.array([getattr(n, attr) for n in spec.nodes],
                                             dtype=np.float64))
        # the starting values, toward which damage recovery and cohesion recovery pull
        self.base_services = self.services.copy()
        self.base_housing = self.housing.copy()
        self.base_labour_demand = self.labour_demand.copy()
        self.base_cohesion = self.cohesion.copy()
        self.base_market = self.market.copy()
        self.capacity = np.array(
            [np.inf if n.capacity is None else n.capacity for n in spec.nodes], dtype=np.float64
        )
        self.threat_by_step = np.stack([threat_schedule(n.threat, steps) for n in spec.nodes], axis=1)
        self.threat = self.threat_by_step[0].astype(np.float64)
        self.spike_until = np.full(self.n_nodes, -1.0)  # step until which a hazard spike lasts

        edges = spec.edges
        self.edge_source = np.array([self.index[e.source] for e in edges], dtype=np.int32)
        self.edge_target = np.array([self.index[e.target] for e in edges], dtype=np.int32)
        self.edge_distance = np.array([e.distance for e in edges], dtype=np.float64)
        self.edge_cost = np.array(
            [travel_cost_per_km * e.distance if e.cost is None else e.cost for e in edges],
            dtype=np.float64,
        )
        self.edge_border = np.array([e.border for e in edges], dtype=bool)
        self.edge_slots = np.array([e.regular_slots for e in edges], dtype=np.float64)
        self.edge_closures = [list(e.closures) for e in edges]
        # the closures as flat arrays (edge, first step, last step), for open_edges
        spans = [(i, start, end) for i, e in enumerate(edges) for start, end in e.closures]
        self._closure_edge, self._closure_start, self._closure_end = (
            np.array(column, dtype=np.int64) for column in (zip(*spans, strict=True) if spans
                                                             else ((), (), ())))
        self.extra_closed = np.zeros(len(edges), dtype=bool)  # closed by an intervention or event
        self._route_cache: dict[tuple[bytes, bool], tuple[np.ndarray, np.ndarray]] = {}
        self._decay_cache: dict[tuple[bytes, float, float], np.ndarray] = {}
        self._open_memo: tuple[int, bytes, np.ndarray] | None = None
        self._slots_cache: dict[tuple[bytes, bytes, float], np.ndarray] = {}
        self._neighbour_cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        self.nx = self._build_networkx()

    def _build_networkx(self) -> nx.Graph:
        graph = nx.Graph()
        for node in self.spec.nodes:
            graph.add_node(node.name, **node.model_dump(exclude={"name"}))
        for edge in self.spec.edges:
            graph.add_edge(edge.source, edge.target, **edge.model_dump(exclude={"source", "target"}))
        return graph

    # --- economics that change ---------------------------------------------------------------
    def follow_schedules(self, step: int) -> None:
        """Set MEB, wage and jobs to their scheduled values at ``step`` (DESIGN.md section 2).

        MEB and wage take the scheduled value where the schedule changes (nothing else
        writes them). Jobs compose with what else moves them: the schedule shifts ``base_labour_demand`` (the intact level toward
        which damage recovery pulls, and to which stabilization adds its jobs) by the change in
        the scheduled level, and the current ``labour_demand`` likewise; the shocks phase then
        applies damage and threat to the base. Nodes whose schedule does not change this step
        are not touched, so a scenario of plain numbers runs exactly as before.
        """
        last = len(self.by_step["meb"]) - 1
        row, previous = min(step, last), min(max(step - 1, 0), last)
        for attr in ("meb", "wage"):
            table = self.by_step[attr]
            changed = table[row] != table[previous]
            if changed.any():
                setattr(self, attr, np.where(changed, table[row], getattr(self, attr)))
        jobs = self.by_step["labour_demand"]
        change = jobs[row] - jobs[previous]
        moved = change != 0
        if moved.any():
            self.base_labour_demand = np.where(
                moved, np.maximum(self.base_labour_demand + change, 0.0), self.base_labour_demand)
            self.labour_demand = np.where(
                moved, np.maximum(self.labour_demand + change, 0.0), self.labour_demand)

    # --- edges -----------------------------------------------------------------------------------
    def open_edges(self, step: int) -> np.ndarray:
        """Mask of edges open at ``step`` (closures are [start, end] inclusive, end -1 = forever)."""
        extra = self.extra_closed.tobytes()
        if self._open_memo is not None and self._open_memo[:2] == (step, extra):
            return self._open_memo[2].copy()  # (asked several times a step; callers may edit)
        is_open = ~self.extra_closed
        closed = (self._closure_start <= step) & ((self._closure_end == -1)
                                                  | (step <= self._closure_end))
        is_open[self._closure_edge[closed]] = False
        self._open_memo = (step, extra, is_open.copy())
        return is_open

    def distances(self, step: int, cross_borders: bool = True) -> np.ndarray:
        """Shortest-path km between all node pairs over open edges (inf = unreachable)."""
        return self.routes(step, cross_borders)[0]

    def routes(self, step: int, cross_borders: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Shortest-path km and cheapest travel cost per person between all node pairs.

        Only open edges are used; with ``cross_borders=False`` border edges are excluded too,
        which gives the routes open to a household moving regularly without documents.
        Tables are cached per set of usable edges, so closures cost one Dijkstra per change.
        """
        usable = self.open_edges(step)
        if not cross_borders:
            usable &= ~self.edge_border
        key = (usable.tobytes(), cross_borders)
        tables = self._route_cache.get(key)
        if tables is None:
            n = self.n_nodes
            src, dst = self.edge_source[usable], self.edge_target[usable]
            tables = []
            for weight in (self.edge_distance, self.edge_cost):
                dense = np.full((n, n), np.inf)
                np.minimum.at(dense, (src, dst), weight[usable])  # parallel edges: the shorter
                if n <= SMALL_GRAPH:
                    tables.append(shortest_paths_small(dense))
                    continue
                sparse = csgraph_from_dense(dense, null_value=np.inf)  # keeps zero-cost edges
                tables.append(shortest_path(sparse, method="D", directed=False))
            tables = tuple(tables)
            self._route_cache[key] = tables
        return tables

    def distance_decay(self, step: int, softening: float, power: float) -> np.ndarray:
        """``(softening + d_ij) ** power`` over the open routes at ``step`` (Flee's distance
        term of destination weights), cached like the route tables it is computed from."""
        distance = self.routes(step)[0]
        key = (self.open_edges(step).tobytes(), float(softening), float(power))
        decay = self._decay_cache.get(key)
        if decay is None:
            decay = np.power(softening + distance, power)
            self._decay_cache[key] = decay
        return decay

    def neighbour_table(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """Each node's neighbours over the edges open at ``step``: two nodes x largest-degree
        tables, the neighbour ids in ascending order (padded with -1) and the km of the
        shortest open edge to each (inf in the padding); self-loops left out.

        What a hop-by-hop traveller chooses from (``phases/journeys.py``): its size grows with
        the edges, not with the square of the nodes. Cached per set of open edges.
        """
        usable = self.open_edges(step)
        key = usable.tobytes()
        table = self._neighbour_cache.get(key)
        if table is None:
            src, dst = self.edge_source[usable], self.edge_target[usable]
            frm, to = np.concatenate([src, dst]), np.concatenate([dst, src])
            km = np.concatenate([self.edge_distance[usable]] * 2)
            keep = frm != to
            frm, to, km = frm[keep], to[keep], km[keep]
            order = np.lexsort((km, to, frm))  # by node, then neighbour, shortest edge first
            frm, to, km = frm[order], to[order], km[order]
            first = np.ones(len(frm), dtype=bool)  # parallel edges: the shortest
            first[1:] = (frm[1:] != frm[:-1]) | (to[1:] != to[:-1])
            frm, to, km = frm[first], to[first], km[first]
            degree = np.bincount(frm, minlength=self.n_nodes)
            width = max(int(degree.max(initial=0)), 1)
            starts = np.concatenate([[0], np.cumsum(degree)[:-1]])
            column = np.arange(len(frm)) - starts[frm]
            ids = np.full((self.n_nodes, width), -1, dtype=np.int64)
            dist = np.full((self.n_nodes, width), np.inf)
            ids[frm, column], dist[frm, column] = to, km
            table = (ids, dist)
            self._neighbour_cache[key] = table
        return table

    def regular_slots_into(self, step: int, days_per_step: float) -> np.ndarray:
        """Regular-pathway places per node this step: slots on open edges into each abroad node.

        Cached by the open edges, the edges' slots and the step length (they rarely change).
        """
        usable = self.open_edges(step)
        key = (usable.tobytes(), self.edge_slots.tobytes(), float(days_per_step))
        slots = self._slots_cache.get(key)
        if slots is None:
            slots = np.zeros(self.n_nodes)
            months = days_per_step / 30.0
            for ends in (self.edge_source, self.edge_target):
                into_abroad = usable & (self.type[ends] == NodeType.ABROAD)
                np.add.at(slots, ends[into_abroad], self.edge_slots[into_abroad] * months)
            self._slots_cache[key] = slots
        return slots.copy()

    def neighbours(self, name: str) -> list[str]:
        return sorted(self.nx.neighbors(name))
