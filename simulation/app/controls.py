"""The app's controls, generated from the declarations they control (STYLE.md point 6).

Mesa's SolaraViz takes ``model_params``: one entry per keyword argument of the model, either a
fixed value or a dict describing a slider, select or checkbox. Nothing here declares a range or
a default of its own where a declaration exists: the intervention levers read the bounds and
defaults of ``InterventionSpec`` and ``Targeting`` (``simulation/interventions/base.py``), the
intervention types come from ``REGISTRY``, so a newly registered type appears by itself, and
behavioural sliders read ``simulation.params.Parameters``. What is chosen here is only which
controls a workshop shows, and the upper end of fields that have none (the budget).
"""

import typing
from pathlib import Path
from typing import Any

import annotated_types

from simulation.codes import Group, names
from simulation.interventions.base import InterventionSpec, Targeting
from simulation.interventions.registry import REGISTRY
from simulation.params import Parameters
from simulation.scenario import SCENARIOS_DIR, load_scenario

#: the choice of intervention that adds none (only the baseline runs)
NO_INTERVENTION = "none"
#: targeting every group rather than one
ALL_GROUPS = "all"
#: behavioural parameters a trainer can vary live; their ranges and defaults are Parameters'
WORKSHOP_PARAMETERS = ("camp_ration_share", "flight_rate", "mobility_rate", "tension_rate")
#: the budget lever's upper end, in thousand USD (the spec has no upper bound; assumption:
#: a few million USD is the scale of one programme in a region of a few thousand households)
BUDGET_MAX_THOUSANDS = 5000
#: the intervention type selected when the app opens (any key of REGISTRY would do)
DEFAULT_INTERVENTION = "cash"
#: the group targeted when the app opens: the PRDS framework is about the displaced
DEFAULT_GROUP = "displaced"
#: slider positions between a float parameter's bounds
SLIDER_POSITIONS = 100


def bundled_scenarios(extra: str | Path | None = None) -> dict[str, Path]:
    """Scenario name -> YAML path: ``scenarios/*.yaml``, plus ``extra`` (listed first) if given.

    The name is the scenario's own ``name:`` (the file stem if that clashes with another).
    Files that do not validate are left out of the choice, not fatal: ``prds app`` checks the
    scenario it is given before starting.
    """
    paths = [Path(extra).resolve()] if extra else []
    paths += sorted(p.resolve() for p in SCENARIOS_DIR.glob("*.yaml") if p.resolve() not in paths)
    found: dict[str, Path] = {}
    for path in paths:
        try:
            name = load_scenario(path).name
        except Exception:  # noqa: BLE001 - a broken file is left out of the menu
            if path == paths[0] and extra:
                raise
            continue
        found[name if name not in found else path.stem] = path
    return found


def field_bounds(annotation: Any, metadata: list) -> tuple[float | None, float | None]:
    """Lower and upper bounds of a pydantic field, including inside ``Optional[Annotated]``."""
    lo = hi = None
    stack = list(metadata)
    pending = [annotation]
    while pending:
        current = pending.pop()
        for arg in typing.get_args(current):
            if hasattr(arg, "metadata"):  # a FieldInfo inside Annotated[...]
                stack += arg.metadata
            elif isinstance(arg, annotated_types.BaseMetadata):
                stack.append(arg)
            else:
                pending.append(arg)
    for item in stack:
        if isinstance(item, annotated_types.Ge | annotated_types.Gt):
            lo = item.ge if isinstance(item, annotated_types.Ge) else item.gt
        elif isinstance(item, annotated_types.Le | annotated_types.Lt):
            hi = item.le if isinstance(item, annotated_types.Le) else item.lt
    return lo, hi


def literal_values(annotation: Any) -> list[str]:
    """The allowed strings of a ``Literal`` (or ``list[Literal]``) annotation, in order."""
    for arg in typing.get_args(annotation):
        values = literal_values(arg)
        if values:
            return values
    if typing.get_origin(annotation) is typing.Literal:
        return [str(v) for v in typing.get_args(annotation)]
    return []


def parameter_slider(name: str, value: float | None = None) -> dict[str, Any]:
    """A slider for one behavioural parameter, from its declaration in ``Parameters``."""
    field = Parameters.model_fields[name]
    lo, hi = field_bounds(field.annotation, field.metadata)
    return {"type": "SliderFloat", "label": name.replace("_", " "),
            "value": field.default if value is None else value,
            "min": lo, "max": hi, "step": (hi - lo) / SLIDER_POSITIONS}


