"""Multipurpose cash: a monthly transfer, for its duration only (DESIGN.md section 4).

Acts on: household ``aid``. Effects fade once payments stop because nothing else changes,
as observed for unconditional cash in protracted displacement (DESIGN.md section 9).
"""

from typing import Annotated, Literal

from pydantic import Field

from simulation.interventions.base import Intervention, InterventionSpec


class MultipurposeCash(Intervention):
    def apply(self, model, step, rows):
        months = model.days_per_step / 30.0
        self.pay(model, rows, self.spec.transfer * months)


class MultipurposeCashSpec(InterventionSpec):
    """Multipurpose cash transfer of ``transfer`` USD per household per month."""

    type: Literal["cash"] = "cash"
    transfer: Annotated[float, Field(ge=0.0)] = Field(
        100.0, description="USD per household per month (assumption: ~ a third of a 5-person MEB)"
    )
    runtime = MultipurposeCash

    def cost_per_household(self, months_active: float) -> float:
        return self.transfer * months_active * (1.0 + self.overhead)
