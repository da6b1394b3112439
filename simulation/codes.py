"""Integer codes for the categorical household and node states (DESIGN.md section 2).

Categorical state is stored as small integers in the column store; these enums give each
code its domain name, so the rules read ``status == Status.DISPLACED_CAMP``.
"""

from enum import IntEnum


class Group(IntEnum):
    """Who a household is; fixed for the household's life (DESIGN.md section 2)."""

    DISPLACED = 0  # IDPs and refugees, with an origin node
    MIGRANT = 1  # other migrants: labour migrants, stranded migrants
    HOST = 2  # affected and host communities, in their own homes


class Status(IntEnum):
    """Mobility status: exactly one per household at every step (DESIGN.md section 2)."""

    IN_PLACE = 0
    DISPLACED_CAMP = 1
    DISPLACED_HOST = 2
    IN_TRANSIT = 3
    RETURNED = 4
    LOCALLY_INTEGRATED = 5
    SETTLED_ELSEWHERE = 6
    REGULAR_MIGRATION = 7
    IRREGULAR_MIGRATION = 8
    REDISPLACED = 9


class Livelihood(IntEnum):
    NONE = 0
    CASUAL = 1
    BUSINESS = 2
    WAGE = 3
    FARM = 4


class NodeType(IntEnum):
    ORIGIN = 0
    TOWN = 1
    CAMP = 2
    HOST_AREA = 3
    BORDER = 4
    ABROAD = 5


class Coping(IntEnum):
    """WFP Livelihood Coping Strategies (LCS) levels, highest used in the last 30 days."""

    NONE = 1
    STRESS = 2
    CRISIS = 3
    EMERGENCY = 4


def names(enum: type[IntEnum]) -> list[str]:
    """Lower-case names in code order, as used in YAML, tables and plots."""
    return [member.name.lower() for member in enum]


def parse(enum: type[IntEnum], name: str) -> IntEnum:
    """Code for a lower-case name, with a clear error listing what is allowed."""
    try:
        return enum[name.upper()]
    except KeyError:
        allowed = ", ".join(names(enum))
        raise ValueError(f"unknown {enum.__name__.lower()} {name!r}; allowed: {allowed}") from None


#: Statuses of households that are currently displaced (in need of a solution).
DISPLACED_STATUSES = (Status.DISPLACED_CAMP, Status.DISPLACED_HOST, Status.REDISPLACED)
#: Statuses that mark a pathway to a durable solution (DESIGN.md section 5).
SOLUTION_PATHWAYS = (Status.RETURNED, Status.LOCALLY_INTEGRATED, Status.SETTLED_ELSEWHERE)
#: Statuses of households that have left the region for an `abroad` node.
ABROAD_STATUSES = (Status.REGULAR_MIGRATION, Status.IRREGULAR_MIGRATION)
