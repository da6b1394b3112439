"""Households as Mesa agents (DESIGN.md section 6).

A household agent holds only its row number. Every variable in the column store
(``simulation.state.COLUMNS``) is a property that reads and writes ``model.households`` at
that row, so a user can inspect or nudge one household (``agent.savings += 100``) while the
step runs on whole arrays. There is never a second copy of the state.
"""

import gc

import mesa
import numpy as np

from simulation.codes import Coping, Group, Livelihood, Status
from simulation.state import COLUMNS


def _column_property(name: str, meaning: str) -> property:
    def read(self):
        return getattr(self.model.households, name)[self.row].item()

    def write(self, value):
        getattr(self.model.households, name)[self.row] = value

    return property(read, write, doc=meaning)


class Household(mesa.Agent):
    """One household: a view onto row ``row`` of the model's household columns."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = int(row)

    @property
    def status_name(self) -> str:
        return Status(self.status).name.lower()

    @property
    def group_name(self) -> str:
        return Group(self.group).name.lower()

    @property
    def node_name(self) -> str:
        return self.model.graph.names[self.node]

    @property
    def coping_level(self) -> str:
        return Coping(self.lcs).name.lower()

    @property
    def livelihood_name(self) -> str:
        return Livelihood(self.livelihood).name.lower()

    def describe(self) -> dict:
        """All variables of this household, with categorical codes spelled out."""
        row = self.model.households.row(self.row)
        row.update(status=self.status_name, group=self.group_name, node=self.node_name,
                   livelihood=self.livelihood_name, coping_level=self.coping_level)
        return row

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(row={self.row}, node={self.node_name!r}, "
                f"status={self.status_name!r}, coping={self.coping_level!r})")


for _name, _column in COLUMNS.items():
    setattr(Household, _name, _column_property(_name, _column.meaning))


class DisplacedHousehold(Household):
    """IDPs and refugees: have an origin node and months displaced."""


class MigrantHousehold(Household):
    """Other migrants: labour migrants, stranded migrants; often without documents."""


class HostHousehold(Household):
    """Affected and host communities, in their own homes."""


AGENT_CLASS = {
    Group.DISPLACED: DisplacedHousehold,
    Group.MIGRANT: MigrantHousehold,
    Group.HOST: HostHousehold,
}


def create_agents(model, rows: np.ndarray) -> None:
    """Create the agent view of each household row, of the class of its group.

    Each agent goes through Mesa's own ``Agent.__init__`` (registration in
    ``model.agents``, a ``unique_id``); that is most of the cost, a few microseconds each.
    """
    by_code = [AGENT_CLASS[group] for group in sorted(AGENT_CLASS)]
    # Python's cyclic collector would run over all the new agents again and again while a
    # million are made (none of them is garbage): pause it for the loop (30% faster).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for row, group in zip(rows.tolist(), model.households.group[rows].tolist(), strict=True):
            by_code[group](model, row)
    finally:
        if collecting:
            gc.enable()
