"""Admins' pages: their organisation's accounts, the organisation and its second-factor policy,
and its part of the audit trail, through the same services and scoping as the API."""

import re
from collections.abc import Callable
from html import unescape

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, PASSWORD, create_incident, make_user, patch_incident, verify
from tests.web.pages import csrf_of, field_errors, sign_in, submit, web_client

ADMIN = Role.ADMIN
NEW_PASSWORD = "a longer phrase for the field"


def _user_id(browser: TestClient, username: str) -> str:
    match = re.search(
        rf'href="/admin/users/([0-9a-f-]+)">{re.escape(username)}<',
        browser.get("/admin/users").text,
    )
    assert match, username
    return match.group(1)


def test_admins_land_on_their_pages_and_the_navigation_names_them(
    pages_for: Callable[..., TestClient],
) -> None:
    browser = pages_for(ADMIN)
    assert browser.get("/").headers["location"] == "/admin/users"
    page = browser.get("/admin/users").text
    for link in ("/admin/users", "/admin/organisation", "/admin/audit"):
        assert f'href="{link}"' in page


def test_an_admin_creates_an_account_that_can_log_in(
    app: FastAPI, client_for, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADMIN)
    form = {"username": "Awa.Keita", "password": PASSWORD, "roles": ["judicial_tracker"]}

    created = submit(browser, "/admin/users", "/admin/users", form)
    taken = submit(browser, "/admin/users", "/admin/users", form)
    bad = submit(browser, "/admin/users", "/admin/users", {"username": "a b", "password": "short"})

    assert created.status_code == 303
    (user,) = [
        u for u in client_for(ADMIN).get(f"{API}/users").json() if u["username"] == "awa.keita"
    ]
    assert user["roles"] == ["judicial_tracker"] and user["is_active"]
    assert taken.status_code == 409
    assert field_errors(taken.text) == {"username": "already taken"}
    assert bad.status_code == 422
    assert field_errors(bad.text) == {
        "username": "Only letters without accents, digits and the signs . _ @ - (no spaces).",
        "password": "Too short: at least 12 characters.",
        "roles": "Choose at least one.",
    }
    assert "short" not in bad.text.split('id="f-password"')[1].split(">")[0]
    assert sign_in(web_client(app), "awa.keita", PASSWORD).status_code == 303


def test_an_admin_changes_roles_deactivates_reactivates_and_resets_passwords(
    app: FastAPI, client_for, pages_for: Callable[..., TestClient]
) -> None:
    colleague = make_user(app, Role.REPORT_WRITER)
    colleague_browser = web_client(app)
    assert sign_in(colleague_browser, colleague.username, PASSWORD).status_code == 303
    browser = pages_for(ADMIN)
    page = f"/admin/users/{colleague.id}"

    roles = submit(browser, page, f"{page}/roles", {"roles": ["report_writer", "judicial_tracker"]})
    off = submit(browser, page, f"{page}/active", {"is_active": "false"})
    signed_out = colleague_browser.get("/statistics")
    on = submit(browser, page, f"{page}/active", {"is_active": "true"})
    reset = submit(browser, page, f"{page}/password", {"password": NEW_PASSWORD})
    short = submit(browser, page, f"{page}/password", {"password": "tiny"})

    assert [r.status_code for r in (roles, off, on, reset)] == [303, 303, 303, 303]
    api = client_for(ADMIN).get(f"{API}/users/{colleague.id}").json()
    assert sorted(api["roles"]) == ["judicial_tracker", "report_writer"] and api["is_active"]
    assert signed_out.status_code == 303  # deactivating closed the colleague's session
    assert sign_in(web_client(app), colleague.username, PASSWORD).status_code == 401
    assert sign_in(web_client(app), colleague.username, NEW_PASSWORD).status_code == 303
    assert short.status_code == 422
    assert field_errors(short.text) == {"password": "Too short: at least 12 characters."}


