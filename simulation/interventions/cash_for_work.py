"""Cash-for-work with debris management (DESIGN.md section 4).

One member of each enrolled household works ``days_per_month`` days at ``daily_wage`` while
the programme runs: the wage is a conditional transfer, so it is paid into household ``aid``
(income during work only; WFP counts cash-for-work as assistance). Participants are taken to
be under-employed, so the work does not displace their other earnings (Rosas and Sabarwal
2016, World Bank WPS7580, found labour crowded in, not out, in Sierra Leone's programme).
The works clear debris: damage at each node where participants live falls with the
person-months worked there relative to its residents, which restores housing, services and
jobs (``phases/shocks.py`` derives them from ``damage``) and makes return more attractive.
Tools and materials are ``materials_share`` of the wage bill (works).

Calibration target (DESIGN.md section 9): household income +26-29% while the programme runs,
fading after (Rosas and Sabarwal 2016; the figure DESIGN.md attributes to Bagga et al.).
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.codes import Status
from simulation.interventions.base import Intervention, InterventionSpec

NonNegative = Annotated[float, Field(ge=0.0)]


def debris_cleared(workers_by_node, residents_by_node, clearance: float, months: float):
    """Fall in damage at each node: ``clearance`` per worker-month per resident household."""
    share = np.divide(workers_by_node, residents_by_node, out=np.zeros(len(workers_by_node)),
                      where=residents_by_node > 0)
    return clearance * np.minimum(share, 1.0) * months


class CashForWork(Intervention):
    def apply(self, model, step, rows):
        rows = self.present(model, rows)
        spec, hh, graph = self.spec, model.households, model.graph
        wage = spec.daily_wage * spec.days_per_month * self.months
        # tools and materials come first: no wages without them
        planned = spec.materials_share * wage * len(rows)
        spent = self.spend_on_works(planned)
        working = rows if planned <= 0 or spent >= planned else rows[: int(len(rows) * spent / planned)]
        paid = self.give(model, working, wage, "aid")
        workers = working[paid > 0]
        if len(workers) == 0:
            return
        present = hh.status != Status.IN_TRANSIT
        residents = np.bincount(hh.node[present], minlength=graph.n_nodes).astype(np.float64)
        at = np.bincount(hh.node[workers], minlength=graph.n_nodes).astype(np.float64)
        graph.damage = np.clip(
            graph.damage - debris_cleared(at, residents, spec.debris_clearance, self.months), 0.0, 1.0)


class CashForWorkSpec(InterventionSpec):
    """Cash-for-work on debris clearance; one worker per enrolled household."""

    type: Literal["cash_for_work"] = "cash_for_work"
    daily_wage: NonNegative = Field(
        6.0, description="wage per day worked (USD; assumption: at or a little below the "
                         "local casual wage, the usual self-targeting rule)",
    )
    days_per_month: Annotated[float, Field(ge=0.0, le=31.0)] = Field(
        16.0, description="days worked per month (Sierra Leone's programme: about 3-4 a week)",
    )
    materials_share: NonNegative = Field(
        0.25, description="tools and materials as a share of the wage bill (assumption; "
                          "labour-intensive works spend 60-75% on labour)",
    )
    debris_clearance: NonNegative = Field(
        0.25, description="fall in node damage per month if every resident household had a "
                          "worker (assumption)",
    )
    runtime = CashForWork
    acts_on = ("household.aid", "node.damage")

    def cost_per_household(self, months_active: float) -> float:
        wage = self.daily_wage * self.days_per_month * months_active
        return wage * (1.0 + self.materials_share) * (1.0 + self.overhead)
