"""Migration u01 marks, from the audit trail, the accounts whose password another account set
and that have not changed it since: they must change it at their next login."""

import json
import uuid
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine, create_engine, text

from app.cli import alembic_config, migrate
from tests.conftest import fresh_database

ADMIN = uuid.uuid4()
# username: the password events of that account, in order, as (action, actor, fields)
HISTORIES: dict[str, list[tuple[str, uuid.UUID | str | None, list[str]]]] = {
    "made.by.admin": [("user.create", ADMIN, ["password", "roles"])],
    "changed.since": [("user.create", ADMIN, ["password"]), ("user.password_change", "self", [])],
    "made.on.server": [("user.create", None, ["password"])],
    "reset.by.admin": [("user.create", None, ["password"]), ("user.update", ADMIN, ["password"])],
    "roles.changed": [("user.create", ADMIN, ["password"]), ("user.update", ADMIN, ["roles"])],
}
MARKED = {"made.by.admin", "reset.by.admin", "roles.changed"}


def test_accounts_whose_password_another_set_are_marked(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        command.upgrade(alembic_config(url), "t01")
        engine = create_engine(url)
        try:
            _store_accounts_and_their_trail(engine)
            migrate(url)
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT username, password_change_required FROM users")
                ).all()
        finally:
            engine.dispose()
    marked = {username for username, required in rows if required}
    assert marked == MARKED
    assert len(rows) == len(HISTORIES) + 1  # every account kept, the admin among them


def _store_accounts_and_their_trail(engine: Engine) -> None:
    stored = (lambda u: u) if engine.dialect.name == "postgresql" else (lambda u: u.hex)
    organisation = uuid.uuid4()
    ids = {username: uuid.uuid4() for username in HISTORIES}
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, kind, reference_code, created_at)"
                " VALUES (:id, 'Mopti health', 'ngo', 'MH', '2026-01-01T00:00:00+00:00')"
            ),
            {"id": stored(organisation)},
        )
        for username, user_id in [("the.admin", ADMIN), *ids.items()]:
            connection.execute(
                text(
                    "INSERT INTO users (id, username, password_hash, organisation_id, is_active,"
                    " created_at) VALUES (:id, :username, 'x', :org, true,"
                    " '2026-01-01T00:00:00+00:00')"
                ),
                {"id": stored(user_id), "username": username, "org": stored(organisation)},
            )
        number = 0
        for username, events in HISTORIES.items():
            for action, actor, fields in events:
                number += 1
                who = ids[username] if actor == "self" else actor
                assert not isinstance(who, str)
                connection.execute(
                    _event(), _event_values(number, action, who, ids[username], fields, stored)
                )


def _event() -> Any:
    return text(
        "INSERT INTO audit_events (id, at, actor_user_id, action, record_type, record_id,"
        " fields, details, prev_hash, hash) VALUES (:id, '2026-01-02T00:00:00+00:00', :actor,"
        " :action, 'user', :record_id, :fields, '{}', :prev, :hash)"
    )


def _event_values(
    number: int,
    action: str,
    actor: uuid.UUID | None,
    user_id: uuid.UUID,
    fields: list[str],
    stored: Any,
) -> dict[str, Any]:
    return {
        "id": number,
        "actor": None if actor is None else stored(actor),
        "action": action,
        "record_id": str(user_id),
        "fields": json.dumps(fields),
        "prev": f"{number - 1:064d}",
        "hash": f"{number:064d}",
    }
