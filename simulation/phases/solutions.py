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


def host_average(values: np.ndarray, at: np.ndarray, counts: np.ndarray,
                 fallback: float) -> np.ndarray:
    """Mean of ``values`` (one per host household) over the hosts at each node, the hosts
    being at nodes ``at`` and ``counts`` of them at each node (``fallback`` where none)."""
    totals = np.bincount(at, weights=values, minlength=len(counts))
    return np.where(counts > 0, totals / np.maximum(counts, 1), fallback)


def host_averages(hh, graph) -> tuple[np.ndarray, np.ndarray]:
    """Per node, the hosts' mean living standard (1.0 where none) and mean earned income over
    needs (0.5 where none): what the displaced are compared with. Over host rows only, their
    nodes gathered and counted once for both."""
    hosts = np.flatnonzero((hh.group == Group.HOST) & (hh.status == Status.IN_PLACE))
    at = hh.node[hosts].astype(np.intp)
    counts = np.bincount(at, minlength=graph.n_nodes)
    host_living = host_average(hh.living_standard[hosts], at, counts, 1.0)
    host_need = np.maximum(hh.need[hosts], 1e-6)
    host_earned = host_average(hh.income[hosts] / host_need, at, counts, 0.5)
    return host_living, host_earned


def criteria_met(hh, graph, params: Parameters, hosts=None) -> np.ndarray:
    """IASC criteria at parity with hosts at the same node (see module docstring).

    Host averages (``host_averages``, or ``hosts`` if given: those of the whole store when
    ``hh`` is a slice of its rows) are taken over host rows only and the criteria checked
    only for the candidates (ever displaced, not gone abroad), then spread back to a full mask.
    Tests that depend on the node alone are made once per node and gathered.
    """
    host_living, host_earned = host_averages(hh, graph) if hosts is None else hosts
    status = hh.status
    met = hh.ever_displaced & (status != Status.REGULAR_MIGRATION)
    met &= status != Status.IRREGULAR_MIGRATION  # (ABROAD_STATUSES)
    rows = np.flatnonzero(met)
    at, status = hh.node[rows].astype(np.intp), status[rows]
    need = np.maximum(hh.need[rows], 1e-6)
    earned = hh.income[rows] / need
    living_standard = hh.living_standard[rows]
    safety = np.take(graph.threat <= params.solution_threat_max, at)
    living = ((living_standard >= np.take(params.parity_ratio * host_living, at))
              & (hh.lcs[rows] <= Coping.STRESS))
    livelihood = earned >= np.take(params.parity_ratio * host_earned, at)
    housing = (status != Status.DISPLACED_CAMP) & (status != Status.IN_TRANSIT)
    hlp = np.where(at == hh.origin[rows], hh.hlp_secure[rows],
                   np.take(graph.hlp >= HLP_NODE_MIN, at))
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
    since = hh.t_criteria_since  # from this step where the criteria start to hold, else -1
    np.copyto(since, np.int32(t), where=met & (since < 0))
    np.copyto(since, np.int32(-1), where=~met)
    months_held = (t - since + 1) * days_per_step / 30.0
    hh.durable_solution = met & (months_held >= params.solution_months)
    integrating = hh.durable_solution & ((hh.status == Status.DISPLACED_HOST)
                                         | (hh.status == Status.REDISPLACED))
    np.copyto(hh.status, np.int8(Status.LOCALLY_INTEGRATED), where=integrating)
    np.copyto(hh.t_solution, np.int32(t), where=integrating)
