"""Basic infrastructure and services restoration (DESIGN.md section 4).

Acts on node ``base_services`` and ``base_housing`` (the settlement's capacity, rising by
``services_gain`` and ``housing_gain`` over the programme) and ``damage`` (repairs, falling
by ``damage_reduction``). At an origin this is a return pull: the mobility phase weighs
return by ``(1 - damage) x (0.5 + services)`` at the origin, and damaged housing is the
reason most often given not to return (DESIGN.md section 9). Costs are assumptions: works
of USD 10,000-50,000 a month for a district's clinics, schools, water and shelter repair.
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.interventions.base import InterventionSpec
from simulation.interventions.node_works import NodeProgramme, raise_toward

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class ServicesRestoration(NodeProgramme):
    def act(self, model, step, rows, progress):
        graph, spec = model.graph, self.spec
        raise_toward(graph.base_services, self.nodes, spec.services_gain * progress)
        raise_toward(graph.base_housing, self.nodes, spec.housing_gain * progress)
        graph.damage[self.nodes] = np.maximum(
            0.0, graph.damage[self.nodes] - spec.damage_reduction * progress)


class ServicesRestorationSpec(InterventionSpec):
    """Restore services and housing at the targeting nodes."""

    type: Literal["services_restoration"] = "services_restoration"
    services_gain: Share = Field(0.25, description="rise in base services (0..1) over the programme")
    housing_gain: Share = Field(0.2, description="rise in base housing (0..1) over the programme")
    damage_reduction: Share = Field(0.3, description="fall in damage (0..1) over the programme")
    monthly_cost: Annotated[float, Field(ge=0.0)] = Field(
        25_000.0, description="works per node per month (USD; assumption)",
    )
    runtime = ServicesRestoration
    acts_on = ("node.base_services", "node.base_housing", "node.damage")
