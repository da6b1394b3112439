"""Put a scenario together from a recipe: nodes, edges, populations, and their provenance.

One node per unit at the recipe's level, plus one ``camp`` node per site. Node type: ``origin``
when the displacement table names the unit as where IDPs came from, else ``town`` when the
recipe's density and population thresholds both hold (``towns:``), else ``host_area``.
Hosts are the residents less the IDPs present; displaced households are where the DTM table
puts them (those in sites at the camp nodes), with their origins. Whatever no file gives comes
from the recipe's ``defaults`` by node type, over the built-in values below, and is marked
``assumed`` in the provenance and listed among its assumptions.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simulation.build.boundaries import read_boundaries
from simulation.build.conflict import read_conflict, threat
from simulation.build.displacement import read_displacement
from simulation.build.graph import components, great_circle_km, neighbour_pairs
from simulation.build.population import read_population
from simulation.build.prices import read_prices
from simulation.build.provenance import Provenance, assumed, cite, provenance_path
from simulation.build.recipe import Recipe, load_recipe
from simulation.build.roads import read_roads, road_km
from simulation.build.sites import read_sites
from simulation.outputs.files import write_json, write_text
from simulation.scenario.loader import validate
from simulation.scenario.schema import Scenario

#: node values no standard file gives, by node type (assumption: the illustrative low-income
#: protracted setting of scenarios/default.yaml; USD per month; jobs per household present)
BUILTIN_DEFAULTS: dict[str, dict] = {
    "town": {"services": 0.7, "housing": 0.5, "wage": 300.0, "meb": 62.0, "market": 0.8,
             "cohesion": 0.55, "hlp": 0.6, "jobs_per_household": 1.2},
    "host_area": {"services": 0.4, "housing": 0.6, "wage": 220.0, "meb": 50.0, "market": 0.5,
                  "cohesion": 0.7, "hlp": 0.6, "jobs_per_household": 1.0},
    "origin": {"services": 0.45, "housing": 0.7, "wage": 260.0, "meb": 55.0, "market": 0.6,
               "cohesion": 0.7, "hlp": 0.4, "damage": 0.2, "jobs_per_household": 0.8},
    "camp": {"services": 0.6, "housing": 0.3, "wage": 200.0, "meb": 55.0, "market": 0.4,
             "cohesion": 0.5, "hlp": 0.2, "freedom_of_movement": 0.6,
             "jobs_per_household": 0.2},
}
#: household values no standard file gives, by group (assumption: scenarios/default.yaml)
BUILTIN_HOUSEHOLDS: dict[str, dict] = {
    "host": {"skills_mean": 0.4, "assets_mean": 2500.0, "savings_mean": 200.0,
             "household_goods_mean": 250.0, "house_value_mean": 2500.0,
             "livelihoods": {"farm": 0.4, "casual": 0.4, "business": 0.2}},
    "displaced": {"months_displaced": 12.0, "skills_mean": 0.35, "documented": 0.6,
                  "hlp_secure": 0.4, "assets_mean": 100.0, "savings_mean": 30.0,
                  "household_goods_mean": 70.0, "house_value_mean": 1500.0, "ties": 0.4,
                  "origin_ties": 0.7, "livelihoods": {"casual": 0.7, "business": 0.1,
                                                      "none": 0.2}},
}
#: shortest edge (km): units whose points coincide still take some travel
MIN_DISTANCE_KM = 1.0


@dataclass
class Built:
    """A built scenario: its data (as written), the validated spec and the provenance."""

    data: dict
    scenario: Scenario
    provenance: dict
    written: list[Path]


def build(recipe: Recipe | str | Path | dict, out: str | Path | None = None) -> Built:
    """Build the scenario a recipe describes; write it and its provenance when ``out`` is given.

    ``out`` is the scenario YAML path; ``<stem>.provenance.json`` is written beside it. Paths
    in the scenario (``map.boundaries``) are relative to ``out``'s folder (the recipe's
    folder when not writing). Both files are written atomically.
    """
    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    out = Path(out) if out is not None else None
    folder = (out.parent if out is not None else recipe.folder).resolve()
    shown = lambda path: _relative(path, folder)  # noqa: E731
    provenance = Provenance()
    start = pd.Timestamp(f"{recipe.start}-01")
    end = start + pd.DateOffset(months=recipe.steps) - pd.Timedelta(seconds=1)
    steps, size = recipe.steps, recipe.household_size

    b_path = recipe.path_of(recipe.boundaries)
    units = read_boundaries(b_path, shown(b_path), recipe.level, recipe.boundaries, provenance)
    b_file = shown(b_path)
    p_path = recipe.path_of(recipe.population)
    population = read_population(p_path, shown(p_path), recipe.level, recipe.population, units,
                                 provenance)
    residents = population.persons
    n = len(units)
    conflict = severity = None
    if recipe.conflict:
        path = recipe.path_of(recipe.conflict)
        conflict = read_conflict(path, shown(path), recipe.conflict, units, start, steps,
                                 provenance)
        severity = threat(conflict, residents, recipe.conflict)
    displaced = None
    if recipe.displacement:
        path = recipe.path_of(recipe.displacement)
        weight = severity.sum(axis=1) if severity is not None else np.zeros(n)
        displaced = read_displacement(path, shown(path), recipe.level, recipe.displacement,
                                      units, residents, weight, start, end, provenance)
    sites = None
    if recipe.sites:
        path = recipe.path_of(recipe.sites)
        sites = read_sites(path, shown(path), recipe.level, recipe.sites, units, provenance)
    prices = None
    if recipe.prices:
        path = recipe.path_of(recipe.prices)
        prices = read_prices(path, shown(path), recipe.prices, units, start, steps, provenance)

    # IDPs present per unit; those in sites are part of them
    reported = (np.bincount(displaced.unit, displaced.persons, n) if displaced
                else np.zeros(n))
    in_sites = np.bincount(sites.unit, sites.persons, n) if sites else np.zeros(n)
    for u in np.flatnonzero(in_sites > reported + 0.5):
        if displaced:
            provenance.warn(sites.file, sites.rows[sites.unit == u].tolist(), sites.columns[
                "persons"], "sites hold more persons than DTM reports as IDPs in their unit",
                "the unit's IDPs taken as its sites' persons")
    present = np.maximum(reported, in_sites)
    hosts = residents - present
    for u in np.flatnonzero(hosts < 0):
        provenance.warn(b_file, int(units["row"].iloc[u]), "adm_pcode", "more IDPs present than "
                        "residents", "no host households in the unit")
    hosts = np.maximum(hosts, 0.0)

    # node types
    density = residents / np.maximum(units["area_km2"].to_numpy(), 1e-9)
    town = (density >= recipe.towns.density) & (residents >= recipe.towns.population)
    origin = np.zeros(n, dtype=bool)
    if displaced:
        origin[displaced.origin[displaced.origin != displaced.unit]] = True
    kinds = np.where(origin, "origin", np.where(town, "town", "host_area"))
    type_rule = (f"origin where the displacement table names the unit as IDPs' origin; else "
                 f"town at >= {recipe.towns.density:g} persons/km2 and >= "
                 f"{recipe.towns.population:g} persons (DEGURBA urban cluster); else host_area")
    provenance.assume("node type", None, type_rule)

    names = _unique_names(units["name"].tolist(), units["pcode"].tolist())
    nodes, node_cites = [], {}
    several_countries = len(set(units["country"])) > 1
    for u in range(n):
        row = int(units["row"].iloc[u])
        node = {"name": names[u], "type": str(kinds[u]), "unit": units["pcode"].iloc[u],
                "x": round(float(units["x"].iloc[u]), 5), "y": round(float(units["y"].iloc[u]), 5)}
        cites = {"unit": cite(b_file, row, units.attrs["pcode_column"]),
                 "type": cite(population.file, population.rows[u], population.column,
                              derived=type_rule) if kinds[u] != "origin" else
                 cite(displaced.file, sorted({r for k in np.flatnonzero(displaced.origin == u)
                                              for r in displaced.rows[k]}), "origin",
                      derived=type_rule),
                 "x": cite(b_file, row, "geometry", derived="centroid longitude (or a point "
                           "inside)"),
                 "y": cite(b_file, row, "geometry", derived="centroid latitude (or a point "
                           "inside)")}
        if several_countries:
            node["country"] = units["country"].iloc[u]
            cites["country"] = cite(b_file, row, "adm0_pcode")
        if severity is not None:
            node["threat"] = _schedule(severity[u], 3)
            cites["threat"] = cite(conflict.file, conflict.rows[u][:50], conflict.column,
                                   derived="monthly (events + fatality_weight x fatalities) per "
                                   "100,000 residents, saturating (simulation/build/"
                                   "conflict.py)", events=len(conflict.rows[u]))
        if prices is not None:
            node["meb"] = _schedule(prices.meb[u], 2)
            how = ("nearest market" if prices.nearest[u] else "mean of the markets inside")
            cites["meb"] = cite(prices.file, prices.rows[u][:50], prices.column,
                                derived=f"basket cost / (1 - non_food_share), {how}: "
                                f"{', '.join(prices.markets[u])}")
        nodes.append(node)
        node_cites[names[u]] = cites

    # camps
    camp_names, camp_unit = [], []
    if sites:
        taken = set(names)
        for s, site in enumerate(sites.name):
            name = site if site not in taken else f"{site} (camp)"
            taken.add(name)
            u = int(sites.unit[s])
            row = int(sites.rows[s])
            node = {"name": name, "type": "camp", "unit": units["pcode"].iloc[u],
                    "x": round(float(sites.x[s]), 5), "y": round(float(sites.y[s]), 5)}
            cites = {"unit": cite(sites.file, row, sites.columns["pcode"] or "geometry"),
                     "type": cite(sites.file, row, sites.columns["name"], derived="a site"),
                     "x": cite(sites.file, row, sites.columns["longitude"]) if
                     sites.columns["longitude"] else assumed("the point of its unit"),
                     "y": cite(sites.file, row, sites.columns["latitude"]) if
                     sites.columns["latitude"] else assumed("the point of its unit")}
            if not np.isnan(sites.capacity[s]):
                node["capacity"] = float(np.ceil(sites.capacity[s] * recipe.sample / size))
                cites["capacity"] = cite(sites.file, row, sites.columns["capacity"],
                                         derived="persons / household_size")
            for key in ("threat", "meb"):
                if key in nodes[u]:
                    node[key] = nodes[u][key]
                    cites[key] = {**node_cites[names[u]][key],
                                  "derived": f"that of its unit {names[u]}: "
                                  + node_cites[names[u]][key]["derived"]}
            nodes.append(node)
            node_cites[name] = cites
            camp_names.append(name)
            camp_unit.append(u)

    # populations
    populations, population_cites = [], []
    host_defaults = _households(recipe, "host", provenance)
    displaced_defaults = _households(recipe, "displaced", provenance)
    for u in range(n):
        count = int(round(hosts[u] * recipe.sample / size))
        if count <= 0:
            continue
        populations.append({"group": "host", "node": names[u], "households": count,
                            "size_mean": size, **host_defaults})
        entry = cite(population.file, population.rows[u], population.column,
                     derived="(persons - IDPs present) x sample / household_size"
                     + (f"; {population.notes[u]}" if population.notes[u] else ""))
        if present[u] > 0 and displaced:
            k = np.flatnonzero(displaced.unit == u)
            entry["less"] = cite(displaced.file, sorted({r for i in k for r in displaced.rows[i]}),
                                 displaced.column)
        population_cites.append({"group": "host", "node": names[u], "origin": None,
                                 "households": entry, "persons": round(float(hosts[u]), 1)})
    if displaced or sites:
        entries = _displaced_entries(displaced, sites, present, in_sites, units, n,
                                     severity, residents, provenance)
        for where, origin_unit, persons, rows_cited, file, column, ruled in entries:
            count = int(round(persons * recipe.sample / size))
            if count <= 0:
                continue
            node = camp_names[where - n] if where >= n else names[where]
            item = {"group": "displaced", "node": node, "households": count, "size_mean": size,
                    **displaced_defaults}
            if names[origin_unit] != node:
                item["origin"] = names[origin_unit]
            populations.append(item)
            population_cites.append({
                "group": "displaced", "node": node, "origin": item.get("origin"),
                "households": cite(file, rows_cited, column, derived="persons x sample / "
                                   "household_size"),
                "origin_source": (assumed("the unit of the admin1 with the most conflict per "
                                          "resident, else the most populous") if ruled else
                                  cite(displaced.file, rows_cited, "origin")),
                "persons": round(float(persons), 1)})

    # node values from defaults (assumed), jobs from households present
    present_at: dict[str, int] = {}  # households present at each node, for jobs
    for item in populations:
        present_at[item["node"]] = present_at.get(item["node"], 0) + item["households"]
    for node in nodes:
        values = {**BUILTIN_DEFAULTS[node["type"]], **recipe.defaults.get(node["type"], {})}
        jobs = values.pop("jobs_per_household")
        for key, value in values.items():
            if key in node:
                continue
            node[key] = value
            rule = (f"recipe defaults.{node['type']}.{key}" if key in recipe.defaults.get(
                node["type"], {}) else f"built-in default for {node['type']} nodes "
                "(simulation/build/builder.py; after scenarios/default.yaml)")
            node_cites[node["name"]][key] = assumed(rule)
            provenance.assume(f"{key} at {node['type']} nodes", value, rule)
        if "labour_demand" not in node:
            node["labour_demand"] = float(round(jobs * present_at.get(node["name"], 0)))
            rule = (f"jobs_per_household ({jobs:g}, {'recipe defaults' if 'jobs_per_household' in recipe.defaults.get(node['type'], {}) else 'built-in default'}"
                    f" for {node['type']}) x households at the node")
            node_cites[node["name"]]["labour_demand"] = assumed(rule)
            provenance.assume(f"labour_demand at {node['type']} nodes", jobs, rule)

    # edges
    pairs = neighbour_pairs(units.geometry.values, recipe.edges.tolerance_m)
    x, y = units["x"].to_numpy(), units["y"].to_numpy()
    km = great_circle_km(x[pairs[:, 0]], y[pairs[:, 0]], x[pairs[:, 1]], y[pairs[:, 1]])
    road = None
    if recipe.edges.roads is not None:
        r_path = Path(recipe.edges.roads).expanduser()
        r_path = r_path if r_path.is_absolute() else recipe.folder / r_path
        network = read_roads(r_path, shown(r_path))
        provenance.source("roads", r_path, shown(r_path), road_nodes=network.nodes,
                          highway_ways=network.ways)
        road = road_km(network, x, y, pairs, recipe.edges.road_access_km)
    edges, edge_cites = [], []
    for k, ((i, j), d) in enumerate(zip(pairs, km, strict=True)):
        rows = [int(units["row"].iloc[i]), int(units["row"].iloc[j])]
        shared = f"units within {recipe.edges.tolerance_m:g} m share a border"
        if road is not None and road.reason[k] is None:
            d = road.km[k]
            legs = f"{road.access_km[i]:.1f} and {road.access_km[j]:.1f} km"
            source = cite(network.file, None, "highway ways", method="road", derived=(
                "road km: the shortest path on the road network between the road nodes "
                f"nearest the units' points, plus the great-circle km to them ({legs}); "
                f"{shared}"))
        else:
            source = cite(b_file, rows, "geometry", method="great-circle",
                          derived=f"great-circle km between the units' points; {shared}")
            if road is not None:
                source["fallback"] = road.reason[k]
                provenance.warn(network.file, None, None, f"neighbouring units: {road.reason[k]}",
                                "great-circle km between the units' points")
        edge = {"source": names[i], "target": names[j],
                "distance": round(max(float(d), MIN_DISTANCE_KM), 1)}
        ecite = {"source": names[i], "target": names[j], "distance": source}
        if units["country"].iloc[i] != units["country"].iloc[j]:
            edge["border"] = True
            ecite["border"] = cite(b_file, rows, "adm0_pcode", derived="units of two countries")
        edges.append(edge)
        edge_cites.append(ecite)
    for c, (name, u) in enumerate(zip(camp_names, camp_unit, strict=True)):
        d = great_circle_km(sites.x[c], sites.y[c], x[u], y[u])
        edges.append({"source": names[u], "target": name,
                      "distance": round(max(float(d), MIN_DISTANCE_KM), 1)})
        edge_cites.append({"source": names[u], "target": name,
                           "distance": cite(sites.file, int(sites.rows[c]), sites.columns[
                               "latitude"] or sites.columns["pcode"], derived="great-circle km "
                               f"from the site to its unit's point (at least {MIN_DISTANCE_KM:g})")})
    label = components(n, pairs)
    if len(set(label)) > 1:
        provenance.warn(b_file, None, "geometry", f"units in {len(set(label))} groups that share "
                        "no border", "no edges between the groups (add them in the scenario)")

    credit = f"; {recipe.attribution}" if recipe.attribution else ""
    data = {
        "name": recipe.name,
        "description": recipe.description or f"Built by prds build from {shown(recipe._path)}"
                       f" ({recipe.level and f'admin level {recipe.level}'}){credit}",
        "steps": steps, "days_per_step": 30.0, "seed": recipe.seed,
        "map": {"boundaries": b_file, "key": _key_column(recipe),
                **({"attribution": recipe.attribution} if recipe.attribution else {})},
        "graph": {"nodes": nodes, "edges": edges},
        "populations": populations,
        **recipe.scenario,
    }
    scenario = validate(data, {}, str(out) if out else "<built scenario>")
    provenance.nodes = node_cites
    provenance.edges = edge_cites
    provenance.populations = population_cites
    record = provenance.as_record(out.name if out else "", shown(recipe._path))
    record["attribution"] = recipe.attribution
    written = []
    if out is not None:
        written.append(write_json(provenance_path(out), record))
        written.append(write_text(out, _yaml_text(data, recipe, shown)))
    return Built(data, scenario, record, written)


def _key_column(recipe: Recipe) -> str:
    return recipe.boundaries.columns.get("pcode", f"adm{recipe.level}_pcode")


def _households(recipe: Recipe, group: str, provenance: Provenance) -> dict:
    values = {**BUILTIN_HOUSEHOLDS[group], **recipe.households.get(group, {})}
    for key, value in values.items():
        rule = (f"recipe households.{group}.{key}" if key in recipe.households.get(group, {})
                else "built-in default (simulation/build/builder.py; after scenarios/default.yaml)")
        provenance.assume(f"{key} of {group} households", value, rule)
    return values


def _displaced_entries(displaced, sites, present, in_sites, units, n, severity, residents,
                       provenance):
    """(where, origin unit, persons, rows, file, column, origin by rule) for displaced groups.

    ``where`` is a unit index, or n + site index for a camp. Site persons are taken from
    their unit's DTM IDPs in proportion to origins; the rest stay with host families.
    """
    from simulation.build.displacement import _worst

    out = []
    share_left = np.ones(n)
    reported = np.bincount(displaced.unit, displaced.persons, n) if displaced else np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_left = np.where(reported > 0, np.clip(1 - in_sites / reported, 0, 1), 1.0)
    if displaced:
        for k in range(len(displaced.unit)):
            u = int(displaced.unit[k])
            out.append((u, int(displaced.origin[k]), displaced.persons[k] * share_left[u],
                        displaced.rows[k], displaced.file, displaced.column,
                        displaced.origin_rule[k]))
    if sites:
        weight = severity.sum(axis=1) if severity is not None else np.zeros(n)
        parent1 = units["parent1"].to_numpy() if "parent1" in units else units["pcode"].to_numpy()
        for s in range(len(sites.name)):
            u = int(sites.unit[s])
            k = np.flatnonzero(displaced.unit == u) if displaced else np.array([], dtype=int)
            if k.size and reported[u] > 0:
                for i in k:
                    out.append((n + s, int(displaced.origin[i]),
                                sites.persons[s] * displaced.persons[i] / reported[u],
                                [int(sites.rows[s])], sites.file, sites.columns["persons"],
                                displaced.origin_rule[i]))
            else:
                candidates = np.flatnonzero(parent1 == parent1[u])
                out.append((n + s, _worst(candidates, weight, residents), sites.persons[s],
                            [int(sites.rows[s])], sites.file, sites.columns["persons"], True))
    return out


def _schedule(values: np.ndarray, digits: int):
    """A number when constant, else ``{step: value}`` at each change (step 0 included)."""
    rounded = np.round(values.astype(float), digits)
    if np.all(rounded == rounded[0]):
        return float(rounded[0])
    change = np.flatnonzero(np.r_[True, rounded[1:] != rounded[:-1]])
    return {int(t): float(rounded[t]) for t in change}


def _unique_names(names: list[str], codes: list[str]) -> list[str]:
    """Unit names, with the P-code added where a name is used twice (or empty)."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [f"{name} ({code})" if counts[name] > 1 or not name else name
            for name, code in zip(names, codes, strict=True)]


