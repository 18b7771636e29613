"""The Incident Recorder's values and ours: every mapping, both ways (its columns are in
recorder_columns.py).

The import reads a workbook value through these tables (`Vocabulary.read`) and the export writes
ours back through the same tables (`Vocabulary.write`), so what one writes the other reads. Each
entry's first label is what the Incident Recorder (as Primero exports it, English) writes, the
second its French workbook's wording; the rest are spellings also accepted. Matching ignores case,
accents, spacing and punctuation ("Age 18 - 25" = "age 18-25").

Decisions the workbook leaves to us (README, "Incident Recorder import"):
- CRSV forms from the GBV type only where the type says which form it is (`FORMS_BY_GBV_TYPE`);
  a type with no form of sexual violence is refused, or left out with `skip_non_sexual`.
- Perpetrator category from the occupation only where the occupation names an armed or
  security actor, or a civilian (`CATEGORY_BY_OCCUPATION`); else `civilian` when the relationship
  is a tie of home, family, school, work or community (`CIVILIAN_RELATIONSHIPS`), else `other`
  (not established): never an armed actor the workbook does not name.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Generic, TypeVar

from babel import Locale

from app.core.countries import ISO_3166_ALPHA2
from app.imports.recorder_columns import COLUMN_BY_HEADER as COLUMN_BY_HEADER
from app.imports.recorder_columns import COLUMN_BY_KEY as COLUMN_BY_KEY
from app.imports.recorder_columns import COLUMNS as COLUMNS
from app.imports.recorder_columns import REQUIRED_COLUMNS as REQUIRED_COLUMNS
from app.imports.recorder_columns import SHEET as SHEET
from app.imports.recorder_columns import normalise
from app.models.enums import Disability, GbvType, PerpetratorCategory, Sex, Violation
from app.models.enums import DisplacementStatus as Displacement
from app.models.gbvims import (
    Abduction,
    ChildSeparation,
    DisabilityKind,
    DisplacementStage,
    MaritalStatus,
    PerpetratorAgeGroup,
    PlaceType,
    Relationship,
    ReportedElsewhere,
    TimeOfDay,
    YesNoUnknown,
)

T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True)
class Vocabulary(Generic[T]):
    """One column's values: ours -> (written label, French label, other accepted spellings)."""

    labels: Mapping[T, tuple[str, ...]]
    _read: dict[str, T] = field(init=False, repr=False, compare=False)

    _exact: dict[str, T] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        read = {normalise(label): value for value, names in self.labels.items() for label in names}
        object.__setattr__(self, "_read", read)
        # The labels as written, for the values most rows hold (no normalising to do).
        exact = {label: read[normalise(label)] for names in self.labels.values() for label in names}
        object.__setattr__(self, "_exact", exact)

    def read(self, text: str) -> T | None:
        """Ours for a workbook value; None when the value is not one of the column's."""
        found = self._exact.get(text)
        return found if found is not None else self._read.get(normalise(text))

    def write(self, value: T) -> str:
        return self.labels[value][0]

    def expected(self) -> str:
        return ", ".join(f'"{names[0]}"' for names in self.labels.values())


