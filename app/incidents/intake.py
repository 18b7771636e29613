"""New incidents: one at a time, idempotent over poor links, or an all-or-nothing batch.

Every path writes through `NewIncidentWriter`, so a batch gets the same rows, version, audit and
kept counts as a single create, in a handful of statements per table instead of per incident.
"""

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.armed_parties.service import load_armed_parties
from app.core.auth import Principal
from app.core.crypto import FieldCipher
from app.core.db import dialect_insert
from app.core.domain_errors import (
    ConflictError,
    FieldProblem,
    InvalidFieldsError,
    InvalidRequestError,
    NotFoundError,
    problems_from,
)
from app.incidents import listing, listing_json
from app.incidents.children import named_parties
from app.incidents.new_incidents import (
    IncidentToWrite,
    NewIncidentWriter,
    Written,
    check_incident,
)
from app.incidents.schemas import IncidentCreate
from app.incidents.service import readable_incidents
from app.models import IdempotencyKey

MAX_KEY_LENGTH = 200  # the column's width
IncidentView = dict[str, Any]  # an incident as `IncidentRead` shows it


def create_incident(
    session: Session, data: IncidentCreate, principal: Principal, cipher: FieldCipher
) -> IncidentView:
    """Record a new incident, owned by the principal's organisation."""
    checked = check_incident(session, data)
    if checked.problems:
        raise InvalidFieldsError(checked.problems)
    writer = NewIncidentWriter(session, principal, cipher)
    (written,) = writer.write_at_once([IncidentToWrite(data, checked)])
    return read_incident(session, written.id)


def read_incident(session: Session, incident_id: uuid.UUID) -> IncidentView:
    """Read back as the list reads incidents: on PostgreSQL its JSON in one statement, else
    plain rows; no ORM objects."""
    if session.get_bind().dialect.name == "postgresql":
        (incident,) = listing_json.incidents_json(session, [incident_id])
    else:
        (incident,) = listing.by_ids(session, [incident_id])
    return incident


def create_once(
    session: Session, data: IncidentCreate, principal: Principal, cipher: FieldCipher, key: str
) -> tuple[IncidentView, bool]:
    """Create the incident unless this key already did; then return that first one.

    The key is claimed before anything is created, in the same transaction: a retry arriving
    while the first request is still running waits for it, then finds the key taken.
    """
    digest = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
    if not _claim(session, principal, key, digest):
        stored = _first_claim(session, principal, key, digest, done=_created_one)
        found = listing.by_ids(session, [stored.incident_id], readable_incidents(principal))
        if not found:
            raise NotFoundError("Incident")
        return found[0], True
    incident = create_incident(session, data, principal, cipher)
    _keep_result(session, principal, key, incident_id=incident["id"])
    return incident, False


def import_batch_once(
    session: Session,
    rows: list[dict[str, Any]],
    principal: Principal,
    cipher: FieldCipher,
    key: str,
) -> tuple[list[Written], bool]:
    """Import the batch unless this key already did; then return what that first one created.

    A batch sent over a poor link whose answer was lost can be sent again with the same key:
    it creates nothing the second time."""
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
    if not _claim(session, principal, key, digest):
        stored = _first_claim(session, principal, key, digest, done=_created_batch)
        created = stored.batch_created or []
        return [Written(uuid.UUID(item["id"]), item["reference"]) for item in created], True
    written = import_batch(session, rows, principal, cipher)
    result = [{"id": str(item.id), "reference": item.reference} for item in written]
    _keep_result(session, principal, key, batch_created=result)
    return written, False


def _claim(session: Session, principal: Principal, key: str, digest: str) -> bool:
    """Claim the key for this request (False: an earlier request holds it)."""
    if len(key) > MAX_KEY_LENGTH:  # the API's header says so too; the page's form field does not
        raise InvalidFieldsError(
            [FieldProblem(("header", "Idempotency-Key"), "must be at most 200 characters")]
        )
    claim = (
        dialect_insert(session)(IdempotencyKey)
        .values(user_id=principal.user_id, key=key, request_hash=digest)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotencyKey.key)
    )
    return session.execute(claim).first() is not None


def _keep_result(session: Session, principal: Principal, key: str, **result: Any) -> None:
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == principal.user_id, IdempotencyKey.key == key)
        .values(**result)
    )


def _created_one(stored: IdempotencyKey) -> bool:
    return stored.incident_id is not None


def _created_batch(stored: IdempotencyKey) -> bool:
    return stored.batch_created is not None


def _first_claim(
    session: Session,
    principal: Principal,
    key: str,
    digest: str,
    done: Callable[[IdempotencyKey], bool],
) -> IdempotencyKey:
    """The earlier request's key, refused if it was for other content or is still running."""
    stored = session.get(IdempotencyKey, (principal.user_id, key))
    if stored is not None and stored.request_hash != digest:
        raise InvalidRequestError(
            "This Idempotency-Key was already used for a different request; "
            "use a new key for a new incident.",
        )
    if stored is None or not done(stored):
        raise ConflictError("A request with this Idempotency-Key is in progress")
    return stored


def import_batch(
    session: Session, rows: list[dict[str, Any]], principal: Principal, cipher: FieldCipher
) -> list[Written]:
    """All rows or none: every row is checked first, and any problem stores nothing."""
    validated = []
    problems: list[FieldProblem] = []
    for index, row in enumerate(rows):
        try:
            validated.append((index, IncidentCreate.model_validate(row)))
        except ValidationError as error:
            problems += problems_from(error, ("body", "incidents", index))
    # The armed parties the batch names, read once for all its incidents.
    named = {party for _, data in validated for party in named_parties(data.perpetrators)}
    parties = load_armed_parties(session, named)
    checked = []
    for index, data in validated:
        new = check_incident(session, data, parties)
        problems += [
            FieldProblem(("body", "incidents", index, *p.loc[1:]), p.message, p.kind, p.values)
            for p in new.problems
        ]
        checked.append((data, new))
    problems.sort(key=lambda problem: problem.loc[2])  # row by row, as they were found
    if problems:
        bad_rows = sorted({problem.loc[2] for problem in problems})
        error = InvalidFieldsError(problems)
        error.detail = (
            f"{len(bad_rows)} of {len(rows)} incidents have errors (rows "
            f"{', '.join(map(str, bad_rows[:20]))}{'...' if len(bad_rows) > 20 else ''}); "
            "nothing was stored."
        )
        raise error
    # The batch's counters are held from before its rows to the commit, as a create holds its
    # one; the kept counts every writer shares only from its end.
    writer = NewIncidentWriter(session, principal, cipher)
    return writer.write_at_once([IncidentToWrite(data, new) for data, new in checked])
