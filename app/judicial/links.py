"""The incidents a case concerns: named by id or by the reference people read off a page,
always the caller's organisation's, and never after the complaint that brought the case."""

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.core.domain_errors import FieldProblem, InvalidFieldsError
from app.core.i18n import N_
from app.models import Incident, JudicialCase


def resolve_incidents(
    session: Session, principal: Principal, keys: Sequence[uuid.UUID | str]
) -> list[Incident]:
    """The incidents named by id or by reference, in the order sent; only the caller's
    organisation's: another's reads as one that does not exist (422 naming each)."""
    ids = [key for key in keys if isinstance(key, uuid.UUID)]
    references = [key for key in keys if isinstance(key, str)]
    found = session.scalars(
        select(Incident).where(
            Incident.organisation_id == principal.organisation_id,
            or_(Incident.id.in_(ids), Incident.reference.in_(references)),
        )
    ).all()
    by_key: dict[uuid.UUID | str, Incident] = {}
    for incident in found:
        by_key[incident.id] = by_key[incident.reference] = incident
    problems = [
        FieldProblem(("body", "incident_ids", index), _NOT_FOUND[isinstance(key, str)])
        for index, key in enumerate(keys)
        if key not in by_key
    ]
    if problems:
        raise InvalidFieldsError(problems)
    return [by_key[key] for key in keys]


_NOT_FOUND = {
    False: N_("no incident of your organisation has this id"),
    True: N_("no incident of your organisation has this reference"),
}


def complaint_problems(opened_on: date, incidents: Sequence[Incident]) -> list[FieldProblem]:
    """A complaint cannot precede the incident it concerns (its date's first possible day)."""
    for incident in incidents:
        if opened_on < incident.occurred_on:
            return [
                FieldProblem(
                    ("body", "opened_on"),
                    "is before the incident it concerns ({reference}, {date})",
                    values={
                        "reference": incident.reference,
                        "date": incident.occurred_on.isoformat(),
                    },
                )
            ]
    return []


def added_after_complaint(case: JudicialCase, incidents: Sequence[Incident]) -> list[FieldProblem]:
    """An incident added to a case must not have happened after the case's complaint."""
    held = set(case.incident_ids)
    return [
        FieldProblem(
            ("body", "incident_ids", index),
            "occurred after the complaint ({date})",
            values={"date": case.opened_on.isoformat()},
        )
        for index, incident in enumerate(incidents)
        if incident.id not in held and incident.occurred_on > case.opened_on
    ]


def linked_incidents(session: Session, case: JudicialCase) -> list[Incident]:
    """The case's incidents, oldest first, for showing their references and dates."""
    return list(
        session.scalars(
            select(Incident)
            .where(Incident.id.in_(case.incident_ids))
            .order_by(Incident.occurred_on, Incident.reference)
        )
    )