def intervention_controls(steps: int) -> dict[str, dict[str, Any]]:
    """Levers common to every intervention type, from ``InterventionSpec`` and ``Targeting``.

    ``steps`` is the longest run on offer (the upper end of start and duration).
    """
    start = InterventionSpec.model_fields["start"]
    start_lo, _ = field_bounds(start.annotation, start.metadata)
    share = Targeting.model_fields["share"]
    share_lo, share_hi = field_bounds(share.annotation, share.metadata)
    budget = InterventionSpec.model_fields["budget"]
    budget_lo, _ = field_bounds(budget.annotation, budget.metadata)
    rule = Targeting.model_fields["rule"]
    groups = Targeting.model_fields["groups"]
    return {
        "intervention": {"type": "Select", "label": "intervention",
                         "value": DEFAULT_INTERVENTION, "values": [*REGISTRY, NO_INTERVENTION]},
        "target_group": {"type": "Select", "label": "target group",
                         "value": DEFAULT_GROUP,
                         "values": [*literal_values(groups.annotation), ALL_GROUPS]},
        "coverage": {"type": "SliderFloat", "label": "coverage (share of the eligible)",
                     "value": share.default, "min": share_lo, "max": share_hi,
                     "step": (share_hi - share_lo) / 20},
        "rule": {"type": "Select", "label": "who first", "value": rule.default,
                 "values": literal_values(rule.annotation)},
        "start": {"type": "SliderInt", "label": "start (step)", "value": start.default,
                  "min": int(start_lo), "max": steps, "step": 1},
        # the spec's end defaults to the last step: the longest duration
        "duration": {"type": "SliderInt", "label": "duration (steps)", "value": steps,
                     "min": 1, "max": steps, "step": 1},
        # the spec's budget defaults to None (no cap): 0 on the slider
        "budget": {"type": "SliderInt", "label": "budget (thousand USD; 0 = no cap)",
                   "value": 0, "min": int(budget_lo), "max": BUDGET_MAX_THOUSANDS, "step": 50},
    }


def model_params(scenario: str | Path | None = None) -> dict[str, Any]:
    """SolaraViz ``model_params`` for :class:`simulation.app.workshop.WorkshopModel`.

    ``scenario`` (a YAML path) is offered first and selected; otherwise the bundled default.
    Seed and behavioural sliders start at the selected scenario's values.
    """
    scenarios = bundled_scenarios(scenario)
    first = next(iter(scenarios)) if scenario else _default_name(scenarios)
    spec = load_scenario(scenarios[first])
    longest = max(load_scenario(path).steps for path in scenarios.values())
    params: dict[str, Any] = {
        "scenario_name": {"type": "Select", "label": "scenario", "value": first,
                          "values": list(scenarios)},
        "scenario_path": str(scenario) if scenario else None,
        "seed": {"type": "SliderInt", "label": "seed", "value": min(spec.seed, 999),
                 "min": 0, "max": 999, "step": 1},
        "compare": {"type": "Checkbox", "label": "side by side: baseline and intervention, "
                    "same seed", "value": True},
        **intervention_controls(longest),
    }
    for name in WORKSHOP_PARAMETERS:
        params[name] = parameter_slider(name, getattr(spec.parameters, name))
    return params


def initial_values(params: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the controls start at (what SolaraViz passes on Reset)."""
    return {k: v["value"] if isinstance(v, dict) and "type" in v else v
            for k, v in params.items()}


def _default_name(scenarios: dict[str, Path]) -> str:
    from simulation.scenario import DEFAULT_SCENARIO

    for name, path in scenarios.items():
        if path == DEFAULT_SCENARIO.resolve():
            return name
    return next(iter(scenarios))


def group_codes(target_group: str) -> list[str] | None:
    """Targeting ``groups`` for a target-group choice (None: every group)."""
    if target_group == ALL_GROUPS:
        return None
    if target_group not in names(Group):
        raise ValueError(f"target group {target_group!r}: allowed {', '.join(names(Group))}, "
                         f"{ALL_GROUPS}")
    return [target_group]
