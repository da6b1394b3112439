"""Turn a Flee-format conflict into a prds scenario (issue 6; DESIGN.md section 8).

``flee_scenario(conflict)`` gives a scenario dict that ``load_scenario`` accepts and ``prds run``
runs; ``write_flee_scenario`` writes it as YAML a user can edit. Each rule follows what Flee
does with the same files (github.com/djgroen/flee: flee/InputGeography.py, flee/flee.py,
flee/spawning.py, flee/datamanager/DataTable.py; FabFlee's validation run.py):

- One step is one day; step s is Flee's day s - 1 (step 0 is the setup, day 0's state).
- Locations -> nodes: a type containing "camp" -> ``camp`` (capacity = population, none when
  empty, as Flee), "conflict" -> ``origin``, "forward" (forwarding hubs) or "marker" -> ``border``
  (passed through), town/default/flood_zone -> ``town``; a type Flee cannot parse -> ``border``
  (Flee keeps it with move chance 1). Longitude/latitude -> x/y, with a ``map`` key saying so.
- Conflict intensity -> node threat per step, with Flee's own state rules
  (``InputGeography.AddNewConflictZones``): a conflict zone whose conflict_date is 0 starts in
  conflict; a column value above 1e-6 after a day at 0 starts (or restarts) the conflict at that
  value; a 0 after a day at exactly 1 ends it. Threat is that intensity, times the settings'
  ``threat_decay`` factor for the period since the conflict began (Flee's conflict_spawn_decay,
  which Flee applies to both spawning and attractiveness), clipped to 0..1.
- Routes -> edges (km; a border edge when the countries differ). ``forced_redirection`` is kept
  out: Flee 3's route choice (flee/moving.py) does not use it, and neither do we.
- Closures -> edge closures over the days Flee keeps them closed (closed on closure_start,
  reopened on closure_end; an end at or before the start per ``FleeClosure.is_active``):
  "country" closes every route between the two countries, "link" the route between two
  locations, "location" every route of the location, "camp"/"idpcamp" every route of the camp
  (Flee turns a closed camp into a town; closing its routes keeps arrivals out, the part that
  shows in camp counts). "remove_forced_redirection" has nothing to act on.
- Camp counts on day 0 -> displaced persons in the camps at the start (Flee's insert_day0).
- New displaced persons: an ``arrivals`` entry whose count at step s is Flee's new refugees of
  day s - 1 (``DataTable.get_daily_difference`` with sum_from_camps: the day's increase of the
  counts summed over data_layout.csv's rows but ``total`` - the camps, and any other row, which
  Flee sums too - a fall carried as a debt against later increases, none on day 0), placed
  at the locations ever in conflict, weighted by population ** population_power x threat
  (Flee's spawn weights have power 1; the settings' ``arrival_weights`` may choose another).
- Households are persons (size 1); the behavioural parameters, step length and phases come
  from one file for all conflicts, ``scenarios/flee/validation_parameters.yaml``.
"""

from pathlib import Path

import numpy as np
import yaml

from simulation.outputs import files
from simulation.scenario import SCENARIOS_DIR
from simulation.validation import flee_io
from simulation.validation.flee_io import INTENSITY_EPSILON, FleeConflict, FleeFormatError

#: the one parameter set used for every Flee-format conflict (its reasoning is in the file)
VALIDATION_PARAMETERS = SCENARIOS_DIR / "flee" / "validation_parameters.yaml"
#: shortest edge the engine accepts (schema: distance > 0); Flee allows 0 km routes
MIN_EDGE_KM = 0.1


def load_validation_parameters(path: str | Path | None = None) -> dict:
    """The validation settings: ``scenario`` keys merged into every imported scenario, the
    ``arrivals`` and ``population`` household profiles, and the ``threat_decay``."""
    path = Path(path) if path is not None else VALIDATION_PARAMETERS
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: must be a mapping with keys scenario, arrivals, population, "
                         "threat_decay, arrival_weights")
    for key in ("scenario", "arrivals", "population", "threat_decay", "arrival_weights"):
        if not isinstance(data.get(key) or {}, dict):
            raise ValueError(f"{path}: {key!r} must be a mapping")
    return data


