"""Opening a page asks the server for nothing it does not have: no 404 for an icon the browser
goes looking for, in the console or the server's log, on every page."""

from collections.abc import Callable

from playwright.sync_api import Browser, Page

from app.models.enums import Role


def _failures(page: Page, path: str) -> list[str]:
    failed: list[str] = []
    page.on("console", lambda message: message.type == "error" and failed.append(message.text))
    page.on(
        "requestfinished",
        lambda request: (
            (response := request.response()) is not None
            and response.status >= 400
            and failed.append(f"{response.status} {request.url}")
        ),
    )
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return failed


def test_the_login_page_and_a_signed_in_page_request_nothing_missing(
    browser: Browser, live_url: str, open_page: Callable[..., Page]
) -> None:
    context = browser.new_context(base_url=live_url)
    try:
        assert _failures(context.new_page(), "/login") == []
    finally:
        context.close()
    assert _failures(open_page(Role.PROTECTION_ADVISER), "/incidents") == []
