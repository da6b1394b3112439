"""Safety nets and protection (DESIGN.md section 4).

Enrolled households are ``protected`` while the programme runs: the coping phase rules out
emergency strategies for them (begging, high-risk work, child marriage or labour, selling the
house, the whole household leaving: ``phases/coping.py``), through case management and
referral (``case_cost`` per household-month, works), and receive an optional monthly
social-assistance ``transfer`` (``aid``). Protection ends with the programme. Whatever
emergency strategies would have covered is then unmet need (and rCSI rises) unless the
transfer covers it: protection alone is not income.
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.interventions.base import Intervention, InterventionSpec

NonNegative = Annotated[float, Field(ge=0.0)]


class SafetyNet(Intervention):
    def init(self, model) -> None:
        super().init(model)
        self.covered = np.empty(0, dtype=np.int64)

    def apply(self, model, step, rows):
        rows = self.present(model, rows)
        planned = self.spec.case_cost * self.months * len(rows)
        spent = self.spend_on_works(planned)
        rows = rows if planned <= 0 or spent >= planned else rows[: int(len(rows) * spent / planned)]
        hh = model.households
        dropped = np.setdiff1d(self.covered, rows, assume_unique=True)
        self.covered = rows
        self.unprotect(model, dropped)
        hh.protected[rows] = True
        if self.spec.transfer > 0:
            self.pay(model, rows, self.spec.transfer * self.months)

    def finish(self, model, step):
        self.unprotect(model, self.covered)
        self.covered = np.empty(0, dtype=np.int64)

    def unprotect(self, model, rows):
        """Lift protection from ``rows`` unless another running safety net covers them."""
        still = [other.covered for other in model.interventions
                 if other is not self and isinstance(other, SafetyNet) and other.active(model.steps)]
        keep = np.concatenate(still) if still else np.empty(0, dtype=np.int64)
        model.households.protected[np.setdiff1d(rows, keep)] = False


class SafetyNetSpec(InterventionSpec):
    """Protection (no emergency coping) and an optional transfer for the enrolled."""

    type: Literal["safety_net"] = "safety_net"
    transfer: NonNegative = Field(
        0.0, description="social assistance per household per month (USD)",
    )
    case_cost: NonNegative = Field(
        15.0, description="case management and referral per household per month (USD; assumption)",
    )
    runtime = SafetyNet
    acts_on = ("household.protected", "household.aid")

    def cost_per_household(self, months_active: float) -> float:
        return (self.transfer + self.case_cost) * months_active * (1.0 + self.overhead)