def test_an_admin_cannot_change_its_own_roles_or_deactivate_itself(
    app: FastAPI, pages_for: Callable[..., TestClient], client_for
) -> None:
    browser = pages_for(ADMIN)
    me = re.search(r'class="user">([^<]+)<', browser.get("/admin/users").text)
    assert me
    own = f"/admin/users/{_user_id(browser, me.group(1))}"
    shown = browser.get(own).text
    assert 'action="' + own + '/roles"' not in shown
    assert 'action="' + own + '/active"' not in shown

    roles = submit(browser, own, f"{own}/roles", {"roles": ["admin", "protection_adviser"]})
    off = submit(browser, own, f"{own}/active", {"is_active": "false"})

    assert roles.status_code == off.status_code == 409
    assert field_errors(roles.text) == {"roles": "are your own"}
    assert field_errors(off.text) == {"is_active": "is your own account"}
    assert browser.get("/admin/users").status_code == 200  # still an active admin


def test_organisation_b_admin_cannot_see_or_change_organisation_a_accounts(
    app: FastAPI, client_for, pages_for: Callable[..., TestClient]
) -> None:
    user_of_a = make_user(app, Role.PROTECTION_ADVISER)
    browser_b = pages_for(ADMIN, organisation=NGO)
    page_of_a = f"/admin/users/{user_of_a.id}"
    token = csrf_of(browser_b.get("/admin/users").text)

    listed = browser_b.get("/admin/users").text
    opened = browser_b.get(page_of_a)
    changes = [
        browser_b.post(f"{page_of_a}/{action}", data={"csrf_token": token, **fields})
        for action, fields in (
            ("roles", {"roles": "admin"}),
            ("active", {"is_active": "false"}),
            ("password", {"password": NEW_PASSWORD}),
        )
    ]

    assert user_of_a.username not in listed
    assert opened.status_code == 404
    assert [response.status_code for response in changes] == [404, 404, 404]
    user = client_for(ADMIN).get(f"{API}/users/{user_of_a.id}").json()
    assert user["roles"] == ["protection_adviser"] and user["is_active"]
    assert sign_in(web_client(app), user_of_a.username, PASSWORD).status_code == 303


def test_the_organisation_page_shows_its_code_and_sets_the_second_factor_policy(
    client_for, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADMIN)
    page = browser.get("/admin/organisation").text
    code = re.search(r'id="reference-code">([A-Z0-9]+)<', page)
    assert code
    organisations = client_for(ADMIN).get(f"{API}/organisations").json()
    assert code.group(1) == organisations[0]["reference_code"]

    saved = submit(
        browser, "/admin/organisation", "/admin/organisation/second-factor", {"required": "true"}
    )

    assert saved.status_code == 303
    policy = client_for(ADMIN).get(f"{API}/auth/second-factor-policy").json()
    assert policy == {"required_for_identity_readers": True}
    assert re.search(r'value="true" checked', browser.get("/admin/organisation").text)


