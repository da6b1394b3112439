"""Assisted voluntary return and reintegration of migrants (AVRR; DESIGN.md section 4).

Enrolled migrants, stranded in the region or abroad after an irregular journey, are taken
back to their origin (``moves.assisted_move``: the programme pays the journey and provides
travel documents, so the border is no obstacle) at most ``per_month`` a month; they become
``returned`` and receive a reintegration grant in kind (``assets``: IOM reintegration
support is mostly business start-up in kind). Defaults are assumptions within IOM's AVRR
ranges (reintegration packages of USD 1,000-2,000 per person; here per household).
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.codes import Group, Status
from simulation.interventions.base import Intervention, InterventionSpec, Targeting
from simulation.interventions.moves import assisted_move

NonNegative = Annotated[float, Field(ge=0.0)]


class AssistedReturn(Intervention):
    #: stranded migrants abroad (irregular) are eligible; those on the road or regular are not
    excluded_statuses = (Status.REGULAR_MIGRATION, Status.IN_TRANSIT)

    def init(self, model) -> None:
        super().init(model)
        self.moved = np.empty(0, dtype=np.int64)

    def eligible(self, model):
        hh = model.households
        return super().eligible(model) & (hh.group == Group.MIGRANT) & (hh.node != hh.origin)

    def apply(self, model, step, rows):
        hh = model.households
        waiting = np.setdiff1d(rows, self.moved, assume_unique=True)
        waiting = waiting[~np.isin(hh.status[waiting], self.excluded_statuses)
                          & (hh.node[waiting] != hh.origin[waiting])]
        if self.spec.per_month is not None:
            waiting = waiting[: int(np.floor(self.spec.per_month * self.months + 1e-9))]
        grant = self.spec.reintegration_grant
        moved = assisted_move(model, self, waiting, hh.origin[waiting].astype(np.int64), step,
                              extra_each=grant)
        self.moved = np.union1d(self.moved, moved)
        self.give(model, moved, grant, "assets")


class AssistedReturnSpec(InterventionSpec):
    """AVRR for migrants: journey home, documents, reintegration grant."""

    type: Literal["avrr"] = "avrr"
    targeting: Targeting = Field(default_factory=lambda: Targeting(groups=["migrant"]))
    enrolment: Literal["once", "rolling"] = Field(
        "rolling", description="migrants apply over time: re-select the eligible every step",
    )
    per_month: Annotated[int, Field(ge=0)] | None = Field(
        None, description="most households returned per month (default: no limit)",
    )
    reintegration_grant: NonNegative = Field(
        1_500.0, description="reintegration support per household, in kind (USD)",
    )
    runtime = AssistedReturn
    acts_on = ("household.node", "household.status", "household.ties", "household.t_solution",
               "household.t_criteria_since", "household.durable_solution", "household.immobile",
               "household.assets", "flows")

    def cost_per_household(self, months_active: float) -> float:
        return self.reintegration_grant * (1.0 + self.overhead)