YES_NO = Vocabulary(
    {
        YesNoUnknown.YES: ("Yes", "Oui", "Y"),
        YesNoUnknown.NO: ("No", "Non", "N"),
        YesNoUnknown.UNKNOWN: ("Unknown", "Inconnu", "Don't know", "Ne sait pas"),
    }
)
VICTIM_SEX = Vocabulary(
    {
        Sex.FEMALE: ("F", "Féminin", "Female", "Femme"),
        Sex.MALE: ("M", "Masculin", "Male", "Homme"),
        Sex.UNKNOWN: ("Unknown", "Inconnu"),
    }
)
# Several perpetrators of both sexes: two rows, one of each (statistics count categories).
BOTH_SEXES = "both"
PERPETRATOR_SEX = Vocabulary(
    {
        Sex.FEMALE: ("F", "Féminin", "Female"),
        Sex.MALE: ("M", "Masculin", "Male"),
        BOTH_SEXES: ("M and F", "Masculin et Féminin", "M & F", "F and M", "Both"),
        Sex.UNKNOWN: ("Unknown", "Inconnu"),
    }
)
MARITAL_STATUS = Vocabulary(
    {
        MaritalStatus.SINGLE: ("Single", "Célibataire"),
        MaritalStatus.MARRIED_COHABITING: ("Married/Cohabiting", "Marié(e)/Cohabitant", "Married"),
        MaritalStatus.DIVORCED_SEPARATED: ("Divorced/Separated", "Divorcé(e)/Séparé(e)"),
        MaritalStatus.WIDOWED: ("Widowed", "Veuf/Veuve"),
        MaritalStatus.UNKNOWN: ("Unknown", "Inconnu"),
    }
)
DISPLACEMENT_STATUS = Vocabulary(
    {
        Displacement.RESIDENT: ("Resident", "Résident", "Host Community", "Communauté hôte"),
        Displacement.IDP: ("IDP", "PDI", "Internally Displaced Person"),
        Displacement.REFUGEE: ("Refugee", "Réfugié"),
        Displacement.STATELESS: ("Stateless Person", "Apatride", "Stateless"),
        Displacement.RETURNEE: ("Returnee", "Rapatrié", "Retourné"),
        Displacement.FOREIGN_NATIONAL: ("Foreign National", "Ressortissant étranger"),
        Displacement.ASYLUM_SEEKER: ("Asylum Seeker", "Demandeur d'asile"),
        Displacement.UNKNOWN: ("Unknown", "Inconnu", "N/A"),
    }
)
# (answer, kind): "Both" (mental and physical) is a disability whose single kind we cannot keep.
DISABILITY = Vocabulary(
    {
        (Disability.NO, None): ("No", "Non"),
        (Disability.YES, None): ("Yes", "Oui", "Both", "Les deux"),
        (Disability.YES, DisabilityKind.MENTAL_INTELLECTUAL): (
            "Mental Disability",
            "Handicap mental",
        ),
        (Disability.YES, DisabilityKind.PHYSICAL): ("Physical Disability", "Handicap physique"),
        (Disability.YES, DisabilityKind.SENSORY): ("Sensory Disability", "Handicap sensoriel"),
        (Disability.YES, DisabilityKind.OTHER): ("Other Disability", "Autre handicap"),
        (Disability.UNKNOWN, None): ("Unknown", "Inconnu"),
    }
)
# "Other Vulnerable Child" is neither unaccompanied nor separated.
UNACCOMPANIED_SEPARATED = Vocabulary(
    {
        ChildSeparation.UNACCOMPANIED: ("Unaccompanied Minor", "Mineur non accompagné"),
        ChildSeparation.SEPARATED: ("Separated Child", "Enfant séparé"),
        ChildSeparation.NO: ("No", "Non", "Other Vulnerable Child", "Autre enfant vulnérable"),
        ChildSeparation.UNKNOWN: ("Unknown", "Inconnu"),
    }
)
DISPLACEMENT_STAGE = Vocabulary(
    {
        DisplacementStage.NOT_DISPLACED: (
            "Not Displaced/Home Community",
            "Non déplacé/Communauté d'origine",
            "Not Displaced",
        ),
        DisplacementStage.PRE_DISPLACEMENT: ("Pre-displacement", "Avant le déplacement"),
        DisplacementStage.DURING_FLIGHT: ("During Flight", "Pendant la fuite"),
        DisplacementStage.DURING_REFUGE: ("During Refuge", "Pendant le refuge"),
        DisplacementStage.DURING_RETURN_TRANSIT: (
            "During Return/Transit",
            "Pendant le retour/transit",
        ),
        DisplacementStage.POST_DISPLACEMENT: ("Post-Displacement", "Après le déplacement"),
    }
)
TIME_OF_DAY = Vocabulary(
    {
        TimeOfDay.MORNING: ("Morning", "Matin"),
        TimeOfDay.AFTERNOON: ("Afternoon", "Après-midi"),
        TimeOfDay.EVENING_NIGHT: ("Evening/Night", "Soir/Nuit"),
        TimeOfDay.UNKNOWN: ("Unknown/Not Applicable", "Inconnu/Non applicable", "Unknown"),
    }
)
PLACE_TYPE = Vocabulary(
    {
        PlaceType.FOREST: ("Bush/Forest", "Brousse/Forêt"),
        PlaceType.GARDEN: ("Garden/Cultivated Field", "Jardin/Champ cultivé"),
        PlaceType.SCHOOL: ("School", "École"),
        PlaceType.ROAD: ("Road", "Route"),
        PlaceType.CLIENTS_HOME: ("Client's Home", "Domicile du client", "Survivor's Home"),
        PlaceType.PERPETRATORS_HOME: ("Perpetrator's Home", "Domicile de l'auteur"),
        PlaceType.OTHER: ("Other", "Autre"),
        PlaceType.MARKET: ("Market", "Marché"),
        PlaceType.STREAMSIDE: ("Streamside", "Bord de rivière"),
        PlaceType.BEACH: ("Beach", "Plage"),
        PlaceType.FARM: ("Farm", "Ferme"),
        PlaceType.LATRINE: ("Latrine/Bathing Facility", "Latrine/Lieu de baignade"),
        PlaceType.PERPETRATORS_FRIENDS_HOME: (
            "Perpetrator's Friend's Home",
            "Domicile d'un ami de l'auteur",
        ),
        PlaceType.ENTERTAINMENT_CENTRE: ("Entertainment Centre", "Centre de loisirs"),
        PlaceType.UNFINISHED_HOUSE: ("Unfinished House", "Maison inachevée"),
        PlaceType.GUEST_HOUSE_HOTEL: ("Guest House/Hotel", "Maison d'hôtes/Hôtel"),
        PlaceType.CAMP: ("Camp/Settlement", "Camp/Site", "Camp"),
        PlaceType.WATER_POINT: ("Water Point", "Point d'eau"),
    }
)
GBV_TYPE = Vocabulary(
    {
        GbvType.RAPE: ("Rape", "Viol"),
        GbvType.SEXUAL_ASSAULT: ("Sexual Assault", "Agression sexuelle"),
        GbvType.PHYSICAL_ASSAULT: ("Physical Assault", "Agression physique"),
        GbvType.FORCED_MARRIAGE: ("Forced Marriage", "Mariage forcé"),
        GbvType.DENIAL_OF_RESOURCES: (
            "Denial of Resources, Opportunities, or Services",
            "Déni de ressources, d'opportunités ou de services",
            "Denial of Resources",
        ),
        GbvType.PSYCHOLOGICAL_ABUSE: (
            "Psychological / Emotional Abuse",
            "Violence psychologique / émotionnelle",
            "Psychological Abuse",
        ),
    }
)
# The CRSV form each GBVIMS type names by itself (see app/incidents/crosswalk.py): rape is rape;
# sexual assault covers several forms (attempted rape, FGM/C, other contact), so it is the
# catch-all `other_sexual_violence`; forced marriage is forced marriage. The other three types are
# not sexual violence: no form, and the row is refused (or left out with `skip_non_sexual`).
FORMS_BY_GBV_TYPE: dict[GbvType, tuple[Violation, ...]] = {
    GbvType.RAPE: (Violation.RAPE,),
    GbvType.SEXUAL_ASSAULT: (Violation.OTHER_SEXUAL_VIOLENCE,),
    GbvType.FORCED_MARRIAGE: (Violation.FORCED_MARRIAGE,),
}
ABDUCTION = Vocabulary(
    {
        Abduction.NONE: ("None", "Aucun", "Aucune"),
        Abduction.FORCED_CONSCRIPTION: ("Forced Conscription", "Conscription forcée"),
        Abduction.TRAFFICKED: ("Trafficked", "Traite", "Victime de traite"),
        Abduction.OTHER_ABDUCTION_KIDNAPPING: (
            "Other Abduction/Kidnapping",
            "Autre enlèvement/kidnapping",
        ),
    }
)
REPORTED_ELSEWHERE = Vocabulary(
    {
        ReportedElsewhere.NO: ("No", "Non"),
        ReportedElsewhere.GBVIMS_ORGANISATION: (
            "Yes-GBVIMS Org / Agency",
            "Oui-Organisation GBVIMS",
        ),
        ReportedElsewhere.NON_GBVIMS_ORGANISATION: (
            "Yes-Non GBVIMS Org / Agency",
            "Oui-Organisation non GBVIMS",
        ),
    }
)
MORE_THAN_3 = Vocabulary({"more_than_3": ("More than 3", "Plus de 3", "More than three")})
PERPETRATOR_AGE = Vocabulary(
    {
        PerpetratorAgeGroup.AGE_0_11: ("Age 0 - 11", "âge 0 - 11", "0 - 11"),
        PerpetratorAgeGroup.AGE_12_17: ("Age 12 - 17", "âge 12 - 17", "12 - 17"),
        PerpetratorAgeGroup.AGE_18_25: ("Age 18 - 25", "âge 18 - 25", "18 - 25"),
        PerpetratorAgeGroup.AGE_26_40: ("Age 26 - 40", "âge 26 - 40", "26 - 40"),
        PerpetratorAgeGroup.AGE_41_60: ("Age 41 - 60", "âge 41 - 60", "41 - 60"),
        PerpetratorAgeGroup.AGE_61_PLUS: ("61 & Older", "61 et plus", "61+"),
        PerpetratorAgeGroup.UNKNOWN: ("Unknown", "Inconnu"),
    }
)
RELATIONSHIP = Vocabulary(
    {
        Relationship.INTIMATE_PARTNER: (
            "Intimate Partner / Former Partner",
            "Partenaire intime / Ancien partenaire",
        ),
        Relationship.PRIMARY_CAREGIVER: ("Primary Caregiver", "Principal pourvoyeur de soins"),
        Relationship.OTHER_FAMILY: (
            "Family other than spouse or caregiver",
            "Famille autre que le conjoint ou le pourvoyeur de soins",
        ),
        Relationship.SUPERVISOR_EMPLOYER: ("Supervisor / Employer", "Superviseur / Employeur"),
        Relationship.SCHOOLMATE: ("Schoolmate", "Camarade de classe"),
        Relationship.TEACHER: ("Teacher / School Official", "Enseignant / Responsable scolaire"),
        Relationship.SERVICE_PROVIDER: ("Service Provider", "Prestataire de services"),
        Relationship.CO_TENANT: ("Cotenant / Housemate", "Colocataire"),
        Relationship.FAMILY_FRIEND_NEIGHBOUR: (
            "Family Friend / Neighbor",
            "Ami de la famille / Voisin",
            "Family Friend / Neighbour",
        ),
        Relationship.OTHER_REFUGEE_IDP_RETURNEE: (
            "Other refugee / IDP / Returnee",
            "Autre réfugié / PDI / Rapatrié",
        ),
        Relationship.OTHER_COMMUNITY_MEMBER: (
            "Other resident community member",
            "Autre membre de la communauté résidente",
        ),
        Relationship.OTHER: ("Other", "Autre"),
        Relationship.NO_RELATION: ("No relation", "Aucune relation"),
        Relationship.UNKNOWN: ("Unknown", "Inconnu"),
    }
)
# The occupations that establish a category; the export writes the first for a perpetrator
# whose occupation would not give back its category.
CATEGORY_BY_OCCUPATION = Vocabulary(
    {
        PerpetratorCategory.NON_STATE_ARMED_GROUP: (
            "Armed Group",
            "Groupe armé",
            "Non-state armed group",
            "Rebel",
            "Militia",
            "Milice",
        ),
        PerpetratorCategory.STATE_SECURITY_FORCES: (
            "Armed Forces",
            "Forces armées",
            "Military",
            "Militaire",
            "Army",
            "Police",
            "Police / Other Security Actor",
            "Security Forces",
            "Forces de sécurité",
        ),
        PerpetratorCategory.INTERNATIONAL_FORCES: (
            "International Forces",
            "Forces internationales",
            "Peacekeeper",
            "Casque bleu",
        ),
        PerpetratorCategory.UNIDENTIFIED_ARMED_ELEMENT: (
            "Unidentified Armed Element",
            "Élément armé non identifié",
            "Unidentified armed man",
        ),
        PerpetratorCategory.CIVILIAN: ("Civilian", "Civil"),
        PerpetratorCategory.OTHER: ("Other (not established)", "Autre (non établi)"),
    }
)
CIVILIAN_RELATIONSHIPS = frozenset(
    {
        Relationship.INTIMATE_PARTNER,
        Relationship.PRIMARY_CAREGIVER,
        Relationship.OTHER_FAMILY,
        Relationship.SUPERVISOR_EMPLOYER,
        Relationship.SCHOOLMATE,
        Relationship.TEACHER,
        Relationship.SERVICE_PROVIDER,
        Relationship.CO_TENANT,
        Relationship.FAMILY_FRIEND_NEIGHBOUR,
        Relationship.OTHER_REFUGEE_IDP_RETURNEE,
        Relationship.OTHER_COMMUNITY_MEMBER,
    }
)


