"""How partners' category labels map onto ours: one table per dimension, written as data.

A partner's table keeps its own labels as sent; they are read through this table whenever a
table is shown or reported. A label is matched ignoring case, spaces around `/` and repeated
spaces; our own codes (`non_state_armed_group`) match themselves. A label found nowhere here is
`unmapped`: it is kept as its own category and shown with its label, never dropped nor guessed.
An empty label is the partner's remainder with no category ("unattributed").

Sources of the labels: the GBVIMS incident recording form and its monthly statistics tables
(perpetrator types "Armed group/Non-state armed actor", "Security forces", "Unknown"...; the six
core GBV types; survivors by sex and age group), and DOMAIN.md for the armed force/group types
used in practice. "Para-military" is deliberately left out: in the field it names both
state-aligned militias and non-state groups, so it stays unmapped rather than guessed.
"""

import re

from app.models.aggregate import AggregateDimension
from app.models.enums import GbvType, PerpetratorCategory, VictimCategory, Violation

UNMAPPED = "unmapped"  # the category of a label this table does not know
ALL_VALUES = "*"  # a cell's label meaning every value of its dimension: a margin, or the total

_P = PerpetratorCategory
_V = VictimCategory
_G = GbvType
_F = Violation

# Partner label -> our category, per dimension. The first label given for a category is the one
# the CSV template proposes.
PARTNER_LABELS: dict[AggregateDimension, dict[str, str]] = {
    AggregateDimension.PERPETRATOR_CATEGORY: {
        "Armed group/Non-state armed actor": _P.NON_STATE_ARMED_GROUP,
        "Non-state armed group": _P.NON_STATE_ARMED_GROUP,
        "Armed group": _P.NON_STATE_ARMED_GROUP,
        "Security forces": _P.STATE_SECURITY_FORCES,
        "National security forces": _P.STATE_SECURITY_FORCES,
        "National army": _P.STATE_SECURITY_FORCES,
        "Police": _P.STATE_SECURITY_FORCES,
        "Unidentified armed element": _P.UNIDENTIFIED_ARMED_ELEMENT,
        "Unknown": _P.UNIDENTIFIED_ARMED_ELEMENT,
        "International forces": _P.INTERNATIONAL_FORCES,
        "Civilian": _P.CIVILIAN,
        "Other": _P.OTHER,
    },
    AggregateDimension.VICTIM_CATEGORY: {
        "Female, 18 and over": _V.WOMAN,
        "Female adult": _V.WOMAN,
        "Woman": _V.WOMAN,
        "Female, under 18": _V.GIRL,
        "Girl": _V.GIRL,
        "Male, 18 and over": _V.MAN,
        "Male adult": _V.MAN,
        "Man": _V.MAN,
        "Male, under 18": _V.BOY,
        "Boy": _V.BOY,
        "Unknown": _V.UNKNOWN,
    },
    AggregateDimension.GBV_TYPE: {
        "Rape": _G.RAPE,
        "Sexual assault": _G.SEXUAL_ASSAULT,
        "Physical assault": _G.PHYSICAL_ASSAULT,
        "Forced marriage": _G.FORCED_MARRIAGE,
        "Denial of resources, opportunities or services": _G.DENIAL_OF_RESOURCES,
        "Psychological/emotional abuse": _G.PSYCHOLOGICAL_ABUSE,
    },
    AggregateDimension.VIOLATION: {
        "Rape": _F.RAPE,
        "Attempted rape": _F.ATTEMPTED_RAPE,
        "Sexual slavery": _F.SEXUAL_SLAVERY,
        "Forced prostitution": _F.FORCED_PROSTITUTION,
        "Forced pregnancy": _F.FORCED_PREGNANCY,
        "Forced abortion": _F.FORCED_ABORTION,
        "Enforced sterilization": _F.ENFORCED_STERILIZATION,
        "Forced marriage": _F.FORCED_MARRIAGE,
        "Sexual mutilation": _F.SEXUAL_MUTILATION,
        "Trafficking for sexual exploitation": _F.TRAFFICKING_SEXUAL_EXPLOITATION,
        "Other sexual violence": _F.OTHER_SEXUAL_VIOLENCE,
    },
    # Regions are an open list: the partner's name of the region is ours.
    AggregateDimension.ADMIN1: {},
}

VOCABULARIES: dict[AggregateDimension, tuple[str, ...]] = {
    AggregateDimension.PERPETRATOR_CATEGORY: tuple(_P),
    AggregateDimension.VICTIM_CATEGORY: tuple(_V),
    AggregateDimension.GBV_TYPE: tuple(_G),
    AggregateDimension.VIOLATION: tuple(_F),
    AggregateDimension.ADMIN1: (),
}

# Whether a table's cells along the dimension are exclusive (each incident or survivor in one
# cell), so that they add up exactly to the total. GBVIMS tables count an incident under the
# type of its alleged (primary) perpetrator and under one core GBV type; forms of violence are
# not exclusive (an incident may have several), so there the cells may add up to more.
EXCLUSIVE: dict[AggregateDimension, bool] = {
    AggregateDimension.PERPETRATOR_CATEGORY: True,
    AggregateDimension.VICTIM_CATEGORY: True,
    AggregateDimension.GBV_TYPE: True,  # one core type per incident, by the GBVIMS rule
    AggregateDimension.ADMIN1: True,
    AggregateDimension.VIOLATION: False,
}


def normalised(label: str) -> str:
    """The form labels are compared in: any case, spaces around `/` and repeated spaces ignored."""
    text = re.sub(r"\s*/\s*", "/", label.strip())
    return re.sub(r"\s+", " ", text).casefold()


_LOOKUP: dict[AggregateDimension, dict[str, str]] = {
    dimension: {
        **{normalised(code): code for code in VOCABULARIES[dimension]},
        **{normalised(label): str(code) for label, code in labels.items()},
    }
    for dimension, labels in PARTNER_LABELS.items()
}


def category_of(dimension: AggregateDimension, label: str | None) -> str | None:
    """Our category for a partner's label: None for no category, `unmapped` if unknown, `*`
    for all values. Regions map to themselves."""
    if label is None:
        return None
    if label == ALL_VALUES:
        return ALL_VALUES
    if dimension is AggregateDimension.ADMIN1:
        return label
    return _LOOKUP[dimension].get(normalised(label), UNMAPPED)


def template_labels(dimension: AggregateDimension) -> list[str]:
    """One partner label per category of ours (the first the table gives), in vocabulary order."""
    first: dict[str, str] = {}
    for label, code in PARTNER_LABELS[dimension].items():
        first.setdefault(str(code), label)
    return [first.get(code, code) for code in VOCABULARIES[dimension]]
