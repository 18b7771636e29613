"""More clients than database connections: requests queue before they start, none fails."""

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.main import create_app
from app.models.enums import Role
from tests import conftest
from tests.factories import API, log_in, make_user

LIMIT = 2


@pytest.fixture
def small_app(database_url: str) -> Iterator[FastAPI]:
    settings = conftest.test_settings(database_url).model_copy(
        update={"request_threads": LIMIT, "database_pool_timeout": 5}
    )
    application = create_app(settings)
    yield application
    conftest.wipe(application)
    application.state.engine.dispose()


def test_forty_clients_at_once_use_at_most_the_limit_of_connections(small_app: FastAPI) -> None:
    with TestClient(small_app) as client:
        token = log_in(client, make_user(small_app, Role.PROTECTION_ADVISER))
    in_use, peak = 0, 0

    def checked_out(*_: object) -> None:
        nonlocal in_use, peak
        in_use += 1
        peak = max(peak, in_use)

    def checked_in(*_: object) -> None:
        nonlocal in_use
        in_use -= 1

    event.listen(small_app.state.engine, "checkout", checked_out)
    event.listen(small_app.state.engine, "checkin", checked_in)

    async def forty_at_once() -> list[int]:
        transport = httpx.ASGITransport(app=small_app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            responses = await asyncio.gather(
                *(http.get(f"{API}/incidents", headers=headers) for _ in range(40))
            )
        return [response.status_code for response in responses]

    # In a thread of its own: the browser tests leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        statuses = thread.submit(asyncio.run, forty_at_once()).result()
    assert statuses == [200] * 40
    assert 1 <= peak <= LIMIT
