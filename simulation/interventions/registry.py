"""The intervention registry: YAML ``type:`` names to spec classes.

To add an intervention, write its module (a spec with ``type: Literal[...]`` and a runtime
class), then add the spec class to ``CATALOGUE`` below. The scenario schema's list of
interventions is a discriminated union built from this catalogue, so the schema and the
catalogue cannot disagree.
"""

from typing import Annotated, Union

from pydantic import Field

from simulation.interventions.avrr import AssistedReturnSpec
from simulation.interventions.cash import MultipurposeCashSpec
from simulation.interventions.cash_for_work import CashForWorkSpec
from simulation.interventions.cohesion import SocialCohesionSpec
from simulation.interventions.governance import GovernanceSpec
from simulation.interventions.graduation import GraduationSpec
from simulation.interventions.labour_mobility import LabourMobilitySpec
from simulation.interventions.livelihoods import LivelihoodsSpec
from simulation.interventions.relocation import FacilitatedReturnSpec
from simulation.interventions.safety_nets import SafetyNetSpec
from simulation.interventions.services import ServicesRestorationSpec
from simulation.interventions.stabilization import StabilizationSpec

#: one spec per row of DESIGN.md section 4, in its order
CATALOGUE = (
    MultipurposeCashSpec,
    GraduationSpec,
    LivelihoodsSpec,
    CashForWorkSpec,
    ServicesRestorationSpec,
    SocialCohesionSpec,
    GovernanceSpec,
    StabilizationSpec,
    LabourMobilitySpec,
    AssistedReturnSpec,
    FacilitatedReturnSpec,
    SafetyNetSpec,
)

#: type name -> spec class
REGISTRY = {spec.model_fields["type"].default: spec for spec in CATALOGUE}

InterventionList = list[Annotated[Union[CATALOGUE], Field(discriminator="type")]]  # noqa: UP007
