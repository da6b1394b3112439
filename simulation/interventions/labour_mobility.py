"""Labour mobility: regular pathways abroad (DESIGN.md section 4).

Acts on ``today.extra_slots`` (the mobility phase's regular-pathway places into each
``abroad`` node this step): ``slots_per_month`` more places into each of ``edge_nodes``.
The mobility phase gives them, in random order, to documented households that choose to go
abroad; without documents or a place, only households already in crisis coping go
irregularly (``phases/mobility.py``). Pair it with ``governance_hlp`` to document people.
Each place offered costs ``cost_per_slot`` (matching, visas, pre-departure orientation;
assumption: USD 500-1,500 per migrant in bilateral labour agreements).
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.codes import NodeType
from simulation.interventions.base import Intervention, InterventionSpec

NonNegative = Annotated[float, Field(ge=0.0)]


class LabourMobility(Intervention):
    def init(self, model) -> None:
        super().init(model)
        graph = model.graph
        names = self.spec.edge_nodes
        self.destinations = (np.flatnonzero(graph.type == NodeType.ABROAD) if names is None
                             else np.array([graph.index[name] for name in names], dtype=np.int64))

    def select(self, model, step):
        return np.empty(0, dtype=np.int64)  # places are open to all; nobody is enrolled

    def apply(self, model, step, rows):
        if len(self.destinations) == 0:
            return
        slots = self.spec.slots_per_month * self.months
        planned = slots * self.spec.cost_per_slot * len(self.destinations)
        spent = self.spend_on_works(planned)
        funded = spent / planned if planned > 0 else 1.0
        np.add.at(model.today.extra_slots, self.destinations, slots * funded)


class LabourMobilitySpec(InterventionSpec):
    """Extra regular-pathway places per month into the named abroad nodes."""

    type: Literal["labour_mobility"] = "labour_mobility"
    edge_nodes: list[str] | None = Field(
        None, description="abroad nodes the pathway leads to (default: every abroad node)",
    )
    slots_per_month: NonNegative = Field(20.0, description="places per month into each node")
    cost_per_slot: NonNegative = Field(800.0, description="USD per place offered (assumption)")
    runtime = LabourMobility
    acts_on = ("today.extra_slots",)

    def graph_problems(self, graph) -> list[str]:
        types = {node.name: node.type for node in graph.nodes}
        return [f"edge_nodes: {name!r} is a {types[name]} node; a pathway leads to an abroad node"
                for name in self.edge_nodes or [] if name in types and types[name] != "abroad"]
