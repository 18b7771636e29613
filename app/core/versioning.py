"""Version numbers as clients send them (If-Match, a form's hidden field), read once for all,
and the refusal of a change based on another version than the stored one."""

from app.core.errors import ApiError


def version_number(text: str | None) -> int | None:
    """The version `text` names, or None if it names none: ASCII digits only ("²".isdigit() is
    true, and int("²") fails) and few enough for a version."""
    if text is None or not (text.isascii() and text.isdigit() and len(text) <= 18):
        return None
    return int(text)


def if_match_version(if_match: str) -> int | None:
    """The version an If-Match header names (`"3"`, `W/"3"` or `3`), or None."""
    return version_number(if_match.strip().removeprefix("W/").strip('"'))


def based_on(if_match: str | None, body_version: int | None, record: str) -> tuple[int, int]:
    """The version a change says it is based on, and what a stale one is answered: 412 for
    If-Match, 409 for `version` in the body. Changes must say it, so none silently overwrites
    another: 428 when neither is sent, 412 when If-Match names no version."""
    if if_match is not None:
        tag = if_match_version(if_match)
        if tag is None:
            raise ApiError(
                status=412, detail=f'If-Match must be the ETag of the {record}, e.g. "3"'
            )
        return tag, 412
    if body_version is not None:
        return body_version, 409
    raise ApiError(
        status=428,
        detail=f"Say which version this change is based on: send If-Match with the {record}'s "
        "ETag, or `version` in the body.",
    )


def refuse_if_stale(current: int, expected: int, status: int) -> None:
    """Refuse a change based on another version than the stored one (409, or 412 for If-Match)."""
    if expected != current:
        raise ApiError(
            status=status,
            detail=f"This record changed since version {expected}: it is at version "
            f"{current}. Reload it, reapply your change and send it again.",
        )
