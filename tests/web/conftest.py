from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import MISSION
from tests.web.pages import signed_in


@pytest.fixture
def pages_for(app: FastAPI, client: TestClient) -> Callable[..., TestClient]:
    """A browser-like client signed in through the login form as a new user with these roles.

    Depends on `client` so that the database is wiped after the test, as for API tests.
    """

    def sign_in_as(
        *roles: Role, organisation: str = MISSION, language: str | None = None
    ) -> TestClient:
        return signed_in(app, *roles, organisation=organisation, language=language)

    return sign_in_as
