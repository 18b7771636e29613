"""A query parameter that takes one value, given twice, is refused naming it.

FastAPI reads the last of `?limit=10&limit=5000` and drops the first without a word, so a link
or a script that repeats a filter by mistake gets an answer to a question it did not ask, and a
check made by something reading the first value (a proxy, a cache key, a log) can be told one
thing while the query reads another. A parameter that takes a list (`?violation=a&violation=b`)
is repeated by design and is left alone.

The common case costs a glance at the query string: the route's parameters are looked at only
when a name occurs twice, and what each route takes is worked out once.
"""

import types
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.core.domain_errors import FieldProblem, InvalidFieldsError


async def refuse_repeated_parameters(request: Request) -> None:
    """An app-wide dependency: 422 naming each one-value query parameter given more than once."""
    if b"&" not in request.scope.get("query_string", b""):
        return
    counts = Counter(name for name, _ in request.query_params.multi_items())
    repeated = {name: times for name, times in counts.items() if times > 1}
    route = request.scope.get("route")
    if not repeated or not isinstance(route, APIRoute):
        return
    if problems := repeated_problems(repeated, _one_value_parameters(route)):
        raise InvalidFieldsError(problems)


def repeated_problems(repeated: Mapping[str, int], one_value: Set[str]) -> list[FieldProblem]:
    """A problem for each one-value parameter among those given more than once (name: times).
    Also for the pages that read their query string themselves (`unknown_parameters_page`)."""
    return [
        FieldProblem(
            ("query", name),
            "is given {times} times but takes one value",
            kind="repeated",
            values={"times": str(times)},
        )
        for name, times in repeated.items()
        if times > 1 and name in one_value
    ]


def _one_value_parameters(route: APIRoute) -> frozenset[str]:
    """The names of the route's query parameters that take a single value."""
    # Kept by endpoint (a route object cannot be hashed): the same function takes the same ones.
    known = _ONE_VALUE.get(route.endpoint)
    if known is None:
        known = _ONE_VALUE[route.endpoint] = _work_out_one_value_parameters(route)
    return known


_ONE_VALUE: dict[Callable[..., Any], frozenset[str]] = {}


def _work_out_one_value_parameters(route: APIRoute) -> frozenset[str]:
    return frozenset(
        name for name, annotation in _query_parameters(route) if not takes_many(annotation)
    )


def _query_parameters(route: APIRoute) -> Iterator[tuple[str, Any]]:
    for field in _query_fields(route.dependant):
        model = _model_in(field.field_info.annotation)
        if model is None:
            yield field.alias, field.field_info.annotation
            continue
        # A query model (`Annotated[IncidentListQuery, Query()]`): its fields are the parameters.
        for name, info in model.model_fields.items():
            yield info.alias or name, info.annotation


def _query_fields(dependant: Dependant) -> Iterator[Any]:
    """The query parameters of the route and of every dependency it has, however deep."""
    yield from dependant.query_params
    for dependency in dependant.dependencies:
        yield from _query_fields(dependency)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def takes_many(annotation: Any) -> bool:
    """Whether a parameter of this type is a list, set or tuple (optional or annotated)."""
    origin = get_origin(annotation)
    if origin is Annotated or origin is Union or origin is types.UnionType:
        return any(takes_many(argument) for argument in get_args(annotation))
    if isinstance(origin, type):
        return issubclass(origin, (Sequence, set, frozenset)) and not issubclass(origin, str)
    return isinstance(annotation, type) and issubclass(annotation, (list, tuple, set, frozenset))
