"""A tiny region for intervention tests, and a probe of what one interventions phase changes."""

import copy

import numpy as np
from conftest import tiny_scenario_dict

from simulation.graph import NODE_FLOATS
from simulation.model import PRDSModel
from simulation.scenario import load_scenario
from simulation.state import COLUMNS

#: node arrays an intervention may write (current values and the undamaged base values)
NODE_ARRAYS = (*NODE_FLOATS, "base_services", "base_housing", "base_labour_demand",
               "base_cohesion", "base_market", "capacity")


def region(interventions=(), **changes) -> dict:
    """The shared tiny region, plus a damaged origin, an abroad node and stranded migrants."""
    data = tiny_scenario_dict(**{"steps": 6, **changes})
    data["graph"]["nodes"][0]["damage"] = 0.3
    data["graph"]["nodes"].append({"name": "Abroad", "type": "abroad", "country": "abroad",
                                   "labour_demand": 1000, "wage": 900, "meb": 300})
    data["graph"]["edges"].append({"source": "Town", "target": "Abroad", "distance": 40,
                                   "border": True, "regular_slots": 0})
    data["populations"].append({"group": "migrant", "node": "Town", "origin": "Origin",
                                "households": 20, "documented": 1.0, "savings_mean": 200})
    data["interventions"] = copy.deepcopy(list(interventions))
    return data


def build(interventions=(), seed: int | None = None, **changes) -> PRDSModel:
    return PRDSModel(load_scenario(region(interventions, **changes)), seed=seed, with_agents=False)


def state(model) -> dict[str, np.ndarray]:
    """Copies of every household column, node array, today's extra slots and recruits (-1:
    none; the array exists once a labour mobility programme recruits) and the flows."""
    hh, graph = model.households, model.graph
    out = {f"household.{name}": getattr(hh, name).copy() for name in COLUMNS}
    out.update({f"node.{name}": getattr(graph, name).copy() for name in NODE_ARRAYS})
    out["today.extra_slots"] = np.array(model.today.extra_slots, copy=True)
    recruited = model.today.recruited_to
    if recruited is None:  # no programme recruited this step
        recruited = np.full(len(hh), -1, dtype=np.int64)
    out["today.recruited_to"] = np.array(recruited, copy=True)
    out["flows"] = model.flows.copy()
    return out


def changed(before: dict, after: dict) -> set[str]:
    return {key for key in before if not np.array_equal(before[key], after[key])}


def probe_step(model, step: int) -> tuple[dict, dict]:
    """Run to ``step`` and return the state just before and after its interventions phase."""
    captured = {}
    index = next(i for i, (name, _) in enumerate(model.plan) if name == "interventions")
    name, phase = model.plan[index]

    def wrapped(m, t):
        if t == step:
            captured["before"] = state(m)
        phase(m, t)
        if t == step:
            captured["after"] = state(m)

    model.plan[index] = (name, wrapped)
    while model.steps < step:
        model.step()
    model.plan[index] = (name, phase)
    return captured["before"], captured["after"]
