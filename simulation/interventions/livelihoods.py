"""Livelihoods: vocational training (TVET) and business grants (DESIGN.md section 4).

Acts on household ``skills`` (training, spread over ``training_months``; returns to skills in
``phases/livelihoods.py``) and ``assets`` (a business grant paid when training ends; with
enough assets a household starts a business, ``BUSINESS_START_ASSETS``). Training is a
service (works), the grant a transfer in kind.

Default sizes are assumptions in the range of TVET and grant programmes for refugees and
IDPs: training of 3-6 months at USD 30-100 a month, grants of USD 300-1,000 per household.
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.interventions.base import Intervention, InterventionSpec

NonNegative = Annotated[float, Field(ge=0.0)]


class Livelihoods(Intervention):
    def apply(self, model, step, rows):
        rows = self.present(model, rows)
        spec, hh = self.spec, model.households
        since = (step - self.start) * self.months
        if since < spec.training_months:
            share = min(self.months, spec.training_months - since) / spec.training_months
            planned = spec.training_cost * self.months * len(rows)
            spent = self.spend_on_works(planned)
            funded = spent / planned if planned > 0 else 1.0
            hh.skills[rows] = np.minimum(1.0, hh.skills[rows] + spec.skills_gain * share * funded)
        # the grant is paid in the step in which training ends (at the start without training)
        grant_step = self.start + int(np.ceil(spec.training_months / self.months - 1e-9)) - 1
        if step == max(self.start, grant_step):
            self.give(model, rows, spec.business_grant, "assets")


class LivelihoodsSpec(InterventionSpec):
    """TVET and business grants for the enrolled households."""

    type: Literal["livelihoods"] = "livelihoods"
    training_months: NonNegative = Field(4.0, description="months of training from the start")
    training_cost: NonNegative = Field(
        60.0, description="training cost per household per month (USD; assumption)",
    )
    skills_gain: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.2, description="rise in skills (0..1) by the end of training (assumption)",
    )
    business_grant: NonNegative = Field(
        500.0, description="business grant when training ends (USD, in kind; assumption)",
    )
    runtime = Livelihoods
    acts_on = ("household.skills", "household.assets")

    def cost_per_household(self, months_active: float) -> float:
        training = self.training_cost * min(months_active, self.training_months)
        return (training + self.business_grant) * (1.0 + self.overhead)
