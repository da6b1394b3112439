"""The build recipe: which local files make a scenario, and the few choices the data cannot make.

A recipe is YAML (see ``scenarios/build/car-2024.recipe.yaml`` and the README section "Your own
context"). Every model forbids unknown keys; problems are a :class:`RecipeError` naming the
file, line and key with the nearest valid key, as the scenario loader reports them (its YAML
reader with line numbers is reused). A source is a path, or a mapping with ``file`` and the
options of that source; relative paths are relative to the recipe file.
"""

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from simulation.scenario.loader import (
    InputError,
    ScenarioError,
    _format,  # the loader's key-path formatter, model finder and YAML reader, reused
    _model_in,
    _read_yaml,
    data_path,
    unknown_key_message,
    where,
)
from simulation.scenario.schema import NodeSpec, NodeTypeName, PopulationSpec

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]


class RecipeError(InputError):
    """A recipe that cannot be used; ``problems`` lists (file, line, key path, message)."""

    kind = "recipe"


class BuildError(InputError):
    """A data file that cannot be used; ``problems`` lists (file, row, column, message)."""

    kind = "build input"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """A local data file and how to read it."""

    file: str = Field(min_length=1, description="path (relative to the recipe file)")
    columns: dict[str, str] = Field(
        default_factory=dict, description="role -> column name, where the file's own names "
        "or HXL hashtags are not the standard ones (roles: see the README)")

    @model_validator(mode="before")
    @classmethod
    def _path_alone(cls, value):
        return {"file": value} if isinstance(value, str) else value


class BoundariesSource(Source):
    layer: str | None = Field(None, description="layer of a GeoPackage (default: the first)")


class PopulationSource(Source):
    sheet: str | None = Field(None, description="sheet of an XLSX table (default: the first)")


class DisplacementSource(Source):
    round: Literal["latest", "nearest"] = Field(
        "latest", description="per unit: the latest round reported by the end of the run, or "
        "the round reported nearest the start")


class ConflictSource(Source):
    """ACLED events -> a monthly threat per node (conflict.py gives the transform)."""

    fatality_weight: Annotated[float, Field(ge=0.0)] = Field(
        1.0, description="weight of one fatality against one event in the intensity")
    scale: Positive = Field(
        2.0, description="intensity (events + weighted fatalities per 100,000 residents per "
        "month) at which threat reaches 63% of max_threat (assumption)")
    max_threat: Share = Field(0.9, description="threat as intensity grows without bound")
    event_types: list[str] | None = Field(
        None, description="ACLED event types counted (default: all)")


class BasketItem(Strict):
    commodity: str = Field(min_length=1, description="WFP commodity name, e.g. 'Rice (imported)'")
    unit: str = Field("KG", description="unit of the quantity: KG, G, L, ML")
    quantity: Positive = Field(description="quantity per person and month")


class PricesSource(Source):
    """WFP VAM prices -> a monthly MEB per node (prices.py)."""

    basket: list[BasketItem] = Field(min_length=1, description="food basket per person-month")
    non_food_share: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.4, description="share of the MEB that is not food (assumption: WFP MEB guidance puts "
        "food at roughly half to two thirds)")
    pricetype: str | None = Field("Retail", description="WFP pricetype kept (null: all)")


class SitesSource(Source):
    pass


class TownRule(Strict):
    """A unit is a ``town`` when both hold (DEGURBA urban cluster: 300 per km2 and 5,000
    people; UN Statistical Commission 2020), else a ``host_area``."""

    density: Annotated[float, Field(ge=0.0)] = Field(300.0, description="persons per km2")
    population: Annotated[float, Field(ge=0.0)] = Field(5000.0, description="persons")


#: km from a unit's point to the nearest road node beyond which the OpenStreetMap file does
#: not cover the unit. Assumption: a day's walk, after FabFlee's validation setting
#: ``max_walk_speed: 35`` km a day (config_files/validation/simsetting.yml, quoted in
#: ../shared/data/flee/*/SOURCE.md).
ROAD_ACCESS_KM = 35.0


class EdgeRule(Strict):
    tolerance_m: Annotated[float, Field(ge=0.0, le=10_000.0)] = Field(
        100.0, description="units closer than this share a border (gaps and slivers of real "
        "boundaries)")
    roads: str | None = Field(None, min_length=1, description="an OpenStreetMap XML file "
                              "(.osm) for road km between neighbouring units (relative to the "
                              "recipe; simulation/build/roads.py); without it, great-circle km")
    road_access_km: Annotated[float, Field(gt=0.0, le=1000.0)] = Field(
        ROAD_ACCESS_KM, description="a unit farther than this from every road node of "
        "`roads` has no road there: its edges take great-circle km (a counted warning)")


#: keys of recipe ``defaults`` beyond NodeSpec's fields
DEFAULT_EXTRA_KEYS = ("jobs_per_household",)


