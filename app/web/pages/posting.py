"""Reading a posted form off the event loop's critical path: the body is awaited in an async
dependency that also checks the form token, so the handler itself can be a plain `def` whose
database and password-hashing work runs in the thread pool, never on the loop."""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Depends
from starlette.datastructures import FormData

from app.web.session import PageContext, posted_form


@dataclass(frozen=True)
class Submitted:
    """A form this site rendered for this session, with the page that received it."""

    page: PageContext
    form: FormData

    def field(self, name: str) -> str:
        """A text field as typed (untrimmed: a password, a survivor's details); "" when it is
        missing or a file."""
        value = self.form.get(name)
        return value if isinstance(value, str) else ""


def submitted_to(
    guard: Callable[..., PageContext],
) -> Callable[..., Coroutine[Any, Any, Submitted]]:
    """A dependency: the form posted to a page that `guard` (a `page_for` check) lets through."""

    async def read(page: PageContext = Depends(guard)) -> Submitted:
        return Submitted(page, await posted_form(page))

    return read
