"""The Incident Recorder export: an organisation's incidents of a period as the workbook the
GBVIMS Incident Recorder reads (sheet "Incident Data", its columns in order), written through the
same tables the import reads (recorder_vocabulary), so that importing an export gives back the
same statistics.

One row per incident, its first victim as the survivor (the Incident Recorder has one survivor a
row) and its first perpetrator's details (the sex column says "M and F" when perpetrators of both
sexes are recorded). DATE OF BIRTH is derived from the victim's age at the incident (the registry
keeps ages, never birth dates), or from the lower bound of the age band; INCIDENT ID is the
reference the incident was imported with, else the registry's own. SURVIVOR CODE is written only
for an adviser with identity access who asks for it (`include_identity`), and every export is
one audit event with its period, row count and whether identity was included.
"""

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import ForbiddenError, Principal
from app.core.crypto import FieldCipher
from app.core.permissions import Permission
from app.imports import recorder_vocabulary as vocab
from app.incidents import service as incidents
from app.models import Incident, Organisation, Perpetrator, Victim
from app.models.enums import AgeGroup, ConsentKind, Sex

DATE_FORMAT = "yyyy-mm-dd"
BAND_LOWER_AGE = {
    AgeGroup.AGE_0_11: 0,
    AgeGroup.AGE_12_17: 12,
    AgeGroup.AGE_18_25: 18,
    AgeGroup.AGE_26_40: 26,
    AgeGroup.AGE_41_60: 41,
    AgeGroup.AGE_61_PLUS: 61,
}
PAGE = 1000


