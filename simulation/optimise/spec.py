"""The optimisation file: a base scenario, a budget, candidate programmes and their levers,
objectives, optional uncertainties, replicates and a seed.

Validated by pydantic before anything runs, with errors as the scenario loader's and the sweep
files' (:class:`OptimiseError` names the file, the line and the key path, with the nearest
valid key for a typo; the loader's YAML reader and key-path helpers are reused). Beyond the
schema, every programme's intervention template is checked against its intervention's schema
and against the base scenario (node names), every lever's key path against that schema, and
each lever at both ends of its range; the budget share ranges must be able to sum to 1; an
objective must be a summary key. Uncertainties are checked and sampled by the sweeps' code
(``simulation.sweeps.spec.from_data``): the same ranges and distributions as sweep files.
"""

import copy
import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from simulation.interventions.registry import REGISTRY
from simulation.outputs.summary import SUMMARY_KEYS
from simulation.scenario.loader import (
    InputError,
    ScenarioError,
    _format,  # the loader's key-path formatter and line-numbered YAML reader, reused
    _read_yaml,
    apply_overrides,
    data_path,
    load_raw,
    load_scenario,
    parse_key_path,
    unknown_key_message,
    validate,
    where,
)
from simulation.sweeps.factors import DISTRIBUTIONS, Factor, Values
from simulation.sweeps.spec import _MODELS as FACTOR_MODELS
from simulation.sweeps.spec import SweepError

#: a lever that is not a field of the intervention: its number of steps (sets ``end``)
DURATION = "duration"
#: template keys the optimiser sets itself
RESERVED = ("budget", "type")
NAME = r"^[A-Za-z0-9_-]+$"


class OptimiseError(InputError):
    """An optimisation file that cannot be used; ``problems`` lists (file, line, key, message)."""

    kind = "optimisation"


class ShareRange(BaseModel):
    """The share of the budget a programme may receive, from ``low`` to ``high`` (0..1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    high: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must not be below low ({self.low})")
        return self


class Programme(BaseModel):
    """A candidate programme: an intervention template and the levers searched in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intervention: dict[str, Any] = Field(
        description="an intervention as in a scenario's interventions list (type: ..., its "
                    "settings); the optimiser sets its budget from its share")
    share: ShareRange = Field(default_factory=ShareRange,
                              description="range of its share of the budget")
    levers: dict[str, Factor] = Field(
        default_factory=dict, description="key path in the intervention -> range or values "
                                          "(duration: number of steps, sets end)")


