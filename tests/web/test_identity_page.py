"""A survivor's identifying details on the web: read (each read audited), corrected, erased; by
the owning organisation's advisers only, never into a URL, refused without a required second
factor, and left as they are on an archived incident."""

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import AuditEvent
from app.models.enums import Role
from tests.factories import API, NGO, create_incident
from tests.web.pages import csrf_of, field_errors

ADVISER = Role.PROTECTION_ADVISER
NAME = "Aminata Traoré-Witness"  # stands for a survivor's name in these tests
DETAILS = {"name": NAME, "contact": "+223 70 00 00 00", "survivor_code": "MOP-0042"}


def _incident(client: TestClient, identity: dict[str, str] | None = DETAILS) -> tuple[str, str]:
    victim = {"sex": "female", "age": 19, **({"identity": identity} if identity else {})}
    incident = create_incident(client, victims=[victim])
    return incident["id"], incident["victims"][0]["id"]


def _path(incident_id: str, victim_id: str) -> str:
    return f"/incidents/{incident_id}/victims/{victim_id}/identity"


def _stored(client: TestClient, incident_id: str, victim_id: str) -> dict[str, str | None]:
    """What the API reads back (each read audited too)."""
    return client.get(f"{API}{_path(incident_id, victim_id)}").json()


def _actions(app: FastAPI, victim_id: str) -> list[str]:
    with app.state.session_factory() as session:
        query = select(AuditEvent.action).where(AuditEvent.record_id == victim_id)
        return list(session.scalars(query.order_by(AuditEvent.id)))


def _shown(page: str) -> str:
    found = re.search(r'name="shown" value="([^"]*)"', page)
    assert found, "the form says nothing of what it was shown"
    return found.group(1)


def _save(browser: TestClient, path: str, **fields: str) -> object:
    """Open the page, then save these fields, based on what it showed."""
    page = browser.get(path).text
    return browser.post(path, data={**fields, "csrf_token": csrf_of(page), "shown": _shown(page)})


