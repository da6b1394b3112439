"""Hypothesis strategies: random small valid scenarios, built from the schema's own declarations.

Parameters and interventions are drawn from their pydantic declarations (ranges from each
field's ``ge``/``le``, choices from ``Literal``s, node names for node lists), so a parameter or
an intervention type added to ``simulation.params`` or ``interventions.registry.CATALOGUE``
is fuzzed without touching this file.
"""

import functools
import math
import os
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from simulation.codes import Group, Livelihood, NodeType, Status, names
from simulation.interventions.registry import CATALOGUE
from simulation.params import Parameters
from simulation.phases import PLAN

#: starting statuses a population may declare (in_transit needs a destination: not a start)
START_STATUSES = [s for s in names(Status) if s != "in_transit"]
#: cap on unbounded numbers, so generated runs stay small and fast
SOFT_MAX = 5_000.0
#: examples per fuzz target; raise it for a deeper hunt: PRDS_FUZZ_EXAMPLES=5000 pytest ...
FUZZ_EXAMPLES = int(os.environ.get("PRDS_FUZZ_EXAMPLES", "300"))
#: CI (CI=true) runs a fixed set of examples, so a submission is judged on the same inputs
#: every time; elsewhere each run explores new ones (and replays failures it found before)
DERANDOMIZE = bool(os.environ.get("CI"))

@functools.cache  # building strategies costs more than drawing from them: build each once
def numbers(lo: float, hi: float) -> st.SearchStrategy:
    """Floats in [lo, hi], those under the loader's smallest size (1e-9) snapped to 0 or lo."""
    from simulation.scenario.loader import MIN_NUMBER

    return st.floats(lo, hi, allow_nan=False).map(
        lambda v: v if abs(v) >= MIN_NUMBER or v == 0 else (0.0 if lo <= 0 else lo))


shares = numbers(0.0, 1.0)


def _bounds(metadata) -> tuple[float | None, float | None]:
    lo = hi = None
    for item in metadata:
        if isinstance(item, FieldInfo):
            item_lo, item_hi = _bounds(item.metadata)
            lo = item_lo if item_lo is not None else lo
            hi = item_hi if item_hi is not None else hi
        elif isinstance(item, annotated_types.Ge):
            lo = float(item.ge)
        elif isinstance(item, annotated_types.Gt):  # strictly above: a little above
            lo = float(item.gt) + max(1e-6, abs(float(item.gt)) * 1e-6)
        elif isinstance(item, annotated_types.Le | annotated_types.Lt):
            hi = float(getattr(item, "le", getattr(item, "lt", None)))
    return lo, hi


