"""The calibration file: which parameters to fit, within what ranges, to which evidence entries.

A calibration file (``scenarios/evidence/calibration.yaml``; README "Calibrating") names

- ``parameters``: fields of ``simulation.params.Parameters``, each with a range that may
  narrow the range declared there but never widen it (an empty mapping takes the declared
  range), optionally searched on a log scale;
- ``targets``: evidence entries marked ``use: fit`` (a list of ids, or ids with weights);
  an entry marked ``use: test`` is refused: test entries never enter the loss;
- ``trials``, ``batch`` (trials asked together: the parallel width, fixed in the file so that
  the trials do not depend on the number of workers), ``replicates`` and ``seed``;
- ``start``: ``random`` (every early trial drawn at random), ``defaults`` (trial 0 is the
  parameter set in force, the package's calibrated defaults clipped to the ranges, so that
  a calibration rerun after a rule change begins where the last one ended, and, without
  ``confirm``, the best it returns is never worse than keeping that set by the study's
  loss), or a mapping of fitted parameters to
  values (the defaults in force with those set: an initial guess for parameters new to the
  calibration, whose declared defaults may be far from the evidence);
- ``margin`` (optional, default 0): the loss counts the distance to each band narrowed by
  this share of its loss unit at every edge (at most to its centre), so the fit aims inside
  the band rather than at its edge, where replicate noise flips pass and fail; whether an
  entry passes is still judged on the band itself;
- ``confirm`` (optional): ``{top: K, replicates: R}``: once the study has its trials, the K
  best are scored again on R paired replicates (more than ``replicates``; the first
  ``replicates`` of them are the very runs each trial was scored on), and the set chosen is
  the one with the lowest loss there. A trial is scored on few replicates to keep the study
  cheap, so the best of hundreds is partly the luck of those few: an entry with a narrow
  band may pass on 2 replicates and fail on 5. Without it, the chosen set is the study's best.

Problems are reported as a :class:`CalibrationError` naming the file, the line and the key
path, with the nearest valid name for a typo, as the scenario and sweep loaders do (their
line-numbered YAML reader is reused). A parameter that the Flee validation reads
(``scenarios/flee/validation_parameters.yaml``, ``prds validate``) may be fitted only if that
file pins it: otherwise a new default would silently change the published ARD figures.
"""

import difflib
import hashlib
import inspect
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from simulation.evidence.library import EvidenceError, LibraryEntry, load_library
from simulation.params import Parameters
from simulation.scenario.loader import (
    InputError,
    ScenarioError,
    _format,  # the loader's key-path formatter and line-numbered YAML reader, reused
    _read_yaml,
    data_path,
    unknown_key_message,
    where,
)


class CalibrationError(InputError):
    """A calibration file that cannot be used; ``problems`` lists (file, line, key, message)."""

    kind = "calibration"


class Range(BaseModel):
    """The range searched for one parameter (default: the range declared in params.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float | None = Field(None, description="lowest value tried (default: declared minimum)")
    high: float | None = Field(None, description="highest value tried (default: declared maximum)")
    log: bool = Field(False, description="sample on a log scale (needs low > 0)")


class Confirm(BaseModel):
    """Re-score the ``top`` best trials on ``replicates`` paired replicates; choose among them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top: Annotated[int, Field(strict=True, ge=1, le=10_000)] = Field(
        description="how many of the best trials (lowest loss) to score again")
    replicates: Annotated[int, Field(strict=True, le=1000)] = Field(
        description="paired replicates to score them on (more than the file's replicates)")


