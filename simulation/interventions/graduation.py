"""Graduation: productive asset, training and coaching, consumption support, savings.

The BRAC "Targeting the Ultra-Poor" model as tested in six countries by Banerjee et al.
(2015, Science 348: 1260799): a one-off productive asset grant, training and coaching over
the programme, monthly consumption support for its first months, and a savings account
(here: an opening deposit). Acts on household ``assets`` (the asset grant, which can start a
business: ``phases/livelihoods.py``), ``skills`` (training, spread over the coaching months),
``aid`` (consumption support, this step only) and ``savings``.

Defaults are assumptions scaled to a protracted-displacement setting with an MEB near
USD 300 per household-month: Banerjee et al. report total costs of USD 1,455-5,962 (PPP,
2014) per household, about half of it the asset; consumption support ran 6-12 months.
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.interventions.base import Intervention, InterventionSpec

NonNegative = Annotated[float, Field(ge=0.0)]


class Graduation(Intervention):
    def apply(self, model, step, rows):
        rows = self.present(model, rows)
        spec, hh = self.spec, model.households
        since = (step - self.start) * self.months  # months since the programme began
        if step == self.start:
            self.give(model, rows, spec.asset_transfer, "assets")
            self.give(model, rows, spec.savings_deposit, "savings")
        if since < spec.support_months:
            self.pay(model, rows, spec.consumption_support * self.months)
        if since < spec.coaching_months:
            share = min(self.months, spec.coaching_months - since) / spec.coaching_months
            spent = self.spend_on_works(spec.coaching_cost * self.months * len(rows))
            planned = spec.coaching_cost * self.months * len(rows)
            funded = spent / planned if planned > 0 else 1.0
            hh.skills[rows] = np.minimum(1.0, hh.skills[rows] + spec.skills_gain * share * funded)


class GraduationSpec(InterventionSpec):
    """A graduation programme; each enrolled household gets every component."""

    type: Literal["graduation"] = "graduation"
    asset_transfer: NonNegative = Field(
        500.0, description="productive asset grant at the start (USD, in kind)",
    )
    savings_deposit: NonNegative = Field(
        50.0, description="opening deposit into a savings account at the start (USD)",
    )
    consumption_support: NonNegative = Field(
        60.0, description="consumption support per household per month (USD)",
    )
    support_months: NonNegative = Field(
        12.0, description="months of consumption support from the start (Banerjee et al.: 6-12)",
    )
    coaching_months: Annotated[float, Field(gt=0.0)] = Field(
        18.0, description="months of training and coaching (Banerjee et al.: 18-24)",
    )
    coaching_cost: NonNegative = Field(
        15.0, description="training and coaching cost per household per month (USD; assumption)",
    )
    skills_gain: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.15, description="rise in skills (0..1) over the coaching months (assumption)",
    )
    runtime = Graduation
    acts_on = ("household.assets", "household.savings", "household.aid", "household.skills")

    def cost_per_household(self, months_active: float) -> float:
        support = self.consumption_support * min(months_active, self.support_months)
        coaching = self.coaching_cost * min(months_active, self.coaching_months)
        direct = self.asset_transfer + self.savings_deposit + support + coaching
        return direct * (1.0 + self.overhead)
