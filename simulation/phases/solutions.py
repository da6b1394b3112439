"""Phase 6, durable solutions against host parity (DESIGN.md section 3.6; IASC Framework 2010).

A household that was ever displaced meets the criteria when, at its current node:
safety (threat at most ``solution_threat_max``); an adequate standard of living at parity
with the hosts there (income and aid against needs at least ``parity_ratio`` of the host
average, and no crisis or emergency coping); livelihoods (earned income at parity); housing
outside a camp; HLP restored (own HLP secure on return, or governance/HLP security at the
node elsewhere); and documentation. Family reunification, participation and access to
remedies have no state in this model and are taken as met (stated simplification).
When the criteria have held for ``solution_months`` in a row the household has a durable
solution; a displaced household with host families then counts as locally integrated.
A solution fails when the household is displaced again (mobility phase: ``redisplaced``).
"""

import numpy as np

from simulation.codes import ABROAD_STATUSES, Coping, Group, Status
from simulation.params import Parameters

#: node HLP / governance security needed for a solution away from one's own land (assumption)
HLP_NODE_MIN = 0.5


def host_average(values: np.ndarray, node: np.ndarray, is_host: np.ndarray, n_nodes: int,
                 fallback: float) -> np.ndarray:
    """Mean of ``values`` over host households at each node (``fallback`` where none)."""
    totals = np.bincount(node[is_host], weights=values[is_host], minlength=n_nodes)
    counts = np.bincount(node[is_host], minlength=n_nodes)
    return np.where(counts > 0, totals / np.maximum(counts, 1), fallback)


def criteria_met(hh, graph, params: Parameters) -> np.ndarray:
    """IASC criteria at parity with hosts at the same node (see module docstring)."""
    node = hh.node
    is_host = (hh.group == Group.HOST) & (hh.status == Status.IN_PLACE)
    need = np.maximum(hh.need, 1e-6)
    earned = hh.income / need
    host_living = host_average(hh.living_standard, node, is_host, graph.n_nodes, 1.0)
    host_earned = host_average(earned, node, is_host, graph.n_nodes, 0.5)
    safety = graph.threat[node] <= params.solution_threat_max
    living = (hh.living_standard >= params.parity_ratio * host_living[node]) & (hh.lcs <= Coping.STRESS)
    livelihood = earned >= params.parity_ratio * host_earned[node]
    housing = (hh.status != Status.DISPLACED_CAMP) & (hh.status != Status.IN_TRANSIT)
    at_origin = node == hh.origin
    hlp = np.where(at_origin, hh.hlp_secure, graph.hlp[node] >= HLP_NODE_MIN)
    candidates = hh.ever_displaced & ~np.isin(hh.status, ABROAD_STATUSES)
    return candidates & safety & living & livelihood & housing & hlp & hh.documented


def step(model, t: int) -> None:
    hh, graph, params = model.households, model.graph, model.params
    met = criteria_met(hh, graph, params)
    hh.t_criteria_since = np.where(met, np.where(hh.t_criteria_since < 0, t, hh.t_criteria_since), -1)
    months_held = (t - hh.t_criteria_since + 1) * model.days_per_step / 30.0
    hh.durable_solution = met & (months_held >= params.solution_months)
    integrating = hh.durable_solution & np.isin(hh.status, (Status.DISPLACED_HOST, Status.REDISPLACED))
    hh.status = np.where(integrating, Status.LOCALLY_INTEGRATED, hh.status)
    hh.t_solution = np.where(integrating, t, hh.t_solution)