def perpetrator_category(
    occupation: str | None, relationship: Relationship | None
) -> PerpetratorCategory:
    """The category the workbook establishes (see the module's docstring), conservatively."""
    named = CATEGORY_BY_OCCUPATION.read(occupation) if occupation else None
    if named is not None:
        return named
    if relationship in CIVILIAN_RELATIONSHIPS:
        return PerpetratorCategory.CIVILIAN
    return PerpetratorCategory.OTHER


ADMIN_SOURCES = ("county", "district", "camp_town")
DEFAULT_ADMIN_LEVELS = ADMIN_SOURCES  # COUNTY -> admin1, DISTRICT -> admin2, CAMP / TOWN -> admin3


def parse_admin_levels(text: str) -> tuple[str, ...] | None:
    """ "district,camp_town" -> ("district", "camp_town") (admin1, admin2); None when invalid."""
    levels = tuple(part.strip().casefold() for part in text.split(",") if part.strip())
    valid = 1 <= len(levels) <= 3 and len(set(levels)) == len(levels)
    return levels if valid and all(level in ADMIN_SOURCES for level in levels) else None


@cache
def _countries() -> Vocabulary[str]:
    english, french = Locale("en").territories, Locale("fr").territories
    return Vocabulary(
        {
            code: (english.get(code, code), french.get(code, code), code)
            for code in sorted(ISO_3166_ALPHA2)
        }
    )


def country_code(text: str) -> str | None:
    """ISO 3166-1 alpha-2 code for a country name (English or French) or code."""
    return _countries().read(text)


def country_name(code: str) -> str:
    return _countries().write(code)
