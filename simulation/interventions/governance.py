"""Local governance, capacity building, HLP and legal documentation (DESIGN.md section 4).

Legal aid for the enrolled households: each month, an undocumented household obtains civil
and travel documents with probability ``documentation_rate`` (``household.documented``: job
access, regular pathways, a durable-solution criterion) and a displaced household whose
housing, land and property is insecure has its claim restituted or compensated with
probability ``hlp_rate`` (``household.hlp_secure``: farming and house value at the origin,
the HLP criterion on return). Capacity building of local institutions raises node ``hlp``
(the HLP criterion away from one's own land) by ``hlp_gain`` over the programme.
A legal-aid case costs ``case_cost`` once per household, at enrolment (works).
Rates and costs are assumptions (NRC ICLA caseloads resolve in months, not weeks).
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.interventions.base import InterventionSpec
from simulation.interventions.node_works import NodeProgramme, raise_toward
from simulation.params import per_step

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


class Governance(NodeProgramme):
    def init(self, model) -> None:
        super().init(model)
        self.cases_opened = np.empty(0, dtype=np.int64)

    def apply(self, model, step, rows):
        rows = self.present(model, rows)
        new = np.setdiff1d(rows, self.cases_opened, assume_unique=True)
        planned = self.spec.case_cost * len(new)
        spent = self.spend_on_works(planned)
        opened = new if planned <= 0 or spent >= planned else new[: int(len(new) * spent / planned)]
        self.cases_opened = np.union1d(self.cases_opened, opened)
        self.resolve(model, step, self.cases_opened[np.isin(self.cases_opened, rows)])
        super().apply(model, step, rows)

    def resolve(self, model, step, cases):
        hh, spec, n = model.households, self.spec, len(model.households)
        documents = model.streams.uniform(f"{self.stream}:documents", step, n)[cases]
        gets_documents = ~hh.documented[cases] & (documents < per_step(spec.documentation_rate,
                                                                      model.days_per_step))
        hh.documented[cases[gets_documents]] = True
        claims = model.streams.uniform(f"{self.stream}:hlp", step, n)[cases]
        restituted = (hh.ever_displaced[cases] & ~hh.hlp_secure[cases]
                      & (claims < per_step(spec.hlp_rate, model.days_per_step)))
        hh.hlp_secure[cases[restituted]] = True

    def act(self, model, step, rows, progress):
        raise_toward(model.graph.hlp, self.nodes, self.spec.hlp_gain * progress)


class GovernanceSpec(InterventionSpec):
    """Legal aid for the enrolled households and HLP capacity at the targeting nodes."""

    type: Literal["governance_hlp"] = "governance_hlp"
    documentation_rate: Share = Field(
        0.25, description="monthly probability that an undocumented case obtains documents",
    )
    hlp_rate: Share = Field(
        0.1, description="monthly probability that an insecure HLP claim is resolved",
    )
    hlp_gain: Share = Field(0.2, description="rise in node HLP security over the programme")
    case_cost: NonNegative = Field(120.0, description="legal-aid case per household (USD)")
    monthly_cost: NonNegative = Field(
        5_000.0, description="capacity building per node per month (USD; assumption)",
    )
    runtime = Governance
    acts_on = ("household.documented", "household.hlp_secure", "node.hlp")

    def cost_per_household(self, months_active: float) -> float:
        return self.case_cost * (1.0 + self.overhead)
