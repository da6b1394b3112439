"""Phase 1, shocks and flight (DESIGN.md section 3.1).

Threat at each node comes from the scenario's schedule (or a conflict file) and from
stochastic hazard spikes. Threat damages housing, services and jobs; households at a
threatened node flee with a probability that grows logistically with threat. Who flees is
marked here; where they go is decided in the mobility phase.
"""

import numpy as np

from simulation.codes import NodeType, Status
from simulation.params import Parameters, per_step


def flight_probability(threat: np.ndarray, params: Parameters, days_per_step: float) -> np.ndarray:
    """Per-step probability of fleeing at each threat level: logistic in threat
    (assumption), shifted and rescaled so that nobody flees where there is no threat and
    ``flight_rate`` a month still flee at threat 1.

    The plain logistic never reaches 0: with the defaults it made 0.27% of the households
    of every peaceful place flee each month (the default scenario: 1,720 flights in 36
    months, 373 of them first flights from places at threat 0), so hosts of towns no
    conflict touched became displaced. Forced displacement needs a threat."""
    def logistic(x):
        return 1.0 / (1.0 + np.exp(-params.flight_steepness * (x - params.flight_threshold)))

    floor, top = logistic(0.0), logistic(1.0)
    monthly = params.flight_rate * np.clip((logistic(np.asarray(threat, dtype=float)) - floor)
                                           / (top - floor), 0.0, 1.0)
    return per_step(monthly, days_per_step)


def update_damage(damage: np.ndarray, threat: np.ndarray, params: Parameters,
                  months: float) -> np.ndarray:
    """Damage grows with threat on what still stands and slowly recovers where threat is low.

    The growth is ``damage_rate * threat`` of the intact share a month, so damage approaches
    1 but never overshoots it: fighting destroys a share of the buildings left, and the
    share destroyed slows as fewer stand (World Bank 2017, The Toll of War: 27-32% of Syria's
    housing damaged or destroyed after six years, not all of it). The rate is calibrated to
    that figure (``worldbank_syria_housing_damage``); the recovery is an assumption.
    """
    recovering = threat < 0.2
    change = (params.damage_rate * threat * (1.0 - damage) * months
              - params.recovery_rate * recovering * months)
    return np.clip(damage + change, 0.0, 1.0)


def step(model, t: int) -> None:
    graph, hh, params = model.graph, model.households, model.params
    months = model.days_per_step / 30.0
    scheduled = graph.threat_by_step[min(t, len(graph.threat_by_step) - 1)]
    spikes = model.streams.uniform("hazard", t, graph.n_nodes) < per_step(graph.hazard, model.days_per_step)
    graph.spike_until = np.where(spikes, t + graph.hazard_months / months, graph.spike_until)
    spiking = graph.spike_until >= t
    graph.threat = np.maximum(scheduled, np.where(spiking, graph.hazard_threat, 0.0))

    graph.damage = update_damage(graph.damage, graph.threat, params, months)
    intact = 1.0 - graph.damage
    graph.services = graph.base_services * intact
    graph.housing = graph.base_housing * intact
    graph.labour_demand = graph.base_labour_demand * intact * (1.0 - 0.5 * graph.threat)
    graph.market = graph.base_market * (1.0 - 0.5 * graph.threat)

    # nobody flees from an abroad node: a probability below every draw there
    p_flee = np.where(graph.type == NodeType.ABROAD, -1.0,
                      flight_probability(graph.threat, params, model.days_per_step))
    # (on the whole store: a few passes, too little work to share out on row slices, which
    # measured slower at 1M on two threads, 2026-12-03)
    model.today.fleeing = flees(hh, p_flee, model.streams.uniform("flight", t, len(hh)))


def flees(hh, p_flee_by_node: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Which of the households ``hh`` (the store or a slice of its rows) flee this step: those
    not in transit nor gone abroad whose flight draw (``draws``, theirs) is below the flight
    probability at their node (``p_flee_by_node``, -1 at abroad nodes)."""
    status = hh.status
    at_risk = status != Status.IN_TRANSIT
    at_risk &= status != Status.REGULAR_MIGRATION
    at_risk &= status != Status.IRREGULAR_MIGRATION
    at_risk &= draws < np.take(p_flee_by_node, hh.node.astype(np.intp))
    return at_risk
