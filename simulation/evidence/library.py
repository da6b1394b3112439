"""The evidence library: every ``scenarios/evidence/*.yaml`` entry, validated.

An entry names its study scenario and baseline relative to its own file; both are loaded
with the scenario loader (so a broken scenario is reported with its file and line) when the
library loads, and with any parameter overrides when it runs. A bad entry is an error
naming the file, the key path and what is allowed; nothing runs on a bad library.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from simulation.evidence.measures import MEASURES
from simulation.evidence.schema import EvidenceEntry
from simulation.scenario import SCENARIOS_DIR, ScenarioError, load_scenario
from simulation.scenario.schema import Scenario

LIBRARY_DIR = SCENARIOS_DIR / "evidence"


class EvidenceError(ValueError):
    """An evidence entry that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class LibraryEntry:
    """A validated entry and where its files are."""

    spec: EvidenceEntry
    file: Path

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def use(self) -> str:
        return self.spec.use

    @property
    def scenario_path(self) -> Path:
        return (self.file.parent / self.spec.design.scenario).resolve()

    @property
    def baseline_path(self) -> Path | None:
        baseline = self.spec.design.baseline
        return None if baseline is None else (self.file.parent / baseline).resolve()

    def scenarios(self, parameters: dict[str, Any] | None = None) -> tuple[Scenario, Scenario | None]:
        """The study scenario and its baseline, with ``parameters`` overriding both."""
        overrides = {f"parameters.{key}": value for key, value in (parameters or {}).items()}
        study = load_scenario(self.scenario_path, overrides)
        base = None if self.baseline_path is None else load_scenario(self.baseline_path, overrides)
        return study, base

    @property
    def steps(self) -> int:
        """Steps run: the design's, or the study scenario's."""
        return self.spec.design.steps or load_scenario(self.scenario_path).steps


def load_entry(path: str | Path) -> LibraryEntry:
    """One entry file, validated (see module docstring)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise EvidenceError(f"{path}: cannot read the entry: {error}") from None
    if not isinstance(data, dict):
        raise EvidenceError(f"{path}: an entry is a mapping of keys (id, citation, ...)")
    try:
        spec = EvidenceEntry.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                             for e in error.errors())
        raise EvidenceError(f"{path}: invalid evidence entry: {problems}") from None
    if spec.id != path.stem:
        raise EvidenceError(f"{path}: id {spec.id!r} must be the file's stem {path.stem!r}")
    design = spec.design
    for key in ("variable", "among", "assignment"):
        name = getattr(design, key)
        if name is not None and name not in MEASURES:
            raise EvidenceError(f"{path}: design.{key}: unknown measure {name!r}; measures: "
                                f"{', '.join(MEASURES)}")
    entry = LibraryEntry(spec, path.resolve())
    for key, scenario in (("scenario", entry.scenario_path), ("baseline", entry.baseline_path)):
        if scenario is None:
            continue
        if not scenario.is_file():
            raise EvidenceError(f"{path}: design.{key}: no scenario file {scenario}")
        try:
            loaded = load_scenario(scenario)
        except ScenarioError as error:
            raise EvidenceError(f"{path}: design.{key}: {error}") from None
        horizon = max(design.at, design.relative_to or 0)
        if horizon > (design.steps or loaded.steps):
            raise EvidenceError(f"{path}: design.at: step {horizon} is beyond the "
                                f"{design.steps or loaded.steps} steps run")
    return entry


def is_entry_file(path: Path) -> bool:
    """Whether ``path`` is meant as an entry: a YAML mapping with a ``citation`` key (a file
    that does not parse counts, so that its error is reported rather than skipped)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return True
    return isinstance(data, dict) and "citation" in data


def load_library(folder: str | Path | None = None, only: list[str] | None = None) -> list[LibraryEntry]:
    """Every entry of the library (``scenarios/evidence`` by default), sorted by id.

    ``only`` keeps the entries with those ids (an unknown id is an error listing the ids).
    """
    folder = LIBRARY_DIR if folder is None else Path(folder)
    entries = []
    for path in sorted(folder.glob("*.yaml")):
        if not is_entry_file(path):  # a calibration or parameter file beside the entries
            continue
        entries.append(load_entry(path))
    if not entries:
        raise EvidenceError(f"{folder}: no evidence entries (*.yaml with a citation)")
    if only:
        ids = {e.id for e in entries}
        unknown = [i for i in only if i not in ids]
        if unknown:
            raise EvidenceError(f"unknown entry id(s) {unknown}; entries: {', '.join(sorted(ids))}")
        entries = [e for e in entries if e.id in only]
    return sorted(entries, key=lambda e: e.id)
