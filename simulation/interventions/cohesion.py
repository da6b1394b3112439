"""Social cohesion and community engagement (DESIGN.md section 4).

Acts on node ``cohesion`` (rising by ``cohesion_gain`` over the programme) and
``base_cohesion`` (the level cohesion recovers toward, raised by ``lasting`` of the gain:
joint committees and shared projects outlast the programme; assumption). Cohesion widens
displaced people's and migrants' access to jobs and offsets the tension that crowding in the
labour market feeds (``phases/livelihoods.py``), and is part of the RSI social-capital domain.
"""

from typing import Annotated, Literal

from pydantic import Field

from simulation.interventions.base import InterventionSpec
from simulation.interventions.node_works import NodeProgramme, raise_toward

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class SocialCohesion(NodeProgramme):
    def act(self, model, step, rows, progress):
        graph, spec = model.graph, self.spec
        raise_toward(graph.cohesion, self.nodes, spec.cohesion_gain * progress)
        raise_toward(graph.base_cohesion, self.nodes, spec.cohesion_gain * spec.lasting * progress)


class SocialCohesionSpec(InterventionSpec):
    """Community engagement at the targeting nodes (host areas and towns, typically)."""

    type: Literal["social_cohesion"] = "social_cohesion"
    cohesion_gain: Share = Field(0.25, description="rise in cohesion (0..1) over the programme")
    lasting: Share = Field(
        0.5, description="share of the gain that lasts after the programme (assumption)",
    )
    monthly_cost: Annotated[float, Field(ge=0.0)] = Field(
        5_000.0, description="dialogue, committees and joint projects per node per month "
                             "(USD; assumption)",
    )
    runtime = SocialCohesion
    acts_on = ("node.cohesion", "node.base_cohesion")
