"""One Incident Recorder row -> one incident request, through the tables of recorder_vocabulary.

A row is one survivor's incident: the incident, that survivor as its one victim, and its alleged
primary perpetrator (two rows, one of each sex, when the workbook says "M and F"; none when every
perpetrator column is blank). Every value is checked; an unknown one is a problem naming the
column and what was expected, never dropped.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl.utils.datetime import from_excel

from app.core.dates import EARLIEST_DATE
from app.core.i18n import N_
from app.imports import recorder_vocabulary as vocab
from app.imports.recorder_vocabulary import COLUMN_BY_KEY, Vocabulary
from app.models.enums import Sex, Source
from app.models.gbvims import PerpetratorCount

TEXT_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y", "%d %b %Y")
EXPECTED_DATE = N_("a date (an Excel date, or text such as 2019-03-14 or 14/03/2019)")
MAX_TEXT = 120  # the longest place name or occupation the registry keeps
MAX_EXTERNAL_REFERENCE = 64
MAX_SURVIVOR_CODE = 100


@dataclass(frozen=True)
class Options:
    country: str
    admin_levels: tuple[str, ...] = vocab.DEFAULT_ADMIN_LEVELS
    skip_non_sexual: bool = False


@dataclass(frozen=True)
class CellProblem:
    column: str | None  # our key of the column (COLUMNS), None for the row as a whole
    message: str  # a catalogue message; `{expected}` and the like filled from values
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadRow:
    external_reference: str | None = None
    survivor_code: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)
    skipped_non_sexual: bool = False


def text_of(value: Any) -> str:
    """A cell as text: numbers without a trailing `.0`, blanks as ''."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


class _Reader:
    def __init__(self, cells: dict[str, Any], epoch: datetime | None, row: ReadRow) -> None:
        self.cells, self.epoch, self.row = cells, epoch, row

    def problem(self, column: str, message: str, **values: str) -> None:
        self.row.problems.append(CellProblem(column, message, values))

    def text(self, column: str, limit: int = MAX_TEXT) -> str | None:
        value = text_of(self.cells.get(column))
        if len(value) > limit:
            self.problem(column, N_("at most {limit} characters"), limit=str(limit))
            return None
        return value or None

    def coded(self, column: str, table: Vocabulary[Any]) -> Any:
        value = text_of(self.cells.get(column))
        if not value:
            return None
        found = table.read(value)
        if found is None:
            self.problem(column, N_("expected one of {expected}"), expected=table.expected())
        return found

    def day(self, column: str) -> date | None:
        value = self.cells.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        found = _as_date(value, self.epoch)
        if found is None or found < EARLIEST_DATE:
            self.problem(column, EXPECTED_DATE)
            return None
        return found


