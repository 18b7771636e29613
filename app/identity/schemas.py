"""Identifying details and consent as clients send and read them.

Here, below the incidents: an incident's victims carry them, and identity never imports the
incidents.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class InputModel(BaseModel):
    # As app/incidents/schemas.py: a misspelt field is refused, not silently dropped.
    model_config = ConfigDict(extra="forbid")


class IdentityIn(InputModel):
    """Identifying details: stored encrypted, read only by the owning organisation's advisers."""

    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    contact: Annotated[str, StringConstraints(max_length=200)] | None = None
    address: Annotated[str, StringConstraints(max_length=500)] | None = None
    notes: Annotated[str, StringConstraints(max_length=5000)] | None = None
    survivor_code: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        default=None,
        description="The code another system gave the survivor (e.g. the GBVIMS Incident "
        "Recorder's SURVIVOR CODE, kept by an import).",
    )


class ConsentIn(InputModel):
    """The survivor's informed decisions; omit one that was not asked. `null` clears it."""

    statistics: bool | None = Field(
        default=None,
        description="De-identified data may be counted in statistics seen by other organisations.",
    )
    referral: bool | None = Field(default=None, description="May be referred to other services.")
    justice: bool | None = Field(default=None, description="The case may go to justice actors.")


class IdentityRead(IdentityIn):
    """What is on file; every read of it is written to the audit trail."""
