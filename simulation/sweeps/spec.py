"""The sweep file: a scenario, factors to vary, a design, replicates, outcomes and a root seed.

Validated by pydantic before anything runs. Problems are reported as a :class:`SweepError`
naming the file, the line and the key path, with the nearest valid key for a typo, as the
scenario loader does (its YAML reader with line numbers is reused). Every factor is also tried
at both ends of its range against the scenario, so a key path the scenario does not have or a
value it rejects is an error before the first run, not a thousand failed runs.
"""

import copy
import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from simulation.outputs.summary import OUTCOME_KEYS, SUMMARY_KEYS
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
from simulation.sweeps.factors import (
    DISTRIBUTIONS,
    Factor,
    LogUniform,
    Normal,
    Triangular,
    Uniform,
    Values,
)

METHODS = ("grid", "lhs", "sobol", "morris")


class SweepError(InputError):
    """A sweep that cannot be used; ``problems`` lists (file, line, key path, message)."""

    kind = "sweep"


class Design(BaseModel):
    """How points are chosen. ``samples`` is the base sample size, read per method:

    - ``grid``: values per factor (a factor with ``values:`` uses its own list); runs =
      product of the factors' value counts.
    - ``lhs``: points (Latin hypercube, McKay et al. 1979).
    - ``sobol``: N of Saltelli's scheme, a power of 2; points = N (D + 2), or N (2D + 2) with
      ``second_order`` (Saltelli 2002; Saltelli et al. 2010, SALib ``sample.sobol``).
    - ``morris``: trajectories; points = N (D + 1) on a ``levels``-level grid (Morris 1991).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["grid", "lhs", "sobol", "morris"]
    samples: Annotated[int, Field(ge=1, le=10_000_000)] = Field(
        64, description="base sample size (see the class docstring)")
    second_order: bool = Field(False, description="sobol: also estimate second-order indices")
    levels: Annotated[int, Field(ge=2, le=100)] = Field(
        4, description="morris: grid levels (4 is Saltelli et al. 2008's usual choice)")

    @model_validator(mode="after")
    def _sobol_power_of_two(self):
        n = self.samples
        if self.method == "sobol" and n & (n - 1):
            low = 1 << (n.bit_length() - 1)
            raise ValueError(f"samples: sobol needs a power of 2 for its balance properties "
                             f"(got {n}; try {low} or {2 * low})")
        if self.method == "morris" and n < 2:
            raise ValueError("samples: morris needs 2 trajectories or more")
        return self


class Sweep(BaseModel):
    """A sweep file (see ``scenarios/sweeps/`` and the README section "Sweeps")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    scenario: str | dict[str, Any] = Field(
        description="scenario YAML path (relative to the sweep file) or the scenario itself")
    steps: Annotated[int, Field(ge=1)] | None = Field(
        None, description="steps per run (default: the scenario's)")
    seed: Annotated[int, Field(ge=0, lt=2**63)] = Field(
        0, description="root seed: run i's seed is SeedSequence(seed).spawn(...)[i]")
    replicates: Annotated[int, Field(ge=1, le=100_000)] = Field(
        1, description="runs per design point, each with its own seed")
    common_seeds: bool = Field(
        False, description="replicate r of every point shares one seed (common random "
                           "numbers) instead of one seed per run")
    design: Design
    uncertainties: dict[str, Factor] = Field(
        default_factory=dict, description="key path -> range or distribution (the world)")
    levers: dict[str, Factor] = Field(
        default_factory=dict, description="key path -> range or values (a planner's choices)")
    outcomes: Annotated[list[str], Field(min_length=1)] = Field(
        default_factory=lambda: list(OUTCOME_KEYS), description="summary keys to record")

    _file: str = PrivateAttr("<sweep>")
    _lines: dict = PrivateAttr(default_factory=dict)
    _scenario_data: dict | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self):
        if not self.uncertainties and not self.levers:
            raise ValueError("uncertainties: give at least one factor (uncertainties or levers)")
        for key in list(self.uncertainties) + list(self.levers):
            try:
                parse_key_path(key)
            except ValueError:
                raise ValueError(f"uncertainties: {key!r} is not a key path") from None
        for group, factors in (("uncertainties", self.uncertainties), ("levers", self.levers)):
            if "seed" in factors:
                raise ValueError(f"{group}: 'seed' cannot vary: each run's seed comes from the "
                                 f"sweep's root seed (use replicates)")
        both = sorted(set(self.uncertainties) & set(self.levers))
        if both:
            raise ValueError(f"levers: {both[0]!r} is also an uncertainty; a key varies once")
        for i, outcome in enumerate(self.outcomes):
            if outcome not in SUMMARY_KEYS:
                close = difflib.get_close_matches(outcome, SUMMARY_KEYS, n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"outcomes[{i}]: unknown outcome {outcome!r}{hint} "
                                 f"(allowed: {', '.join(SUMMARY_KEYS)})")
        if len(set(self.outcomes)) != len(self.outcomes):
            raise ValueError("outcomes: an outcome is listed twice")
        return self

    @property
    def factors(self) -> dict[str, Any]:
        """Every factor, uncertainties first, in file order."""
        return {**self.uncertainties, **self.levers}

    def kind(self, key: str) -> str:
        return "lever" if key in self.levers else "uncertainty"

    def with_samples(self, samples: int | None) -> "Sweep":
        """The same sweep with another base sample size (``--samples``), checked again."""
        if samples is None or samples == self.design.samples:
            return self
        data = self.model_dump(mode="python")
        data["design"]["samples"] = samples
        try:
            design = Design.model_validate(data["design"])
        except ValidationError as error:
            raise SweepError([(self._file, None, "--samples",
                               error.errors()[0]["msg"].removeprefix("Value error, "))]) from None
        out = self.model_copy(update={"design": design})
        out._file, out._lines, out._scenario_data = self._file, self._lines, self._scenario_data
        return out

    def scenario_data(self) -> dict:
        """The scenario as plain data (``extends:`` resolved, ``steps`` applied), checked
        against every factor at both ends of its range. Workers get this dict, not a path."""
        if self._scenario_data is None:
            self._scenario_data = _checked_scenario(self)
        return copy.deepcopy(self._scenario_data)


