"""Helpers for page tests: a browser-like client that signs in through the login form."""

import re
from html import unescape
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import MISSION, make_user

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FIELD_ERROR = re.compile(r'class="field-error" id="err-([^"]+)">([^<]+)<')
Fields = dict[str, str | list[str]]


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form token"
    return match.group(1)


def field_errors(html: str) -> dict[str, str]:
    """The errors shown next to fields: {input name: message}."""
    return {name: unescape(message) for name, message in FIELD_ERROR.findall(html)}


def web_client(app: FastAPI, language: str | None = None) -> TestClient:
    # https, as in production: the session cookie is Secure and would not be sent over http.
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    if language:
        client.cookies.set("crsv_lang", language)
    return client


def sign_in(client: TestClient, username: str, password: str) -> Any:
    token = csrf_of(client.get("/login").text)
    fields = {"username": username, "password": password, "csrf_token": token, "next": "/"}
    return client.post("/login", data=fields)


def signed_in(
    app: FastAPI, *roles: Role, organisation: str = MISSION, language: str | None = None
) -> TestClient:
    user = make_user(app, *roles, organisation=organisation)
    client = web_client(app, language)
    response = sign_in(client, user.username, user.password)
    assert response.status_code == 303, response.text
    return client


def submit(client: TestClient, page: str, action: str, fields: Fields) -> Any:
    """Post a form the way the page at `page` would, with the form token that page carries."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**fields, "csrf_token": token})


def incident_form(**overrides: str | list[str]) -> Fields:
    """The log-an-incident form filled in as an adviser would: two victims, one perpetrator."""
    fields: Fields = {
        "occurred_on": "2019-03-14",
        "date_precision": "day",
        "reported_on": "2019-03-20",
        "country": "ML",
        "admin1": "Mopti",
        "admin2": "Bandiagara",
        "violations": ["rape", "sexual_slavery"],
        "source": "gbvims",
        "victims-0-sex": "female",
        "victims-0-age": "16",
        "victims-0-displacement_status": "idp",
        "victims-0-consent_statistics": "yes",
        "victims-1-sex": "female",
        "victims-1-age_group": "adult",
        "perpetrators-0-category": "unidentified_armed_element",
    }
    fields.update(overrides)
    return fields
