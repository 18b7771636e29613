"""Eight logins, and eight wrong passwords, at once.

Each against `crsv-registry serve` with two workers, on PostgreSQL, checked as
`harness.py` says: bounded answers, no 5xx, kept counts, the audit chain, the rows kept.
"""

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.models import AuditEvent, User, UserRole
from app.models.enums import Role
from app.web.session import SESSION_COOKIE
from tests.eight_clients.harness import (
    AT_ONCE,
    RESPONSE_BOUND_SECONDS,
    api_client,
    assert_whole,
    at_once,
    close_all,
    row_count,
)
from tests.factories import (
    API,
    PASSWORD,
    log_in,
    make_user,
)
from tests.web.pages import CSRF


def _token_login(url: str, username: str, password: str = PASSWORD) -> httpx.Response:
    form = {"username": username, "password": password}
    return httpx.post(f"{url}{API}/auth/token", data=form, timeout=RESPONSE_BOUND_SECONDS)


def test_eight_logins_at_once_each_get_a_working_session(
    app: FastAPI, client: TestClient, url: str
) -> None:
    users = [make_user(app, Role.PROTECTION_ADVISER) for _ in range(AT_ONCE // 2)]
    one = make_user(app, Role.JUDICIAL_TRACKER)  # also one account from four devices at once

    def api_login(index: int) -> httpx.Response:
        user = users[index] if index < len(users) else one
        return _token_login(url, user.username)

    logins = at_once(api_login)
    assert [a.status_code for a in logins] == [200] * AT_ONCE, [a.text[:200] for a in logins]
    for login in logins:
        with api_client(url, login.json()["access_token"]) as http:
            assert http.get(f"{API}/auth/me").status_code == 200

    # The sign-in form, eight browsers at once: each fetched the form first.
    web_users = [make_user(app, Role.PROTECTION_ADVISER) for _ in range(AT_ONCE)]
    browsers = [httpx.Client(base_url=url, timeout=RESPONSE_BOUND_SECONDS) for _ in web_users]
    tokens = []
    for browser in browsers:
        match = CSRF.search(browser.get("/login").text)
        assert match
        tokens.append(match.group(1))

    def web_login(index: int) -> httpx.Response:
        fields = {
            "username": web_users[index].username,
            "password": PASSWORD,
            "csrf_token": tokens[index],
            "next": "/",
        }
        return browsers[index].post("/login", data=fields)

    signed = at_once(web_login)
    assert [a.status_code for a in signed] == [303] * AT_ONCE, [a.text[:200] for a in signed]
    for browser in browsers:
        assert SESSION_COOKIE in browser.cookies
        assert browser.get("/account").status_code == 200
    close_all(browsers)
    logged = select(func.count()).where(AuditEvent.action == "auth.login")
    # Two through the API for the test's own client, and the sixteen here.
    assert row_count(app, logged) >= 2 * AT_ONCE
    assert_whole(app, url)


def test_eight_wrong_passwords_at_once_are_held_to_the_limit(
    app: FastAPI, client: TestClient, url: str
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    limit = app.state.settings.login_max_failures_per_user_and_client
    answers = at_once(lambda _index: _token_login(url, user.username, "wrong password"))
    statuses = sorted(a.status_code for a in answers)
    # Counted in the database: at most `limit` passwords are tried from one client, however
    # many arrive at once; the rest are refused without a check.
    assert statuses == [401] * limit + [429] * (AT_ONCE - limit), statuses
    assert _token_login(url, user.username).status_code == 429
    assert_whole(app, url)


def test_eight_first_admins_at_once_make_one(app: FastAPI, client: TestClient, url: str) -> None:
    """The system role makes an organisation's first admin and no other: eight such requests at
    once, from eight operators, make one; the organisation's row is locked while it is asked."""
    operators = [
        make_user(app, Role.SYSTEM_ADMIN, organisation="Registry operators") for _ in range(2)
    ]
    with api_client(url, log_in(client, operators[0])) as http:
        made = http.post(f"{API}/organisations", json={"name": "Gao legal clinic", "kind": "ngo"})
    assert made.status_code == 201, made.text
    organisation_id = made.json()["id"]
    clients = [api_client(url, log_in(client, operators[i % 2])) for i in range(AT_ONCE)]

    def first_admin(index: int) -> httpx.Response:
        body = {
            "username": f"gao.admin.{index}",
            "password": PASSWORD,
            "organisation_id": organisation_id,
            "roles": ["admin"],
        }
        return clients[index].post(f"{API}/users", json=body)

    answers = at_once(first_admin)
    close_all(clients)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [422] * (AT_ONCE - 1), [a.text[:200] for a in answers]
    admins = select(func.count()).select_from(User).where(User.organisation_id == organisation_id)
    assert row_count(app, admins) == 1
    assert_whole(app, url)


def test_two_admins_removing_each_other_at_once_leave_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    """Nobody deactivates or demotes themselves; two admins doing it to each other at once both
    succeeded, and the organisation was left with none (which the system role could then fill)."""
    first, second = (make_user(app, Role.ADMIN, organisation="Gao legal clinic") for _ in range(2))
    admins = [first, second]
    clients = [api_client(url, log_in(client, admins[i % 2])) for i in range(AT_ONCE)]

    def remove_the_other(index: int) -> httpx.Response:
        other = admins[(index + 1) % 2]
        change = {"is_active": False} if index < AT_ONCE // 2 else {"roles": ["report_writer"]}
        return clients[index].patch(f"{API}/users/{other.id}", json=change)

    answers = at_once(remove_the_other)
    close_all(clients)
    # Who lost first is refused as what they have become: a deactivated admin's session is gone
    # (401), a demoted one is no longer allowed to change accounts (403).
    statuses = {a.status_code for a in answers}
    assert 200 in statuses and statuses <= {200, 401, 403, 409}, [a.text[:200] for a in answers]
    active_admins = (
        select(func.count())
        .select_from(User)
        .join(UserRole)
        .where(User.organisation_id == first.organisation_id, User.is_active.is_(True))
        .where(UserRole.role == Role.ADMIN)
    )
    assert row_count(app, active_admins) == 1
    assert_whole(app, url)
