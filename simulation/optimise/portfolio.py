"""The decision space: from a point of the unit cube to a mix of programmes under the budget.

A candidate is a vector in [0, 1]^D (what NSGA-II searches): one coordinate per programme for
its budget share, then one per lever. Levers map their coordinate with the sweeps' inverse
distribution functions (``Factor.from_unit``: a range, whole numbers, or named values such as
a targeting rule). Shares map to their ranges and are then projected onto the budget: the
Euclidean projection onto {s : sum s = 1, low <= s <= high} (``s_i = clip(r_i + t)`` with the
one ``t`` that makes them sum to 1), so every candidate spends the whole budget in shares the
file allows and nearby points give nearby mixes. Each programme's ``budget`` cap is its share
of the budget in whole USD, rounded down, so the caps never sum past the budget.

Continuous levers are rounded to 4 significant digits: the mixes written as scenario files
read as a planner would write them, and a mix is evaluated exactly as written.
"""

import copy
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulation.optimise.spec import DURATION, Optimisation, apply_levers, template_duration
from simulation.sweeps.factors import Values, value_kind

#: significant digits kept of a continuous lever (see the module docstring)
DIGITS = 4


@dataclass(frozen=True)
class Lever:
    """One searched setting: ``path`` in programme ``programme``'s intervention."""

    programme: str
    path: str
    factor: Any

    @property
    def column(self) -> str:
        """Its column in evaluations.parquet: ``<programme>.<key path>``."""
        return f"{self.programme}.{self.path}"

    def value(self, u: float):
        value = self.factor.from_unit(np.array([u]))[0]
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not self.factor.integer and value != 0:
            value = float(f"{value:.{DIGITS}g}")
        return value


@dataclass(frozen=True)
class Mix:
    """A portfolio: each programme's share of the budget, its cap in USD and its levers."""

    shares: dict[str, float]
    budgets: dict[str, int]
    levers: dict[str, Any]  # column -> value
    interventions: list[dict] = field(repr=False)

    @property
    def key(self) -> str:
        """Identical keys, identical runs (same scenario, same seeds): evaluated once."""
        return json.dumps(self.interventions, sort_keys=True)


class Portfolio:
    """The programmes of an optimisation file as a decision space (see module docstring)."""

    def __init__(self, problem: Optimisation):
        self.problem = problem
        self.budget = float(problem.budget)
        self.names = list(problem.programmes)
        self.templates = {n: copy.deepcopy(p.intervention) for n, p in problem.programmes.items()}
        self.low = np.array([p.share.low for p in problem.programmes.values()])
        self.high = np.array([p.share.high for p in problem.programmes.values()])
        self.levers = [Lever(n, key, factor) for n, p in problem.programmes.items()
                       for key, factor in p.levers.items()]
        self.steps = int(problem.scenario_data().get("steps", 36))

    @property
    def n_var(self) -> int:
        return len(self.names) + len(self.levers)

    @property
    def columns(self) -> list[str]:
        """Lever columns: each programme's budget share and budget, then the levers."""
        out = []
        for name in self.names:
            out += [f"{name}.budget_share", f"{name}.budget"]
        return out + [lever.column for lever in self.levers]

    def column_kinds(self) -> dict[str, str]:
        kinds = {}
        for name in self.names:
            kinds[f"{name}.budget_share"] = "float"
            kinds[f"{name}.budget"] = "int"
        kinds.update({lever.column: value_kind(lever.factor) for lever in self.levers})
        return kinds

    # --- decoding ----------------------------------------------------------------------------
    def shares(self, u: np.ndarray) -> np.ndarray:
        """Budget shares for the share coordinates ``u`` (projected: see module docstring)."""
        raw = self.low + np.clip(u, 0.0, 1.0) * (self.high - self.low)
        return project_to_budget(raw, self.low, self.high)

    def decode(self, u: np.ndarray) -> Mix:
        """The mix at unit-cube point ``u`` (shares first, then levers)."""
        u = np.asarray(u, dtype=np.float64)
        shares = self.shares(u[: len(self.names)])
        values = {lever.column: lever.value(float(x))
                  for lever, x in zip(self.levers, u[len(self.names):], strict=True)}
        return self.mix(dict(zip(self.names, shares.tolist(), strict=True)), values)

    def mix(self, shares: dict[str, float], values: dict[str, Any] | None = None) -> Mix:
        """The mix with these shares and lever values (missing levers: the template's)."""
        values = dict(values or {})
        for lever in self.levers:
            values.setdefault(lever.column, self.template_value(lever))
        budgets = {n: int(math.floor(shares.get(n, 0.0) * self.budget + 1e-6)) for n in self.names}
        budgets = {n: min(b, int(math.floor(self.budget))) for n, b in budgets.items()}
        interventions = []
        for name in self.names:
            if budgets[name] <= 0:
                continue  # a programme without money is not in the mix
            own = {lever.path: values[lever.column] for lever in self.levers
                   if lever.programme == name}
            spec = apply_levers(self.templates[name], own)
            spec["budget"] = budgets[name]
            interventions.append(spec)
        return Mix(shares={n: float(shares.get(n, 0.0)) for n in self.names}, budgets=budgets,
                   levers=values, interventions=interventions)

    def template_value(self, lever: Lever):
        """What the template says for a lever (its duration in steps for ``duration``)."""
        template = self.templates[lever.programme]
        if lever.path == DURATION:
            return template_duration(template, self.steps)
        node: Any = template
        for part in lever.path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:  # the intervention's default
            from simulation.scenario.loader import load_scenario

            spec = load_scenario({**self.problem.scenario_data(),
                                  "interventions": [template]}).interventions[0]
            node = spec
            for part in lever.path.split("."):
                node = getattr(node, part)
        if isinstance(lever.factor, Values) and lever.factor.names:
            return str(node)
        return int(node) if lever.factor.integer else float(node)

    # --- reference mixes ---------------------------------------------------------------------
    def corners(self) -> list[tuple[str, Mix]]:
        """Each programme alone with the whole budget, its levers as its template says."""
        return [(f"{name} alone", self.mix({name: 1.0})) for name in self.names]

    def even(self) -> Mix:
        """The budget split evenly between the programmes, levers as their templates say."""
        return self.mix({name: 1.0 / len(self.names) for name in self.names})

    def scenario(self, mix: Mix) -> dict:
        """The base scenario with the mix's interventions (what each run of it gets)."""
        data = self.problem.scenario_data()
        data["interventions"] = copy.deepcopy(mix.interventions)
        return data


def project_to_budget(raw: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The point of {sum = 1, low <= s <= high} nearest ``raw`` (bisection on the shift t)."""
    raw, low, high = (np.asarray(a, dtype=np.float64) for a in (raw, low, high))
    if len(raw) == 1:
        return np.ones(1)
    lo, hi = float(np.min(low - raw)), float(np.max(high - raw))
    for _ in range(200):  # sum(clip(raw + t)) rises with t; 200 halvings: exact in float64
        t = 0.5 * (lo + hi)
        if np.clip(raw + t, low, high).sum() < 1.0:
            lo = t
        else:
            hi = t
    return np.clip(raw + 0.5 * (lo + hi), low, high)