def node_type(location_type: str) -> str:
    """prds node type of a Flee location_type, matched by substring in Flee's order."""
    kind = location_type.lower()
    if "camp" in kind:
        return "camp"
    if "conflict" in kind:
        return "origin"
    if "forward" in kind or "marker" in kind:
        return "border"
    if not any(word in kind for word in flee_io.LOCATION_KINDS):
        return "border"  # a type Flee cannot parse: move chance 1, like a forwarding hub
    return "town"


def conflict_states(conflict: FleeConflict) -> tuple[np.ndarray, np.ndarray]:
    """Flee's conflict intensity of every location on every day, and the day that conflict
    began (Flee's time_of_conflict; -1 for conflicts there from the start): days x locations
    (``flee_io.conflict_states``, where the reader also checks spawning against it)."""
    return flee_io.conflict_states(conflict.locations, conflict.conflict_names,
                                   conflict.conflict_intensity)


def decayed(states: np.ndarray, onset: np.ndarray, factors: list[float],
            period_days: float) -> np.ndarray:
    """Intensity times Flee's conflict decay factor for the period since the conflict began."""
    if not factors:
        return states
    days = np.arange(len(states))[:, None]
    period = np.minimum((days - onset) // period_days, len(factors) - 1).astype(np.int64)
    return states * np.asarray(factors, dtype=np.float64)[np.maximum(period, 0)]


def threat_schedule(days: np.ndarray) -> dict[int, float] | float:
    """Node threat as a {step: value} step function (step s = day s - 1), or one number."""
    threat = np.clip(days, 0.0, 1.0)
    if np.all(threat == threat[0]):
        return float(threat[0])
    schedule = {0: float(threat[0])}
    for day in np.flatnonzero(np.diff(threat)) + 1:
        schedule[int(day) + 1] = float(threat[day])
    return schedule


def arrival_counts(conflict: FleeConflict) -> list[int]:
    """New displaced persons per step, as FabFlee's run.py spawns them (see module docstring):
    ``flee_io.daily_arrivals`` of the summed data_layout rows (``conflict.arrival_basis``)."""
    basis = conflict.arrival_basis
    if basis is None:  # a FleeConflict built by hand: the camps' counts
        basis = np.vstack([conflict.observed[c] for c in conflict.camp_names]).sum(axis=0)
    return flee_io.daily_arrivals(basis).tolist()


def closed_steps(closure, length: int) -> list[int] | None:
    """[first, last] step a closure is in force (-1: to the end), or None if never."""
    start, end = closure.start_day, closure.end_day
    if start >= length or end == start:
        return None
    return [start + 1, end] if end > start else [start + 1, -1]


def _closed_edges(closure, routes, country) -> list[int]:
    kind, a, b = closure.closure_type, closure.name1, closure.name2
    picked = []
    for k, route in enumerate(routes):
        ends = {route.name1, route.name2}
        if kind == "country":
            hit = {country[route.name1], country[route.name2]} == {a, b} if a != b else False
        elif kind == "link":
            hit = ends == {a, b}
        elif kind in ("location", "camp", "idpcamp"):
            hit = a in ends
        else:  # remove_forced_redirection
            hit = False
        if hit:
            picked.append(k)
    return picked


def arrival_weight(population: int, power: float) -> float:
    """Arrival weight of a location: population ** power (Flee: power 1; 0 weighs all alike)."""
    return float(population) ** power if population > 0 else 0.0


def flee_scenario(conflict: FleeConflict, settings: dict | None = None) -> dict:
    """A scenario dict for ``conflict`` (rules in the module docstring)."""
    settings = load_validation_parameters() if settings is None else settings
    length = conflict.length_days
    country = {loc.name: loc.country for loc in conflict.locations}
    states, onset = conflict_states(conflict)
    decay = settings.get("threat_decay") or {}
    threats = decayed(states, onset, decay.get("factors", []), decay.get("days", 30))
    nodes = []
    for i, loc in enumerate(conflict.locations):
        node = {"name": loc.name, "type": node_type(loc.location_type), "country": loc.country,
                "x": loc.longitude, "y": loc.latitude}
        threat = threat_schedule(threats[:, i])
        if threat != 0.0:
            node["threat"] = threat
        if node["type"] == "camp" and loc.population > 0:
            node["capacity"] = loc.population
        nodes.append(node)
    closures: list[list[list[int]]] = [[] for _ in conflict.routes]
    for closure in conflict.closures:
        window = closed_steps(closure, length)
        if window is not None:
            for k in _closed_edges(closure, conflict.routes, country):
                closures[k].append(window)
    edges = []
    for route, closed in zip(conflict.routes, closures, strict=True):
        edge = {"source": route.name1, "target": route.name2,
                "distance": max(route.distance_km, MIN_EDGE_KM)}
        if country[route.name1] != country[route.name2]:
            edge["border"] = True
        if closed:
            edge["closures"] = closed
        edges.append(edge)
    profile = dict(settings.get("population", {}))
    populations = []
    for camp in conflict.camp_names:
        day0 = int(conflict.observed[camp][0])
        if day0 > 0:
            populations.append({"group": "displaced", "node": camp, "households": day0,
                                "status": "displaced_camp", **profile})
    ever = np.flatnonzero(states.max(axis=0) > INTENSITY_EPSILON)
    power = float((settings.get("arrival_weights") or {}).get("population_power", 1.0))
    scenario = {
        "name": conflict.name,
        "description": (f"Imported from the Flee-format conflict {conflict.name} "
                        f"({len(nodes)} locations, {len(edges)} routes, {length} days from "
                        f"{conflict.start_date}); one household = one person."),
        "steps": length,
        "seed": 0,
        **settings.get("scenario", {}),
        "graph": {"nodes": nodes, "edges": edges},
        "populations": populations,
        # x/y are Flee's longitude/latitude: the scenario is drawn on a map (outputs/maps.py)
        "map": {"attribution": f"locations.csv of {conflict.name} (latitude, longitude)"},
    }
    if len(ever):
        scenario["arrivals"] = [{
            **profile, **settings.get("arrivals", {}),
            "counts": arrival_counts(conflict),  # item k: day k, i.e. step k + 1
            "nodes": {conflict.locations[i].name: arrival_weight(conflict.locations[i].population,
                                                                 power) for i in ever},
        }]
    return scenario


def write_flee_scenario(conflict: FleeConflict, path: str | Path,
                        settings: dict | None = None) -> Path:
    """Write the scenario of ``conflict`` as an editable YAML file (atomically)."""
    scenario = flee_scenario(conflict, settings)
    header = "\n".join([
        f"# {conflict.name}: imported with `prds import-flee {conflict.directory}`.",
        "# Rules of the import: simulation/validation/convert.py. Parameters, step length and",
        f"# phases: {VALIDATION_PARAMETERS.relative_to(SCENARIOS_DIR.parent)} (one set for "
        "every conflict).",
        "# Households are persons. Node threat: conflict intensity per step ({step: value}).",
        "# arrivals.counts: new displaced persons per step (the first item is step 1).",
    ])
    return files.write_text(path, header + "\n" + scenario_yaml(scenario))


class _Flow(dict):
    """A mapping written on one line (a node, an edge, a population)."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # write every value out, no &anchors
        return True


_Dumper.add_representer(_Flow, lambda dumper, data: dumper.represent_mapping(
    "tag:yaml.org,2002:map", data, flow_style=True))
_Dumper.add_representer(list, lambda dumper, data: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", data,
    flow_style=all(not isinstance(item, dict | list) for item in data)))


def scenario_yaml(scenario: dict) -> str:
    """YAML of a scenario: sections as blocks, one line per node, edge and population."""
    data = dict(scenario)
    data["graph"] = {"nodes": [_Flow(n) for n in scenario["graph"]["nodes"]],
                     "edges": [_Flow(e) for e in scenario["graph"]["edges"]]}
    data["populations"] = [_Flow(p) for p in scenario["populations"]]
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)


__all__ = ["FleeFormatError", "flee_scenario", "write_flee_scenario", "conflict_states",
           "arrival_counts", "load_validation_parameters", "node_type"]
