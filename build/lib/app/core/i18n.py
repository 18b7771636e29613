"""Marking text for the interface's message catalogue (see app/web/i18n.py for the catalogue)."""


def N_(message: str) -> str:  # noqa: N802 - the usual name for "mark for extraction"
    """Mark a message for the catalogue without translating it here; it is translated when shown."""
    return message
