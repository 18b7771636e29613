"""Logging in and out: tokens, refusals, rate limiting, revocation, the create-user command."""

import os
import subprocess
import sys
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.models import AuditEvent, AuthToken, User
from app.models.base import utcnow
from app.models.enums import Role
from tests.factories import API, MISSION, PASSWORD, log_in, make_user


def _token_request(client: TestClient, username: str, password: str) -> object:
    return client.post(f"{API}/auth/token", data={"username": username, "password": password})


def test_login_returns_an_expiring_bearer_token_and_me_describes_the_caller(
    app: FastAPI, anonymous: TestClient
) -> None:
    user = make_user(app, Role.REPORT_WRITER, Role.JUDICIAL_TRACKER)
    response = anonymous.post(
        f"{API}/auth/token", data={"username": user.username.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 480 * 60
    me = anonymous.get(
        f"{API}/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    ).json()
    assert me["username"] == user.username
    assert me["roles"] == ["judicial_tracker", "report_writer"]
    assert "stats:read" in me["permissions"] and "incident:read" not in me["permissions"]


def test_wrong_password_and_unknown_user_get_the_same_401(
    app: FastAPI, anonymous: TestClient
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    wrong = anonymous.post(f"{API}/auth/token", data={"username": user.username, "password": "x"})
    unknown = anonymous.post(f"{API}/auth/token", data={"username": "nobody", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "Wrong username or password."
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


def test_repeated_failures_are_rate_limited_even_with_the_right_password(
    app: FastAPI, anonymous: TestClient
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    for _ in range(5):
        response = anonymous.post(
            f"{API}/auth/token", data={"username": user.username, "password": "guess"}
        )
        assert response.status_code == 401
    blocked = anonymous.post(
        f"{API}/auth/token", data={"username": user.username, "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    with app.state.session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_id == str(user.id))
        ).all()
    assert actions.count("auth.login_failed") == 5
    assert "auth.login_blocked" in actions


def test_a_mistyped_password_in_the_username_box_is_not_written_down(
    app: FastAPI, anonymous: TestClient
) -> None:
    anonymous.post(f"{API}/auth/token", data={"username": "my-secret-passphrase", "password": "x"})
    with app.state.session_factory() as session:
        events = session.scalars(select(AuditEvent)).all()
        rows = [repr(vars(event)) for event in events]
    assert any(event.action == "auth.login_failed" for event in events)
    assert not any("my-secret-passphrase" in row for row in rows)


def test_logout_revokes_the_token(app: FastAPI, anonymous: TestClient) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    headers = {"Authorization": f"Bearer {log_in(anonymous, user)}"}
    assert anonymous.get(f"{API}/auth/me", headers=headers).status_code == 200
    assert anonymous.post(f"{API}/auth/logout", headers=headers).status_code == 204
    assert anonymous.get(f"{API}/auth/me", headers=headers).status_code == 401


def test_expired_and_made_up_tokens_are_refused(app: FastAPI, anonymous: TestClient) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    headers = {"Authorization": f"Bearer {log_in(anonymous, user)}"}
    with app.state.session_factory() as session, session.begin():
        session.execute(
            update(AuthToken)
            .where(AuthToken.user_id == user.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert anonymous.get(f"{API}/auth/me", headers=headers).status_code == 401
    fake = {"Authorization": "Bearer not-a-token"}
    assert anonymous.get(f"{API}/auth/me", headers=fake).status_code == 401


def test_deactivating_a_user_or_resetting_a_password_revokes_their_tokens(
    app: FastAPI, client_for, anonymous: TestClient
) -> None:
    admin = client_for(Role.ADMIN)
    user = make_user(app, Role.PROTECTION_ADVISER)
    headers = {"Authorization": f"Bearer {log_in(anonymous, user)}"}
    reset = admin.patch(f"{API}/users/{user.id}", json={"password": "a new long passphrase"})
    assert reset.status_code == 200
    assert anonymous.get(f"{API}/auth/me", headers=headers).status_code == 401

    response = _token_request(anonymous, user.username, "a new long passphrase")
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert admin.patch(f"{API}/users/{user.id}", json={"is_active": False}).status_code == 200
    assert anonymous.get(f"{API}/auth/me", headers=headers).status_code == 401
    assert _token_request(anonymous, user.username, "a new long passphrase").status_code == 401


def test_admin_creates_organisations_and_users_and_cannot_lock_themselves_out(
    client_for,
) -> None:
    system = client_for(Role.SYSTEM_ADMIN, organisation="Registry operators")
    org = system.post(f"{API}/organisations", json={"name": "Mopti GBV sub-cluster", "kind": "ngo"})
    assert org.status_code == 201
    admin = client_for(Role.ADMIN, organisation="Mopti GBV sub-cluster")
    created = admin.post(
        f"{API}/users",
        json={
            "username": "Awa.Keita",
            "password": "short",
            "organisation_id": org.json()["id"],
            "roles": ["protection_adviser"],
        },
    )
    assert created.status_code == 422
    assert {e["field"] for e in created.json()["errors"]} == {"password"}
    me = admin.get(f"{API}/auth/me").json()
    response = admin.patch(f"{API}/users/{me['user_id']}", json={"roles": ["report_writer"]})
    assert response.status_code == 409
    response = admin.patch(f"{API}/users/{me['user_id']}", json={"is_active": False})
    assert response.status_code == 409


def test_passwords_and_tokens_are_stored_only_as_hashes(
    app: FastAPI, anonymous: TestClient
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    token = log_in(anonymous, user)
    with app.state.session_factory() as session:
        stored = session.get(User, user.id)
        assert stored is not None and stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash
        digests = session.scalars(select(AuthToken.token_hash)).all()
    assert token not in digests and len(digests) >= 1


def test_create_user_command_reads_the_password_from_stdin(
    app: FastAPI, database_url: str, anonymous: TestClient
) -> None:
    environment = {**os.environ, "DATABASE_URL": database_url}
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "create-user",
        "--username",
        "first-admin",
        "--role",
        "admin",
        "--role",
        "protection_adviser",
        "--organisation",
        MISSION,
    ]
    result = subprocess.run(
        command,
        input="a long enough passphrase\n",
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "first-admin" in result.stdout
    login = _token_request(anonymous, "first-admin", "a long enough passphrase")
    assert login.status_code == 200

    weak = subprocess.run(
        [*command[:5], "second", *command[6:]],
        input="short\n",
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert weak.returncode != 0 and "password" in weak.stderr
