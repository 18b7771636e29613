"""Each user's account page: enrolling a second factor (secret as text and QR code, shown once)
and changing their own password."""

import re
import time
from typing import Any

import pyotp
import segno
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import AuditEvent
from app.models.enums import Role
from tests.factories import PASSWORD, TestUser, create_incident, make_user
from tests.web.pages import csrf_of, field_errors, sign_in, submit, web_client

ADVISER = Role.PROTECTION_ADVISER
SECRET = re.compile(r'id="second-factor-secret">([A-Z2-7]+)<')
NEW_PASSWORD = "a new and long passphrase"


def _browser(app: FastAPI, user: TestUser) -> TestClient:
    browser = web_client(app)
    assert sign_in(browser, user.username, user.password).status_code == 303
    return browser


def _start(browser: TestClient, password: str = PASSWORD) -> tuple[int, str]:
    response = submit(browser, "/account", "/account/second-factor", {"password": password})
    return response.status_code, response.text


def _log_in_with_code(browser: TestClient, user: TestUser, code: str) -> Any:
    token = csrf_of(browser.get("/login").text)
    fields = {"username": user.username, "password": PASSWORD, "one_time_code": code}
    return browser.post("/login", data={**fields, "csrf_token": token, "next": "/"})


def test_enrolling_asks_for_the_password_again(app: FastAPI, client: TestClient) -> None:
    browser = _browser(app, make_user(app, ADVISER))
    status, html = _start(browser, "not my password")
    assert status == 422
    assert field_errors(html) == {"password": "This is not your password"}
    assert not SECRET.search(html)


def test_an_adviser_enrols_on_the_page_then_logging_in_needs_the_code(
    app: FastAPI, client: TestClient
) -> None:
    user = make_user(app, ADVISER)
    browser = _browser(app, user)
    assert "Your account" in browser.get("/incidents").text  # in the navigation
    status, html = _start(browser)
    assert status == 200
    secret = SECRET.search(html)
    assert secret, "the key is shown as text"
    secret_text = secret.group(1)
    uri = pyotp.TOTP(secret_text).provisioning_uri(name=user.username, issuer_name="crsv-registry")
    drawn = segno.make(uri, error="m").svg_inline(scale=1, border=4, omitsize=True)
    assert f'<figure class="qr" role="img" aria-label="QR code of the key">{drawn}' in html
    assert secret_text not in html.split("<main", 1)[0]  # not in the title or the header
    wrong = submit(browser, "/account", "/account/second-factor/confirm", {"code": "000000"})
    assert wrong.status_code == 422
    assert field_errors(wrong.text) == {"code": "This code is not valid now"}
    assert secret_text not in wrong.text  # shown once only
    code = pyotp.TOTP(secret_text).now()
    confirmed = submit(browser, "/account", "/account/second-factor/confirm", {"code": code})
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/account?confirmed=1"
    assert secret_text not in confirmed.headers["location"]
    assert 'id="second-factor-state">In use<' in browser.get("/account").text

    submit(browser, "/account", "/logout", {})
    without = _log_in_with_code(browser, user, "")
    assert without.status_code == 401
    assert "Enter the code your authenticator app shows now." in without.text
    next_code = pyotp.TOTP(secret_text).at(time.time() + 30)  # the confirming one is used up
    assert _log_in_with_code(browser, user, next_code).status_code == 303
    assert browser.get("/account").status_code == 200


def test_roles_that_never_read_identity_see_the_page_but_cannot_enrol(
    app: FastAPI, client: TestClient
) -> None:
    browser = _browser(app, make_user(app, Role.REPORT_WRITER))
    page = browser.get("/account")
    assert page.status_code == 200
    assert "yours do not" in page.text and 'action="/account/second-factor"' not in page.text
    status, _html = _start(browser)
    assert status == 403


def test_when_required_the_incident_page_points_to_the_account_page(
    app: FastAPI, client: TestClient, client_for
) -> None:
    incident = create_incident(client)
    admin = client_for(Role.ADMIN)
    policy = {"required_for_identity_readers": True}
    assert admin.put("/api/v1/auth/second-factor-policy", json=policy).status_code == 200
    browser = _browser(app, make_user(app, ADVISER))
    detail = browser.get(f"/incidents/{incident['id']}")
    assert detail.status_code == 200
    assert 'id="second-factor-missing"' in detail.text and 'href="/account"' in detail.text
    assert 'id="second-factor-required"' in browser.get("/account").text


def test_changing_the_password_closes_the_other_sessions(app: FastAPI, client: TestClient) -> None:
    user = make_user(app, Role.JUDICIAL_TRACKER)
    browser, elsewhere = _browser(app, user), _browser(app, user)
    fields = {
        "current_password": "wrong",
        "new_password": NEW_PASSWORD,
        "repeated_password": NEW_PASSWORD + "x",
    }
    refused = submit(browser, "/account", "/account/password", fields)
    assert refused.status_code == 422
    assert set(field_errors(refused.text)) == {"current_password", "repeated_password"}
    short = {**fields, "current_password": PASSWORD, "new_password": "short"}
    errors = field_errors(submit(browser, "/account", "/account/password", short).text)
    assert errors == {"new_password": "Between 12 and 256 characters."}
    good = {**fields, "current_password": PASSWORD, "repeated_password": NEW_PASSWORD}
    changed = submit(browser, "/account", "/account/password", good)
    assert changed.status_code == 303 and changed.headers["location"] == "/account?password=1"
    assert browser.get("/account").status_code == 200  # this session stays open
    assert elsewhere.get("/account").status_code == 303  # the other one is closed
    assert sign_in(web_client(app), user.username, PASSWORD).status_code == 401
    assert sign_in(web_client(app), user.username, NEW_PASSWORD).status_code == 303
    with app.state.session_factory() as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    assert actions.count("user.password_change") == 1


def test_wrong_passwords_asked_again_count_as_failed_logins(
    app: FastAPI, client: TestClient
) -> None:
    """Someone holding a stolen session cannot use the account page to guess its password."""
    user = make_user(app, ADVISER)
    browser = _browser(app, user)
    guesses = {"new_password": NEW_PASSWORD, "repeated_password": NEW_PASSWORD}
    for attempt in range(3):
        guess = {**guesses, "current_password": f"guess {attempt}"}
        assert submit(browser, "/account", "/account/password", guess).status_code == 422
    for attempt in range(2):
        assert _start(browser, f"guess {attempt}")[0] == 422
    right = {**guesses, "current_password": PASSWORD}
    blocked = submit(browser, "/account", "/account/password", right)
    assert blocked.status_code == 429  # even the right password, until the window moves on
    assert _start(browser)[0] == 429
    assert sign_in(web_client(app), user.username, PASSWORD).status_code == 429
    with app.state.session_factory() as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    assert actions.count("auth.password_check_failed") == 5
    assert "user.password_change" not in actions and "second_factor.start" not in actions