def _relative(path: Path, folder: Path) -> str:
    try:
        return Path(os.path.relpath(Path(path).resolve(), folder)).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(path).resolve().as_posix()


class _Flow(dict):
    """A mapping written on one line (flow style) in the scenario YAML."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # a camp shares its unit's schedules: write both
        return True


_Dumper.add_representer(_Flow, lambda dumper, value: dumper.represent_mapping(
    "tag:yaml.org,2002:map", value.items(), flow_style=True))


def _yaml_text(data: dict, recipe: Recipe, shown) -> str:
    """The scenario as YAML: one line per node, edge and population, a header comment."""
    flowed = dict(data)
    flowed["graph"] = {"nodes": [_Flow(node) for node in data["graph"]["nodes"]],
                       "edges": [_Flow(edge) for edge in data["graph"]["edges"]]}
    flowed["populations"] = [_Flow(item) for item in data["populations"]]
    head = [f"# Built by `prds build {shown(recipe._path)}`: edit freely, or rebuild.",
            "# Where every value came from: the .provenance.json file beside this one",
            "# (values marked `assumed` there come from recipe or built-in defaults)."]
    if recipe.attribution:
        head.append(f"# Sources: {recipe.attribution}")
    body = yaml.dump(flowed, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True,
                     default_flow_style=False)
    return "\n".join(head) + "\n" + body
