"""Opaque keyset cursors: the sort key of the last row a page returned."""

import base64
import json
from typing import Any

from app.core.domain_errors import FieldProblem, InvalidFieldsError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def encode_cursor(*key: Any) -> str:
    raw = json.dumps([str(part) for part in key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(key, list) or len(key) != parts:
            raise ValueError
        return [str(part) for part in key]
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise invalid_cursor() from None


def invalid_cursor() -> InvalidFieldsError:
    return InvalidFieldsError(
        [FieldProblem(("query", "cursor"), "is not a cursor returned by this list")]
    )
