"""Interventions: a declared spec (what the YAML says) and a runtime object (what it does).

Following Covasim and Starsim: each intervention has a start and an end resolved once,
eligibility as a named selector (``Targeting``), capacity as a budget cap, and its own cost
accounting every step. An intervention acts only through named household or node variables,
so its effect can be explained (DESIGN.md section 4).

Money is accounted so that it is conserved: every dollar an intervention spends is either
received by a household (``transfers``: cash into ``aid``, or in kind into a stock such as
``assets``; either way the household's ``aid_received_total`` rises by exactly that much),
spent on delivery (``overhead``, declared as a share in the scenario) or spent on works and
services not received as money (``works``: node works, training, travel arranged). A
``budget`` is a hard cap: enrolment is cut to what the budget covers at the expected cost
per household, and no payment or works spending ever takes the total cost past it.

Each spec lists the variables it writes in ``acts_on`` (``household.<column>`` or
``node.<array>``); a test checks that an intervention changes nothing else.
"""

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulation.codes import ABROAD_STATUSES, Group, Status, names

GroupName = Literal[tuple(names(Group))]  # type: ignore[valid-type]
StatusName = Literal[tuple(names(Status))]  # type: ignore[valid-type]


class Targeting(BaseModel):
    """Who is eligible, and who among the eligible is enrolled first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nodes: list[str] | None = Field(None, description="node names (default: all)")
    groups: list[GroupName] | None = Field(None, description="groups (default: all)")
    statuses: list[StatusName] | None = Field(None, description="statuses (default: all)")
    min_coping: Annotated[int, Field(ge=1, le=4)] = Field(1, description="lowest LCS level eligible")
    share: Annotated[float, Field(ge=0.0, le=1.0)] = Field(1.0, description="share of eligible enrolled")
    count: Annotated[int, Field(ge=0)] | None = Field(None, description="most households enrolled")
    rule: Literal["random", "poorest_first", "most_vulnerable"] = Field(
        "random", description="order of enrolment when not all eligible can be covered"
    )


class InterventionSpec(BaseModel):
    """Fields common to every intervention; subclasses add their levers and ``type``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    name: str | None = Field(None, description="label in reports (default: the type)")
    start: Annotated[int, Field(ge=1)] = Field(1, description="first step active (steps count from 1)")
    end: Annotated[int, Field(ge=1)] | None = Field(
        None, description="last step active, included (default: the last step of the run)"
    )
    targeting: Targeting = Field(default_factory=Targeting)
    budget: Annotated[float, Field(ge=0.0)] | None = Field(
        None, description="total budget (USD); caps how many households are enrolled"
    )
    overhead: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.1, description="delivery cost as a share of what reaches households (assumption: 10%)"
    )
    enrolment: Literal["once", "rolling"] = Field(
        "once", description="enrol a cohort at start, or re-select the eligible every step"
    )

    #: the runtime class, set by each subclass
    runtime: ClassVar[type["Intervention"]]
    #: the variables the intervention writes: ``household.<column>`` or ``node.<array>``
    acts_on: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _window(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) must not be before start ({self.start})")
        return self

    @property
    def label(self) -> str:
        return self.name or self.type

    def cost_per_household(self, months_active: float) -> float:
        """Expected cost of enrolling one household for the whole window (budget cap)."""
        return 0.0

    def build(self, index: int) -> "Intervention":
        return self.runtime(self, index)

    def graph_problems(self, graph) -> list[str]:
        """Problems with the graph this spec refers to, as ``key: message`` (schema check).

        ``graph`` is the scenario's ``GraphSpec``; the base checks nothing beyond the
        targeting nodes (checked by the scenario schema), subclasses add their own.
        """
        return []


