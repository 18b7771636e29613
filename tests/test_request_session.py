"""A request that fails gives its connection back at once, its transaction rolled back.

The session dependency iterated an inner generator with `async for`: an error thrown in at its
`yield` left the loop without reaching the inner generator, whose rollback then waited for
garbage collection. Until then the connection stayed checked out, in its transaction, with every
lock it had taken (on SQLite, the one write lock): a refused login held it past its response.
"""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.core.db import get_read_session, get_session
from app.models import Incident


class RefusedError(Exception):
    pass


@pytest.mark.parametrize("dependency", [get_session, get_read_session])
def test_a_failed_request_rolls_back_and_returns_its_connection_before_answering(
    app: FastAPI, client: TestClient, dependency: Any
) -> None:
    request: Any = SimpleNamespace(app=app)
    engine = app.state.engine
    lent_before = engine.pool.checkedout()

    async def failing_request() -> None:
        sessions = dependency(request)
        session = await anext(sessions)
        session.execute(select(func.count()).select_from(Incident))  # a transaction begun
        with pytest.raises(RefusedError):
            await sessions.athrow(RefusedError())  # as FastAPI does when the handler raised
        # Checked before anything else runs on the loop (a finaliser would only run later).
        assert not session.in_transaction()
        assert engine.pool.checkedout() == lent_before

    _run(failing_request())


def test_a_request_that_succeeds_commits_and_returns_its_connection(
    app: FastAPI, client: TestClient
) -> None:
    request: Any = SimpleNamespace(app=app)
    engine = app.state.engine
    lent_before = engine.pool.checkedout()

    async def succeeding_request() -> None:
        sessions = get_session(request)
        session = await anext(sessions)
        session.execute(select(func.count()).select_from(Incident))
        with pytest.raises(StopAsyncIteration):
            await anext(sessions)  # as FastAPI does when the handler returned
        assert not session.in_transaction()
        assert engine.pool.checkedout() == lent_before

    _run(succeeding_request())


def _run(request: Coroutine[Any, Any, None]) -> None:
    """Run on a thread of its own: a test run may already have an event loop running on this
    one (the browser tests' Playwright keeps its own), where `asyncio.run` refuses to start."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, request).result()
