"""Community stabilization bundle: market support, small grants, jobs (DESIGN.md section 4).

Acts on node ``base_market`` (market function, rising by ``market_gain`` over the programme)
and ``base_labour_demand`` (``jobs`` created in all over the programme at each node, from
small grants to local businesses and market works), and, for the enrolled households, on
``assets`` (a one-off small business grant at the start). Sizes are assumptions in the range
of IOM community stabilization projects.
"""

from typing import Annotated, Literal

from pydantic import Field

from simulation.interventions.base import InterventionSpec
from simulation.interventions.node_works import NodeProgramme, raise_toward

NonNegative = Annotated[float, Field(ge=0.0)]


class Stabilization(NodeProgramme):
    def apply(self, model, step, rows):
        if step == self.start and self.spec.small_grant > 0:
            self.give(model, self.present(model, rows), self.spec.small_grant, "assets")
        super().apply(model, step, rows)

    def act(self, model, step, rows, progress):
        graph, spec = model.graph, self.spec
        raise_toward(graph.base_market, self.nodes, spec.market_gain * progress)
        graph.base_labour_demand[self.nodes] += spec.jobs * progress


class StabilizationSpec(InterventionSpec):
    """Stabilization at the targeting nodes; small grants to the enrolled households."""

    type: Literal["stabilization"] = "stabilization"
    market_gain: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.2, description="rise in market function (0..1) over the programme",
    )
    jobs: NonNegative = Field(200.0, description="jobs created at each node over the programme")
    small_grant: NonNegative = Field(
        300.0, description="small business grant per enrolled household at the start (USD)",
    )
    monthly_cost: NonNegative = Field(
        20_000.0, description="market works and business support per node per month (USD)",
    )
    runtime = Stabilization
    acts_on = ("node.base_market", "node.base_labour_demand", "household.assets")

    def cost_per_household(self, months_active: float) -> float:
        return self.small_grant * (1.0 + self.overhead)
