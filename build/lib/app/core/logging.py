"""Structured (JSON lines) logging, and an access log that never records bodies or query strings.

Query strings and bodies can carry survivor details (a filter on a name, a summary), so the access
log keeps the method, the route template, the status and the duration, nothing more.
"""

import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response

# Attributes every record has, and uvicorn's terminal-colour copy of its message.
_NOT_EXTRA = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _NOT_EXTRA})
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own access log prints full URLs with their query strings; ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True


access_logger = logging.getLogger("crsv_registry.access")


def install_access_log(app: FastAPI) -> None:
    @app.middleware("http")
    async def log_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        access_logger.info(
            "request",
            extra={
                "method": request.method,
                "route": getattr(route, "path", "unmatched"),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
