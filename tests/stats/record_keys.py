"""Record keys drawn from a seed, so that a test can repeat an attack over many key draws.

Keys are given in the order of incidents' references and victims' positions, which the tests
create in a fixed order: the same seed gives the same keys on SQLite and PostgreSQL. The kept
counts (and each incident's sum of its consenting victims' keys) are recounted afterwards, as
after any load around the service.
"""

import random
from typing import Any

from fastapi import FastAPI
from sqlalchemy import and_, bindparam, func, select, update

from app.counting import rollup
from app.models import Incident, Victim, VictimConsent
from app.models.enums import ConsentKind
from app.models.rollup import RECORD_KEYS


def rekey(app: FastAPI, seed: int) -> None:
    rng = random.Random(seed)
    with app.state.engine.begin() as connection:
        incidents = connection.execute(select(Incident.id).order_by(Incident.reference)).scalars()
        victims = connection.execute(
            select(Victim.id)
            .join(Incident, Incident.id == Victim.incident_id)
            .order_by(Incident.reference, Victim.position)
        ).scalars()
        for model, ids in ((Incident, list(incidents)), (Victim, list(victims))):
            rows = [{"row_id": row_id, "key": rng.randrange(RECORD_KEYS)} for row_id in ids]
            if rows:
                statement = (
                    update(model)
                    .where(model.id == bindparam("row_id"))
                    .values(record_key=bindparam("key"))
                )
                connection.execute(statement, rows)
        connection.execute(update(Incident).values(shared_victim_keys=_shared_victim_keys()))
        rollup.rebuild(connection)


def _shared_victim_keys() -> Any:
    """What the service keeps on each incident: its consenting victims' key sum."""
    consenting = and_(
        VictimConsent.victim_id == Victim.id,
        VictimConsent.kind == ConsentKind.STATISTICS,
        VictimConsent.granted.is_(True),
    )
    return (
        select(func.coalesce(func.sum(Victim.record_key), 0))
        .join(VictimConsent, consenting)
        .where(Victim.incident_id == Incident.id)
        .scalar_subquery()
    )