class Search(BaseModel):
    """NSGA-II settings (``--generations`` and ``--population`` override them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    generations: Annotated[int, Field(ge=1, le=10_000)] = 8
    population: Annotated[int, Field(ge=2, le=10_000)] = 16


class Optimisation(BaseModel):
    """An optimisation file (see ``scenarios/optimise/`` and the README section "The best mix
    for a budget")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    scenario: str | dict[str, Any] = Field(
        description="base scenario YAML path (relative to this file) or the scenario itself")
    steps: Annotated[int, Field(ge=1)] | None = Field(None, description="steps per run")
    budget: Annotated[float, Field(gt=0.0, le=1e12)] = Field(
        description="USD shared by the programmes; no run may spend more")
    seed: Annotated[int, Field(ge=0, lt=2**63)] | None = Field(
        None, description="root seed of the replicate seeds, the uncertainty sample and the "
                          "search (default: the base scenario's seed)")
    replicates: Annotated[int, Field(ge=1, le=10_000)] = Field(
        8, description="paired replicates per candidate (replicate k shares seed k)")
    programmes: Annotated[dict[Annotated[str, Field(pattern=NAME)], Programme],
                          Field(min_length=1)]
    objectives: Annotated[dict[str, Literal["max", "min"]], Field(min_length=1)] = Field(
        description="summary key -> max or min")
    robustness: Literal["median", "p10"] = Field(
        "median", description="the statistic the search ranks candidates by: median, or p10 "
                              "(the bad tail: see simulation/optimise/measures.py)")
    uncertainties: dict[str, Factor] = Field(
        default_factory=dict, description="key path -> range or distribution, as in sweeps")
    samples: Annotated[int, Field(ge=1, le=10_000)] = Field(
        8, description="points of the uncertainty sample (Latin hypercube)")
    search: Search = Field(default_factory=Search)
    keep: Annotated[int, Field(ge=1, le=100)] = Field(
        5, description="best mixes written as scenario files")

    _file: str = PrivateAttr("<optimisation>")
    _lines: dict = PrivateAttr(default_factory=dict)
    _data: dict = PrivateAttr(default_factory=dict)
    _scenario_data: dict | None = PrivateAttr(None)
    _scenario_file: str | None = PrivateAttr(None)
    _samples: list | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self):
        for key in self.objectives:
            if key not in SUMMARY_KEYS:
                close = difflib.get_close_matches(key, SUMMARY_KEYS, n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"objectives.{key}: not a summary key{hint} (allowed: "
                                 f"{', '.join(SUMMARY_KEYS)})")
        lows = sum(p.share.low for p in self.programmes.values())
        highs = sum(p.share.high for p in self.programmes.values())
        if lows > 1.0 + 1e-9 or highs < 1.0 - 1e-9:
            raise ValueError(f"programmes: the budget share ranges cannot sum to 1 (their lows "
                             f"sum to {lows:g}, their highs to {highs:g}; need lows <= 1 <= "
                             f"highs)")
        if len(self.programmes) == 1 and not any(p.levers for p in self.programmes.values()):
            raise ValueError("programmes: nothing to search: give a second programme to share "
                             "the budget with, or levers")
        if "samples" in self.model_fields_set and not self.uncertainties:
            raise ValueError("samples: there are no uncertainties to sample; give "
                             "uncertainties or leave samples out")
        for key in self.uncertainties:
            try:
                path = parse_key_path(key)
            except ValueError:
                raise ValueError(f"uncertainties: {key!r} is not a key path") from None
            if path[0] in ("seed", "interventions"):
                raise ValueError(f"uncertainties: {key!r} cannot vary here: seeds come from "
                                 "the root seed, and the programmes are the levers")
        return self

    # --- what the file means -----------------------------------------------------------------
    @property
    def root_seed(self) -> int:
        """The root of every seed: the file's ``seed``, else the base scenario's."""
        return int(self.seed if self.seed is not None else self.scenario_data().get("seed", 0))

    def scenario_data(self) -> dict:
        """The base scenario as plain data (``extends:`` resolved, ``steps`` applied)."""
        return copy.deepcopy(self._scenario_data)

    @property
    def scenario_file(self) -> str | None:
        """The base scenario's path, or None when the file gives it inline."""
        return self._scenario_file

    def uncertainty_sample(self) -> list[dict]:
        """The uncertainty sample: one overrides dict per point (``[{}]`` without any)."""
        return copy.deepcopy(self._samples)

    def with_search(self, generations: int | None = None,
                    population: int | None = None) -> "Optimisation":
        """The same file with other search settings (``--generations``, ``--population``)."""
        changes = {k: v for k, v in (("generations", generations), ("population", population))
                   if v is not None}
        if not changes:
            return self
        try:
            search = Search.model_validate({**self.search.model_dump(), **changes})
        except ValidationError as error:
            first = error.errors()[0]
            raise OptimiseError([(self._file, None, f"--{first['loc'][0]}",
                                  first["msg"])]) from None
        out = self.model_copy(update={"search": search})
        for name in ("_file", "_lines", "_data", "_scenario_data", "_scenario_file", "_samples"):
            setattr(out, name, getattr(self, name))
        return out


# --- loading -------------------------------------------------------------------------------------
def load_optimisation(path: str | Path) -> Optimisation:
    """A validated :class:`Optimisation` from a YAML file (see the module docstring)."""
    path = Path(path)
    try:
        data, lines = _read_yaml(path)
    except ScenarioError as error:
        raise OptimiseError(error.problems) from None
    if not isinstance(data, dict):
        raise OptimiseError([(str(path), 1, "", "an optimisation file must be a mapping of "
                                                "keys (name, scenario, budget, programmes, "
                                                "objectives, ...)")])
    if isinstance(data.get("scenario"), str):
        data["scenario"] = str(path.parent / data["scenario"])
    return from_data(data, str(path), lines)


def from_data(data: dict, file: str = "<optimisation>", lines: dict | None = None) -> Optimisation:
    """A validated :class:`Optimisation` from a dict (the Python API)."""
    lines = lines or {}
    try:
        problem = Optimisation.model_validate(data)
    except ValidationError as error:
        raise OptimiseError([_problem(e, data, lines, file) for e in error.errors()]) from None
    problem._file, problem._lines, problem._data = file, lines, copy.deepcopy(data)
    _check_scenario(problem)
    _check_programmes(problem)
    _sample_uncertainties(problem)
    return problem


