"""The step as data: an ordered, named list of phases (Starsim's plan, not a god method).

Each phase is a function ``step(model, t)`` over whole household columns; the plan can be
printed, timed (``model.phase_seconds``) and extended by inserting a phase.
"""

from simulation.phases import (
    assistance,
    coping,
    indicators,
    interventions,
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
