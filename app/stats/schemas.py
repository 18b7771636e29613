"""Query and response bodies for aggregate statistics."""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from app.counting.rules import Basis
from app.incidents.filters import IncidentFilters
from app.stats.dimensions import DimensionName


def _split_commas(value: Any) -> Any:
    """Accept `group_by=a,b` as well as `group_by=a&group_by=b`."""
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def _different(dimensions: list[DimensionName]) -> list[DimensionName]:
    if len(set(dimensions)) != len(dimensions):
        raise ValueError("must name two different dimensions")
    return dimensions


BASIS_MEANING = {
    Basis.ALL_REPORTED: "All reported incidents, verified or not; discarded ones are left out.",
    Basis.VERIFIED_ONLY: "Only incidents verified by the organisation that recorded them.",
}


class Measure(StrEnum):
    """Which victims a table counts (and so which incidents: those with such a victim)."""

    ALL_VICTIMS = "all_victims"
    VICTIMS_REFERRED = "victims_referred"  # referred to at least one service, whatever became of it
    VICTIMS_SERVED = "victims_served"  # at least one referral whose service was provided


MEASURE_MEANING = {
    Measure.ALL_VICTIMS: "Every victim; incidents with or without victims recorded.",
    Measure.VICTIMS_REFERRED: "Only victims referred to a service (at least one referral, "
    "whatever its status), and only incidents with such a victim.",
    Measure.VICTIMS_SERVED: "Only victims who received a service (at least one referral whose "
    "service was provided), and only incidents with such a victim; by service_kind or "
    "referral_status, only the referrals whose service was provided.",
}


class StatsQuery(IncidentFilters):
    measure: Measure = Field(
        default=Measure.ALL_VICTIMS,
        description="Which victims are counted: `all_victims` (default), `victims_referred` or "
        "`victims_served`; incidents are then those with at least one such victim.",
    )
    basis: Basis = Field(
        default=Basis.ALL_REPORTED,
        description="`all_reported` (default; discarded incidents left out) or `verified_only`.",
    )
    group_by: Annotated[
        list[DimensionName],
        BeforeValidator(_split_commas),
        Field(min_length=1, max_length=2),
        AfterValidator(_different),
    ] = Field(
        description="One or two different dimensions, e.g. `perpetrator_category` or `source,year`."
    )


class StatsCsvQuery(StatsQuery):
    hxl: bool = Field(
        default=False,
        description="Add a row of HXL hashtags under the header (Humanitarian Exchange Language).",
    )


# A count, or the marker of its suppression: "<5" (only other organisations' data, from 1 to k-1
# once adjusted) or "suppressed" (some of the caller's own records beside such a part, which
# could be worked out by subtracting the caller's own part).
Count = int | str


class Counts(BaseModel):
    incidents: Count = Field(description="Distinct incidents.")
    victims: Count = Field(description="Distinct victims of those incidents.")


class Group(BaseModel):
    key: dict[str, str | int | None] = Field(
        description="The group's value for each dimension; null is the bucket of incidents "
        "with no value for that dimension."
    )
    incidents: Count = Field(description="Distinct incidents in the group.")
    victims: Count = Field(description="Distinct victims in the group.")


class Coverage(BaseModel):
    """How the groups of one dimension relate to the total, so no remainder goes unseen."""

    incidents_without_value: Count
    victims_without_value: Count
    incidents_sum_over_groups: Count = Field(
        description="Sum of the incident counts of the groups that have a value. Above the "
        "number of incidents with a value when incidents fall in several groups."
    )
    victims_sum_over_groups: Count


class DimensionInfo(BaseModel):
    name: DimensionName
    description: str
    no_value: str = Field(description="What the null bucket means for this dimension.")
    incidents_in_several_groups: bool
    victims_in_several_groups: bool
    coverage: Coverage


class SuppressionInfo(BaseModel):
    k: int = Field(
        description="Figures whose part from other organisations is, once adjusted (see "
        "`protection`), from 1 to k-1 are hidden."
    )
    applied: bool = Field(description="Whether any figure in this response is suppressed.")
    applies_to_other_organisations: bool = Field(
        description="Whether the figures include other organisations' data (only that is "
        "suppressed, and only where the survivor consented to statistics sharing)."
    )
    small_marker: str = Field(
        description="A hidden figure made only of other organisations' data, from 1 to k-1 once "
        "adjusted, e.g. `<5`."
    )
    withheld_marker: str = Field(
        default="suppressed",
        description="A hidden figure that holds some of the caller's own records beside a part "
        "from other organisations that is, once adjusted, from 1 to k-1 (the caller could "
        "subtract their own part).",
    )


class ProtectionInfo(BaseModel):
    """How figures that include other organisations' data are protected."""

    method: str = Field(
        default="cell_key",
        description="The cell-key method: each such figure's part from other organisations is "
        "adjusted by a small amount fixed by the records it counts, so the same cell always "
        "gets the same figure and differences between queries do not reveal a hidden count.",
    )
    applies_to: str = Field(
        default="other organisations' data",
        description="Your own organisation's part of a figure is exact; only the part from "
        "other organisations is adjusted.",
    )
    applied: bool = Field(description="Whether any figure in this response is protected.")
    max_adjustment: int = Field(
        description="The most the part from other organisations is moved up or down."
    )
    k: int = Field(description="Where that part, adjusted, is from 1 to k-1, it is not shown.")
    figures_perturbed: int = Field(
        description="How many figures of this response (total, groups, margins) are shown adjusted."
    )
    tables_add_up: bool = Field(
        description="Totals and margins are adjusted as cells of their own, not summed from "
        "adjusted groups: a table with protected figures may not add up exactly.",
    )


class StatsResult(BaseModel):
    group_by: list[DimensionName]
    basis: Basis
    basis_meaning: str
    measure: Measure = Field(description="Which victims `victims` counts.")
    measure_meaning: str
    filters: dict[str, Any] = Field(description="The filters applied, as sent.")
    total: Counts = Field(description="Distinct incidents and victims: each counted once.")
    groups: list[Group]
    dimensions: list[DimensionInfo]
    margins: dict[str, list[Group]] | None = Field(
        default=None, description="With two dimensions: the one-dimension table of each."
    )
    suppression: SuppressionInfo
    protection: ProtectionInfo
    notes: list[str]