class Recipe(Strict):
    """A build recipe (README: "Your own context")."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    attribution: str = Field("", description="credit line of the sources (e.g. CC BY-IGO), "
                             "copied into the scenario's header and provenance")
    level: Annotated[int, Field(ge=1, le=4)] = Field(description="admin level of the nodes")
    boundaries: BoundariesSource
    population: PopulationSource
    displacement: DisplacementSource | None = None
    conflict: ConflictSource | None = None
    prices: PricesSource | None = None
    sites: SitesSource | None = None
    start: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = Field(
        description="first month of the run, YYYY-MM")
    steps: Annotated[int, Field(ge=1, le=1200)] = Field(description="months to run")
    household_size: Annotated[float, Field(ge=1.0, le=30.0)] = Field(
        5.0, description="persons per household where the data give persons")
    sample: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        1.0, description="share of households simulated (1: all)")
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    towns: TownRule = Field(default_factory=TownRule)
    edges: EdgeRule = Field(default_factory=EdgeRule)
    defaults: dict[NodeTypeName, dict[str, Any]] = Field(
        default_factory=dict, description="node values by node type, over the built-in ones")
    households: dict[Literal["host", "displaced"], dict[str, Any]] = Field(
        default_factory=dict, description="population values by group, over the built-in ones")
    scenario: dict[str, Any] = Field(
        default_factory=dict, description="keys copied into the scenario as they are "
        "(parameters, interventions, phases, description...)")

    _path: Path = PrivateAttr(Path("<recipe>"))
    _lines: dict = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _known_defaults(self) -> "Recipe":
        nodes = set(NodeSpec.model_fields) - {"name", "type", "x", "y", "unit"}
        for kind, values in self.defaults.items():
            for key in values:
                if key not in nodes and key not in DEFAULT_EXTRA_KEYS:
                    allowed = sorted(nodes | set(DEFAULT_EXTRA_KEYS))
                    raise ValueError(f"defaults.{kind}.{key}: "
                                     + unknown_key_message(key, allowed))
        people = set(PopulationSpec.model_fields) - {"group", "node", "households", "origin"}
        for group, values in self.households.items():
            for key in values:
                if key not in people:
                    raise ValueError(f"households.{group}.{key}: "
                                     + unknown_key_message(key, sorted(people)))
        for key in ("graph", "populations", "map", "steps", "name"):
            if key in self.scenario:
                raise ValueError(f"scenario.{key}: the build makes it; remove it from "
                                 "`scenario:` (name and steps are recipe keys)")
        return self

    @property
    def folder(self) -> Path:
        return self._path.parent

    def path_of(self, source: Source) -> Path:
        """The source's file as a path (relative paths are relative to the recipe)."""
        path = Path(source.file)
        return path if path.is_absolute() else self.folder / path

    def line_of(self, *key) -> int | None:
        return where(key, self._lines, str(self._path))[1]


def load_recipe(source: str | Path | dict) -> Recipe:
    """A validated :class:`Recipe` from a YAML path (or a dict: paths relative to the cwd)."""
    if isinstance(source, dict):
        data, lines, path = source, {}, Path("<recipe>")
    else:
        path = Path(source)
        try:
            data, lines = _read_yaml(path)
        except ScenarioError as error:
            raise RecipeError(error.problems) from None
        if not isinstance(data, dict):
            raise RecipeError([(str(path), 1, "", "a recipe must be a mapping of keys (name, "
                                                  "level, boundaries, population, ...)")])
    file = str(path)
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as error:
        raise RecipeError([_problem(e, data, lines, file) for e in error.errors()]) from None
    recipe._path = path if not isinstance(source, dict) else Path.cwd() / "<recipe>"
    recipe._lines = lines
    return recipe


_MESSAGE_PATH = re.compile(r"^([A-Za-z_][\w.]*): ")


def _problem(error: dict, data: dict, lines: dict, file: str) -> tuple[str, int | None, str, str]:
    path = data_path(error["loc"], data, is_tag=lambda node, part: False)
    message = error["msg"].removeprefix("Value error, ")
    found = _MESSAGE_PATH.match(message)
    if found and found.group(1).split(".")[0] in Recipe.model_fields:
        path = path + tuple(found.group(1).split("."))
        message = message[found.end():]
    if error["type"] == "extra_forbidden":
        message = unknown_key_message(path[-1], _allowed_keys(path[:-1], data))
    elif error["type"] == "missing":
        message = "required key is missing"
    elif isinstance(error.get("input"), str | int | float) and len(repr(error["input"])) < 60:
        message += f" (got {error['input']!r})"
    file, line = where(path, lines, file)
    return file, line, _format(path), message


def _allowed_keys(path: tuple, data) -> list[str]:
    annotation: Any = Recipe
    node = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
        if isinstance(part, int):
            continue
        model = _model_in(annotation, node)
        if model is None or part not in model.model_fields:
            return []
        annotation = model.model_fields[part].annotation
    model = _model_in(annotation, node)
    return sorted(model.model_fields) if model is not None else []