def _check_scenario(problem: Optimisation) -> None:
    file, lines = problem._file, problem._lines
    if isinstance(problem.scenario, dict):
        data, scenario_lines, scenario_file = copy.deepcopy(problem.scenario), {}, "<scenario>"
        problem._scenario_file = None
    else:
        scenario_file = problem.scenario
        try:
            data, scenario_lines = load_raw(problem.scenario)
        except ScenarioError as error:
            raise OptimiseError([(file, _line(lines, ("scenario",)), "scenario",
                                  "the scenario file is not valid (below)"),
                                 *error.problems]) from None
        problem._scenario_file = scenario_file
    if problem.steps is not None:
        data = apply_overrides(data, {"steps": problem.steps})
    try:
        scenario = validate(data, scenario_lines, scenario_file)
    except ScenarioError as error:
        raise OptimiseError([(file, _line(lines, ("scenario",)), "scenario",
                              "the scenario is not valid (below)"), *error.problems]) from None
    if scenario.interventions:
        names = ", ".join(spec.label for spec in scenario.interventions)
        raise OptimiseError([(file, _line(lines, ("scenario",)), "scenario",
                              f"the base scenario already has interventions ({names}); the "
                              "budget is shared by the programmes only: take them out of the "
                              "base, or list them under programmes")])
    problem._scenario_data = data


def _check_programmes(problem: Optimisation) -> None:
    """Each template against its intervention's schema and the scenario; each lever's key path
    against that schema and at both ends of its range."""
    file, lines = problem._file, problem._lines
    base = problem.scenario_data()
    problems = []
    for name, programme in problem.programmes.items():
        at = ("programmes", name, "intervention")
        template = programme.intervention
        kind = template.get("type")
        if kind not in REGISTRY:
            close = difflib.get_close_matches(str(kind), sorted(REGISTRY), n=1, cutoff=0.5)
            problems.append((*where((*at, "type"), lines, file), _format((*at, "type")),
                             ("required key is missing; " if kind is None else
                              f"unknown intervention type {kind!r}; ")
                             + f"allowed: {', '.join(sorted(REGISTRY))}"
                             + (f"; did you mean {close[0]!r}?" if close else "")))
            continue
        if "budget" in template:
            problems.append((*where((*at, "budget"), lines, file), _format((*at, "budget")),
                             "the optimiser sets each programme's budget from its share of "
                             "the budget: leave it out (use share: {low, high})"))
            continue
        found = _scenario_problems(base, template, file, lines, at)
        if found:
            problems += found
            continue
        spec = REGISTRY[kind]
        for key, factor in programme.levers.items():
            where_lever = ("programmes", name, "levers", key)
            message = _lever_path_problem(spec, key)
            if message is None:
                for value in factor.grid(0) if isinstance(factor, Values) else factor.extremes():
                    changed = apply_levers(template, {key: value})
                    found = _scenario_problems(base, changed, file, lines, at)
                    if found:
                        reasons = "; ".join(f"{k}: {m}" if k else m for _, _, k, m in found)
                        message = f"the intervention rejects {key} = {value!r}: {reasons}"
                        break
            if message is not None:
                problems.append((*where(where_lever, lines, file), _format(where_lever),
                                 message))
    if problems:
        raise OptimiseError(problems)


def _lever_path_problem(spec, key: str) -> str | None:
    """Why ``key`` is not a numeric or named setting of intervention ``spec``, or None."""
    if key == DURATION:
        return None
    try:
        path = parse_key_path(key)
    except ValueError:
        return f"{key!r} is not a key path"
    model = spec
    for depth, part in enumerate(path):
        fields = sorted(f for f in model.model_fields if depth or f not in RESERVED)
        if isinstance(part, int) or part not in fields:
            extra = [] if depth else [DURATION]
            return (f"{unknown_key_message(part, fields + extra)}: not a setting of "
                    f"{spec.model_fields['type'].default} interventions")
        annotation = model.model_fields[part].annotation
        if depth < len(path) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return f"{_format(path[:depth + 1])} has no settings below it"
            model = annotation
    return None


def apply_levers(template: dict, values: dict[str, Any]) -> dict:
    """A copy of ``template`` with each lever set: key paths as overrides, then ``duration``
    (sets ``end`` from the start). A ``start`` lever without a duration lever keeps the
    template's duration (its window moves), so a late start is not an empty window."""
    keyed = {k: v for k, v in values.items() if k != DURATION}
    out = apply_overrides(copy.deepcopy(template), keyed)
    start = int(out.get("start", 1))
    if DURATION in values:
        out["end"] = start + int(values[DURATION]) - 1
    elif "start" in keyed and template.get("end") is not None:
        out["end"] = start + int(template["end"]) - int(template.get("start", 1))
    return out


