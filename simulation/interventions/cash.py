"""Multipurpose cash: a monthly transfer, for its duration only (DESIGN.md section 4).

Acts on: household ``aid``. Effects fade once payments stop because nothing else changes
(beyond what households saved from a surplus), as observed for unconditional cash in
protracted displacement (DESIGN.md section 9). Households that left the region (abroad, in
transit) are no longer paid.
"""

from typing import Annotated, Literal

from pydantic import Field

from simulation.interventions.base import Intervention, InterventionSpec


class MultipurposeCash(Intervention):
    def apply(self, model, step, rows):
        self.pay(model, self.present(model, rows), self.spec.transfer * self.months)


class MultipurposeCashSpec(InterventionSpec):
    """Multipurpose cash transfer of ``transfer`` USD per household per month."""

    type: Literal["cash"] = "cash"
    transfer: Annotated[float, Field(ge=0.0)] = Field(
        100.0, description="USD per household per month (assumption: ~ a third of a 5-person MEB)"
    )
    runtime = MultipurposeCash
    acts_on = ("household.aid",)

    def cost_per_household(self, months_active: float) -> float:
        return self.transfer * months_active * (1.0 + self.overhead)
