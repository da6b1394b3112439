"""Mesa agents: one class per group, each a view onto one row of the household columns."""

from agents.households import (
    DisplacedHousehold,
    HostHousehold,
    Household,
    MigrantHousehold,
    create_agents,
)

__all__ = ["Household", "DisplacedHousehold", "MigrantHousehold", "HostHousehold", "create_agents"]
