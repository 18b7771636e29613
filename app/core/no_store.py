"""Every API answer is sent `Cache-Control: no-store`.

The API's answers hold survivors' records: an incident, a victim's identity, a referral, a
figure of a statistics table. A browser or a caching proxy between an office and the server must
not keep a copy on disk for the next user of the machine to find. The web pages already send
no-store (`app/web/rendering.py`); this covers the API, whatever route answers, errors included.
A route that says otherwise itself (none does today) keeps what it says.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import API_PREFIX

CACHE_CONTROL = b"cache-control"
NO_STORE = (CACHE_CONTROL, b"no-store")


class NoStore:
    """ASGI middleware adding `Cache-Control: no-store` to the API's responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.prefix = API_PREFIX + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == CACHE_CONTROL for name, _ in headers):
                    message = {**message, "headers": [*headers, NO_STORE]}
            await send(message)

        await self.app(scope, receive, send_no_store)