def for_annotation(annotation, metadata, field_name: str, node_names: list[str]) -> st.SearchStrategy:
    """A strategy of YAML-ready values for a pydantic field annotation (see module docstring)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return for_annotation(base, [*metadata, *extra], field_name, node_names)
    if origin in (Union, types.UnionType):
        return st.one_of([for_annotation(a, metadata, field_name, node_names)
                          for a in get_args(annotation)])
    if annotation is type(None):
        return st.none()
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin is list:
        (item,) = get_args(annotation)
        if item is str and field_name in ("nodes", "edge_nodes"):
            return st.lists(st.sampled_from(node_names), min_size=1, max_size=3, unique=True)
        return st.lists(for_annotation(item, [], field_name, node_names), min_size=1, max_size=3,
                        unique=True)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_dicts(annotation, node_names)
    lo, hi = _bounds(metadata)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        lo_i = int(lo) if lo is not None else 0
        hi_i = int(hi) if hi is not None else lo_i + 12
        return st.integers(lo_i, min(hi_i, lo_i + 1000))
    if annotation is float:
        lo_f = lo if lo is not None else 0.0
        hi_f = hi if hi is not None and math.isfinite(hi) else lo_f + SOFT_MAX
        return numbers(lo_f, min(hi_f, lo_f + SOFT_MAX))
    if annotation is str:
        if field_name in ("node", "origin", "source", "target"):
            return st.sampled_from(node_names)
        return st.text("abcdefgh ", min_size=1, max_size=8)
    raise NotImplementedError(f"no strategy for {field_name}: {annotation!r}")


@st.composite
def model_dicts(draw, model: type[BaseModel], node_names: list[str],
                most: int = 8) -> dict[str, Any]:
    """A dict for ``model``: required fields, and up to ``most`` optional ones, drawn from
    their types; the rest keep their defaults (few draws: generation stays fast)."""
    out: dict[str, Any] = {}
    optional = [name for name, info in model.model_fields.items() if not info.is_required()]
    chosen = set(draw(st.lists(st.sampled_from(optional), max_size=most, unique=True))
                 if optional else [])
    for name, info in model.model_fields.items():
        required = info.is_required()
        if name == "type" and get_origin(info.annotation) is Literal:
            out[name] = get_args(info.annotation)[0]
            continue
        if not required and name not in chosen:
            continue
        strategy = field_strategy(model, name, tuple(node_names))
        if strategy is None:
            if required:
                raise NotImplementedError(f"no strategy for {model.__name__}.{name}")
            continue
        out[name] = draw(strategy)
    return out


@functools.cache
def field_strategy(model: type[BaseModel], name: str, node_names: tuple[str, ...]):
    """The strategy of one field of ``model`` (None if its type has none), built once."""
    info = model.model_fields[name]
    try:
        return for_annotation(info.annotation, info.metadata, name, list(node_names))
    except NotImplementedError:
        return None


@st.composite
def interventions(draw, node_names: list[str], steps: int) -> dict[str, Any]:
    """One intervention from the registry, with a consistent window."""
    spec = draw(st.sampled_from(CATALOGUE))
    data = draw(model_dicts(spec, node_names))
    start = data.get("start", 1)
    data["start"] = min(start, steps + 2)
    if data.get("end") is not None:
        data["end"] = max(data["end"], data["start"])
    return data


THREATS = st.one_of(
    shares,
    st.dictionaries(st.integers(0, 8), shares, min_size=1, max_size=3),
    st.lists(shares, min_size=1, max_size=8),
)


def amounts(lo: float, hi: float) -> st.SearchStrategy:
    """A node economy value: a number, a {step: value} map from step 0, or a list per step."""
    values = numbers(lo, hi)
    return st.one_of(
        values,
        st.tuples(values, st.dictionaries(st.integers(1, 8), values, max_size=2)).map(
            lambda first_and_later: {0: first_and_later[0], **first_and_later[1]}),
        st.lists(values, min_size=1, max_size=8),
    )


NODE_OPTIONAL = {
    "threat": THREATS, "hazard": shares, "hazard_months": numbers(0, 12),
    "services": shares, "housing": shares, "damage": shares,
    "labour_demand": amounts(0, 400), "wage": amounts(0, 600), "meb": amounts(0, 120),
    "market": shares, "cohesion": shares, "hlp": shares, "freedom_of_movement": shares,
    "capacity": st.one_of(st.none(), st.integers(0, 120), numbers(0, 120)),
    "country": st.sampled_from(["home", "abroad"]),
}
NODE_TYPES = st.sampled_from(names(NodeType))


@st.composite
def nodes(draw, name: str) -> dict[str, Any]:
    node = {"name": name, "type": draw(NODE_TYPES)}
    return node | draw(NODE_FIELDS)


#: some of the optional node attributes, each drawn from its strategy
NODE_FIELDS = st.fixed_dictionaries({}, optional=NODE_OPTIONAL)


@st.composite
def edges(draw, node_names: list[str]) -> list[dict[str, Any]]:
    pairs = [(a, b) for i, a in enumerate(node_names) for b in node_names[i + 1:]]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=len(pairs) + 1)) if pairs else []
    out = []
    for a, b in chosen:
        edge: dict[str, Any] = {"source": a, "target": b, "distance": draw(numbers(1, 3000))}
        if draw(st.booleans()):
            edge["cost"] = draw(numbers(0, 200))
        if draw(st.booleans()):
            edge["border"] = True
        if draw(st.booleans()):
            start = draw(st.integers(0, 6))
            edge["closures"] = [[start, draw(st.sampled_from([-1, start, start + 2]))]]
        if draw(st.booleans()):
            edge["regular_slots"] = draw(numbers(0, 12))
        out.append(edge)
    return out


@st.composite
def populations(draw, node_names: list[str]) -> dict[str, Any]:
    population: dict[str, Any] = {
        "group": draw(st.sampled_from(names(Group))),
        "node": draw(st.sampled_from(node_names)),
        "households": draw(st.integers(0, 60)),
    }
    population.update(draw(population_profile(node_names)))
    return population


@st.composite
def arrivals(draw, node_names: list[str]) -> dict[str, Any]:
    """Households arriving during the run (``arrivals:``): where, how many, Flee-style weights."""
    entry: dict[str, Any] = {"group": draw(st.sampled_from(names(Group)))}
    if draw(st.booleans()):
        entry["node"] = draw(st.sampled_from(node_names))
    else:
        entry["nodes"] = draw(st.dictionaries(st.sampled_from(node_names), numbers(0, 1000),
                                              min_size=1, max_size=3))
    if draw(st.booleans()):
        entry["households"] = draw(st.integers(0, 15))
    else:
        entry["counts"] = draw(st.one_of(
            st.lists(st.integers(0, 15), max_size=8),
            st.dictionaries(st.integers(1, 8), st.integers(0, 15), max_size=3)))
    for key, strategy in {"threat_weighted": st.booleans(), "flee": st.booleans(),
                          "threat_decay": st.lists(numbers(0, 2), max_size=4),
                          "decay_days": numbers(1, 90)}.items():
        if draw(st.booleans()):
            entry[key] = draw(strategy)
    entry.update(draw(population_profile(node_names)))
    return entry


@st.composite
def population_profile(draw, node_names: list[str]) -> dict[str, Any]:
    """Optional starting state of a population or arrivals entry."""
    population = draw(PROFILE_FIELDS)
    if draw(st.booleans()):
        population["origin"] = draw(st.sampled_from(node_names))
    return population


PROFILE_OPTIONAL = {
    "status": st.sampled_from(START_STATUSES),
    "months_displaced": numbers(0, 60), "size_mean": numbers(1, 9),
    "skills_mean": shares, "skills_sd": shares, "documented": shares, "hlp_secure": shares,
    "assets_mean": numbers(0, 4000), "savings_mean": numbers(0, 800),
    "debt_mean": numbers(0, 800), "household_goods_mean": numbers(0, 500),
    "house_value_mean": numbers(0, 5000), "ties": shares, "origin_ties": shares,
    "livelihoods": st.dictionaries(st.sampled_from(names(Livelihood)),
                                   numbers(0.05, 1.0), min_size=1, max_size=3),
}
PROFILE_FIELDS = st.fixed_dictionaries({}, optional=PROFILE_OPTIONAL)


@st.composite
def scenarios(draw, max_nodes: int = 6, max_steps: int = 6) -> dict[str, Any]:
    """A small valid scenario dict: 1..max_nodes nodes, a few populations and interventions."""
    n = draw(st.integers(1, max_nodes))
    node_names = [f"N{i}" for i in range(n)]
    steps = draw(st.integers(1, max_steps))
    data: dict[str, Any] = {
        "name": "generated",
        "steps": steps,
        "days_per_step": draw(st.sampled_from([1.0, 7.0, 30.0, 30.0, 91.0])),
        "seed": draw(st.integers(0, 2**32)),
        "graph": {"nodes": [draw(nodes(name)) for name in node_names],
                  "edges": draw(edges(node_names))},
        "populations": draw(st.lists(populations(node_names), min_size=draw(st.sampled_from([0, 1, 1])),
                                      max_size=4)),
        "parameters": draw(model_dicts(Parameters, node_names)),
        "interventions": draw(st.lists(interventions(node_names, steps), max_size=3)),
    }
    if draw(st.integers(0, 2)) == 0:
        data["arrivals"] = draw(st.lists(arrivals(node_names), min_size=1, max_size=2))
    if draw(st.integers(0, 4)) == 0:  # a reduced plan, as the Flee validation runs
        data["phases"] = draw(st.lists(st.sampled_from([name for name, _ in PLAN]),
                                       min_size=1, max_size=len(PLAN), unique=True))
    return data



def load_generated(data: dict[str, Any]):
    """Load a generated scenario; drop interventions the schema rejects for graph reasons.

    Intervention specs may check the graph (a pathway must lead to an abroad node, ...); a
    generated intervention that fails such a check is dropped, and the rest must load.
    """
    from simulation.scenario import ScenarioError, load_scenario

    while True:
        try:
            return load_scenario(data)
        except ScenarioError as error:
            bad = {_intervention_index(key) for _, _, key, _ in error.problems}
            if None in bad or not data["interventions"]:
                raise
            data = {**data, "interventions": [x for i, x in enumerate(data["interventions"])
                                              if i not in bad]}


def _intervention_index(key: str) -> int | None:
    if not key.startswith("interventions["):
        return None
    return int(key[len("interventions["):].split("]", 1)[0])
