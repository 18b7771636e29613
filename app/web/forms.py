"""HTML forms to API bodies and back: field names, repeated rows, and errors shown by their field.

Form fields are named after the API's field paths, with rows numbered: `victims-0-age` is
`victims[0].age`. The same names carry errors back, so a message from pydantic or from a service
rule lands next to the input it is about, in the user's language.
"""

import copy
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.core.domain_errors import DomainError, FieldProblem, InvalidFieldsError
from app.core.errors import http_status
from app.incidents.intake_fields import PerpetratorIntake, VictimIntake
from app.models.enums import PerpetratorCategory
from app.web.i18n import N_, Translator
from app.web.labels import Labels

VICTIM_FIELDS = ("id", "sex", "age", "age_group", "displacement_status", "disability")
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
    "string_nul": N_("Must not contain a NUL character."),
}


def field_name(loc: Sequence[str | int]) -> str:
    """("body", "victims", 0, "age") -> "victims-0-age"; ("violations", 1) -> "violations";
    ("body", "victims", 0, "identity", "name") -> "victims-0-name"."""
    parts = [p for p in loc if p not in ("body", "query")]
    if len(parts) >= 3 and parts[0] in ("victims", "perpetrators") and isinstance(parts[1], int):
        if parts[2] == "identity" and len(parts) >= 4:
            # A victim's name and contact are posted in the row (`victims-0-name`) and sent to
            # the API inside `identity`: their problems go back to those fields.
            return "-".join(str(p) for p in (*parts[:2], parts[3]))
        return "-".join(str(p) for p in parts[:3])
    names = [str(p) for p in parts if not isinstance(p, int)]
    return names[0] if names else "form"


# The API's messages that name its fields ("occurred_on"), as the pages word them; and those
# shown as a sentence of their own, like the messages above, beside the field and after its label.
PAGE_WORDING = {
    "must not be in the future": N_("Must not be in the future."),
    "must not be before the incident (occurred_on)": N_(
        "must not be before the date of the incident"
    ),
    "must not be before the incident": N_("must not be before the date of the incident"),
    "must not be before referred_on": N_("must not be before the day of the referral"),
    "must not be before the incident was reported (reported_on)": N_(
        "must not be before the date reported"
    ),
    "is required unless armed_party_id is given": N_("is required unless an armed party is named"),
    "must not be before occurred_from": N_("must not be before the start date"),
    "does not match the category of the armed party ({category})": N_(
        "does not match the armed party's category ({category})"
    ),
    "is before the complaint (opened_on)": N_("is before the date of the complaint"),
    # A victim's identifier means nothing to a judicial tracker, who never sees the victims.
    "victim {position} ({victim_id}) refused consent to justice": N_(
        "victim {position} refused consent to justice"
    ),
    "victim {position} ({victim_id}) was never asked for consent to justice": N_(
        "victim {position} was never asked for consent to justice"
    ),
    "is before the current stage (stage_since)": N_("is before the current stage began"),
    "must not be before the year the report covers (report_year)": N_(
        "must not be before the year the report covers"
    ),
}


# A string whose length pydantic checks after a validator of its own (a username folded to
# lower case first) is refused as a "Value" that is too long or too short, as a list would be:
# worded in characters, not "Too many entries" or "Choose at least one".
VALUE_LENGTH_MESSAGES = {
    "too_long": ERROR_MESSAGES["string_too_long"],
    "too_short": N_("Too short: at least {min_length} characters."),
}


def translate_problem(t: Translator, problem: FieldProblem, context: dict[str, Any]) -> str:
    template = ERROR_MESSAGES.get(problem.kind)
    if context.get("field_type") == "Value" and problem.kind in VALUE_LENGTH_MESSAGES:
        template = VALUE_LENGTH_MESSAGES[problem.kind]
    if template is not None:
        try:
            return t.format(template, **context)
        except (KeyError, IndexError):
            return t.gettext(template)
    # Our own rules' messages ("contradicts the age given") are catalogue entries themselves.
    values = dict(problem.values)
    if "category" in values:  # a perpetrator category's code, named as the menus name it
        values["category"] = Labels(t).of(PerpetratorCategory, values["category"])
    return t.format(PAGE_WORDING.get(problem.message, problem.message), **values)


def errors_from_validation(t: Translator, error: ValidationError) -> dict[str, str]:
    return errors_from_problems(t, problems_of(error.errors()))


def errors_from_problems(t: Translator, problems: Iterable[FieldProblem]) -> dict[str, str]:
    return _by_field(t, ((problem, dict(problem.values)) for problem in problems))


