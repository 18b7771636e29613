"""Logging in and out: tokens, refusals, rate limiting, revocation, the create-user command."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.models import AuditEvent, AuthToken, LoginFailure, Organisation, User
from app.models.base import utcnow
from app.models.enums import Role
from tests.conftest import TEST_ENCRYPTION_KEY
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


def _from(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def test_an_attacker_failing_twenty_times_does_not_lock_the_owner_out(
    app: FastAPI, client: TestClient
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    attacker, owner = _from(app, "198.51.100.7"), _from(app, "203.0.113.20")
    refusals = [_token_request(attacker, user.username, "guess").status_code for _ in range(20)]
    assert refusals == [401] * 5 + [429] * 15  # the attacker is slowed down
    assert _token_request(attacker, user.username, PASSWORD).status_code == 429
    assert _token_request(owner, user.username, PASSWORD).status_code == 200
    # The owner's success does not wipe the attacker's count either.
    assert _token_request(attacker, user.username, PASSWORD).status_code == 429


def test_one_client_trying_many_accounts_is_slowed_down(app: FastAPI, client: TestClient) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    attacker = _from(app, "198.51.100.8")
    for number in range(20):
        assert _token_request(attacker, f"someone-{number}", "guess").status_code == 401
    assert _token_request(attacker, user.username, PASSWORD).status_code == 429
    assert _token_request(_from(app, "203.0.113.21"), user.username, PASSWORD).status_code == 200


def test_wrong_passwords_sent_at_once_are_held_to_the_limit(
    app: FastAPI, client: TestClient
) -> None:
    """Each attempt counts the failures of those before it, even those sent at the same moment:
    counted apart, a burst of guesses was a burst of checks, and the limit held nothing back."""
    user = make_user(app, Role.PROTECTION_ADVISER)

    def guess(username: str) -> int:
        return _token_request(_from(app, "198.51.100.9"), username, "guess").status_code

    with ThreadPoolExecutor(8) as pool:
        one_account = sorted(pool.map(guess, [user.username] * 8))
    assert one_account == [401] * 5 + [429] * 3
    # The same client over many accounts: twenty failures in all, five of them already made.
    with ThreadPoolExecutor(8) as pool:
        many_accounts = sorted(pool.map(guess, [f"someone-{n}" for n in range(24)]))
    assert many_accounts == [401] * 15 + [429] * 9


def test_wrong_passwords_asked_again_at_once_are_held_to_the_limit(
    app: FastAPI, client: TestClient
) -> None:
    """A stolen session sending wrong passwords at once to enrol a second factor: each counted
    before the next is checked (they were counted after a rollback, which let the count go)."""
    token = log_in(client, make_user(app, Role.PROTECTION_ADVISER))

    def guess(_index: int) -> int:
        session = TestClient(
            app, headers={"Authorization": f"Bearer {token}"}, client=("198.51.100.10", 50000)
        )
        return session.post(f"{API}/auth/second-factor", json={"password": "guess"}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(guess, range(16)))
    assert statuses == [422] * 5 + [429] * 11


def test_addresses_of_one_ipv6_network_share_their_count(app: FastAPI, client: TestClient) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    for number in range(5):
        rotating = _from(app, f"2001:db8:0:1::{number + 1:x}")
        assert _token_request(rotating, user.username, "guess").status_code == 401
    assert (
        _token_request(_from(app, "2001:db8:0:1::ff"), user.username, PASSWORD).status_code == 429
    )
    assert _token_request(_from(app, "2001:db8:0:2::1"), user.username, PASSWORD).status_code == 200


def test_failed_logins_are_forgotten_once_their_window_has_passed(
    app: FastAPI, client: TestClient
) -> None:
    with app.state.session_factory.begin() as session:
        session.add(LoginFailure(username_digest="0" * 64, client="198.51.100.9"))
        session.add(
            LoginFailure(
                username_digest="1" * 64,
                client="198.51.100.9",
                at=utcnow() - timedelta(minutes=16),
            )
        )
    assert _token_request(_from(app, "198.51.100.10"), "nobody", "guess").status_code == 401
    with app.state.session_factory() as session:
        kept = session.scalars(select(LoginFailure.username_digest)).all()
        assert "1" * 64 not in kept and "0" * 64 in kept
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 2


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
    # The same keys as the service: the command's audit event is sealed with the audit key.
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
    }
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


def test_create_user_command_refused_creates_no_organisation_and_says_none(
    app: FastAPI, database_url: str, anonymous: TestClient
) -> None:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
    }
    refused = subprocess.run(
        [
            *(sys.executable, "-m", "app.cli", "create-user", "--username", "someone"),
            *("--role", "report_writer", "--organisation", "An organisation never made"),
        ],
        input="short\n",
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert refused.returncode != 0 and "password" in refused.stderr
    assert "Created organisation" not in refused.stdout
    with app.state.session_factory() as session:
        names = session.scalars(select(Organisation.name)).all()
    assert "An organisation never made" not in names
