"""A size limit on request bodies, enforced before they are read.

Pure ASGI, so nothing is buffered on the way: a request whose Content-Length is over its route's
limit is answered 413 without reading a byte of the body, and a body sent without one (chunked)
is counted as it streams and cut off at the limit. A few routes accept larger bodies (a batch
import, a map's boundaries uploaded from a page); there, a body larger than the ordinary limit is
read only for a caller who sent a live token (as a bearer token, or as the web session's cookie,
which carries the same tokens), so an anonymous 100 MB post is refused at once.
"""

import json
from collections.abc import Awaitable, Callable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PROBLEM_JSON

TokenCheck = Callable[[str], Awaitable[bool]]

# Fields a posted form may hold (Starlette's default is 1,000): an incident's form sends some
# fourteen for each victim, and an incident holds up to 500 victims and 500 perpetrators. The
# body's size limit, not this, bounds what a form costs to parse.
FORM_MAX_FIELDS = 20_000


class BodyTooLarge:
    """ASGI middleware: at most `default_limit` bytes of body, or the route's own limit."""

    def __init__(
        self,
        app: ASGIApp,
        default_limit: int,
        route_limits: Mapping[tuple[str, str], int],
        token_is_live: TokenCheck,
        session_cookie: str | None = None,
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.route_limits = route_limits
        self.token_is_live = token_is_live
        # The web pages' session cookie holds the same kind of token: a signed-in page may
        # post a large upload too.
        self.session_cookie = session_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.route_limits.get((scope["method"], scope["path"]), self.default_limit)
        declared = _content_length(scope)
        maybe_large = declared is None or declared > self.default_limit
        if limit > self.default_limit and maybe_large and not await self._authenticated(scope):
            limit = self.default_limit  # the larger limit is for signed-in callers only
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        await _Counted(self.app, limit)(scope, receive, send)

    async def _authenticated(self, scope: Scope) -> bool:
        authorization = _header(scope, b"authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            token = self._cookie(scope) or ""
        return bool(token) and await self.token_is_live(token)

    def _cookie(self, scope: Scope) -> str | None:
        if self.session_cookie is None:
            return None
        for part in (_header(scope, b"cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.session_cookie:
                return value.strip('"')
        return None


class _Counted:
    """One request whose body is counted as it arrives; past `limit`, the client gets 413 and
    the application sees the client go away (and whatever it answers is dropped)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.received = 0
        self.response_started = False
        self.refused = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted_receive() -> Message:
            if self.refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.refused = True
                    if not self.response_started:
                        await _refuse(send, self.limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if self.refused:
                return  # the client was already answered 413
            if message["type"] == "http.response.start":
                self.response_started = True
            await send(message)

        await self.app(scope, counted_receive, guarded_send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    if value is None or not value.strip().isdigit():
        return None  # the server refuses a malformed length itself
    return int(value)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"The request body is larger than this route accepts ({limit} bytes).",
        }
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the rest of the body is not read
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
