"""The scenario schema (DESIGN.md section 7): what a scenario YAML file may say.

A scenario is a settlement graph, populations placed on it, behavioural parameters
(``simulation.params.Parameters``) and interventions. Every model forbids unknown keys, so
a typo is an error (the loader adds the file, line and nearest valid key). Defaults of node
attributes are assumptions for a generic low-income setting and are meant to be overridden.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from simulation.codes import Group, Livelihood, NodeType, Status, names
from simulation.interventions.registry import InterventionList
from simulation.params import Parameters

NodeTypeName = Literal[tuple(names(NodeType))]  # type: ignore[valid-type]
GroupName = Literal[tuple(names(Group))]  # type: ignore[valid-type]
StatusName = Literal[tuple(names(Status))]  # type: ignore[valid-type]
LivelihoodName = Literal[tuple(names(Livelihood))]  # type: ignore[valid-type]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _schedule_check(high: float | None, needs_step_zero: bool):
    """A validator of a value that may change over the run: a number, ``{step: value}`` held
    from that step on, or one value per step (a list whose first item is step 0).

    One clear error per bad value, naming the step, instead of one per member of the union.
    ``needs_step_zero``: a map must give step 0 and a list a first value (an economy has a
    value before its first change; a threat is 0 where its map or list gives none).
    """
    allowed = f"a number from 0 to {high:g}" if high is not None else "a number >= 0"
    forms = f"{allowed}, a {{step: value}} map held from each step on, or a list of one per step"

    def number(value, where: str) -> float:
        got = f" (got {value!r})" if where else ""  # (the loader adds the value of the key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}must be {allowed}{got}; allowed: {forms}")
        if value < 0 or (high is not None and value > high):
            raise ValueError(f"{where}must be {allowed}{got}")
        return float(value)

    def check(value):
        if isinstance(value, dict):
            if not value and needs_step_zero:
                raise ValueError(f"an empty map; allowed: {forms}")
            out = {}
            for step, item in value.items():
                if isinstance(step, str) and step.strip().isdigit():  # a map read from JSON
                    step = int(step)
                if isinstance(step, bool) or not isinstance(step, int) or step < 0:
                    raise ValueError(f"step {step!r}: a step must be a whole number >= 0")
                out[step] = number(item, f"step {step}: ")
            if needs_step_zero and 0 not in out:
                raise ValueError(f"the map starts at step {min(out)}: give step 0 too (the "
                                 "value before the first change)")
            return out
        if isinstance(value, list | tuple):
            if not value and needs_step_zero:
                raise ValueError(f"an empty list; allowed: {forms}")
            return [number(item, f"step {i}: ") for i, item in enumerate(value)]
        return number(value, "")

    return BeforeValidator(check)


#: a share (0..1) at each step; a map without step 0 is 0 until its first step
ShareSchedule = Annotated[Share | dict[int, Share] | list[Share], _schedule_check(1.0, False)]
#: a non-negative amount at each step; a map must give step 0
AmountSchedule = Annotated[NonNegative | dict[int, NonNegative] | list[NonNegative],
                           _schedule_check(None, True)]
_SCHEDULE = "; a number, {step: value} held from that step on, or one per step"


class NodeSpec(Strict):
    """A settlement (DESIGN.md section 2, node state)."""

    name: str = Field(min_length=1)
    type: NodeTypeName
    threat: ShareSchedule = Field(
        0.0, description="0..1; a number, {step: value} held from that step on, or one per step"
    )
    hazard: Share = Field(0.0, description="monthly probability of a sudden threat spike")
    hazard_threat: Share = Field(0.8, description="threat during a spike")
    hazard_months: NonNegative = Field(2.0, description="how long a spike lasts")
    services: Share = 0.5
    housing: Share = Field(0.5, description="housing availability")
    damage: Share = 0.0
    labour_demand: AmountSchedule = Field(
        0.0, description="jobs (one per household seeking), before damage" + _SCHEDULE)
    wage: AmountSchedule = Field(150.0, description="monthly wage of a job (USD)" + _SCHEDULE)
    meb: AmountSchedule = Field(
        60.0, description="minimum expenditure basket per person-month (USD)" + _SCHEDULE)
    market: Share = Field(0.7, description="market function")
    cohesion: Share = Field(0.6, description="social cohesion between groups")
    hlp: Share = Field(0.5, description="governance and HLP security")
    freedom_of_movement: Share = 1.0
    capacity: NonNegative | None = Field(None, description="most households it can hold")
    country: str = "home"
    x: float | None = Field(None, description="position; longitude (WGS84) when the scenario "
                            "names a `map`")
    y: float | None = Field(None, description="position; latitude (WGS84) when the scenario "
                            "names a `map`")
    unit: str | None = Field(None, description="P-code of the node's boundary polygon (the "
                             "`map.key` column of `map.boundaries`)")


class EdgeSpec(Strict):
    """A route between two settlements (undirected)."""

    source: str
    target: str
    distance: Annotated[float, Field(gt=0.0)] = Field(description="km")
    cost: NonNegative | None = Field(None, description="travel cost per person (USD)")
    border: bool = Field(False, description="an international border: regular crossing needs documents")
    closures: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end] steps closed; end -1 = to the end"
    )
    regular_slots: NonNegative = Field(0.0, description="regular-pathway departures per month")

    @field_validator("closures")
    @classmethod
    def _closure_order(cls, value: list[tuple[int, int]]) -> list[tuple[int, int]]:
        for start, end in value:
            if start < 0 or (end != -1 and end < start):
                raise ValueError(f"closure [{start}, {end}]: need 0 <= start <= end, or end -1")
        return value


class GraphSpec(Strict):
    nodes: list[NodeSpec] = Field(min_length=1)
    edges: list[EdgeSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_resolve(self) -> "GraphSpec":
        seen: set[str] = set()
        for node in self.nodes:
            if node.name in seen:
                raise ValueError(f"node name {node.name!r} is used twice")
            seen.add(node.name)
        for i, edge in enumerate(self.edges):
            for end in ("source", "target"):
                name = getattr(edge, end)
                if name not in seen:
                    raise ValueError(f"edges[{i}].{end}: unknown node {name!r}{_nearest(name, seen)}")
            if edge.source == edge.target:
                raise ValueError(f"edges[{i}]: an edge joins {edge.source!r} to itself")
        return self


class MapSpec(Strict):
    """The scenario is a real place: node x/y are longitude and latitude (WGS84), and, with
    ``boundaries``, its units are the polygons of a boundaries file (P-codes in ``key``).

    ``map: {}`` says only that x/y are longitude/latitude (a Flee import); without a ``map``
    key x/y are drawing positions and no map is drawn.
    """

    boundaries: str | None = Field(None, min_length=1, description="GeoParquet, GeoJSON, "
                                   "GeoPackage or shapefile of unit polygons; a relative path "
                                   "is relative to the scenario file that names it (as "
                                   "`extends`)")
    key: str | None = Field(None, min_length=1, description="column of the boundaries file "
                            "that node `unit` values match (a P-code column, e.g. adm2_pcode); "
                            "required with `boundaries`")
    attribution: str | None = Field(None, description="source and licence of the boundaries "
                                    "or coordinates, printed under every map (e.g. 'OCHA, CC "
                                    "BY-IGO')")

    @model_validator(mode="after")
    def _key_with_boundaries(self) -> "MapSpec":
        if self.boundaries is not None and self.key is None:
            raise ValueError("key: required with map.boundaries (the P-code column that "
                             "node `unit` values match)")
        if self.key is not None and self.boundaries is None:
            raise ValueError("boundaries: required with map.key (the file the key is in)")
        return self


class PopulationSpec(Strict):
    """Households of one group placed at one node, with their starting state."""

    group: GroupName
    node: str
    #: at most ten million per entry (assumption: beyond that, simulate a scaled sample)
    households: Annotated[int, Field(ge=0, le=10_000_000)]
    status: StatusName | None = Field(None, description="default: in_place, or displaced_camp "
                                      "/ displaced_host for displaced groups")
    origin: str | None = Field(None, description="origin node (default: the node itself)")
    months_displaced: NonNegative = 0.0
    size_mean: Annotated[float, Field(ge=1.0, le=30.0)] = 5.0
    skills_mean: Share = 0.4
    skills_sd: Annotated[float, Field(ge=0.0, le=1.0)] = 0.15
    documented: Share = Field(1.0, description="share holding documents")
    hlp_secure: Share = Field(1.0, description="share whose HLP at origin is secure")
    assets_mean: NonNegative = Field(300.0, description="productive assets (USD), exponential")
    savings_mean: NonNegative = Field(100.0, description="savings (USD), exponential")
    debt_mean: NonNegative = 0.0
    household_goods_mean: NonNegative = 150.0
    house_value_mean: NonNegative = Field(0.0, description="saleable house/land (USD)")
    ties: Share = 0.6
    origin_ties: Share = 0.6
    livelihoods: dict[LivelihoodName, Share] = Field(
        default_factory=lambda: {"casual": 0.6, "business": 0.2, "wage": 0.2},
        description="shares of each livelihood (normalised)",
    )

    @field_validator("status")
    @classmethod
    def _not_in_transit(cls, value: str | None) -> str | None:
        if value == "in_transit":  # a journey needs a destination, which a population lacks
            raise ValueError("a population cannot start in_transit; place it at the node it "
                             "travels from")
        return value

    @field_validator("livelihoods")
    @classmethod
    def _some_livelihood(cls, value: dict[str, float]) -> dict[str, float]:
        if value and sum(value.values()) <= 0:
            raise ValueError("livelihood shares must not all be zero")
        return value


class ArrivalsSpec(PopulationSpec):
    """Households that keep arriving during the run: newly displaced people (phases/arrivals.py).

    A population entry that arrives step after step: ``households`` at every step, or
    ``counts`` per step; at ``node``, or spread over ``nodes`` in proportion to their weights,
    times the node's threat at that step when ``threat_weighted`` and times ``threat_decay``
    by time since the threat at the node began (Flee's conflict-driven spawning, flee/spawning.py).
    Arrivals flee on the step they appear unless ``flee`` is false.
    """

    node: str | None = Field(None, description="where arrivals appear (or give `nodes`)")
    households: Annotated[int, Field(ge=0)] = Field(
        0, description="households arriving at every step (or give `counts`)")
    counts: list[Annotated[int, Field(ge=0)]] | dict[
        Annotated[int, Field(ge=1)], Annotated[int, Field(ge=0)]] | None = Field(
        None, description="households arriving per step: a list whose first item is step 1 "
        "(later steps: none), or {step: households} (other steps: none)")
    nodes: dict[str, NonNegative] | None = Field(
        None, description="arrival weight of each node, e.g. its population")
    threat_weighted: bool = Field(False, description="multiply weights by the node's threat")
    threat_decay: list[NonNegative] = Field(
        default_factory=list, description="weight factor per period since the threat at a node "
        "began, the last one held (Flee's conflict_spawn_decay); empty: no decay")
    decay_days: Annotated[float, Field(gt=0.0)] = Field(30.0, description="days per decay period")
    flee: bool = Field(True, description="arrivals flee at once; false: they stay where they appear")

    @model_validator(mode="after")
    def _where_and_how_many(self) -> "ArrivalsSpec":
        if (self.node is None) == (self.nodes is None):
            raise ValueError("node: give either `node` or `nodes` (weights per node), not both")
        if self.nodes is not None and not self.nodes:
            raise ValueError("nodes: give at least one node and its weight")
        if self.counts is not None and self.households:
            raise ValueError("counts: give either `households` (every step) or `counts`, not both")
        return self

    def arrival_nodes(self) -> list[str]:
        return [self.node] if self.node is not None else list(self.nodes or {})


class Scenario(Strict):
    """A whole scenario: DESIGN.md section 7."""

    name: str = "scenario"
    description: str = ""
    steps: Annotated[int, Field(ge=1, le=100_000)] = 36
    days_per_step: Annotated[float, Field(gt=0.0, le=365.0)] = 30.0
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    graph: GraphSpec
    populations: list[PopulationSpec] = Field(default_factory=list)
    parameters: Parameters = Field(default_factory=Parameters)
    interventions: InterventionList = Field(default_factory=list)
    arrivals: list[ArrivalsSpec] = Field(
        default_factory=list, description="households arriving during the run (newly displaced)")
    map: MapSpec | None = Field(None, description="the scenario is drawn on a map "
                                "(outputs/maps.py): node x/y are longitude/latitude, and unit "
                                "polygons when it names boundaries; without it, no map")
    phases: list[str] | None = Field(
        None, description="phases of the plan to run, in plan order (default: all); arrivals "
        "and journeys are added when the scenario needs them (simulation/phases/__init__.py)")

    @field_validator("phases")
    @classmethod
    def _known_phases(cls, value: list[str] | None) -> list[str] | None:
        from simulation.phases import PLAN  # here, not at import: the phases import the schema

        known = [name for name, _ in PLAN]
        for name in value or []:
            if name not in known:
                raise ValueError(f"unknown phase {name!r}{_nearest(name, known)}; "
                                 f"allowed: {', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _references_resolve(self) -> "Scenario":
        nodes = {node.name for node in self.graph.nodes}
        for i, population in enumerate(self.populations):
            for key in ("node", "origin"):
                name = getattr(population, key)
                if name is not None and name not in nodes:
                    raise ValueError(
                        f"populations[{i}].{key}: unknown node {name!r}{_nearest(name, nodes)}"
                    )
        for i, arrival in enumerate(self.arrivals):
            where = "nodes" if arrival.nodes is not None else "node"
            for key, named in ((where, arrival.arrival_nodes()), ("origin", [arrival.origin])):
                for name in named:
                    if name is not None and name not in nodes:
                        raise ValueError(f"arrivals[{i}].{key}: unknown node {name!r}"
                                         f"{_nearest(name, nodes)}")
        for i, intervention in enumerate(self.interventions):
            for name in intervention.targeting.nodes or []:
                if name not in nodes:
                    raise ValueError(
                        f"interventions[{i}].targeting.nodes: unknown node {name!r}"
                        f"{_nearest(name, nodes)}"
                    )
            for name in getattr(intervention, "edge_nodes", None) or []:
                if name not in nodes:
                    raise ValueError(f"interventions[{i}].edge_nodes: unknown node {name!r}"
                                     f"{_nearest(name, nodes)}")
            for problem in intervention.graph_problems(self.graph):
                raise ValueError(f"interventions[{i}].{problem}")
        return self

    def node_names(self) -> list[str]:
        return [node.name for node in self.graph.nodes]


def _nearest(name: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(str(name), sorted(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(sorted(choices)[:12])}"
