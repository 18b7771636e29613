"""The incident form marks, before any saving, the fields a new incident cannot go without."""

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role

ADVISER = Role.PROTECTION_ADVISER
REQUIRED = ("occurred_on", "reported_on", "country", "source")
MARK = '<span class="required-mark" aria-hidden="true">*</span>'


def _label(page: str, name: str) -> str:
    match = re.search(rf'<label for="f-{name}">(.*?)</label>', page, re.S)
    assert match, name
    return match.group(1)


def _control(page: str, name: str) -> str:
    match = re.search(rf'<(?:input|select) id="f-{name}"[^>]*>', page)
    assert match, name
    return match.group(0)


def test_fields_required_on_create_are_marked_and_announced(
    pages_for: Callable[..., TestClient],
) -> None:
    page = pages_for(ADVISER).get("/incidents/new").text
    for name in REQUIRED:
        assert MARK in _label(page, name), name
        assert re.search(r"\srequired[\s>]", _control(page, name)), name
    violations = re.search(
        r'<fieldset class="field checks[^"]*" id="f-violations".*?</legend>', page, re.S
    )
    assert violations and MARK in violations.group(0)
    assert 'class="visually-hidden">(required)<' in violations.group(0)
    for optional in ("admin1", "pcode", "gbv_type", "time_of_day"):
        assert MARK not in _label(page, optional), optional
    assert "Fields marked * are required." in page
    assert " novalidate " in page  # the server's messages, in the page's language, still decide


def test_the_marks_are_explained_in_french(pages_for: Callable[..., TestClient]) -> None:
    page = unescape(pages_for(ADVISER, language="fr").get("/incidents/new").text)
    assert "Les champs marqués d'un * sont obligatoires." in page
    assert 'class="visually-hidden">(obligatoire)<' in page


def test_a_victims_sex_is_marked_as_required_in_its_row(
    pages_for: Callable[..., TestClient],
) -> None:
    page = pages_for(ADVISER).get("/incidents/new").text
    assert MARK in _label(page, "victims-0-sex")
    control = _control(page, "victims-0-sex")
    # Required once the row is filled in: an empty row is left out, so no required attribute.
    assert 'aria-required="true"' in control and not re.search(r"\srequired[\s>]", control)
    assert MARK not in _label(page, "victims-0-age")
