"""HTML forms to API bodies and back: field names, repeated rows, and errors shown by their field.

Form fields are named after the API's field paths, with rows numbered: `victims-0-age` is
`victims[0].age`. The same names carry errors back, so a message from pydantic or from a service
rule lands next to the input it is about, in the user's language.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.core.errors import FieldProblem, problems_from
from app.web.i18n import N_, Translator

ROW_FIELD = re.compile(r"^(?P<list>victims|perpetrators)-(?P<index>\d{1,3})-(?P<field>[a-z_]+)$")
CONSENT_CHOICES = {"yes": True, "no": False}

# Pydantic's error types, in words a field worker understands. `{…}` come from the error context.
ERROR_MESSAGES = {
    "missing": N_("This field is required."),
    "enum": N_("Choose one of the listed values."),
    "literal_error": N_("Choose one of the listed values."),
    "uuid_parsing": N_("Choose one of the listed values."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "greater_than_equal": N_("Must be at least {ge}."),
    "less_than_equal": N_("Must be at most {le}."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": N_("Enter a date as YYYY-MM-DD."),
    "date_type": N_("Enter a date as YYYY-MM-DD."),
    "string_too_long": N_("Too long: at most {max_length} characters."),
    "string_too_short": N_("This field is required."),
    "too_short": N_("Choose at least one."),
    "too_long": N_("Too many entries: at most {max_length}."),
    "string_pattern_mismatch": N_("Not in the expected format."),
    "extra_forbidden": N_("This field is not expected here."),
}


def field_name(loc: Sequence[str | int]) -> str:
    """("body", "victims", 0, "age") -> "victims-0-age"; ("violations", 1) -> "violations"."""
    parts = [p for p in loc if p not in ("body", "query")]
    if len(parts) >= 3 and parts[0] in ("victims", "perpetrators") and isinstance(parts[1], int):
        return "-".join(str(p) for p in parts[:3])
    names = [str(p) for p in parts if not isinstance(p, int)]
    return names[0] if names else "form"


def translate_problem(t: Translator, problem: FieldProblem, context: dict[str, Any]) -> str:
    template = ERROR_MESSAGES.get(problem.kind)
    if template is not None:
        try:
            return t.format(template, **context)
        except (KeyError, IndexError):
            return t.gettext(template)
    # Our own rules' messages ("must not be in the future") are catalogue entries themselves.
    return t.format(problem.message, **problem.values)


def errors_from_validation(t: Translator, error: ValidationError) -> dict[str, str]:
    contexts = [dict(item.get("ctx") or {}) for item in error.errors()]
    return _by_field(t, zip(problems_from(error, ()), contexts, strict=True))


def errors_from_problems(t: Translator, problems: Iterable[FieldProblem]) -> dict[str, str]:
    return _by_field(t, ((problem, {}) for problem in problems))


def _by_field(
    t: Translator, problems: Iterable[tuple[FieldProblem, dict[str, Any]]]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem, context in problems:
        errors.setdefault(field_name(problem.loc), translate_problem(t, problem, context))
    return errors


def text_field(form: FormData, name: str) -> str | None:
    """A text input's value, trimmed; None when it is missing or left empty."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def filled_in(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The inputs among `names` that were filled in; empty ones are left out, not sent as ""."""
    return {name: value for name in names if (value := text_field(form, name)) is not None}


def incident_fields(form: FormData, names: Iterable[str]) -> dict[str, Any]:
    """The incident's own fields that were filled in, and its forms of violence."""
    values: dict[str, Any] = filled_in(form, names)
    # Sent even when none is ticked: "choose at least one" is the error, not "required".
    values["violations"] = [v for v in form.getlist("violations") if isinstance(v, str) and v]
    return values


def rows(form: FormData, list_name: str) -> list[dict[str, str]]:
    """Numbered rows (`victims-0-sex`, `victims-3-age`...) in order, skipping all-empty ones."""
    found: dict[int, dict[str, str]] = {}
    for key, value in form.multi_items():
        match = ROW_FIELD.match(key)
        if match is None or match["list"] != list_name or not isinstance(value, str):
            continue
        if value.strip():
            found.setdefault(int(match["index"]), {})[match["field"]] = value.strip()
    return [found[index] for index in sorted(found)]


def victim_body(row: dict[str, str], with_identity: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        name: row[name]
        for name in ("id", "sex", "age", "age_group", "displacement_status", "disability")
        if name in row
    }
    consent = {
        kind: CONSENT_CHOICES[row[f"consent_{kind}"]]
        for kind in ("statistics", "referral", "justice")
        if row.get(f"consent_{kind}") in CONSENT_CHOICES
    }
    if consent:
        body["consent"] = consent
    if with_identity:
        identity = {name: row[name] for name in ("name", "contact") if name in row}
        if identity:
            body["identity"] = identity
    return body


def perpetrator_body(row: dict[str, str]) -> dict[str, Any]:
    return {name: row[name] for name in ("id", "category", "armed_party_id") if name in row}
