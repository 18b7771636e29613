"""The incident edit form treats a `version` that is not a plain integer as an old version.

The posted hidden field went through `int()`: `abc`, `1e5`, a non-ASCII digit (`²`) or
thousands of digits raised ValueError, a 500. Issue 13 §3: no 500 for any bad input.
"""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import create_incident
from tests.web.pages import signed_in, submit


@pytest.mark.parametrize("version", ["abc", "1e5", "²", "9" * 5000])
def test_a_malformed_version_on_the_edit_form_is_not_a_500(
    app: FastAPI, client: TestClient, version: str
) -> None:
    browser = signed_in(app, Role.PROTECTION_ADVISER)
    incident = create_incident(client)
    page = f"/incidents/{incident['id']}/edit"
    response = submit(browser, page, page, {"version": version})
    assert response.status_code < 500, response.text
