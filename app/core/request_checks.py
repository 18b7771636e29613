"""The checks every request goes through before its route, as one app-wide dependency.

One rather than one per check: FastAPI solves each dependency of a route as a level of its own
(its parameters read, its cache key worked out) on every request; the second level was 2% of a
list page's instructions (callgrind, `bench.list_cpu`), more than the checks themselves. They
run in the order they were declared in before.
"""

from fastapi import Request

from app.core.nul_bytes import refuse_nul_bytes
from app.core.repeated_parameters import refuse_repeated_parameters


async def check_request(request: Request) -> None:
    """422 for a NUL character anywhere in the request, then for a repeated one-value query
    parameter."""
    await refuse_nul_bytes(request)
    await refuse_repeated_parameters(request)
