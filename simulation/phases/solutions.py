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

from simulation.chunks import per_household
from simulation.codes import Coping, Group, Status
from simulation.params import Parameters

#: node HLP / governance security needed for a solution away from one's own land (assumption)
HLP_NODE_MIN = 0.5


def host_average(values: np.ndarray, node: np.ndarray, is_host, n_nodes: int,
                 fallback: float) -> np.ndarray:
    """Mean of ``values`` over host households at each node (``fallback`` where none).

    ``is_host`` selects the hosts: a mask, or their row numbers."""
    at = node[is_host]
    totals = np.bincount(at, weights=values[is_host], minlength=n_nodes)
    counts = np.bincount(at, minlength=n_nodes)
    return np.where(counts > 0, totals / np.maximum(counts, 1), fallback)


def host_averages(hh, graph) -> tuple[np.ndarray, np.ndarray]:
    """Per node, the hosts' mean living standard (1.0 where none) and mean earned income over
    needs (0.5 where none): what the displaced are compared with. Over host rows only."""
    node = hh.node.astype(np.intp)
    hosts = np.flatnonzero((hh.group == Group.HOST) & (hh.status == Status.IN_PLACE))
    host_living = host_average(hh.living_standard, node, hosts, graph.n_nodes, 1.0)
    host_need = np.maximum(hh.need[hosts], 1e-6)
    host_earned = host_average(hh.income[hosts] / host_need, node[hosts], slice(None),
                               graph.n_nodes, 0.5)
    return host_living, host_earned


def criteria_met(hh, graph, params: Parameters, hosts=None) -> np.ndarray:
    """IASC criteria at parity with hosts at the same node (see module docstring).

    Host averages (``host_averages``, or ``hosts`` if given: those of the whole store when
    ``hh`` is a slice of its rows) are taken over host rows only and the criteria checked
    only for the candidates (ever displaced, not gone abroad), then spread back to a full mask.
    """
    host_living, host_earned = host_averages(hh, graph) if hosts is None else hosts
    node, status = hh.node.astype(np.intp), hh.status
    met = hh.ever_displaced & (status != Status.REGULAR_MIGRATION)
    met &= status != Status.IRREGULAR_MIGRATION  # (ABROAD_STATUSES)
    rows = np.flatnonzero(met)
    at, status = node[rows], status[rows]
    need = np.maximum(hh.need[rows], 1e-6)
    earned = hh.income[rows] / need
    living_standard = hh.living_standard[rows]
    safety = graph.threat[at] <= params.solution_threat_max
    living = ((living_standard >= params.parity_ratio * host_living[at])
              & (hh.lcs[rows] <= Coping.STRESS))
    livelihood = earned >= params.parity_ratio * host_earned[at]
    housing = (status != Status.DISPLACED_CAMP) & (status != Status.IN_TRANSIT)
    hlp = np.where(at == hh.origin[rows], hh.hlp_secure[rows], graph.hlp[at] >= HLP_NODE_MIN)
    met[rows] = safety & living & livelihood & housing & hlp & hh.documented[rows]
    return met


def step(model, t: int) -> None:
    hh, graph, params = model.households, model.graph, model.params
    hosts = host_averages(hh, graph)  # over the whole store; then each household on its own
    per_household(model, lambda rows: follow_up(rows, graph, params, t, model.days_per_step,
                                                hosts))


def follow_up(hh, graph, params: Parameters, t: int, days_per_step: float, hosts) -> None:
    """Criteria, the months they have held, durable solutions and local integration of the
    households ``hh`` (the store or a slice of its rows) at step ``t``, in place; ``hosts``:
    the whole store's ``host_averages``."""
    met = criteria_met(hh, graph, params, hosts)
    hh.t_criteria_since = np.where(met, np.where(hh.t_criteria_since < 0, t, hh.t_criteria_since), -1)
    months_held = (t - hh.t_criteria_since + 1) * days_per_step / 30.0
    hh.durable_solution = met & (months_held >= params.solution_months)
    integrating = hh.durable_solution & ((hh.status == Status.DISPLACED_HOST)
                                         | (hh.status == Status.REDISPLACED))
    hh.status = np.where(integrating, Status.LOCALLY_INTEGRATED, hh.status)
    hh.t_solution = np.where(integrating, t, hh.t_solution)