def template_duration(template: dict, steps: int) -> int:
    """The number of steps a template runs (its end, or the last step, minus its start)."""
    start = int(template.get("start", 1))
    end = template.get("end")
    return (steps if end is None else int(end)) - start + 1


def _scenario_problems(base: dict, template: dict, file: str, lines: dict, at: tuple) -> list:
    """Problems with ``template`` as the base scenario's only intervention, placed at ``at``."""
    data = {**base, "interventions": [{**template, "budget": 1.0}]}
    try:
        load_scenario(data)
    except ScenarioError as error:
        out = []
        for _, _, key, message in error.problems:
            inner = key.removeprefix("interventions[0]").lstrip(".")
            path = (*at, *parse_key_path(inner)) if inner else at
            out.append((*where(path, lines, file), _format(path), message))
        return out
    return []


def _sample_uncertainties(problem: Optimisation) -> None:
    """The uncertainty sample (Latin hypercube, seeded), drawn and checked by the sweeps' code."""
    if not problem.uncertainties:
        problem._samples = [{}]
        return
    from simulation.sweeps.design import build_design
    from simulation.sweeps.spec import from_data as sweep_from_data

    sweep_data = {"name": "optimise-uncertainties", "scenario": problem.scenario_data(),
                  "seed": problem.root_seed, "design": {"method": "lhs",
                                                        "samples": problem.samples},
                  "uncertainties": problem._data["uncertainties"]}
    try:
        sweep = sweep_from_data(sweep_data, problem._file, problem._lines)
    except SweepError as error:
        raise OptimiseError(error.problems) from None
    points = build_design(sweep).points
    names = list(problem.uncertainties)
    problem._samples = [{key: _plain(row[key]) for key in names}
                        for row in points.to_dict("records")]


def _plain(value):
    return value.item() if hasattr(value, "item") else value


# --- error messages ------------------------------------------------------------------------------
_MODELS: dict[tuple, type[BaseModel]] = {(): Optimisation, ("search",): Search}


def _problem(error: dict, data: dict, lines: dict, file: str) -> tuple[str, int | None, str, str]:
    path = data_path(error["loc"], data, is_tag=lambda node, part: part in DISTRIBUTIONS)
    message = error["msg"].removeprefix("Value error, ")
    head = message.split(": ", 1)[0] if ": " in message else ""
    if head and head.split(".")[0].split("[")[0] in Optimisation.model_fields:
        head, message = message.split(": ", 1)  # a model-level check names its key
        path = path + parse_key_path(head)
    kind = error["type"]
    if kind == "extra_forbidden":
        message = unknown_key_message(path[-1], _allowed_keys(path[:-1], data))
    elif kind == "missing":
        message = "required key is missing"
    elif kind == "distribution":
        got = _get(data, path + ("distribution",))
        close = difflib.get_close_matches(str(got), DISTRIBUTIONS, n=1, cutoff=0.5)
        message = f"unknown distribution {got!r}; allowed: {', '.join(DISTRIBUTIONS)}" + (
            f"; did you mean {close[0]!r}?" if close else "")
        path = path + ("distribution",)
    elif isinstance(error.get("input"), str | int | float | bool) and len(repr(error["input"])) < 60:
        message += f" (got {error['input']!r})"
    file, line = where(path, lines, file)
    return file, line, _format(path), message


def _allowed_keys(path: tuple, data) -> list[str]:
    if path in _MODELS:
        return sorted(_MODELS[path].model_fields)
    if len(path) == 2 and path[0] == "programmes":
        return sorted(Programme.model_fields)
    if len(path) == 3 and path[0] == "programmes" and path[2] == "share":
        return sorted(ShareRange.model_fields)
    factor = (len(path) == 2 and path[0] == "uncertainties") or (
        len(path) == 4 and path[0] == "programmes" and path[2] == "levers")
    if factor:
        node = _get(data, path)
        tag = "uniform"
        if isinstance(node, dict):
            tag = node.get("distribution", "values" if "values" in node else "uniform")
        model = FACTOR_MODELS.get(str(tag))
        return sorted(model.model_fields) if model else []
    return []


def _get(data, path):
    node = data
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def _line(lines: dict, path: tuple) -> int | None:
    return lines[path][1] if path in lines else None