class Calibration(BaseModel):
    """A calibration file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    library: list[str] = Field(
        default_factory=lambda: ["."],
        description="folders of evidence entries, relative to this file (default: its own)")
    parameters: Annotated[dict[str, Range | None], Field(min_length=1)] = Field(
        description="parameter name -> range (empty: the declared range)")
    targets: Annotated[list[str] | dict[str, Annotated[float, Field(gt=0)]], Field(min_length=1)] = Field(
        description="entry ids to fit (use: fit), or ids with weights in the loss")
    trials: Annotated[int, Field(ge=1, le=100_000)] = Field(48, description="trials in all")
    batch: Annotated[int, Field(ge=1, le=1024)] = Field(
        4, description="trials asked together and run in parallel; each batch sees the results "
                       "of all earlier batches (fixed here, not by --workers: reproducible)")
    startup_trials: Annotated[int, Field(ge=1, le=10_000)] = Field(
        8, description="trials sampled at random before TPE models the loss")
    replicates: Annotated[int, Field(ge=1, le=1000)] = Field(
        3, description="paired seeds per trial (the same seeds in every trial)")
    seed: Annotated[int, Field(ge=0, lt=2**63)] = Field(0, description="root seed")
    start: Literal["random", "defaults"] | dict[str, float] = Field(
        "random", description="trial 0: drawn at random, the parameter set in force (the "
                              "package defaults, clipped to the ranges), or that set with "
                              "the values given here")
    margin: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.0, description="aim inside each band by this share of its loss unit (half its width, "
                         "or its scale) at every edge: the loss counts the distance to the "
                         "narrowed band, so a fit survives replicate noise (0: the band itself)")
    confirm: Confirm | None = Field(
        None, description="score the best trials again on more replicates and choose among "
                          "them (absent: the study's best trial is chosen)")

    _file: str = PrivateAttr("<calibration>")
    _entries: tuple = PrivateAttr(())
    _library: tuple = PrivateAttr(())

    @property
    def weights(self) -> dict[str, float]:
        """Target id -> weight in the loss (1 each for a plain list)."""
        if isinstance(self.targets, dict):
            return dict(self.targets)
        return dict.fromkeys(self.targets, 1.0)

    @property
    def entries(self) -> list[LibraryEntry]:
        """The fitted entries, in the order of ``targets``."""
        return list(self._entries)

    @property
    def library_entries(self) -> list[LibraryEntry]:
        """Every entry of the libraries, fitted or not (for the before/after table)."""
        return list(self._library)

    def bounds(self) -> dict[str, tuple[float, float, bool]]:
        """Parameter -> (low, high, log), the declared range where the file gives none."""
        declared = {row["name"]: row for row in Parameters.describe()}
        out = {}
        for name, chosen in self.parameters.items():
            chosen = chosen or Range()
            low = declared[name]["min"] if chosen.low is None else chosen.low
            high = declared[name]["max"] if chosen.high is None else chosen.high
            out[name] = (float(low), float(high), chosen.log)
        return out

    def start_values(self) -> dict[str, float] | None:
        """Trial 0's parameters under ``start`` (None under ``random``): each fitted
        parameter's default in force, clipped to its range, or the value ``start`` maps it
        to."""
        if self.start == "random":
            return None
        given = self.start if isinstance(self.start, dict) else {}
        defaults = Parameters()
        return {name: min(max(float(given.get(name, getattr(defaults, name))), low), high)
                for name, (low, high, _) in self.bounds().items()}

    def fingerprint(self) -> str:
        """What a study's trials depend on: the search space, the targets with their entry
        files, replicates, seed, batch, startup and margin (not ``trials``: a study may be extended;
        not ``confirm``: it re-scores the trials after the study, it never changes them)."""
        made_of = {
            "bounds": self.bounds(), "weights": self.weights, "replicates": self.replicates,
            "seed": self.seed, "batch": self.batch, "startup_trials": self.startup_trials,
            "entries": {e.id: e.spec.model_dump(mode="json") for e in self._entries},
        }
        if self.start != "random":  # (so that studies made before ``start`` existed resume)
            made_of["start"] = self.start
        if self.margin:  # (likewise for ``margin``)
            made_of["margin"] = self.margin
        text = json.dumps(made_of, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- loading -------------------------------------------------------------------------------------
def load_calibration(path: str | Path) -> Calibration:
    """A validated :class:`Calibration` from a YAML file, with its entries loaded."""
    path = Path(path)
    file = str(path)
    try:
        data, lines = _read_yaml(path)
    except ScenarioError as error:
        raise CalibrationError(error.problems) from None
    if not isinstance(data, dict):
        raise CalibrationError([(file, 1, "", "a calibration file must be a mapping of keys "
                                              "(name, parameters, targets, trials, ...)")])
    if isinstance(data.get("library"), str):
        data["library"] = [data["library"]]
    try:
        calibration = Calibration.model_validate(data)
    except ValidationError as error:
        raise CalibrationError([_problem(e, data, lines, file) for e in error.errors()]) from None
    calibration._file = file
    problems = _check_parameters(calibration, lines, file)
    entries = _check_targets(calibration, path.parent, lines, file, problems)
    if problems:
        raise CalibrationError(problems)
    calibration._entries = tuple(entries)
    return calibration


def _check_parameters(calibration: Calibration, lines: dict, file: str) -> list:
    declared = {row["name"]: row for row in Parameters.describe()}
    problems = []
    flee_reads, flee_pins = flee_validation_parameters()
    for name, chosen in calibration.parameters.items():
        key = ("parameters", name)
        if name not in declared:
            close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append((*where(key, lines, file), _format(key),
                             f"unknown parameter {name!r}{hint} (parameters are the fields of "
                             f"simulation/params.py)"))
            continue
        lo, hi = declared[name]["min"], declared[name]["max"]
        chosen = chosen or Range()
        for edge, value in (("low", chosen.low), ("high", chosen.high)):
            if value is None:
                continue
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                problems.append((*where((*key, edge), lines, file), _format((*key, edge)),
                                 f"{value:g} is outside the range {lo:g}..{hi:g} declared for "
                                 f"{name} in simulation/params.py: a calibration may narrow "
                                 f"the declared range, never widen it"))
        low, high, log = calibration.bounds()[name]
        if low >= high:
            problems.append((*where(key, lines, file), _format(key),
                             f"low {low:g} must be below high {high:g}"))
        elif log and low <= 0:
            problems.append((*where((*key, "log"), lines, file), _format((*key, "log")),
                             f"a log scale needs low > 0 (low is {low:g})"))
        if name in flee_reads and name not in flee_pins:
            problems.append((*where(key, lines, file), _format(key),
                             f"{name} is read by the Flee validation (prds validate) and not "
                             f"pinned in scenarios/flee/validation_parameters.yaml: fitting it "
                             f"would change the validation's ARD; pin it there first or leave "
                             f"it out"))
    confirm = calibration.confirm
    if confirm is not None and confirm.replicates <= calibration.replicates:
        key = ("confirm", "replicates")
        problems.append((*where(key, lines, file), _format(key),
                         f"{confirm.replicates} must be more than the file's replicates "
                         f"({calibration.replicates}): the confirmation scores the best trials "
                         f"on more replicates than the study did"))
    if isinstance(calibration.start, dict) and not problems:
        bounds = calibration.bounds()
        for name, value in calibration.start.items():
            key = ("start", name)
            if name not in bounds:
                problems.append((*where(key, lines, file), _format(key),
                                 f"{name!r} is not a parameter this file fits (start values "
                                 f"are for the names under parameters: {sorted(bounds)})"))
            elif not bounds[name][0] <= value <= bounds[name][1]:
                problems.append((*where(key, lines, file), _format(key),
                                 f"{value:g} is outside this file's range "
                                 f"{bounds[name][0]:g}..{bounds[name][1]:g} for {name}"))
    return problems


def _check_targets(calibration: Calibration, folder: Path, lines: dict, file: str,
                   problems: list) -> list[LibraryEntry]:
    """The fitted entries; every entry of the libraries is kept on ``calibration``."""
    entries: dict[str, LibraryEntry] = {}
    for i, library in enumerate(calibration.library):
        where_key = ("library", i) if ("library", i) in lines else ("library",)
        try:
            for entry in load_library(folder / library):
                if entry.id in entries and entries[entry.id].file != entry.file:
                    problems.append((*where(where_key, lines, file), _format(where_key),
                                     f"entry id {entry.id!r} is in two libraries: "
                                     f"{entries[entry.id].file} and {entry.file}"))
                entries[entry.id] = entry
        except EvidenceError as error:
            problems.append((*where(where_key, lines, file), _format(where_key), str(error)))
    calibration._library = tuple(sorted(entries.values(), key=lambda e: e.id))
    if problems and not entries:
        return []
    chosen = []
    listed = isinstance(calibration.targets, list)
    for i, target in enumerate(calibration.targets):
        key = ("targets", i) if listed else ("targets", target)
        entry = entries.get(target)
        if entry is None:
            close = difflib.get_close_matches(target, sorted(entries), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append((*where(key, lines, file), _format(key),
                             f"no evidence entry {target!r}{hint} (entries: "
                             f"{', '.join(sorted(entries))})"))
        elif entry.use != "fit":
            problems.append((*where(key, lines, file), _format(key),
                             f"{target!r} is a test entry (use: {entry.use} in {entry.file.name}): "
                             f"test entries never enter the loss; fit only entries marked "
                             f"use: fit"))
        else:
            chosen.append(entry)
    if listed and len(set(calibration.targets)) != len(calibration.targets):
        problems.append((*where(("targets",), lines, file), "targets", "an entry is listed twice"))
    return chosen


# --- the Flee validation's parameters ------------------------------------------------------------
_READ = re.compile(r"\bparams\.([a-z_][a-z0-9_]*)")


def flee_validation_parameters(path: str | Path | None = None) -> tuple[set[str], set[str]]:
    """(parameters the Flee validation's runs read, parameters its settings file pins).

    The runs read the parameters of the phases the validation plan has (``plan_for`` on the
    settings: its ``phases``, arrivals, journeys when hop by hop) and of the model's set-up;
    they are found in the source of those modules and of the functions they import from
    the simulation (so the answer follows the code, not a list kept by hand).
    """
    import simulation.model as model_module
    from simulation.phases import plan_for
    from simulation.validation.convert import load_validation_parameters

    settings = load_validation_parameters(path)
    scenario = settings.get("scenario") or {}
    pins = dict(scenario.get("parameters") or {})
    plan = plan_for(SimpleNamespace(phases=scenario.get("phases"), arrivals=[settings.get("arrivals")],
                                    parameters=Parameters(**pins)))
    modules = {inspect.getmodule(phase) for _, phase in plan} | {model_module}
    texts = []
    for module in modules:
        texts.append(inspect.getsource(module))
        for value in vars(module).values():  # functions imported from other simulation modules
            home = getattr(value, "__module__", "") or ""
            if inspect.isfunction(value) and home.startswith("simulation.") and home != module.__name__:
                texts.append(inspect.getsource(value))
    reads = {name for text in texts for name in _READ.findall(text)}
    return reads & set(Parameters.model_fields), set(pins)


# --- error messages ------------------------------------------------------------------------------
def _problem(error: dict, data: dict, lines: dict, file: str) -> tuple[str, int | None, str, str]:
    path = data_path(error["loc"], data, is_tag=lambda node, part: False)
    message = error["msg"].removeprefix("Value error, ")
    kind = error["type"]
    if kind == "extra_forbidden":
        if len(path) == 3 and path[0] == "parameters":
            allowed = sorted(Range.model_fields)
        elif len(path) == 2 and path[0] == "confirm":
            allowed = sorted(Confirm.model_fields)
        else:
            allowed = sorted(Calibration.model_fields)
        message = unknown_key_message(path[-1], allowed)
    elif kind == "missing":
        message = "required key is missing"
    elif isinstance(error.get("input"), str | int | float | bool) and len(repr(error["input"])) < 60:
        message += f" (got {error['input']!r})"
    file, line = where(path, lines, file)
    return file, line, _format(path), message
