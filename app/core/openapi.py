"""The OpenAPI description says what errors look like: problem details, for every 4xx.

FastAPI documents only its own 422, as `application/json` in a shape the API never sends. Every
operation is described here as answering any 4xx with an RFC 9457 problem (its media type
`application/problem+json`), and the 422 as that same problem with its field errors, so that a
client (or a fuzzer checking responses against the schema) knows what it will get.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from app.core.errors import PROBLEM_JSON

SCHEMA_REF = "#/components/schemas/{model}"


class FieldError(BaseModel):
    field: str = Field(description="The field as a person names it, e.g. `victims[0].age`.")
    loc: list[str | int] = Field(description='Its path, e.g. `["body", "victims", 0, "age"]`.')
    message: str
    type: str = Field(description="The kind of problem, e.g. `missing`, `string_nul`.")


class Problem(BaseModel):
    """RFC 9457 problem details. Submitted values are never echoed back."""

    type: str = "about:blank"
    title: str = Field(description="The status's phrase, e.g. `Unprocessable Content`.")
    status: int
    detail: str
    errors: list[FieldError] | None = Field(
        default=None, description="With 422 (and some 409): each field that is wrong."
    )


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": SCHEMA_REF.format(model="Problem")}
    return {"description": description, "content": {PROBLEM_JSON: {"schema": schema}}}


def problem_details_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """An `app.openapi` that documents the problem responses of every API operation."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _add_problems(generate())  # FastAPI keeps it in app.openapi_schema
        return app.openapi_schema  # type: ignore[return-value]

    return openapi


def _add_problems(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _, definitions = models_json_schema([(Problem, "serialization")], ref_template=SCHEMA_REF)
    components.update(definitions["$defs"])
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)  # FastAPI's 422 shape, never sent by this API
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            _document_problems(operation["responses"])


def _document_problems(responses: dict[str, Any]) -> None:
    for status, response in list(responses.items()):
        if status.startswith("4"):
            responses[status] = _problem(response.get("description") or "A problem.")
    responses["422"] = _problem("Invalid input: `errors` names each field.")
    responses.setdefault(
        "4XX", _problem("Refused: not signed in, not allowed, not found, stale, too large...")
    )
