"""The GBVIMS core incident type and the CRSV forms of violence: two vocabularies for one act.

An incident has any number of CRSV forms (UN usage) and at most one GBVIMS core type, the first of
the six that applies in the GBVIMS order (rape, sexual assault, physical assault, forced
marriage, denial of resources, psychological abuse). This crosswalk says, as data, which core
types each form is consistent with, and which type a form establishes by itself. An incident
whose type no form supports, or whose forms establish a type that comes earlier in the GBVIMS
order, is flagged with a warning: stored as entered (the person recording it may know more than
the lists), never refused.

Sources: the GBVIMS classification tool (rape is any penetration, however slight; attempted rape
and FGM/C are sexual assault; forced marriage gives way to rape when both apply; case contexts
such as sexual slavery or sexual exploitation are classified by the act itself).
"""

from collections.abc import Sequence

from pydantic import BaseModel, Field

from app.models.enums import GbvType, Violation

GBVIMS_ORDER: tuple[GbvType, ...] = tuple(GbvType)  # the enum is declared in that order

R, SA, PA, FM, DR, PSY = (
    GbvType.RAPE,
    GbvType.SEXUAL_ASSAULT,
    GbvType.PHYSICAL_ASSAULT,
    GbvType.FORCED_MARRIAGE,
    GbvType.DENIAL_OF_RESOURCES,
    GbvType.PSYCHOLOGICAL_ABUSE,
)

# Form of violence -> the core types an incident with that form may carry.
CONSISTENT_TYPES: dict[Violation, frozenset[GbvType]] = {
    Violation.RAPE: frozenset({R}),
    Violation.ATTEMPTED_RAPE: frozenset({SA}),
    # Case contexts, classified by the act: penetration or other sexual contact.
    Violation.SEXUAL_SLAVERY: frozenset({R, SA}),
    Violation.FORCED_PROSTITUTION: frozenset({R, SA}),
    Violation.TRAFFICKING_SEXUAL_EXPLOITATION: frozenset({R, SA}),
    Violation.FORCED_PREGNANCY: frozenset({R}),  # a pregnancy forced on someone follows rape
    Violation.FORCED_ABORTION: frozenset({PA}),
    Violation.ENFORCED_STERILIZATION: frozenset({SA, PA}),
    # Forced marriage gives way to rape or sexual assault when those happened too.
    Violation.FORCED_MARRIAGE: frozenset({R, SA, FM}),
    Violation.SEXUAL_MUTILATION: frozenset({SA}),  # as FGM/C in GBVIMS
    Violation.OTHER_SEXUAL_VIOLENCE: frozenset({R, SA, PA, PSY}),
}
# Form of violence -> the core type it establishes by itself (the others depend on the facts).
ESTABLISHED_TYPE: dict[Violation, GbvType] = {
    Violation.RAPE: R,
    Violation.FORCED_PREGNANCY: R,
    Violation.ATTEMPTED_RAPE: SA,
    Violation.SEXUAL_MUTILATION: SA,
}

TYPE_NOT_CONSISTENT = "gbv_type_not_consistent_with_forms"
TYPE_AFTER_ESTABLISHED = "gbv_type_after_established_type"
# Each warning's text; `{…}` are its values (the pages translate it and name the values).
WARNING_TEXTS = {
    TYPE_NOT_CONSISTENT: "The GBVIMS type {gbv_type} is not consistent with any of the forms "
    "of violence ({violations}).",
    TYPE_AFTER_ESTABLISHED: "The forms of violence establish the GBVIMS type {expected}, "
    "which comes before {gbv_type} in the GBVIMS order.",
}


class IncidentWarning(BaseModel):
    code: str = Field(description=f"`{TYPE_NOT_CONSISTENT}` or `{TYPE_AFTER_ESTABLISHED}`.")
    field: str = Field(description="The field the warning is about.")
    message: str
    values: dict[str, str] = Field(
        default_factory=dict, description="The values the message names, as codes."
    )


def type_warnings(
    gbv_type: GbvType | str | None, violations: Sequence[Violation | str]
) -> list[IncidentWarning]:
    """Why the incident's GBVIMS type contradicts its forms of violence; [] when it does not."""
    if gbv_type is None or not violations:
        return []
    chosen = GbvType(gbv_type)
    forms = sorted({Violation(value) for value in violations})
    if not any(chosen in CONSISTENT_TYPES[form] for form in forms):
        return [_warning(TYPE_NOT_CONSISTENT, gbv_type=chosen.value, violations=", ".join(forms))]
    established = [ESTABLISHED_TYPE[form] for form in forms if form in ESTABLISHED_TYPE]
    first = min(established, key=GBVIMS_ORDER.index, default=None)
    if first is not None and GBVIMS_ORDER.index(first) < GBVIMS_ORDER.index(chosen):
        return [_warning(TYPE_AFTER_ESTABLISHED, gbv_type=chosen.value, expected=first.value)]
    return []


def _warning(code: str, **values: str) -> IncidentWarning:
    return IncidentWarning(
        code=code, field="gbv_type", message=WARNING_TEXTS[code].format(**values), values=values
    )
