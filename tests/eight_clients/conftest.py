"""One `crsv-registry serve` with two workers per test module, on PostgreSQL only."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_ENCRYPTION_KEY
from tests.eight_clients.harness import WORKERS
from tests.live_server import SharedServer


@pytest.fixture(scope="module")
def server(database_url: str, backend: str) -> Iterator[SharedServer]:
    if backend != "postgresql":
        pytest.skip("eight writers at once is PostgreSQL's race; SQLite has one writer at a time")
    shared = SharedServer(database_url, TEST_ENCRYPTION_KEY, workers=WORKERS)
    yield shared
    shared.stop()


@pytest.fixture
def url(client: TestClient, server: SharedServer) -> Iterator[str]:
    # After `client`, so this check comes first: a hung server is killed, and its locks go with
    # it, before the wipe.
    yield server.url()
    server.check_after_test()
