"""No NUL character in any text a request brings: refused once, for every route, naming the field.

PostgreSQL cannot store a NUL in a text column and the driver fails on it, so a NUL in a name,
a note or a filter used to end as a 500 (SQLite stored it silently). Checking every request here,
before any route reads its parameters, covers every text field and filter of the API and the
pages, those added later included, instead of relying on each schema to remember it.

The common case costs a byte search: a JSON body and the query string are parsed only when they
hold something that could decode to a NUL (a form is parsed anyway, for its route).
"""

from collections.abc import Iterator
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from app.core.body_limit import FORM_MAX_FIELDS
from app.core.domain_errors import FieldProblem, InvalidFieldsError

NUL = "\x00"
MESSAGE = "must not contain a NUL character"
# The fields named in the answer: enough for any real form, while an anonymous post of 20,000
# fields each holding a NUL got a page of 1.5 MB naming every one.
MOST_NAMED = 50
_ENCODED = (b"%00", b"\x00")  # how a NUL travels in a URL or a form
_JSON_ESCAPED = (b"\\u0000", b"\x00")


async def refuse_nul_bytes(request: Request) -> None:
    """An app-wide dependency: 422 naming each parameter or field that holds a NUL."""
    locations = [
        *_in_headers(request),
        *_in_path(request),
        *_in_query(request),
        *await _in_body(request),
    ]
    if locations:
        raise InvalidFieldsError(
            [FieldProblem(loc, MESSAGE, kind="string_nul") for loc in locations[:MOST_NAMED]]
        )


def _in_headers(request: Request) -> Iterator[tuple[str | int, ...]]:
    # Some are stored (Idempotency-Key), and a server reached without uvicorn's parser may pass
    # a NUL on: refused here like any other field, named as the header it came in.
    for name, value in request.scope.get("headers", ()):
        if b"\x00" in value:
            yield ("header", _printable(name.decode("latin-1")))


def _in_path(request: Request) -> Iterator[tuple[str | int, ...]]:
    for name, value in request.path_params.items():
        if isinstance(value, str) and NUL in value:
            yield ("path", name)


def _in_query(request: Request) -> Iterator[tuple[str | int, ...]]:
    raw = request.scope.get("query_string", b"")
    if not any(marker in raw for marker in _ENCODED):
        return
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            yield ("query", _printable(name))


async def _in_body(request: Request) -> list[tuple[str | int, ...]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        body = await request.body()
        if not any(marker in body for marker in _JSON_ESCAPED):
            return []
        try:
            document = await request.json()
        except (ValueError, RecursionError):
            return []  # malformed: the route's own parsing refuses it
        return list(_in_document(document))
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Parsed once: FastAPI and the pages get this same one.
        form = await request.form(max_fields=FORM_MAX_FIELDS)
        return [
            ("body", _printable(name))
            for name, value in form.multi_items()
            if NUL in name or (not isinstance(value, UploadFile) and NUL in value)
        ]
    return []


def _in_document(document: Any) -> Iterator[tuple[str | int, ...]]:
    """Where a NUL sits in parsed JSON; iterative, so any depth json.loads accepted is fine."""
    pending: list[tuple[tuple[str | int, ...], Any]] = [(("body",), document)]
    while pending:
        loc, value = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                yield loc
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if NUL in key:
                    yield (*loc, _printable(key))
                pending.append(((*loc, key), item))
        elif isinstance(value, list):
            pending.extend(reversed([((*loc, index), item) for index, item in enumerate(value)]))


def _printable(name: str) -> str:
    # A field's name is shown back; the NUL in a misspelt one is written out, not sent.
    return name.replace(NUL, "\\0")
