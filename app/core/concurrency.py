"""At most so many requests at once per worker process; the others wait before they start.

A request holds a database connection from its first query to its end, across every thread-pool
hop of its dependencies and handler. Without a limit, fifty clients at once start fifty requests,
each takes a connection, most then wait for a thread, and the pool runs dry: requests fail after
the pool's timeout instead of queueing. Waiting here, before anything is opened, costs nothing.
"""

import asyncio
import weakref

from starlette.types import ASGIApp, Receive, Scope, Send


class ConcurrencyLimit:
    """ASGI middleware: at most `limit` HTTP requests in progress at once."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        # One semaphore per event loop (a server has one; tests may run several).
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.limit)
        async with semaphore:
            await self.app(scope, receive, send)