def _as_date(value: Any, epoch: datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d{5}(\.0+)?\s*", value):
        # A serial number written as text (a CSV saved from Excel): five digits, 1927 to 2173.
        # Four digits are more likely a year alone, which is not a date: refused, not guessed.
        value = float(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2_958_466:  # Excel's own range: 1900-01-01 to 9999-12-31
            return None
        converted = from_excel(value, epoch) if epoch else from_excel(value)
        return converted.date() if isinstance(converted, datetime) else None
    if isinstance(value, str):
        for pattern in TEXT_DATE_FORMATS:
            try:
                return datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    return None


def read_row(cells: dict[str, Any], epoch: datetime | None, options: Options) -> ReadRow:
    """`cells`: the row's values by column key (COLUMNS)."""
    row = ReadRow()
    read = _Reader(cells, epoch, row)
    row.external_reference = read.text("incident_id", MAX_EXTERNAL_REFERENCE)
    if row.external_reference is None and not row.problems:
        read.problem("incident_id", N_("is required"))
    row.survivor_code = read.text("survivor_code", MAX_SURVIVOR_CODE)
    reported_on = read.day("date_of_interview")
    occurred_on = read.day("date_of_incident")
    for column, value in (("date_of_interview", reported_on), ("date_of_incident", occurred_on)):
        if value is None and not any(p.column == column for p in row.problems):
            read.problem(column, EXPECTED_DATE)
    gbv_type = read.coded("gbv_type", vocab.GBV_TYPE)
    if gbv_type is None and not any(p.column == "gbv_type" for p in row.problems):
        read.problem(
            "gbv_type", N_("expected one of {expected}"), expected=vocab.GBV_TYPE.expected()
        )
    forms = vocab.FORMS_BY_GBV_TYPE.get(gbv_type) if gbv_type else None
    if gbv_type is not None and forms is None:
        if options.skip_non_sexual:
            row.skipped_non_sexual = True
            return row
        read.problem(
            "gbv_type",
            N_("is not sexual violence; expected one of {expected} (or leave such rows out)"),
            expected='"Rape", "Sexual Assault", "Forced Marriage"',
        )
    places = {key: read.text(key) for key in vocab.ADMIN_SOURCES}
    incident: dict[str, Any] = {
        "occurred_on": occurred_on,
        "reported_on": reported_on,
        "country": options.country,
        "violations": list(forms or ()),
        "gbv_type": gbv_type,
        "source": Source.GBVIMS,
        "time_of_day": read.coded("time_of_day", vocab.TIME_OF_DAY),
        "place_type": read.coded("place_type", vocab.PLACE_TYPE),
        "displacement_stage": read.coded("displacement_stage", vocab.DISPLACEMENT_STAGE),
        "abduction": read.coded("abduction", vocab.ABDUCTION),
        "goods_money_exchanged": read.coded("goods_money_exchanged", vocab.YES_NO),
        "reported_elsewhere": read.coded("reported_elsewhere", vocab.REPORTED_ELSEWHERE),
        "previous_gbv_incidents": read.coded("previous_gbv_incidents", vocab.YES_NO),
        "perpetrator_count": _perpetrator_count(read),
    }
    for level, source in enumerate(options.admin_levels, start=1):
        incident[f"admin{level}"] = places[source]
    victim = _victim(read, occurred_on)
    if row.survivor_code:  # kept as the survivor's identifying details, encrypted
        victim["identity"] = {"survivor_code": row.survivor_code}
    incident["victims"] = [victim]
    incident["perpetrators"] = _perpetrators(read)
    row.payload = {name: value for name, value in incident.items() if value is not None}
    return row


def _perpetrator_count(read: _Reader) -> PerpetratorCount | None:
    value = read.cells.get("perpetrator_count")
    text = text_of(value)
    if not text:
        return None
    if re.fullmatch(r"\d+", text) and int(text) >= 1:
        number = int(text)
        return PerpetratorCount(str(number)) if number <= 3 else PerpetratorCount.MORE_THAN_3
    if vocab.MORE_THAN_3.read(text) is not None:
        return PerpetratorCount.MORE_THAN_3
    read.problem("perpetrator_count", N_('expected a count (1, 2, 3...) or "More than 3"'))
    return None


def _victim(read: _Reader, occurred_on: date | None) -> dict[str, Any]:
    victim: dict[str, Any] = {"sex": read.coded("sex", vocab.VICTIM_SEX) or Sex.UNKNOWN}
    born = read.day("date_of_birth")
    if born is not None and occurred_on is not None:
        age = (
            occurred_on.year
            - born.year
            - ((occurred_on.month, occurred_on.day) < (born.month, born.day))
        )
        if 0 <= age <= 120:
            victim["age"] = age
        else:
            read.problem("date_of_birth", N_("must be before the incident, at most 120 years"))
    disability = read.coded("disability", vocab.DISABILITY)
    if disability is not None:
        victim["disability"], victim["disability_kind"] = disability
    country = read.text("country_of_origin")
    if country is not None:
        code = vocab.country_code(country)
        if code is None:
            read.problem(
                "country_of_origin", N_("expected a country's name or its ISO code (e.g. Mali, ML)")
            )
        victim["country_of_origin"] = code
    victim["displacement_status"] = read.coded("displacement_status", vocab.DISPLACEMENT_STATUS)
    victim["marital_status"] = read.coded("marital_status", vocab.MARITAL_STATUS)
    victim["unaccompanied_separated"] = read.coded(
        "unaccompanied_separated", vocab.UNACCOMPANIED_SEPARATED
    )
    consent = read.coded("consent", vocab.YES_NO)
    if consent is not None and consent != "unknown":
        # "No": the survivor did not agree to share beyond the organisation: counted only in
        # its own figures. Blank or unknown: no decision recorded, which counts the same way.
        victim["consent"] = {"statistics": consent == "yes"}
    return {name: value for name, value in victim.items() if value is not None}


def _perpetrators(read: _Reader) -> list[dict[str, Any]]:
    sex = read.coded("perpetrator_sex", vocab.PERPETRATOR_SEX)
    age_group = read.coded("perpetrator_age_group", vocab.PERPETRATOR_AGE)
    relationship = read.coded("perpetrator_relationship", vocab.RELATIONSHIP)
    occupation = read.text("perpetrator_occupation")
    if sex is None and age_group is None and relationship is None and occupation is None:
        return []
    base = {
        "category": vocab.perpetrator_category(occupation, relationship),
        "age_group": age_group,
        "relationship": relationship,
        "occupation": occupation,
        "involvement": "primary",
    }
    sexes = [Sex.MALE, Sex.FEMALE] if sex == vocab.BOTH_SEXES else [sex]
    return [
        {name: value for name, value in {**base, "sex": each}.items() if value is not None}
        for each in sexes
    ]


def column_label(key: str, language: str) -> str:
    column = COLUMN_BY_KEY[key]
    return column.french if language == "fr" else column.english
