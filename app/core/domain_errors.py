"""What services and rules refuse, in the domain's words: no HTTP status here.

A refusal says what went wrong (not found, a conflict, invalid fields, a stale version...) and
why, for a person; app/core/errors.py alone decides how each is answered over HTTP (`problem_of`),
and the web pages ask it too, so that one refusal gets one status everywhere.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one input field; `loc` is its path, e.g. ("body", "victims", 0, "age")."""

    loc: tuple[str | int, ...]
    message: str  # may hold {name} placeholders, filled from `values` (and kept for translation)
    kind: str = "value_error"
    values: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        return self.message.format(**self.values) if self.values else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": dotted(self.loc),
            "loc": list(self.loc),
            "message": self.text,
            "type": self.kind,
        }


def dotted(loc: Sequence[str | int]) -> str:
    """("body", "victims", 0, "age") -> "victims[0].age": the name a person would use."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or str(loc[0] if loc else "request")


def problem_from_pydantic(error: Any, prefix: tuple[str | int, ...] = ()) -> FieldProblem:
    message = str(error["msg"]).removeprefix("Value error, ")
    return FieldProblem(loc=(*prefix, *error["loc"]), message=message, kind=error["type"])


def problems_from(error: ValidationError, prefix: tuple[str | int, ...]) -> list[FieldProblem]:
    """A pydantic error as field problems located under `prefix` (e.g. ("body",))."""
    return [problem_from_pydantic(item, prefix) for item in error.errors()]


class DomainError(Exception):
    """A refusal: `detail` says why, `errors` name the fields at fault, if any."""

    def __init__(self, detail: str, errors: Sequence[FieldProblem] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors: Sequence[FieldProblem] = tuple(errors)

    def __str__(self) -> str:
        return self.detail


class NotFoundError(DomainError):
    """No such record, or none the caller may see (the two are not told apart)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")


class ConflictError(DomainError):
    """The change cannot be made to the record as it stands (archived, linked, in use...)."""


class InvalidRequestError(DomainError):
    """The request cannot be carried out as sent; `errors` may name the fields."""


class InvalidFieldsError(InvalidRequestError):
    """Some fields hold values the rules refuse; the detail names them."""

    def __init__(self, errors: Sequence[FieldProblem]) -> None:
        fields = ", ".join(dotted(problem.loc) for problem in errors)
        super().__init__(f"Invalid input in: {fields}", errors)


class NotAuthenticatedError(DomainError):
    def __init__(self) -> None:
        super().__init__("Not authenticated: log in and send a bearer token")


class NotAllowedError(DomainError):
    """The caller is known, and may not do this."""


class TooManyAttemptsError(DomainError):
    """Refused for now: too many attempts; may be tried again after `retry_after_seconds`."""

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class BusyError(DomainError):
    """Nothing was done because the service is busy; may simply be sent again a moment later."""

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class VersionNamedBy(StrEnum):
    """Where the client said which version of a record its change is based on."""

    IF_MATCH = "If-Match"
    BODY = "version"


class VersionRequiredError(DomainError):
    """A change that did not say which version of the record it is based on."""

    def __init__(self, record: str) -> None:
        super().__init__(
            f"Say which version this change is based on: send If-Match with the {record}'s "
            "ETag, or `version` in the body."
        )


class UnreadableVersionError(DomainError):
    """An If-Match that names no version of the record."""

    def __init__(self, record: str) -> None:
        super().__init__(f'If-Match must be the ETag of the {record}, e.g. "3"')


class PreconditionRequiredError(DomainError):
    """A change that must name, in If-Match, what it replaces, and did not (RFC 6585's 428)."""


class PreconditionFailedError(DomainError):
    """A change whose If-Match names what is no longer stored (RFC 9110's 412)."""


class StaleVersionError(DomainError):
    """A change based on another version than the stored one: it would overwrite unseen work."""

    def __init__(self, expected: int, current: int, named_by: VersionNamedBy) -> None:
        super().__init__(
            f"This record changed since version {expected}: it is at version {current}. "
            "Reload it, reapply your change and send it again."
        )
        self.expected = expected
        self.current = current
        self.named_by = named_by
