"""A JSON response for plain data (dicts, lists, dates, UUIDs, enums) written without models."""

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class PlainJSONResponse(JSONResponse):
    """JSON as the API's models write it: UTC times end in "Z", enums are their values.

    For routes that read plain rows and declare their shape with `response_model` for the
    documentation; the caller is responsible for giving exactly the model's fields.
    """

    def render(self, content: Any) -> bytes:
        return plain_json(content)


def plain_json(content: Any) -> bytes:
    """Plain data as JSON, as `PlainJSONResponse` writes it."""
    return orjson.dumps(content, option=orjson.OPT_UTC_Z)
