"""Version numbers as clients send them (If-Match, a form's hidden field), read once for all,
and the refusal of a change based on another version than the stored one."""

from dataclasses import dataclass

from app.core.domain_errors import (
    StaleVersionError,
    UnreadableVersionError,
    VersionNamedBy,
    VersionRequiredError,
)


def version_number(text: str | None) -> int | None:
    """The version `text` names, or None if it names none: ASCII digits only ("²".isdigit() is
    true, and int("²") fails) and few enough for a version."""
    if text is None or not (text.isascii() and text.isdigit() and len(text) <= 18):
        return None
    return int(text)


def if_match_version(if_match: str) -> int | None:
    """The version an If-Match header names (`"3"`, `W/"3"` or `3`), or None."""
    return version_number(if_match.strip().removeprefix("W/").strip('"'))


@dataclass(frozen=True)
class BasedOn:
    """The version of a record a change says it is based on, and where it said so."""

    version: int
    named_by: VersionNamedBy = VersionNamedBy.BODY

    def refuse_if_stale(self, current: int) -> None:
        """Refuse the change if the record is no longer at the version it was based on."""
        if self.version != current:
            raise StaleVersionError(self.version, current, self.named_by)


def based_on(if_match: str | None, body_version: int | None, record: str) -> BasedOn:
    """The version a change says it is based on: If-Match first, else `version` in the body.
    Changes must say it, so none silently overwrites another: VersionRequiredError when neither
    is sent, UnreadableVersionError when If-Match names no version."""
    if if_match is not None:
        tag = if_match_version(if_match)
        if tag is None:
            raise UnreadableVersionError(record)
        return BasedOn(tag, VersionNamedBy.IF_MATCH)
    if body_version is not None:
        return BasedOn(body_version, VersionNamedBy.BODY)
    raise VersionRequiredError(record)