def test_the_audit_trail_filters_pages_and_shows_only_the_organisation(
    app: FastAPI, client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    for _ in range(3):
        create_incident(client)
    create_incident(client_for(Role.PROTECTION_ADVISER, organisation=NGO))
    browser = pages_for(ADMIN)

    everything = browser.get("/admin/audit?action=incident.create").text
    rows = re.findall(r"<code>incident\.create</code>", everything)
    period = browser.get("/admin/audit?action=incident.create&since=2000-01-01&until=2000-12-31")
    bad = browser.get("/admin/audit?since=yesterday")

    assert len(rows) == 3  # not the other organisation's
    assert 'id="no-events"' in period.text
    assert bad.status_code == 422
    assert field_errors(bad.text) == {"since": "Enter a date as YYYY-MM-DD."}


def test_the_audit_trail_is_paged_by_the_apis_cursor(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    for _ in range(51):
        create_incident(client)
    browser = pages_for(ADMIN)

    first = browser.get("/admin/audit?action=incident.create").text
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older
    second_page = browser.get("/admin/audit" + unescape(older.group(1)))
    second = second_page.text

    assert len(re.findall(r"<code>incident\.create</code>", first)) == 50
    assert len(re.findall(r"<code>incident\.create</code>", second)) == 1
    assert 'rel="next"' not in second


def test_the_audit_trail_refuses_a_filter_it_does_not_know_by_name(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """A misspelt filter never silently lists every event, as the API refuses it too."""
    admin = pages_for(Role.ADMIN)
    misspelt = admin.get("/admin/audit?actoin=incident.update")
    assert misspelt.status_code == 422
    assert "actoin: This field is not expected here." in unescape(misspelt.text)
    assert 'class="audit"' not in misspelt.text and "<tbody" not in misspelt.text
    assert admin.get("/admin/audit?action=incident.update").status_code == 200


def test_the_audit_trails_record_column_is_a_noun_in_french(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    page = pages_for(Role.ADMIN, language="fr").get("/admin/audit").text
    header = re.search(r"<thead>(.*?)</thead>", page, re.S)
    assert header and "Enregistrement (type et identifiant)" in header.group(1)
    assert ">Enregistrer<" not in header.group(1)  # the verb of the buttons


def test_the_audit_trail_names_the_kind_of_each_record_in_the_users_language(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client)
    french = pages_for(Role.ADMIN, language="fr").get("/admin/audit").text
    kinds = set(re.findall(r"<td>([^<>]+) <a href=\"[^\"]*record_id=", french))
    assert {"Incident", "Compte utilisateur"} <= kinds, kinds
    assert not kinds & {"incident", "user", "victim"}, kinds


def test_a_refused_username_says_which_characters_it_may_hold_in_french(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADMIN, language="fr")
    form = {"username": "Aïcha", "password": PASSWORD, "roles": ["report_writer"]}
    refused = submit(browser, "/admin/users", "/admin/users", form)
    assert refused.status_code == 422
    assert field_errors(refused.text) == {
        "username": "Uniquement des lettres sans accents, des chiffres et les signes . _ @ - "
        "(pas d'espaces)."
    }


def test_a_too_long_or_too_short_username_is_worded_in_characters(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """Not "Too many entries: at most 80." nor "Choose at least one.", words for lists."""
    for language, long, short in (
        ("en", "Too long: at most 80 characters.", "Too short: at least 3 characters."),
        ("fr", "Trop long : 80 caractères au plus.", "Trop court : au moins 3 caractères."),
    ):
        browser = pages_for(ADMIN, language=language)
        for username, message in (("u" * 10_000, long), ("ab", short)):
            form = {"username": username, "password": PASSWORD, "roles": ["report_writer"]}
            refused = submit(browser, "/admin/users", "/admin/users", form)
            assert refused.status_code == 422
            shown = {
                name: text.replace("\xa0", " ") for name, text in field_errors(refused.text).items()
            }
            assert shown == {"username": message}, (language, username[:5])


def _fields_cells(page: str) -> list[str]:
    table = re.search(r'<table class="list audit" id="audit-table">(.*?)</table>', page, re.S)
    assert table, "the page has no audit table"
    return [
        cell.strip()
        for cell in re.findall(r"<td>((?:(?!<td>).)*?)</td></tr>", table.group(1), re.S)
    ]


def test_the_audit_trail_names_fields_by_their_labels_keeping_the_codes(
    app: FastAPI, client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client)
    assert (
        patch_incident(
            client, incident, admin2="Djenné", violations=["rape", "forced_marriage"]
        ).status_code
        == 200
    )
    browser = pages_for(ADMIN)
    page = f"/admin/users/{make_user(app, Role.REPORT_WRITER).id}"
    assert submit(browser, page, f"{page}/password", {"password": NEW_PASSWORD}).status_code == 303
    english = _fields_cells(browser.get("/admin/audit?action=incident.update").text)
    assert english == [
        '<span title="admin2">Cercle or district</span>, '
        '<span title="violations">Forms of violence</span>'
    ]
    french = pages_for(ADMIN, language="fr")
    cells = _fields_cells(french.get("/admin/audit?action=incident.update").text)
    assert unescape(cells[0]).startswith('<span title="admin2">Cercle ou ')
    users = _fields_cells(french.get("/admin/audit?action=user.update").text)
    assert '<span title="password">Mot de passe</span>' in users
    assert verify(client, incident, "pending_verification").status_code == 200
    decisions = _fields_cells(browser.get("/admin/audit?action=incident.verification").text)
    assert decisions == [
        '<span title="verification_status">Verification status</span>, '
        '<span title="verified_on">Date verified</span>'
    ]