# --- loading -------------------------------------------------------------------------------------
def load_sweep(path: str | Path) -> Sweep:
    """A validated :class:`Sweep` from a YAML file, its scenario checked (see module doc)."""
    path = Path(path)
    file = str(path)
    try:
        data, lines = _read_yaml(path)
    except ScenarioError as error:
        raise SweepError(error.problems) from None
    if not isinstance(data, dict):
        raise SweepError([(file, 1, "", "a sweep file must be a mapping of keys (name, "
                                        "scenario, design, uncertainties, levers, ...)")])
    if isinstance(data.get("scenario"), str):
        data["scenario"] = str(path.parent / data["scenario"])
    return from_data(data, file, lines)


def from_data(data: dict, file: str = "<sweep>", lines: dict | None = None) -> Sweep:
    """A validated :class:`Sweep` from a dict (the Python API), scenario checked."""
    lines = lines or {}
    try:
        sweep = Sweep.model_validate(data)
    except ValidationError as error:
        raise SweepError([_problem(e, data, lines, file) for e in error.errors()]) from None
    sweep._file, sweep._lines = file, lines
    sweep.scenario_data()
    return sweep


def _checked_scenario(sweep: Sweep) -> dict:
    file, lines = sweep._file, sweep._lines
    if isinstance(sweep.scenario, dict):
        data, scenario_lines, scenario_file = copy.deepcopy(sweep.scenario), {}, "<scenario>"
    else:
        scenario_file = sweep.scenario
        try:
            data, scenario_lines = load_raw(sweep.scenario)
        except ScenarioError as error:
            raise SweepError([(file, _line(lines, ("scenario",)), "scenario",
                               "the scenario file is not valid (below)"), *error.problems]) from None
    if sweep.steps is not None:
        data = apply_overrides(data, {"steps": sweep.steps})
    try:
        validate(data, scenario_lines, scenario_file)
    except ScenarioError as error:
        raise SweepError([(file, _line(lines, ("scenario",)), "scenario",
                           "the scenario is not valid (below)"), *error.problems]) from None
    problems = []
    for key, factor in sweep.factors.items():
        group = "levers" if key in sweep.levers else "uncertainties"
        for value in factor.extremes() if not isinstance(factor, Values) else factor.grid(0):
            try:
                load_scenario(data, {key: value})
            except ScenarioError as error:
                reasons = "; ".join(f"{k}: {m}" if k else m for _, _, k, m in error.problems)
                problems.append((file, _line(lines, (group, key)), _format((group, key)),
                                 f"the scenario rejects {key} = {value!r}: {reasons}"))
                break
    if problems:
        raise SweepError(problems)
    return data


# --- error messages ------------------------------------------------------------------------------
_MODELS: dict[str, type[BaseModel]] = {
    "uniform": Uniform, "loguniform": LogUniform, "triangular": Triangular, "normal": Normal,
    "values": Values,
}


def _problem(error: dict, data: dict, lines: dict, file: str) -> tuple[str, int | None, str, str]:
    path = data_path(error["loc"], data, is_tag=lambda node, part: part in DISTRIBUTIONS)
    message = error["msg"].removeprefix("Value error, ")
    head = message.split(": ", 1)[0].split("[")[0] if ": " in message else ""
    if head in Sweep.model_fields or head in Design.model_fields:
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
    if path == ():
        return sorted(Sweep.model_fields)
    if path == ("design",):
        return sorted(Design.model_fields)
    if len(path) == 2 and path[0] in ("uncertainties", "levers"):
        node = _get(data, path)
        tag = "uniform"
        if isinstance(node, dict):
            tag = node.get("distribution", "values" if "values" in node else "uniform")
        model = _MODELS.get(str(tag))
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