def problems_of(
    errors: Iterable[Any], prefix: tuple[str | int, ...] = ("body",)
) -> list[FieldProblem]:
    """Pydantic's errors as field problems, keeping the limits their messages name ({le}...)."""
    return [
        FieldProblem(
            (*prefix, *item["loc"]),
            str(item["msg"]).removeprefix("Value error, "),
            item["type"],
            {key: str(value) for key, value in (item.get("ctx") or {}).items()},
        )
        for item in errors
    ]


def _by_field(
    t: Translator, problems: Iterable[tuple[FieldProblem, dict[str, Any]]]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem, context in problems:
        errors.setdefault(field_name(problem.loc), translate_problem(t, problem, context))
    return errors


# What the service's rules check needs, for a field left empty or mistyped: a value that cannot
# raise a problem elsewhere (the field itself already has its own). A callable gets the body.
M = TypeVar("M", bound=BaseModel)
StandIn = Any | Callable[[dict[str, Any]], Any]
Check = Callable[[Any], Iterable[FieldProblem] | None]


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


# An incident's required fields, stood in so that its other fields' rules can be checked: the
# report date for the incident's (no "reported before the incident" on a good report date), the
# P-code's country for the country (no "P-code of another country").
INCIDENT_STAND_INS: dict[str, StandIn] = {
    "occurred_on": lambda body: body.get("reported_on") or _today(),
    "reported_on": lambda _body: _today(),
    "country": lambda body: str(body.get("pcode") or "ML")[:2],
    "source": "other",
    "violations": ["other_sexual_violence"],
    "sex": "unknown",
}


def error_status(error: ValidationError | DomainError) -> int:
    """The status a refused form is answered with: 422 for what the model refused, else the
    API's own for that refusal (app/core/errors.py `problem_of`)."""
    return 422 if isinstance(error, ValidationError) else http_status(error)


def validated(
    model: type[M], body: dict[str, Any], check: Check, stand_ins: Mapping[str, StandIn] = {}
) -> M:
    """The form's body as `model`, or every problem with it at once (InvalidFieldsError).

    When the model refuses some fields, the service's own rules (`check`, which returns or
    raises field problems) still run on the rest, with the refused fields left out or stood in
    for: a person learns of a future date and of an impossible age in the same answer.
    """
    try:
        data = model.model_validate(body)
    except ValidationError as error:
        problems = problems_of(error.errors())
        stood_in = _with_stand_ins(model, body, error, stand_ins)
        if stood_in is not None:
            flagged = {field_name(problem.loc) for problem in problems}
            problems += [
                problem
                for problem in _rule_problems(check, stood_in, strict=False)
                if field_name(problem.loc) not in flagged
            ]
        raise InvalidFieldsError(problems) from None
    problems = _rule_problems(check, data, strict=True)
    if problems:
        raise InvalidFieldsError(problems)
    return data


def _rule_problems(check: Check, data: BaseModel, *, strict: bool) -> list[FieldProblem]:
    try:
        return list(check(data) or ())
    except DomainError as error:
        # A refusal of the whole record (archived, stale...) is the caller's to show; on stand-in
        # values it says nothing about what the person typed.
        if strict and not error.errors:
            raise
        return list(error.errors)


def _with_stand_ins(
    model: type[M], body: dict[str, Any], error: ValidationError, stand_ins: Mapping[str, StandIn]
) -> M | None:
    candidate = copy.deepcopy(body)
    for _ in range(3):  # leaving a required field out makes it "missing": stood in next round
        for item in error.errors():
            _stand_in(candidate, item["loc"], stand_ins)
        try:
            return model.model_validate(candidate)
        except ValidationError as again:
            error = again
    return None


def _stand_in(body: dict[str, Any], loc: Sequence[str | int], stand_ins: Mapping[str, Any]) -> None:
    """Replace the field at `loc` (a whole list for one bad item) by its stand-in, or drop it."""
    path = list(loc)
    while path and isinstance(path[-1], int):
        path.pop()
    container: Any = body
    try:
        for part in path[:-1]:
            container = container[part]
    except (KeyError, IndexError, TypeError):
        return
    if not path or not isinstance(container, dict):
        return
    key = path[-1]
    if key in stand_ins:
        value = stand_ins[key]
        container[key] = value(body) if callable(value) else value
    else:
        container.pop(key, None)


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
        name: row[name] for name in (*VICTIM_FIELDS, *VictimIntake.model_fields) if name in row
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
    names = ("id", "category", "armed_party_id", *PerpetratorIntake.model_fields)
    return {name: row[name] for name in names if name in row}
