"""A PostgreSQL streaming replica of the test cluster, started for a test and removed after it.

`pg_basebackup -R` copies the primary into a temporary directory and writes the standby's
connection to it; `pg_ctl` starts it on a free port, as the `postgres` OS user (the server refuses
to run as root). Where that cannot run (no binaries, not root or postgres, no replication access
in the primary's pg_hba.conf) the reason is returned for the test to skip with: nothing is faked.
"""

import getpass
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import make_url

from tests.live_server import free_port

BINARIES = Path(os.environ.get("CRSV_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
CATCH_UP_SECONDS = 30
# Settings a hot standby must have at least as high as its primary's, read from the primary.
AT_LEAST_THE_PRIMARYS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class ReplicaUnavailableError(Exception):
    """Why no replica could be started here."""


def _as_postgres(command: list[str]) -> list[str]:
    if getpass.getuser() == "postgres":
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=120)


def _configure(directory: Path, port: int, primary: psycopg.Connection[tuple[str]]) -> None:
    minimums = [
        f"{name} = {primary.execute(f'SHOW {name}').fetchone()[0]}"  # type: ignore[index]
        for name in AT_LEAST_THE_PRIMARYS
    ]
    (directory / "postgresql.conf").write_text(
        "\n".join(
            [
                f"port = {port}",
                "listen_addresses = '127.0.0.1'",
                f"unix_socket_directories = '{directory}'",
                "hot_standby = on",
                "shared_buffers = 16MB",
                "fsync = off",
                *minimums,
                "",
            ]
        )
    )
    (directory / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
    (directory / "pg_ident.conf").write_text("")


@contextmanager
def streaming_replica(primary_admin_url: str) -> Iterator[int]:
    """The port of a hot standby of the primary at `primary_admin_url`, replaying as it goes."""
    if not (BINARIES / "pg_basebackup").exists():
        raise ReplicaUnavailableError(f"no PostgreSQL binaries in {BINARIES}")
    if getpass.getuser() not in ("root", "postgres"):
        raise ReplicaUnavailableError(
            "starting a PostgreSQL server needs root or the postgres user"
        )
    primary = make_url(primary_admin_url)
    directory = Path(tempfile.mkdtemp(prefix="crsv-replica-"))
    shutil.chown(directory, "postgres", "postgres")
    directory.chmod(0o700)
    port = free_port()
    started = False
    try:
        copied = _run(
            [
                str(BINARIES / "pg_basebackup"),
                *("-h", primary.host or "127.0.0.1", "-p", str(primary.port or 5432)),
                *("-U", primary.username or "postgres", "-D", str(directory)),
                *("-R", "-X", "stream", "-c", "fast", "--no-sync"),
            ]
        )
        if copied.returncode != 0:
            raise ReplicaUnavailableError(f"pg_basebackup failed: {copied.stderr.strip()}")
        with psycopg.connect(primary_admin_url) as connection:
            _configure(directory, port, connection)
        log = directory / "server.log"
        start = [str(BINARIES / "pg_ctl"), "-D", str(directory), "-l", str(log), "-w", "start"]
        running = _run(start)
        started = True
        if running.returncode != 0:
            raise ReplicaUnavailableError(f"the replica did not start: {log.read_text()[-2000:]}")
        yield port
    finally:
        if started:
            _run([str(BINARIES / "pg_ctl"), "-D", str(directory), "-m", "immediate", "stop"])
        shutil.rmtree(directory, ignore_errors=True)


def wait_until_replayed(primary_url: str, replica_url: str) -> float:
    """Seconds the replica took to replay everything the primary had committed when asked."""
    # The insert position, not the written one: the test databases commit with
    # `synchronous_commit = off`, so a commit record may still wait in the WAL buffers.
    with psycopg.connect(primary_url, autocommit=True) as primary:
        target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]  # type: ignore[index]
    started = time.monotonic()
    with psycopg.connect(replica_url, autocommit=True) as replica:
        while time.monotonic() - started < CATCH_UP_SECONDS:
            behind = replica.execute(
                "SELECT pg_last_wal_replay_lsn() < %s::pg_lsn", (target,)
            ).fetchone()[0]  # type: ignore[index]
            if not behind:
                return time.monotonic() - started
            time.sleep(0.05)
    raise AssertionError(f"the replica did not catch up within {CATCH_UP_SECONDS} s")
