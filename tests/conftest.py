"""Shared fixtures: small hand-made scenarios and paths to the shared data."""

import copy
from pathlib import Path

import pytest

from simulation.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FLEE_DATA = SHARED / "data" / "flee"


def tiny_scenario_dict(**changes) -> dict:
    """A three-node region (origin, town, camp) with a handful of households.

    Keyword arguments replace top-level keys (``steps=3``, ``populations=[...]``, ...).
    """
    data = {
        "name": "tiny",
        "steps": 6,
        "days_per_step": 30,
        "seed": 7,
        "graph": {
            "nodes": [
                {"name": "Origin", "type": "origin", "threat": 0.0, "labour_demand": 50,
                 "wage": 200, "meb": 50},
                {"name": "Town", "type": "town", "labour_demand": 100, "wage": 250, "meb": 60},
                {"name": "Camp", "type": "camp", "capacity": 1000, "labour_demand": 5,
                 "wage": 100, "meb": 50},
            ],
            "edges": [
                {"source": "Origin", "target": "Town", "distance": 100},
                {"source": "Origin", "target": "Camp", "distance": 50},
            ],
        },
        "populations": [
            {"group": "host", "node": "Origin", "households": 40},
            {"group": "host", "node": "Town", "households": 60},
            {"group": "displaced", "node": "Camp", "origin": "Origin", "households": 30,
             "documented": 0.5, "savings_mean": 10},
        ],
    }
    data.update(copy.deepcopy(changes))
    return data


@pytest.fixture
def tiny_dict():
    return tiny_scenario_dict()


@pytest.fixture
def tiny(tiny_dict):
    return load_scenario(tiny_dict)
