"""Small scenario files for comparison tests (the tiny region, a few steps)."""

import copy

import yaml
from conftest import tiny_scenario_dict


def scenario(name: str, interventions=(), steps: int = 5) -> dict:
    data = tiny_scenario_dict(name=name, steps=steps)
    data["interventions"] = copy.deepcopy(list(interventions))
    return data


def write(folder, data: dict):
    path = folder / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


CASH = [{"type": "cash", "transfer": 120, "start": 2, "targeting": {"groups": ["displaced"]}}]
#: an intervention that draws its own random numbers but changes nothing: no effect at all
NO_OP = [{"type": "cash", "transfer": 0, "targeting": {"share": 0.5}},
         {"type": "social_cohesion", "cohesion_gain": 0.0, "lasting": 0.0, "monthly_cost": 0}]
