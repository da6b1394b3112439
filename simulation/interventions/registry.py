"""The intervention registry: YAML ``type:`` names to spec classes.

To add an intervention, write its module (a spec with ``type: Literal[...]`` and a runtime
class), then add the spec class to ``CATALOGUE`` below. The scenario schema's list of
interventions is a discriminated union built from this catalogue, so the schema and the
catalogue cannot disagree.
"""

from typing import Annotated, Union

from pydantic import Field

from simulation.interventions.cash import MultipurposeCashSpec

CATALOGUE = (MultipurposeCashSpec,)

#: type name -> spec class
REGISTRY = {spec.model_fields["type"].default: spec for spec in CATALOGUE}

InterventionList = list[Annotated[Union[CATALOGUE], Field(discriminator="type")]]  # noqa: UP007
