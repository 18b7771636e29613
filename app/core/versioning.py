"""Version numbers as clients send them (If-Match, a form's hidden field), read once for all."""


def version_number(text: str | None) -> int | None:
    """The version `text` names, or None if it names none: ASCII digits only ("²".isdigit() is
    true, and int("²") fails) and few enough for a version."""
    if text is None or not (text.isascii() and text.isdigit() and len(text) <= 18):
        return None
    return int(text)


def if_match_version(if_match: str) -> int | None:
    """The version an If-Match header names (`"3"`, `W/"3"` or `3`), or None."""
    return version_number(if_match.strip().removeprefix("W/").strip('"'))
