"""Writing an import's incidents: through the same set-based writer as every new incident.

Each incident is checked by the same rules as `POST /incidents` (`check_incident`) and written by
`NewIncidentWriter`, a statement per table per chunk (COPY on PostgreSQL). The file is audited as
one event by the import (`incident.import`); each incident's first version says it was imported.

On PostgreSQL each chunk's COPYs are run by a writer thread (`copy_behind`) while the import reads
and checks the next chunk; `finish` waits for them before the references and the kept counts.
Used as a context manager, so that a failing import never leaves that thread writing.
"""

from dataclasses import dataclass
from types import TracebackType

from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.core.copy_behind import CopyBehind
from app.core.crypto import FieldCipher
from app.incidents.new_incidents import IncidentToWrite, NewIncident, NewIncidentWriter
from app.incidents.schemas import IncidentCreate

IMPORT_ACTION = "import"  # the version's action, in the incident's history


@dataclass(frozen=True)
class Checked:
    external_reference: str
    data: IncidentCreate
    new: NewIncident


class BulkWriter:
    """An import's writer: chunks of checked rows in, `finish` once at the end."""

    def __init__(self, session: Session, principal: Principal, cipher: FieldCipher) -> None:
        self.writer = NewIncidentWriter(
            session, principal, cipher, action=IMPORT_ACTION, audit_each=False
        )
        if session.get_bind().dialect.name == "postgresql":
            raw = session.connection().connection.dbapi_connection
            # Started last: nothing after it can fail before the caller's `with` holds it.
            self.writer.behind = CopyBehind(raw)  # type: ignore[arg-type]

    def __enter__(self) -> "BulkWriter":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.writer.behind is not None:
            self.writer.behind.abandon()  # a no-op once `finish` has waited for every part

    @property
    def created(self) -> int:
        return self.writer.created

    @property
    def identities(self) -> int:
        return self.writer.identities

    def write(self, chunk: list[Checked]) -> None:
        self.writer.write(
            [IncidentToWrite(item.data, item.new, item.external_reference) for item in chunk]
        )

    def finish(self) -> None:
        if self.writer.behind is not None:
            self.writer.behind.close()
        self.writer.finish()
