"""Small optimisations shared by the optimise tests: the tiny three-node region, with cash
and graduation sharing a budget."""

import copy

import yaml
from conftest import tiny_scenario_dict

CASH = {"type": "cash", "name": "cash", "transfer": 50.0, "start": 1, "end": 4,
        "targeting": {"groups": ["displaced"], "rule": "poorest_first"}}
GRADUATION = {"type": "graduation", "name": "graduation", "asset_transfer": 300,
              "consumption_support": 40, "support_months": 3, "coaching_months": 4,
              "targeting": {"groups": ["displaced"]}}


def problem_data(scenario=None, **changes) -> dict:
    """Cash and graduation sharing USD 20,000 in the tiny region; 3 replicates, 2 x 4."""
    data = {
        "name": "tiny-optimise",
        "scenario": tiny_scenario_dict() if scenario is None else scenario,
        "budget": 20000,
        "seed": 5,
        "replicates": 3,
        "search": {"generations": 2, "population": 4},
        "keep": 2,
        "objectives": {"self_reliant_share": "max", "harmful_coping_share": "min"},
        "programmes": {
            "cash": {"intervention": copy.deepcopy(CASH),
                     "levers": {"transfer": {"low": 20, "high": 120},
                                "duration": {"low": 1, "high": 6, "integer": True},
                                "targeting.rule": {"values": ["random", "poorest_first"]}}},
            "graduation": {"intervention": copy.deepcopy(GRADUATION),
                           "share": {"low": 0.0, "high": 0.8},
                           "levers": {"asset_transfer": {"low": 100, "high": 600}}},
        },
    }
    data.update(copy.deepcopy(changes))
    return data


def write_problem_files(folder, **changes):
    """Write the tiny scenario and an optimisation file over it; return the file's path."""
    (folder / "tiny.yaml").write_text(yaml.safe_dump(tiny_scenario_dict(), sort_keys=False))
    path = folder / "tiny.optimise.yaml"
    path.write_text(yaml.safe_dump(problem_data("tiny.yaml", **changes), sort_keys=False))
    return path