def test_an_adviser_reads_them_from_the_incident_and_each_read_is_audited(
    app: FastAPI, client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident_id, victim_id = _incident(client)
    browser = pages_for(ADVISER)
    detail = browser.get(f"/incidents/{incident_id}").text
    assert _path(incident_id, victim_id) in detail and NAME not in detail
    before = _actions(app, victim_id).count("identity.read")
    page = browser.get(_path(incident_id, victim_id))
    assert page.status_code == 200 and NAME in page.text and "MOP-0042" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert _actions(app, victim_id).count("identity.read") == before + 1


def test_an_adviser_corrects_them_and_erases_them(
    app: FastAPI, client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident_id, victim_id = _incident(client, identity={"name": "A. T."})
    browser, path = pages_for(ADVISER), _path(incident_id, victim_id)
    saved = _save(browser, path, name=NAME, contact="", address="Sévaré\nMopti", notes="")
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert NAME not in saved.headers["location"]  # type: ignore[attr-defined]
    stored = _stored(client, incident_id, victim_id)
    assert (stored["name"], stored["address"], stored["contact"]) == (NAME, "Sévaré\nMopti", None)
    assert "The identifying details were saved." in browser.get(saved.headers["location"]).text  # type: ignore[attr-defined]

    erased = _save(browser, path, name=" ", contact="", address="", notes="", survivor_code="")
    assert erased.status_code == 303  # type: ignore[attr-defined]
    assert (
        client.get(f"{API}/incidents/{incident_id}").json()["victims"][0]["has_identity"] is False
    )
    assert {"identity.update", "identity.erase"} <= set(_actions(app, victim_id))


def test_a_refused_detail_is_shown_by_its_field_and_nothing_is_saved(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident_id, victim_id = _incident(client)
    browser, path = pages_for(ADVISER), _path(incident_id, victim_id)
    refused = _save(browser, path, name="x" * 201, contact="elsewhere")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert set(field_errors(refused.text)) == {"name"}  # type: ignore[attr-defined]
    assert _stored(client, incident_id, victim_id)["name"] == NAME


def test_only_the_owning_organisations_advisers_reach_them(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident_id, victim_id = _incident(client)
    path = _path(incident_id, victim_id)
    for role in (Role.REPORT_WRITER, Role.JUDICIAL_TRACKER, Role.ADMIN):
        browser = pages_for(role)
        assert browser.get(path).status_code == 403, role
        assert NAME not in browser.get(f"/incidents/{incident_id}").text
    other = pages_for(ADVISER, organisation=NGO)
    assert other.get(path).status_code == 404
    token = csrf_of(other.get("/incidents").text)
    assert other.post(path, data={"name": "taken over", "csrf_token": token}).status_code == 404
    assert other.get(_path(incident_id, incident_id)).status_code == 404
    mine = pages_for(ADVISER)
    assert mine.get(_path(incident_id, incident_id)).status_code == 404  # not its victim
    assert mine.post(path, data={"name": "no form token"}).status_code == 403
    assert _stored(client, incident_id, victim_id)["name"] == NAME


def test_a_required_second_factor_not_enrolled_withholds_them(
    client: TestClient, client_for: Callable[..., TestClient], pages_for: Callable[..., TestClient]
) -> None:
    incident_id, victim_id = _incident(client)
    browser = pages_for(ADVISER)
    required = {"required_for_identity_readers": True}
    assert (
        client_for(Role.ADMIN).put(f"{API}/auth/second-factor-policy", json=required).status_code
        == 200
    )
    page = browser.get(_path(incident_id, victim_id))
    assert page.status_code == 403 and NAME not in page.text
    assert "requires a second factor" in page.text  # not "your role does not allow this page"
    assert _path(incident_id, victim_id) not in browser.get(f"/incidents/{incident_id}").text


def test_an_archived_incidents_details_are_read_not_changed(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident_id, victim_id = _incident(client)
    assert (
        client.delete(f"{API}/incidents/{incident_id}", params={"reason": "test"}).status_code
        == 204
    )
    browser, path = pages_for(ADVISER), _path(incident_id, victim_id)
    page = browser.get(path)
    assert page.status_code == 200 and NAME in page.text and "Save the identifying" not in page.text
    token = csrf_of(browser.get("/incidents").text)
    refused = browser.post(path, data={"name": "changed", "csrf_token": token})
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert _stored(client, incident_id, victim_id)["name"] == NAME


def test_a_nul_byte_is_refused_by_its_field_and_markup_is_shown_as_text(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident_id, victim_id = _incident(client)
    browser, path = pages_for(ADVISER), _path(incident_id, victim_id)
    refused = _save(browser, path, name="Ami\x00nata")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    markup = '<script>alert("x")</script>'
    assert _save(browser, path, name=markup).status_code == 303  # type: ignore[attr-defined]
    page = browser.get(path).text
    assert markup not in page and "&lt;script&gt;" in page


def test_a_save_based_on_details_changed_since_is_refused_and_keeps_what_was_typed(
    app: FastAPI, client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """Two advisers opened the page; the second's save wrote over the first's new safe-house
    address, with no warning. Now it is refused, and what they typed is shown back."""
    incident_id, victim_id = _incident(client)
    path = _path(incident_id, victim_id)
    first, second = pages_for(ADVISER), pages_for(ADVISER)
    updates = _actions(app, victim_id).count(
        "identity.update"
    )  # the incident's own, at its logging
    seen_by_second = second.get(path).text
    assert _save(first, path, name=NAME, address="New safe house").status_code == 303  # type: ignore[attr-defined]
    fields = {"name": "Aminata T.", "address": "Old address", "csrf_token": csrf_of(seen_by_second)}
    refused = second.post(path, data={**fields, "shown": _shown(seen_by_second)})
    assert refused.status_code == 409
    assert 'id="identity-changed"' in refused.text and "Old address" in refused.text
    assert _stored(client, incident_id, victim_id)["address"] == "New safe house"
    assert _actions(app, victim_id).count("identity.update") == updates + 1
    # Opened again, the page shows the details as they are, and a save based on them is kept.
    assert _save(second, path, name="Aminata T.").status_code == 303  # type: ignore[attr-defined]
    assert _stored(client, incident_id, victim_id)["name"] == "Aminata T."
