"""docs/ODD.md describes the model as it is: every phase of the plan is a submodel pointing
to its module, every parameter is named with its current default, and the ODD protocol's
sections are all there (Grimm et al. 2020, JASSS 23(2) 7)."""

import re
from pathlib import Path

import pytest

from simulation.params import Parameters, source_kind
from simulation.phases import PLAN

ROOT = Path(__file__).resolve().parents[2]
ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")

#: the phases a scenario can run: PLAN plus those plan_for inserts
PHASES = [name for name, _ in PLAN] + ["arrivals", "journeys"]

ODD_SECTIONS = [
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialisation",
    "Input data",
    "Submodels",
]


@pytest.mark.parametrize("section", ODD_SECTIONS)
def test_every_odd_section_is_there(section):
    assert re.search(rf"^## \d+\. {re.escape(section)}$", ODD, re.M), section


@pytest.mark.parametrize("phase", PHASES)
def test_every_phase_is_a_submodel_pointing_to_its_module(phase):
    heading = re.search(rf"^### 7\.\d+ `{phase}` \(`([^`]+)`", ODD, re.M)
    assert heading, f"docs/ODD.md has no submodel heading for the phase {phase!r}"
    assert (ROOT / heading.group(1)).exists(), heading.group(1)


def _parameter_rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in ODD.splitlines():
        match = re.match(r"^\| `(\w+)` \| ([^|]+) \| [^|]+ \| ([^|]+) \|$", line)
        if match:
            rows[match.group(1)] = (match.group(2).strip(), match.group(3).strip())
    return rows


def test_every_parameter_has_a_row_with_its_current_default_and_kind_of_source():
    rows = _parameter_rows()
    defaults = Parameters()
    missing = [name for name in Parameters.model_fields if name not in rows]
    assert not missing, f"docs/ODD.md's parameter table lacks {missing}"
    stale = []
    for row in Parameters.describe():
        name = row["name"]
        written, kind = rows[name]
        assert kind == source_kind(row["source"]), (name, kind, row["source"])
        value = getattr(defaults, name)
        if isinstance(value, (int, float)) and float(written.replace(",", "")) != pytest.approx(
                float(value), rel=1e-3, abs=1e-12):
            stale.append((name, written, value))
    assert not stale, f"docs/ODD.md's defaults are out of date: {stale}"
    assert set(rows) <= set(Parameters.model_fields), set(rows) - set(Parameters.model_fields)


def test_every_parameter_is_used_by_a_submodel_or_named_in_one():
    """A parameter no submodel section names is one a reader cannot place."""
    submodels = ODD.split("## 7. Submodels", 1)[1].split("## Parameters", 1)[0]
    unnamed = [name for name in Parameters.model_fields if f"`{name}`" not in submodels]
    assert not unnamed, f"no submodel of docs/ODD.md names {unnamed}"