def export_recorder(
    session: Session,
    principal: Principal,
    cipher: FieldCipher,
    *,
    occurred_from: date | None,
    occurred_to: date | None,
    include_identity: bool,
    admin_levels: tuple[str, ...] = vocab.DEFAULT_ADMIN_LEVELS,
) -> bytes:
    if include_identity and not principal.can(Permission.IDENTITY_READ):
        raise ForbiddenError(Permission.IDENTITY_READ)
    query = incidents.readable_incidents(principal).where(
        Incident.archived_at.is_(None), Incident.duplicate_of_id.is_(None)
    )
    if occurred_from is not None:
        query = query.where(Incident.occurred_on >= occurred_from)
    if occurred_to is not None:
        query = query.where(Incident.occurred_on <= occurred_to)
    query = query.order_by(Incident.occurred_on, Incident.id).options(*incidents.WITH_CHILDREN)
    agency = session.scalar(
        select(Organisation.reference_code).where(Organisation.id == principal.organisation_id)
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet(vocab.SHEET)
    sheet.append([column.english for column in vocab.COLUMNS])
    count = identities = 0
    for incident in session.scalars(query.execution_options(yield_per=PAGE)):
        code = _survivor_code(cipher, incident) if include_identity else None
        identities += code is not None
        sheet.append(_cells(sheet, _row(incident, code, str(agency), admin_levels)))
        count += 1
    record(
        session,
        "incident.export",
        actor=principal,
        record_type="organisation",
        record_id=principal.organisation_id,
        fields=["survivor_code"] if include_identity else [],
        details={
            "format": "incident_recorder",
            "occurred_from": occurred_from.isoformat() if occurred_from else None,
            "occurred_to": occurred_to.isoformat() if occurred_to else None,
            "rows": count,
            "include_identity": include_identity,
            "survivor_codes_read": identities,
        },
    )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _survivor_code(cipher: FieldCipher, incident: Incident) -> str | None:
    victim = incident.victims[0] if incident.victims else None
    if victim is None or victim.identity is None:
        return None
    code = cipher.decrypt_json(victim.identity.ciphertext).get("survivor_code")
    return str(code) if code else None


def _cells(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """Dates formatted as dates; text always as text, never a formula (formula injection)."""
    cells = []
    for value in values:
        if isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT
        elif isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
        else:
            cell = value
        cells.append(cell)
    return cells


def _row(
    incident: Incident, survivor_code: str | None, agency: str, admin_levels: tuple[str, ...]
) -> list[Any]:
    victim = incident.victims[0] if incident.victims else None
    primary = incident.perpetrators[0] if incident.perpetrators else None
    places = {
        source: getattr(incident, f"admin{level}") for level, source in enumerate(admin_levels, 1)
    }
    values: dict[str, Any] = {
        "incident_id": incident.external_reference or incident.reference,
        "survivor_code": survivor_code,
        "date_of_interview": incident.reported_on,
        "date_of_incident": incident.occurred_on,
        "county": places.get("county"),
        "district": places.get("district"),
        "camp_town": places.get("camp_town"),
        "gbv_type": _label(vocab.GBV_TYPE, incident.gbv_type),
        "time_of_day": _label(vocab.TIME_OF_DAY, incident.time_of_day),
        "place_type": _label(vocab.PLACE_TYPE, incident.place_type),
        "displacement_stage": _label(vocab.DISPLACEMENT_STAGE, incident.displacement_stage),
        "goods_money_exchanged": _label(vocab.YES_NO, incident.goods_money_exchanged),
        "abduction": _label(vocab.ABDUCTION, incident.abduction),
        "reported_elsewhere": _label(vocab.REPORTED_ELSEWHERE, incident.reported_elsewhere),
        "previous_gbv_incidents": _label(vocab.YES_NO, incident.previous_gbv_incidents),
        "perpetrator_count": _count(incident.perpetrator_count),
        "agency_code": agency,
    }
    if victim is not None:
        values.update(_victim(victim, incident.occurred_on))
    if primary is not None:
        values.update(_perpetrator(primary, incident.perpetrators))
    return [values.get(column.key) for column in vocab.COLUMNS]


def _label(table: vocab.Vocabulary[Any], value: Any) -> str | None:
    return None if value is None else table.write(value)


def _count(value: Any) -> int | str | None:
    if value is None:
        return None
    return vocab.MORE_THAN_3.write("more_than_3") if value == "more_than_3" else int(value)


def _victim(victim: Victim, occurred_on: date) -> dict[str, Any]:
    consent = victim.consent.get(ConsentKind.STATISTICS)
    return {
        "date_of_birth": _birth_date(victim, occurred_on),
        "sex": None if victim.sex == Sex.UNKNOWN else vocab.VICTIM_SEX.write(victim.sex),
        "country_of_origin": (
            vocab.country_name(victim.country_of_origin) if victim.country_of_origin else None
        ),
        "marital_status": _label(vocab.MARITAL_STATUS, victim.marital_status),
        "displacement_status": _label(vocab.DISPLACEMENT_STATUS, victim.displacement_status),
        "disability": vocab.DISABILITY.write((victim.disability, victim.disability_kind)),
        "unaccompanied_separated": _label(
            vocab.UNACCOMPANIED_SEPARATED, victim.unaccompanied_separated
        ),
        "consent": None
        if consent is None
        else vocab.YES_NO.write("yes" if consent.granted else "no"),
    }


def _birth_date(victim: Victim, occurred_on: date) -> date | None:
    """The latest birth date giving the victim's age (or band's lowest age) at the incident."""
    age = victim.age if victim.age is not None else BAND_LOWER_AGE.get(victim.age_group)
    if age is None:
        return None
    try:
        return occurred_on.replace(year=occurred_on.year - age)
    except ValueError:  # born on 29 February of a year that has none
        return occurred_on.replace(year=occurred_on.year - age, day=28)


def _perpetrator(primary: Perpetrator, everyone: list[Perpetrator]) -> dict[str, Any]:
    sexes = {p.sex for p in everyone} & {Sex.FEMALE, Sex.MALE}
    sex: Any = vocab.BOTH_SEXES if len(sexes) == 2 else next(iter(sexes), None)
    occupation = primary.occupation
    if vocab.perpetrator_category(occupation, primary.relationship) != primary.category:
        occupation = vocab.CATEGORY_BY_OCCUPATION.write(primary.category)
    return {
        "perpetrator_sex": None if sex is None else vocab.PERPETRATOR_SEX.write(sex),
        "perpetrator_age_group": _label(vocab.PERPETRATOR_AGE, primary.age_group),
        "perpetrator_relationship": _label(vocab.RELATIONSHIP, primary.relationship),
        "perpetrator_occupation": occupation,
    }
