"""Links drawn as buttons look like the buttons beside them: the same frame and padding."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from playwright.sync_api import Page

from app.models.enums import Role
from tests.factories import create_incident

FRAME = """element => {
  const style = getComputedStyle(element);
  return [style.borderTopWidth, style.borderTopStyle, style.paddingTop, style.paddingLeft];
}"""


def test_edit_and_open_a_case_are_framed_like_buttons(
    open_page: Callable[..., Page], client: TestClient
) -> None:
    incident = create_incident(client)
    adviser = open_page(Role.PROTECTION_ADVISER)
    adviser.goto(f"/incidents/{incident['id']}")
    edit = adviser.locator("a.button", has_text="Edit")
    button = adviser.locator("main button[type=submit]").first
    assert edit.evaluate(FRAME) == button.evaluate(FRAME)
    assert edit.evaluate(FRAME)[1] == "solid"
    tracker = open_page(Role.JUDICIAL_TRACKER)
    tracker.goto("/judicial")
    open_case = tracker.locator("a.button", has_text="Open a case")
    assert open_case.evaluate(FRAME) == edit.evaluate(FRAME)