class Intervention:
    """Runtime base: resolves the window, selects households, applies and accounts."""

    #: statuses never eligible: households gone abroad or on the road are out of reach
    excluded_statuses: ClassVar[tuple[Status, ...]] = (*ABROAD_STATUSES, Status.IN_TRANSIT)

    def __init__(self, spec: InterventionSpec, index: int):
        self.spec = spec
        self.index = index
        self.stream = f"intervention:{index}:{spec.type}"
        self.enrolled = np.empty(0, dtype=np.int64)
        self.transfers = 0.0  # USD received by households
        self.overhead = 0.0  # USD spent on delivery
        self.works = 0.0  # USD spent on works and services (node works, training, travel)
        self.households_reached = 0
        self.reached = np.empty(0, dtype=np.int64)  # every row ever enrolled

    # --- life cycle -------------------------------------------------------------------------
    def init(self, model) -> None:
        """Resolve the window once (Covasim's initialize). Steps count from 1, as Mesa's."""
        self.start = self.spec.start
        self.end = model.steps_total if self.spec.end is None else min(self.spec.end, model.steps_total)
        self.months = model.days_per_step / 30.0  # months per step
        self.window_months = max(0, self.end - self.start + 1) * self.months
        self.node_ids = (
            None if self.spec.targeting.nodes is None
            else np.array([model.graph.index[n] for n in self.spec.targeting.nodes], dtype=np.int32)
        )

    def active(self, step: int) -> bool:
        return self.start <= step <= self.end

    def step(self, model, step: int) -> None:
        """Called every step after shocks and baseline aid, before livelihoods."""
        if not self.active(step):
            if step == self.end + 1:
                self.finish(model, step)
            return
        if self.spec.enrolment == "rolling" or step == self.start:
            self.enrolled = self.select(model, step)
            self.reached = np.union1d(self.reached, self.enrolled)
            self.households_reached = len(self.reached)
        self.apply(model, step, self.enrolled)

    def apply(self, model, step: int, rows: np.ndarray) -> None:
        """Act on the named variables of ``rows`` (override)."""
        raise NotImplementedError

    def finish(self, model, step: int) -> None:
        """Called once at the first step after the window (override to undo node effects)."""

    # --- targeting ----------------------------------------------------------------------------
    @staticmethod
    def present(model, rows: np.ndarray) -> np.ndarray:
        """The rows still within reach: not abroad, not in transit (a programme cannot pay them)."""
        status = model.households.status[rows]
        return rows[~np.isin(status, (*ABROAD_STATUSES, Status.IN_TRANSIT))]

    def eligible(self, model) -> np.ndarray:
        """Boolean mask of eligible households (nodes, groups, statuses, coping level)."""
        hh, target = model.households, self.spec.targeting
        mask = hh.lcs >= target.min_coping
        mask &= ~np.isin(hh.status, self.excluded_statuses)
        if self.node_ids is not None:
            mask &= np.isin(hh.node, self.node_ids)
        if target.groups is not None:
            mask &= np.isin(hh.group, [Group[g.upper()] for g in target.groups])
        if target.statuses is not None:
            mask &= np.isin(hh.status, [Status[s.upper()] for s in target.statuses])
        return mask

    def select(self, model, step: int) -> np.ndarray:
        """Rows enrolled: eligible, ordered by the rule, cut by share, count and budget."""
        return np.sort(self.ranked(model, step))

    def ranked(self, model, step: int) -> np.ndarray:
        """The rows :meth:`select` enrols, in enrolment order (the rule's order, ties and
        ``random`` broken by this step's draw of the intervention's own stream)."""
        target = self.spec.targeting
        rows = np.flatnonzero(self.eligible(model))
        draw = model.streams.uniform(self.stream, step, len(model.households))[rows]
        if target.rule == "random":
            order = np.argsort(draw, kind="stable")
        elif target.rule == "poorest_first":
            hh = model.households
            wealth = (hh.savings + hh.assets + hh.income)[rows]
            order = np.lexsort((draw, wealth))
        else:  # most_vulnerable: highest coping level, then lowest living standard
            hh = model.households
            order = np.lexsort((draw, model.households.living_standard[rows], -hh.lcs[rows]))
        rows = rows[order]
        cap = int(round(target.share * len(rows)))
        if target.count is not None:
            cap = min(cap, target.count)
        if self.spec.budget is not None:
            per_household = self.spec.cost_per_household(self.window_months)
            if per_household > 0:
                left = max(0.0, self.spec.budget - self.planned_fixed_cost())
                cap = int(min(cap, left // per_household))  # a tiny cost: no overflow
        return rows[:cap]

    # --- accounting -----------------------------------------------------------------------------
    def planned_fixed_cost(self) -> float:
        """Planned cost that does not scale with households (node works), overhead included.

        Kept out of a budget before households are enrolled against it (override).
        """
        return 0.0

    def spendable(self) -> float:
        """USD still available before overhead (infinite without a budget)."""
        if self.spec.budget is None:
            return np.inf
        left = self.spec.budget / (1.0 + self.spec.overhead) - (self.transfers + self.works)
        # a hair under, so rounding never passes the cap; crumbs below a micro-dollar are none
        return left * (1.0 - 1e-12) if left > 1e-6 else 0.0

    def pay(self, model, rows: np.ndarray, amount_each: float | np.ndarray) -> np.ndarray:
        """Transfer money to households as aid (this step's ``aid``); see :meth:`give`."""
        return self.give(model, rows, amount_each, "aid")

    def give(self, model, rows: np.ndarray, amount_each: float | np.ndarray,
             column: str = "aid") -> np.ndarray:
        """Transfer to households into ``column`` (``aid``, ``assets``, ``savings``...).

        Records transfers and overhead, and raises each household's ``aid_received_total`` by
        what it received. Under a budget, households are paid in row order while the budget
        lasts; those past it get nothing. Returns the amounts actually given.
        """
        amounts = np.array(np.broadcast_to(np.asarray(amount_each, dtype=np.float64), rows.shape))
        cap = self.spendable()
        if np.isfinite(cap):
            amounts[np.cumsum(amounts) > cap] = 0.0
        hh = model.households
        target = getattr(hh, column)
        np.add.at(target, rows, amounts.astype(target.dtype))
        hh.aid_received_total[rows] += amounts
        total = float(amounts.sum())
        self.transfers += total
        self.overhead += total * self.spec.overhead
        return amounts

    def spend_on_works(self, amount: float) -> float:
        """Record spending on works and services (node works, training, travel arranged).

        Under a budget, spends at most what is left. Returns the amount spent.
        """
        amount = min(float(amount), self.spendable())
        self.works += amount
        self.overhead += amount * self.spec.overhead
        return amount

    @property
    def cost(self) -> float:
        return self.transfers + self.overhead + self.works

    def report(self) -> dict:
        return {
            "name": self.spec.label,
            "type": self.spec.type,
            "start": self.start,
            "end": self.end,
            "households_reached": int(self.households_reached),
            "transfers": self.transfers,
            "works": self.works,
            "overhead": self.overhead,
            "cost": self.cost,
        }
