"""Scenarios: the schema (``schema.py``) and the YAML loader (``loader.py``)."""

from pathlib import Path

from simulation.scenario.loader import ScenarioError, apply_overrides, load_raw, load_scenario
from simulation.scenario.schema import Scenario

#: the bundled scenarios folder (the repository's ``scenarios/``)
SCENARIOS_DIR = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT_SCENARIO = SCENARIOS_DIR / "default.yaml"

__all__ = ["Scenario", "ScenarioError", "load_scenario", "load_raw", "apply_overrides",
           "DEFAULT_SCENARIO", "SCENARIOS_DIR"]
