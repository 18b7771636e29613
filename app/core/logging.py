"""Structured (JSON lines) logging, and an access log that never records bodies or query strings.

Query strings and bodies can carry survivor details (a filter on a name, a summary), so the access
log keeps the method, the route template, the status and the duration, nothing more.
"""

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class AccessLog:
    """ASGI middleware: one line per HTTP request with its method, route, status and duration.

    Plain ASGI rather than `@app.middleware("http")`, whose wrapper runs the rest of the request
    in a task of its own and streams the response through a queue: a cost on every request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the response starts: an exception here becomes a 500 outside

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = scope.get("route")  # set on this same scope by the router that matched
            access_logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": getattr(route, "path", "unmatched"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
