"""An account whose password someone else chose does nothing until its holder replaces it.

The system role makes an organisation's first admin with a password it chooses; an admin makes
an adviser, or resets one's password, the same way. Whoever chose the password knows it: the
system role could sign in as the admin, make an adviser and read the survivors' identities,
long after the admin started working, had nobody made them change it. Now such an account's
token holds no permission until the password is the holder's own."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, PASSWORD, create_incident
from tests.web.pages import sign_in, submit, web_client

OPERATORS = "Registry operators"
OWN_PASSWORD = "a password of my very own"


def _log_in(anonymous: TestClient, username: str, password: str = PASSWORD) -> Any:
    return anonymous.post(f"{API}/auth/token", data={"username": username, "password": password})


def _bearer(anonymous: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    token = _log_in(anonymous, username, password).json()["access_token"]
    return TestClient(anonymous.app, headers={"Authorization": f"Bearer {token}"})


def _change(http: TestClient, current: str, new: str = OWN_PASSWORD) -> Any:
    body = {"current_password": current, "new_password": new, "repeated_password": new}
    return http.post(f"{API}/auth/password", json=body)


def _first_admin(client_for: Callable[..., TestClient]) -> str:
    system = client_for(Role.SYSTEM_ADMIN, organisation=OPERATORS)
    organisation = system.post(f"{API}/organisations", json={"name": "Gao clinic", "kind": "ngo"})
    user = {
        "username": "gao.admin",
        "password": PASSWORD,
        "organisation_id": organisation.json()["id"],
        "roles": ["admin"],
    }
    assert system.post(f"{API}/users", json=user).status_code == 201
    return "gao.admin"


def _adviser_made_by(admin: TestClient, username: str = "awa.adviser") -> str:
    organisation = admin.get(f"{API}/auth/me").json()["organisation_id"]
    user = {
        "username": username,
        "password": PASSWORD,
        "organisation_id": organisation,
        "roles": ["protection_adviser"],
    }
    created = admin.post(f"{API}/users", json=user)
    assert created.status_code == 201, created.text
    assert created.json()["password_change_required"] is True
    return username


def test_the_system_role_s_password_for_a_first_admin_opens_nothing_but_its_change(
    anonymous: TestClient, client_for: Callable[..., TestClient]
) -> None:
    username = _first_admin(client_for)
    issued = _log_in(anonymous, username)
    assert issued.status_code == 200 and issued.json()["password_change_required"] is True
    admin = _bearer(anonymous, username)

    me = admin.get(f"{API}/auth/me").json()
    assert me["password_change_required"] is True and me["permissions"] == []
    refused = admin.post(
        f"{API}/users",
        json={
            "username": "x.adviser",
            "password": PASSWORD,
            "roles": ["protection_adviser"],
            "organisation_id": me["organisation_id"],
        },
    )
    assert refused.status_code == 403 and "change it first" in refused.json()["detail"]
    for path in ("/users", "/audit", "/incidents", "/stats"):
        assert admin.get(f"{API}{path}").status_code == 403, path

    assert _change(admin, PASSWORD).status_code == 204
    assert admin.get(f"{API}/users").status_code == 200
    assert admin.get(f"{API}/auth/me").json()["password_change_required"] is False
    # What the system role chose opens nothing any more.
    assert _log_in(anonymous, username).status_code == 401
    assert _log_in(anonymous, username, OWN_PASSWORD).json()["password_change_required"] is False


def test_an_adviser_made_or_reset_by_an_admin_reads_no_survivor_until_their_own_password(
    anonymous: TestClient, client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client, victims=[{"sex": "female", "identity": {"name": "A. K."}}])
    identity = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}/identity"
    admin = client_for(Role.ADMIN)
    username = _adviser_made_by(admin)
    adviser = _bearer(anonymous, username)
    for path in (identity, f"{API}/incidents", f"{API}/incidents/{incident['id']}"):
        assert adviser.get(path).status_code == 403, path
    enrol = adviser.post(f"{API}/auth/second-factor", json={"password": PASSWORD})
    assert enrol.status_code == 403  # whoever chose the password cannot put a factor on first

    assert _change(adviser, "not the password").status_code == 422
    assert adviser.get(identity).status_code == 403
    assert _change(adviser, PASSWORD).status_code == 204
    assert adviser.get(identity).json()["name"] == "A. K."

    users = admin.get(f"{API}/users").json()
    (user,) = [u for u in users if u["username"] == username]
    assert user["password_change_required"] is False
    reset = admin.patch(f"{API}/users/{user['id']}", json={"password": PASSWORD})
    assert reset.status_code == 200 and reset.json()["password_change_required"] is True
    again = _bearer(anonymous, username)
    assert again.get(identity).status_code == 403


def test_accounts_made_on_the_server_s_command_line_are_not_asked(
    client_for: Callable[..., TestClient],
) -> None:
    adviser = client_for(Role.PROTECTION_ADVISER)  # made as `crsv-registry create-user` makes one
    assert adviser.get(f"{API}/auth/me").json()["password_change_required"] is False
    assert adviser.get(f"{API}/incidents").status_code == 200


def test_on_the_web_every_page_leads_to_the_account_page_until_the_password_is_changed(
    anonymous: TestClient, client_for: Callable[..., TestClient]
) -> None:
    username = _adviser_made_by(client_for(Role.ADMIN))
    browser = web_client(anonymous.app)
    signed = sign_in(browser, username, PASSWORD)
    assert signed.status_code == 303
    assert browser.get(signed.headers["location"]).headers["location"] == "/account"
    for path in ("/incidents", "/incidents/new", "/services", "/referrals/received"):
        assert browser.get(path).headers.get("location") == "/account", path
    account = browser.get("/account")
    assert account.status_code == 200 and 'id="password-change-required"' in account.text
    assert 'action="/account/second-factor"' not in account.text  # after the password

    fields = {
        "current_password": PASSWORD,
        "new_password": OWN_PASSWORD,
        "repeated_password": OWN_PASSWORD,
    }
    assert submit(browser, "/account", "/account/password", fields).status_code == 303
    assert browser.get("/incidents").status_code == 200
    changed = browser.get("/account").text
    assert 'id="password-change-required"' not in changed
    assert 'action="/account/second-factor"' in changed


def test_a_password_cannot_be_changed_to_itself(
    anonymous: TestClient, client_for: Callable[..., TestClient]
) -> None:
    # Whoever chose it could otherwise lift the rule and use the account, while its holder,
    # signing in with the same password, noticed nothing. A new one locks the holder out: seen.
    adviser = _bearer(anonymous, _adviser_made_by(client_for(Role.ADMIN)))
    same = _change(adviser, PASSWORD, PASSWORD)
    assert same.status_code == 422
    assert [e["loc"] for e in same.json()["errors"]] == [["body", "new_password"]]
    assert adviser.get(f"{API}/auth/me").json()["password_change_required"] is True


def test_no_admin_resets_the_password_of_an_account_holding_the_system_role(
    client_for: Callable[..., TestClient],
) -> None:
    # An admin of the operators' organisation would otherwise hold the system role through it.
    operator = client_for(Role.SYSTEM_ADMIN, organisation=OPERATORS)
    me = operator.get(f"{API}/auth/me").json()
    admin = client_for(Role.ADMIN, organisation=OPERATORS)
    reset = admin.patch(f"{API}/users/{me['user_id']}", json={"password": "chosen by the admin"})
    assert reset.status_code == 422
    assert [e["loc"] for e in reset.json()["errors"]] == [["body", "password"]]
    assert operator.get(f"{API}/organisations").status_code == 200  # its session still open
