"""End-to-end tests: the application served by uvicorn on a local port, driven by headless
Chromium (Debian's package) through Playwright.

`make test` installs Chromium when it can. Without it, CI fails here; elsewhere the browser tests
are skipped with a message saying so.
"""

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect, sync_playwright

from app.models.enums import Role
from tests.factories import MISSION, PASSWORD, make_user

# Chromium's own background traffic goes to hosts this network may not reach; none is needed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        message = (
            "Chromium is not installed: the browser tests did not run (`make test` installs it)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_url(app: FastAPI) -> Iterator[str]:
    """The test application served over HTTP on 127.0.0.1 (where browsers accept Secure cookies)."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def open_page(
    browser: Browser, live_url: str, app: FastAPI, client: TestClient
) -> Iterator[Callable[..., Page]]:
    """A fresh browser (no cookies) signed in as a new user with these roles, as a person would:
    typing into the login form. Depends on `client`, which wipes the database afterwards."""
    contexts = []

    def sign_in_as(*roles: Role, organisation: str = MISSION, locale: str = "en-GB") -> Page:
        user = make_user(app, *roles, organisation=organisation)
        context = browser.new_context(base_url=live_url, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        # Keyboard only: the username field has the focus, Tab reaches the password, Enter sends.
        expect(page.locator("#username")).to_be_focused()
        page.keyboard.type(user.username)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield sign_in_as
    for context in contexts:
        context.close()
