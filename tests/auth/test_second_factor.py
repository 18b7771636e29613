"""Second factors (TOTP): enrolling, logging in with a code, and an organisation requiring one."""

import time
from typing import Any

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import SecondFactor
from app.models.enums import Role
from tests.factories import API, PASSWORD, TestUser, create_incident, log_in, make_user
from tests.web.pages import csrf_of, web_client

STEP = 30  # seconds per code


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + STEP * steps_ahead)


def _signed_in(app: FastAPI, anonymous: TestClient, user: TestUser) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {log_in(anonymous, user)}"})


def _enrol(adviser: TestClient) -> str:
    started = adviser.post(f"{API}/auth/second-factor", json={"password": PASSWORD})
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    confirmed = adviser.post(f"{API}/auth/second-factor/confirm", json={"code": _code(secret)})
    assert confirmed.status_code == 204, confirmed.text
    return secret


def _token(client: TestClient, user: TestUser, code: str | None = None) -> Any:
    data = {"username": user.username, "password": PASSWORD}
    if code is not None:
        data["one_time_code"] = code
    return client.post(f"{API}/auth/token", data=data)


def test_an_adviser_enrols_with_a_code_and_the_secret_is_stored_encrypted(
    app: FastAPI, client: TestClient, anonymous: TestClient
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    adviser = _signed_in(app, anonymous, user)
    stolen_session = adviser.post(f"{API}/auth/second-factor", json={"password": "guess"})
    assert stolen_session.status_code == 422
    assert stolen_session.json()["errors"][0]["field"] == "password"
    started = adviser.post(f"{API}/auth/second-factor", json={"password": PASSWORD}).json()
    secret = started["secret"]
    assert started["otpauth_uri"].startswith("otpauth://totp/crsv-registry:")
    assert f"secret={secret}" in started["otpauth_uri"]
    wrong = adviser.post(f"{API}/auth/second-factor/confirm", json={"code": "000000"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "code"
    ok = adviser.post(f"{API}/auth/second-factor/confirm", json={"code": _code(secret)})
    assert ok.status_code == 204
    again = adviser.post(f"{API}/auth/second-factor", json={"password": PASSWORD})
    assert again.status_code == 409  # a confirmed factor is not replaced by whoever holds a token
    with app.state.session_factory() as session:
        stored = session.scalar(select(SecondFactor.secret_ciphertext))
    assert stored is not None and secret.encode() not in stored


def test_roles_that_never_read_identity_have_no_second_factor_to_enrol(
    client_for,
) -> None:
    for role in (Role.REPORT_WRITER, Role.JUDICIAL_TRACKER, Role.ADMIN):
        response = client_for(role).post(f"{API}/auth/second-factor", json={"password": "x"})
        assert response.status_code == 403


def test_once_enrolled_logging_in_needs_a_current_code_used_only_once(
    app: FastAPI, client: TestClient, anonymous: TestClient
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    secret = _enrol(_signed_in(app, anonymous, user))
    without = _token(anonymous, user)
    assert without.status_code == 401 and "one_time_code" in without.json()["detail"]
    assert _token(anonymous, user, "123456").status_code == 401
    next_code = _code(secret, 1)  # the confirmation used the current step
    assert _token(anonymous, user, next_code).status_code == 200
    assert _token(anonymous, user, next_code).status_code == 401  # replayed
    # A wrong password with a right code is still a wrong password.
    wrong_password = anonymous.post(
        f"{API}/auth/token",
        data={"username": user.username, "password": "guess", "one_time_code": _code(secret, 1)},
    )
    assert wrong_password.json()["detail"] == "Wrong username or password."


def test_wrong_codes_count_as_failed_logins(
    app: FastAPI, client: TestClient, anonymous: TestClient
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    secret = _enrol(_signed_in(app, anonymous, user))
    for _ in range(5):
        assert _token(anonymous, user, "999999").status_code == 401
    assert _token(anonymous, user, _code(secret, 1)).status_code == 429


def test_an_organisation_requiring_a_second_factor_withholds_identity_until_enrolled(
    app: FastAPI, client: TestClient, client_for, anonymous: TestClient
) -> None:
    incident = create_incident(
        client, victims=[{"sex": "female", "age": 30, "identity": {"name": "A. Survivor"}}]
    )
    path = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}/identity"
    assert client.get(path).status_code == 200
    admin = client_for(Role.ADMIN)
    assert admin.get(f"{API}/auth/second-factor-policy").json() == {
        "required_for_identity_readers": False
    }
    policy = admin.put(
        f"{API}/auth/second-factor-policy", json={"required_for_identity_readers": True}
    )
    assert policy.status_code == 200

    refused = client.get(path)
    assert refused.status_code == 403 and "second factor" in refused.json()["detail"]
    assert "identity:read" not in client.get(f"{API}/auth/me").json()["permissions"]
    assert client.get(f"{API}/incidents/{incident['id']}").status_code == 200  # the rest stays
    _enrol(client)
    assert client.get(path).status_code == 200
    assert "identity:read" in client.get(f"{API}/auth/me").json()["permissions"]


def test_the_web_login_form_takes_the_code(
    app: FastAPI, client: TestClient, anonymous: TestClient
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    secret = _enrol(_signed_in(app, anonymous, user))
    browser = web_client(app)
    fields = {"username": user.username, "password": PASSWORD, "next": "/"}
    asked = browser.post(
        "/login", data={**fields, "csrf_token": csrf_of(browser.get("/login").text)}
    )
    assert asked.status_code == 401 and "authenticator app" in asked.text
    signed = browser.post(
        "/login",
        data={
            **fields,
            "csrf_token": csrf_of(browser.get("/login").text),
            "one_time_code": _code(secret, 1),
        },
    )
    assert signed.status_code == 303
    assert browser.get("/incidents").status_code == 200


def test_wrong_passwords_sent_to_enrol_count_as_failed_logins(
    app: FastAPI, client: TestClient, anonymous: TestClient
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    stolen_session = _signed_in(app, anonymous, user)
    for attempt in range(5):
        guess = stolen_session.post(f"{API}/auth/second-factor", json={"password": f"{attempt}"})
        assert guess.status_code == 422 and guess.json()["errors"][0]["field"] == "password"
    blocked = stolen_session.post(f"{API}/auth/second-factor", json={"password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert _token(anonymous, user).status_code == 429
