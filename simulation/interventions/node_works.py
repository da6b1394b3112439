"""Shared runtime of programmes that act on settlements (node arrays) rather than households.

A node programme works at its targeting nodes (default: every node in the region, that is
every node that is not ``abroad``) and spends
``monthly_cost`` USD per node per month on works and services. Its planned effect is spread
evenly over its window; under a budget, the share of this step's works that the budget
still funds scales this step's effect, so money and effect stay in step.

Effects act on the ``base_*`` node arrays (what the settlement has when undamaged and
unthreatened) and on ``damage``; ``phases/shocks.py`` derives the current services,
housing, jobs and markets from them at the start of the next step, so works finished this
month show from next month.
"""

import numpy as np

from simulation.codes import NodeType
from simulation.interventions.base import Intervention


class NodeProgramme(Intervention):
    """Runtime base for node programmes; subclasses implement :meth:`act`."""

    def init(self, model) -> None:
        super().init(model)
        self.nodes = (np.flatnonzero(model.graph.type != NodeType.ABROAD).astype(np.int32)
                      if self.node_ids is None else np.unique(self.node_ids))

    def planned_fixed_cost(self) -> float:
        return self.spec.monthly_cost * self.window_months * len(self.nodes) * (1.0 + self.spec.overhead)

    def apply(self, model, step, rows):
        planned = self.spec.monthly_cost * self.months * len(self.nodes)
        spent = self.spend_on_works(planned)
        funded = spent / planned if planned > 0 else 1.0
        if funded > 0 and self.window_months > 0:
            self.act(model, step, rows, self.months / self.window_months * funded)

    def act(self, model, step: int, rows: np.ndarray, progress: float) -> None:
        """Apply ``progress`` (share of the whole programme's effect) at ``self.nodes``."""
        raise NotImplementedError


def raise_toward(values: np.ndarray, nodes: np.ndarray, gain: float, ceiling: float = 1.0) -> None:
    """Add ``gain`` to ``values`` at ``nodes`` in place, never past ``ceiling``."""
    values[nodes] = np.minimum(ceiling, values[nodes] + gain)
