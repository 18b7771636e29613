"""The GBVIMS Incident Recorder's sheet and columns, as Primero's export writes their headers in
English and in French (its `config/locales/incident_recorder`), and how headers are compared."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

SHEET = "Incident Data"


@lru_cache(maxsize=8192)  # workbooks repeat the same few values in every row
def normalise(text: str) -> str:
    """Case, accents, spacing and punctuation left out: how labels and headers are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^a-z0-9&+]+", " ", plain).split())


@dataclass(frozen=True)
class Column:
    key: str
    english: str  # the header as Primero's English export writes it (and ours does)
    french: str  # the French workbook's
    kept: bool = True  # False: read, counted in the report, not stored (no field of ours)


COLUMNS: tuple[Column, ...] = (
    Column("incident_id", "INCIDENT ID", "ID de l'incident"),
    Column("survivor_code", "SURVIVOR CODE", "Code du survivant"),
    Column("case_manager_code", "CASE MANAGER CODE", "Code du gestionnaire de cas", kept=False),
    Column("date_of_interview", "DATE OF INTERVIEW", "Date de l'interview"),
    Column("date_of_incident", "DATE OF INCIDENT", "Date de l'incident"),
    Column("date_of_birth", "DATE OF BIRTH", "Date de naissance"),
    Column("sex", "SEX", "Sexe"),
    Column("ethnicity", "ETHNICITY", "Ethnie", kept=False),
    Column("country_of_origin", "COUNTRY OF ORIGIN", "Pays d'origine"),
    Column("marital_status", "CIVIL / MARITAL STATUS", "Situation civil / matrimoniale"),
    Column(
        "displacement_status",
        "DISPLACEMENT STATUS AT REPORT",
        "Statut de déplacement au moment de la déclaration",
    ),
    Column("disability", "PERSON WITH DISABILITY?", "Personne vivant avec un handicap ?"),
    Column(
        "unaccompanied_separated",
        "UNACCOMPANIED OR SEPARATED CHILD?",
        "Enfant non accompagné ou séparé ?",
    ),
    Column(
        "displacement_stage",
        "STAGE OF DISPLACEMENT AT INCIDENT",
        "Etape du déplacement au moment de l'incident",
    ),
    Column("time_of_day", "INCIDENT TIME OF DAY", "Moment de l'incident"),
    Column("place_type", "INCIDENT LOCATION", "Lieu de l'incident"),
    Column("county", "INCIDENT COUNTY", "Pays où a eu lieu l'incident"),
    Column("district", "INCIDENT DISTRICT", "District où a eu lieu l'incident"),
    Column("camp_town", "INCIDENT CAMP / TOWN", "Ville où a eu lieu l'incident"),
    Column("gbv_type", "GBV TYPE", "Type de violence basé sur le genre"),
    Column(
        "harmful_traditional_practice",
        "HARMFUL TRADITIONAL PRACTICE",
        "Pratique traditionnel néfaste",
        kept=False,
    ),
    Column(
        "goods_money_exchanged",
        "MONEY, GOODS, BENEFITS AND / OR SERVICES EXCHANGED ?",
        "Argent, biens, bénéfice ou services échangés ?",
    ),
    Column("abduction", "TYPE OF ABDUCTION", "Type d'enlèvement"),
    Column(
        "reported_elsewhere",
        "PREVIOUSLY REPORTED THIS INCIDENT?",
        "a précédemment rapporté cet Incident?",
    ),
    Column(
        "previous_gbv_incidents",
        "PREVIOUS GBV INCIDENTS?",
        "Précédent incident de violences basées sur le genre",
    ),
    Column(
        "perpetrator_count",
        "No. ALLEGED PRIMARY PERPETRATOR(S)",
        "Nombre de présumé(s) auteurs primaires",
    ),
    Column("perpetrator_sex", "ALLEGED PERPETRATOR SEX", "Sexe du présumé auteur"),
    Column(
        "former_perpetrator",
        "PREVIOUS INCIDENT WITH THIS PERPETRATOR",
        "Précédent incident avec cet auteur",
        kept=False,
    ),
    Column(
        "perpetrator_age_group", "ALLEGED PERPETRATOR AGE GROUP", "Tranche d'âge du présumé auteur"
    ),
    Column(
        "perpetrator_relationship",
        "ALLEGED PERPETRATOR - SURVIVOR RELATIONSHIP",
        "Relation entre la survivante et le présumé auteur",
    ),
    Column(
        "perpetrator_occupation", "ALLEGED PERPETRATOR OCCUPATION", "Profession du présumé auteur"
    ),
    Column("referred_from", "REFERRED TO YOU FROM?", "Référé par", kept=False),
    Column("safe_house", "SAFE HOUSE / SHELTER", "Hébergement sûr / Abris", kept=False),
    Column("health", "HEALTH / MEDICAL SERVICES", "Soins médicaux", kept=False),
    Column("psychosocial", "PSYCHOSOCIAL SERVICES", "Appui psychosocial", kept=False),
    Column("wants_legal_action", "WANTS LEGAL ACTION?", "Besoin d'une action légale", kept=False),
    Column("legal", "LEGAL ASSISTANCE SERVICES", "Service d'assistance légale", kept=False),
    Column(
        "police",
        "POLICE / OTHER SECURITY ACTOR",
        "Police/ autres acteur de la sécurité",
        kept=False,
    ),
    Column(
        "livelihoods",
        "LIVELIHOODS PROGRAM",
        "Programme d'appui aux moyens de subsistances",
        kept=False,
    ),
    Column(
        "child_protection",
        "CHILD PROTECTION SERVICES / EDUCATION SERVICES",
        "Services Protection de l'enfance et d'éducation",
        kept=False,
    ),
    Column("consent", "CONSENT GIVEN", "Consentement obtenu"),
    Column(
        "agency_code", "REPORTING AGENCY CODE", "Code de la structure rapportant le cas", kept=False
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
COLUMN_BY_HEADER = {
    normalise(header): column for column in COLUMNS for header in (column.english, column.french)
}
# A workbook without these columns cannot be imported (its rows could not be told apart or dated).
REQUIRED_COLUMNS = ("incident_id", "date_of_interview", "date_of_incident", "gbv_type")
