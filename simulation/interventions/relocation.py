"""Facilitated return or relocation (settlement elsewhere) (DESIGN.md section 4).

Enrolled displaced households are taken to their own origin (``node`` unset: return) or to
the named ``node`` (relocation), at most ``per_month`` of them a month, when it is safe and
there is room (``moves.assisted_move``). The programme pays the journey (works), a
reinstallation grant in cash on arrival (``aid``), and a shelter for each household
(``shelter_cost``, works). Each shelter gives one household adequate housing, so the
destination's housing availability (``base_housing``) rises by that household's share of the
residents toward 1. Only households whose ties to their origin are at least
``min_origin_ties`` volunteer to return (most hope to return, few plan to: DESIGN.md s9).

On request (``on_request``, returns only): the programme moves nobody itself. It offers the
enrolled households transport home, and pays the journey of those that choose their origin
in the mobility phase (their own aspiration and choice, ``phases/mobility.py``), as a
government's buses take the families that register to go home. Their grant and shelter, if
any, follow at the next step's interventions phase (or when the programme ends).
"""

import difflib
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from simulation.codes import Status
from simulation.interventions.base import Intervention, InterventionSpec
from simulation.interventions.moves import assisted_move

NonNegative = Annotated[float, Field(ge=0.0)]


class FacilitatedReturn(Intervention):
    def init(self, model) -> None:
        super().init(model)
        self.destination = None if self.spec.node is None else model.graph.index[self.spec.node]
        self.moved = np.empty(0, dtype=np.int64)
        self.arrived = np.empty(0, dtype=np.int64)  # carried home on request, not yet settled

    def eligible(self, model):
        mask = super().eligible(model)
        hh = model.households
        mask &= hh.ever_displaced
        if self.destination is None:
            mask &= (hh.node != hh.origin) & (hh.origin_ties >= self.spec.min_origin_ties)
        return mask

    def step(self, model, step: int) -> None:
        super().step(model, step)
        if self.spec.on_request:  # reached: the households it carried, not those it offered
            self.reached, self.households_reached = self.moved, len(self.moved)

    def apply(self, model, step, rows):
        hh, spec = model.households, self.spec
        waiting = np.setdiff1d(self.present(model, rows), self.moved, assume_unique=True)
        waiting = waiting[hh.status[waiting] != Status.RETURNED]
        if spec.on_request:
            self.settle(model)
            if model.today.return_fare_paid_by is None:
                model.today.return_fare_paid_by = np.full(len(hh), -1, dtype=np.int64)
            model.today.return_fare_paid_by[waiting] = self.index
            return
        if spec.per_month is not None:
            waiting = waiting[: int(np.floor(spec.per_month * self.months + 1e-9))]
        dest = np.full(len(waiting), self.destination if self.destination is not None else -1)
        if self.destination is None:
            dest = hh.origin[waiting].astype(np.int64)
        moved = assisted_move(model, self, waiting, dest, step,
                              extra_each=spec.grant + spec.shelter_cost)
        if len(moved) == 0:
            return
        self.moved = np.union1d(self.moved, moved)
        self.grant_and_shelter(model, moved)

    def carried(self, model, rows: np.ndarray, fares: np.ndarray, step: int) -> None:
        """On request: the mobility phase took ``rows`` home this step on the programme's
        ``fares``; their grant and shelter follow at the next step (``settle``)."""
        self.spend_on_works(float(np.sum(fares)))
        self.moved = np.union1d(self.moved, rows)
        self.arrived = np.union1d(self.arrived, rows)
        self.reached, self.households_reached = self.moved, len(self.moved)

    def settle(self, model) -> None:
        """Grant and shelter for the households carried home since the last settlement."""
        arrived, self.arrived = self.arrived, np.empty(0, dtype=np.int64)
        if len(arrived):
            self.grant_and_shelter(model, arrived)

    def finish(self, model, step: int) -> None:
        if self.spec.on_request:
            self.settle(model)

    def grant_and_shelter(self, model, moved: np.ndarray) -> None:
        hh, graph, spec = model.households, model.graph, self.spec
        self.spend_on_works(spec.shelter_cost * len(moved))
        self.pay(model, moved, spec.grant)
        if spec.shelter_cost > 0:
            present = hh.status != Status.IN_TRANSIT
            residents = np.bincount(hh.node[present], minlength=graph.n_nodes).astype(np.float64)
            built = np.bincount(hh.node[moved], minlength=graph.n_nodes).astype(np.float64)
            share = np.divide(built, residents, out=np.zeros(graph.n_nodes), where=residents > 0)
            graph.base_housing = graph.base_housing + share * (1.0 - graph.base_housing)


class FacilitatedReturnSpec(InterventionSpec):
    """Facilitated return to the origin, or relocation to ``node``."""

    type: Literal["facilitated_return"] = "facilitated_return"
    node: str | None = Field(None, description="relocation destination (default: each household's origin)")
    per_month: Annotated[int, Field(ge=0)] | None = Field(
        None, description="most households moved per month (convoys; default: no limit)",
    )
    min_origin_ties: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.5, description="ties to the origin needed to volunteer for return (assumption)",
    )
    on_request: bool = Field(
        False, description="return only: pay the journey home of the enrolled households "
        "that choose to return (their own choice in the mobility phase) instead of moving "
        "the enrolled volunteers (transport offered, e.g. a government's buses from camps)",
    )
    grant: NonNegative = Field(200.0, description="reinstallation cash per household (USD)")
    shelter_cost: NonNegative = Field(
        600.0, description="shelter or repair per household at the destination (USD; assumption)",
    )
    runtime = FacilitatedReturn
    acts_on = ("household.node", "household.status", "household.ties", "household.t_solution",
               "household.t_criteria_since", "household.durable_solution", "household.immobile",
               "household.aid", "node.base_housing", "flows", "today.return_fare_paid_by")

    @model_validator(mode="after")
    def _on_request(self):
        if self.on_request and self.node is not None:
            raise ValueError("on_request is for returns to each household's origin: "
                             "leave node unset")
        if self.on_request and self.per_month is not None:
            raise ValueError("per_month paces the programme's own convoys; on request, "
                             "households choose when to go: leave per_month unset")
        return self

    def cost_per_household(self, months_active: float) -> float:
        return (self.grant + self.shelter_cost) * (1.0 + self.overhead)

    def graph_problems(self, graph) -> list[str]:
        names = sorted(node.name for node in graph.nodes)
        if self.node is None or self.node in names:
            return []
        close = difflib.get_close_matches(self.node, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(names[:12])}"
        return [f"node: unknown node {self.node!r}{hint}"]
