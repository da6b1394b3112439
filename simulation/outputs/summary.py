"""The run summary: fixed keys shared by runs, sweeps, comparisons and reports (DESIGN.md s7).

Fractions are of all households at the step unless said; ``durable_solution_share`` is of
households ever displaced. ``workers_abroad_share``: households with a member away on a labour
mobility contract (``interventions/labour_mobility.py``, worker mode); ``persons`` counts
household members at home, so a worker away is not in it until they return.
"""

import numpy as np

from simulation.codes import Coping, Status

#: The summary keys, in report order. Outcome keys are the ones sweeps and comparisons use.
SUMMARY_KEYS = (
    "households", "persons", "self_reliant_share", "harmful_coping_share",
    "emergency_coping_share", "aid_dependent_share", "durable_solution_share", "returned",
    "locally_integrated", "settled_elsewhere", "regular_migration", "workers_abroad_share",
    "irregular_migration",
    "redisplaced", "involuntary_immobility_share", "mean_rsi", "mean_rcsi", "cost_total",
)
OUTCOME_KEYS = SUMMARY_KEYS[2:]

STATUS_KEYS = {
    "returned": Status.RETURNED,
    "locally_integrated": Status.LOCALLY_INTEGRATED,
    "settled_elsewhere": Status.SETTLED_ELSEWHERE,
    "regular_migration": Status.REGULAR_MIGRATION,
    "irregular_migration": Status.IRREGULAR_MIGRATION,
    "redisplaced": Status.REDISPLACED,
}


#: the phase each outcome comes from; a plan without it (a scenario ``phases:`` key, as Flee
#: imports have) leaves the outcome at its starting value, which means nothing
OUTCOME_PHASE = {
    "self_reliant_share": "indicators", "aid_dependent_share": "indicators",
    "mean_rsi": "indicators", "mean_rcsi": "indicators",
    "harmful_coping_share": "coping", "emergency_coping_share": "coping",
    "durable_solution_share": "solutions", "locally_integrated": "solutions",
    "redisplaced": "solutions",
    "returned": "mobility", "settled_elsewhere": "mobility", "regular_migration": "mobility",
    "irregular_migration": "mobility", "involuntary_immobility_share": "mobility",
    # set by the labour mobility intervention itself, as cost_total: no phase to miss (a plan
    # without the interventions phase runs no intervention, so nobody is away: a true zero)
    "workers_abroad_share": None,
}


def not_modelled(phase_names) -> list[str]:
    """Outcome keys the plan cannot produce (their phase is not in ``phase_names``)."""
    present = set(phase_names)
    return [key for key in OUTCOME_KEYS if OUTCOME_PHASE.get(key, None) not in (None, *present)]


def summarize(model) -> dict[str, float]:
    """The summary of the model's current state (see module docstring)."""
    hh = model.households
    n = len(hh)
    share = (lambda mask: float(np.count_nonzero(mask)) / n) if n else (lambda mask: 0.0)
    ever = int(np.count_nonzero(hh.ever_displaced))
    status_counts = np.bincount(hh.status, minlength=len(Status))
    out = {
        "households": n,
        "persons": int(hh.size.sum(dtype=np.int64)),
        "self_reliant_share": share(hh.self_reliant),
        "harmful_coping_share": share(hh.lcs >= Coping.CRISIS),
        "emergency_coping_share": share(hh.lcs == Coping.EMERGENCY),
        "aid_dependent_share": share(hh.aid_dependent),
        "durable_solution_share": (
            float(np.count_nonzero(hh.durable_solution & hh.ever_displaced)) / ever if ever else 0.0
        ),
    }
    for key, status in STATUS_KEYS.items():
        out[key] = float(status_counts[status]) / n if n else 0.0
    out["workers_abroad_share"] = share(hh.worker_node >= 0)
    out["involuntary_immobility_share"] = share(hh.immobile)
    out["mean_rsi"] = float(hh.rsi.mean(dtype=np.float64)) if n else 0.0
    out["mean_rcsi"] = float(hh.rcsi.mean(dtype=np.float64)) if n else 0.0
    out["cost_total"] = model.cost_total
    return {key: out[key] for key in SUMMARY_KEYS}  # in report order
