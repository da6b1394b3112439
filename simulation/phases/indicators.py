"""Phase 4, indicators per household (DESIGN.md section 5).

- rCSI: five food-based strategies, weights 1, 2, 1, 3, 1, days in the last 7 (0..56; WFP).
  Days are derived from food pressure (unmet need and coping level): an assumption that
  maps model state to what a household would report.
- CARI: WFP's console, half current status (from rCSI) and half coping capacity (mean of the
  LCS class and the economic capacity class: income and aid against the MEB).
- RSI: the Refugee Self-Reliance Index's 12 domains, each scored 1..5 from model state;
  self-reliant = mean at or above ``self_reliance_mean`` and no domain at 1 (one place:
  ``is_self_reliant``).
- Aid dependency: aid above ``aid_dependency_share`` of income plus aid for
  ``aid_dependency_months`` in a row.
"""

import numpy as np

from simulation.codes import Status
from simulation.params import Parameters
from simulation.phases.coping import BIT

RCSI_WEIGHTS = np.array([1, 2, 1, 3, 1], dtype=np.int16)  # WFP rCSI
#: how fast each rCSI strategy reaches 7 days as food pressure rises (assumption): eating less
#: preferred food comes first, restricting adults' consumption last
RCSI_ONSET = np.array([3.0, 1.5, 2.0, 1.0, 2.0])

RSI_DOMAINS = (
    "housing", "food", "education", "health_care", "health_status", "safety",
    "employment", "financial_resources", "assistance", "debt", "savings", "social_capital",
)


def rcsi(unmet_need: np.ndarray, lcs: np.ndarray) -> np.ndarray:
    """rCSI 0..56 from food pressure = unmet share of needs + 0.1 per coping level above none."""
    pressure = np.clip(unmet_need + 0.1 * (lcs - 1), 0.0, 1.0)
    days = np.rint(7.0 * np.clip(pressure[:, None] * RCSI_ONSET[None, :], 0.0, 1.0))
    return (days @ RCSI_WEIGHTS).astype(np.int8)


def score(value: np.ndarray, thresholds) -> np.ndarray:
    """1..5 by rising thresholds: below the first -> 1, at or above the last -> 5."""
    return (1 + np.searchsorted(np.asarray(thresholds), value, side="right")).astype(np.int8)


def cari(rcsi_value, lcs, living_standard) -> np.ndarray:
    """WFP CARI class 1..4 (food secure .. severely food insecure)."""
    current = score(rcsi_value, [4, 19, 43]).clip(1, 4)  # rCSI phases (WFP)
    economic = 5 - score(living_standard, [0.5, 0.8, 1.0]).clip(1, 4)  # vs SMEB/MEB
    coping_capacity = (lcs + economic) / 2.0
    return np.rint((current + coping_capacity) / 2.0 + 1e-9).clip(1, 4).astype(np.int8)


def rsi_domains(hh, graph, rcsi_value) -> np.ndarray:
    """The 12 RSI domain scores (households x 12, int8, each 1..5)."""
    node = hh.node
    status = hh.status
    need = np.maximum(hh.need, 1e-6)
    monthly_need = need  # need is per step; ratios below are per step as well
    own_home = (status == Status.IN_PLACE) | (status == Status.RETURNED)
    housing = np.where(
        status == Status.DISPLACED_CAMP, 2.0,
        np.where(own_home, 1.0 + 4.0 * (1.0 - graph.damage[node]), 1.0 + 4.0 * graph.housing[node]),
    )
    housing = np.where(status == Status.IN_TRANSIT, 1.0, housing)
    used = hh.strategies_used
    cut = (used & BIT["cut_health_education"]) != 0
    withdrew = (hh.strategies_exhausted & BIT["withdraw_children_from_school"]) != 0
    risky = (used & BIT["high_risk_or_illegal_work"]) != 0
    services = graph.services[node]
    food = 6 - score(rcsi_value, [4, 10, 19, 43])
    education = np.where(withdrew, 1, np.where(cut, 2, np.rint(1 + 4 * services)))
    health_care = np.clip(np.rint(1 + 4 * services) - cut, 1, 5)
    health_status = np.rint((food + health_care) / 2.0)
    safety = np.clip(np.rint(5 - 4 * graph.threat[node]) - risky, 1, 5)
    employment = score(hh.income / need, [0.2, 0.5, 0.75, 1.0])
    financial = score(hh.living_standard, [0.5, 0.8, 1.0, 1.3])
    total = hh.income + hh.aid
    aid_share = np.divide(hh.aid, total, out=np.zeros_like(total), where=total > 0)
    assistance = 6 - score(aid_share, [1e-6, 0.25, 0.5, 0.75])
    debt = 6 - score(hh.debt / monthly_need, [1e-6, 1.0, 3.0, 6.0])
    savings = score(hh.savings / monthly_need, [1e-6, 0.25, 1.0, 3.0])
    social = np.rint(1 + 4 * (0.5 * hh.ties + 0.5 * graph.cohesion[node]))
    domains = np.stack([housing, food, education, health_care, health_status, safety,
                        employment, financial, assistance, debt, savings, social], axis=1)
    return np.clip(np.rint(domains), 1, 5).astype(np.int8)


def is_self_reliant(rsi_mean: np.ndarray, rsi_min: np.ndarray, params: Parameters) -> np.ndarray:
    """The self-reliance rule, in one place (DESIGN.md section 5)."""
    return (rsi_mean >= params.self_reliance_mean) & (rsi_min > 1)


def step(model, t: int) -> None:
    hh, graph, params = model.households, model.graph, model.params
    total = hh.income + hh.aid
    hh.living_standard = np.divide(total, hh.need, out=np.zeros_like(total), where=hh.need > 0)
    hh.rcsi = rcsi(hh.unmet_need, hh.lcs)
    hh.cari = cari(hh.rcsi, hh.lcs, hh.living_standard)
    domains = rsi_domains(hh, graph, hh.rcsi)
    hh.rsi = domains.mean(axis=1, dtype=np.float32)
    hh.rsi_min = domains.min(axis=1)
    hh.self_reliant = is_self_reliant(hh.rsi, hh.rsi_min, params)

    dependent_now = hh.aid > params.aid_dependency_share * total
    hh.t_aid_since = np.where(dependent_now, np.where(hh.t_aid_since < 0, t, hh.t_aid_since), -1)
    months_in_a_row = (t - hh.t_aid_since + 1) * model.days_per_step / 30.0
    hh.aid_dependent = dependent_now & (months_in_a_row >= params.aid_dependency_months)
