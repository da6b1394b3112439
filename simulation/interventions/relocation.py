"""Facilitated return or relocation (settlement elsewhere) (DESIGN.md section 4).

Enrolled displaced households are taken to their own origin (``node`` unset: return) or to
the named ``node`` (relocation), at most ``per_month`` of them a month, when it is safe and
there is room (``moves.assisted_move``). The programme pays the journey (works), a
reinstallation grant in cash on arrival (``aid``), and a shelter for each household
(``shelter_cost``, works). Each shelter gives one household adequate housing, so the
destination's housing availability (``base_housing``) rises by that household's share of the
residents toward 1. Only households whose ties to their origin are at least
``min_origin_ties`` volunteer to return (most hope to return, few plan to: DESIGN.md s9).
"""

import difflib
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.codes import Status
from simulation.interventions.base import Intervention, InterventionSpec
from simulation.interventions.moves import assisted_move

NonNegative = Annotated[float, Field(ge=0.0)]


class FacilitatedReturn(Intervention):
    def init(self, model) -> None:
        super().init(model)
        self.destination = None if self.spec.node is None else model.graph.index[self.spec.node]
        self.moved = np.empty(0, dtype=np.int64)

    def eligible(self, model):
        mask = super().eligible(model)
        hh = model.households
        mask &= hh.ever_displaced
        if self.destination is None:
            mask &= (hh.node != hh.origin) & (hh.origin_ties >= self.spec.min_origin_ties)
        return mask

    def apply(self, model, step, rows):
        hh, graph, spec = model.households, model.graph, self.spec
        waiting = np.setdiff1d(self.present(model, rows), self.moved, assume_unique=True)
        waiting = waiting[hh.status[waiting] != Status.RETURNED]
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
    grant: NonNegative = Field(200.0, description="reinstallation cash per household (USD)")
    shelter_cost: NonNegative = Field(
        600.0, description="shelter or repair per household at the destination (USD; assumption)",
    )
    runtime = FacilitatedReturn
    acts_on = ("household.node", "household.status", "household.ties", "household.t_solution",
               "household.t_criteria_since", "household.durable_solution", "household.immobile",
               "household.aid", "node.base_housing", "flows")

    def cost_per_household(self, months_active: float) -> float:
        return (self.grant + self.shelter_cost) * (1.0 + self.overhead)

    def graph_problems(self, graph) -> list[str]:
        names = sorted(node.name for node in graph.nodes)
        if self.node is None or self.node in names:
            return []
        close = difflib.get_close_matches(self.node, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(names[:12])}"
        return [f"node: unknown node {self.node!r}{hint}"]
