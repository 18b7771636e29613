"""/docs renders Swagger UI in a browser with no internet and under the pages' CSP."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from app.models.enums import Role
from tests.factories import PASSWORD, make_user


@pytest.mark.one_database("the documentation page is the same on both")
def test_api_documentation_renders_offline_under_the_strict_policy(
    browser: Browser, live_url: str, app, client, tmp_path: Path
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    context = browser.new_context(base_url=live_url)
    page = context.new_page()
    elsewhere: list[str] = []
    problems: list[str] = []

    def only_this_server(route: Route) -> None:
        # As on a machine with no internet: anything not from this server fails.
        if route.request.url.startswith(live_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("crsv-registry")
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/incidents").first
    ).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    page.screenshot(path=os.environ.get("CRSV_DOCS_SCREENSHOT", str(tmp_path / "docs.png")))
    # Log in through "Authorize" (OAuth2 password flow) and call GET /auth/me.
    page.get_by_role("button", name="Authorize").click()
    page.locator("#oauth_username").fill(user.username)
    page.locator("#oauth_password").fill(PASSWORD)
    page.locator(".auth-btn-wrapper .authorize").click()
    page.get_by_role("button", name="Close").first.click()
    me = page.locator("#operations-authentication-who_am_i_api_v1_auth_me_get")
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    expect(me.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    expect(me.locator(".live-responses-table")).to_contain_text(user.username)
    context.close()
    assert elsewhere == []
    assert problems == []  # no script or style refused by the policy, no error
