"""The step as data: an ordered, named list of phases (Starsim's plan, not a god method).

Each phase is a function ``step(model, t)`` over whole household columns; the plan can be
printed, timed (``model.phase_seconds``) and extended by inserting a phase.
"""

from simulation.phases import (
    arrivals,
    assistance,
    coping,
    indicators,
    interventions,
    journeys,
    livelihoods,
    mobility,
    shocks,
    solutions,
)

#: (name, function) in the order of DESIGN.md section 3
PLAN = (
    ("shocks", shocks.step),
    ("assistance", assistance.step),
    ("interventions", interventions.step),
    ("livelihoods", livelihoods.step),
    ("coping", coping.step),
    ("indicators", indicators.step),
    ("mobility", mobility.step),
    ("solutions", solutions.step),
)


def plan_for(scenario) -> list[tuple[str, object]]:
    """The plan a scenario runs: PLAN, or the phases its ``phases`` key names (in plan order),
    with ``arrivals`` right after shocks when it declares arrivals and ``journeys`` right
    before mobility when fleeing households travel hop by hop (``hop_by_hop_flight`` > 0).
    A scenario without these runs exactly PLAN."""
    chosen = [(name, phase) for name, phase in PLAN
              if scenario.phases is None or name in scenario.phases]
    plan = []
    if scenario.arrivals and not any(name == "shocks" for name, _ in chosen):
        plan.append(("arrivals", arrivals.step))
    for name, phase in chosen:
        if name == "mobility" and scenario.parameters.hop_by_hop_flight > 0:
            plan.append(("journeys", journeys.step))
        plan.append((name, phase))
        if name == "shocks" and scenario.arrivals:
            plan.append(("arrivals", arrivals.step))
    if scenario.parameters.hop_by_hop_flight > 0 and not any(n == "journeys" for n, _ in plan):
        plan.append(("journeys", journeys.step))
    return plan
