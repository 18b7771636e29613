"""The application served by `crsv-registry serve` in a process of its own, with ONE worker unless
asked for more, on the test run's database: what a deployment runs, reached over real HTTP.

A worker that hangs is killed (SIGKILL) when the test ends, so a hang fails the test instead of
stalling the run. `SharedServer` serves all of a module's tests with one worker, checked after each.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

CLI = str(Path(sys.executable).with_name("crsv-registry"))
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not answer within {STARTUP_SECONDS} s")


@contextmanager
def live_server(database_url: str, encryption_key: str, **settings: str) -> Iterator[str]:
    """The base URL of one worker serving `database_url`; `settings` are extra environment."""
    server = SharedServer(database_url, encryption_key, **settings)
    try:
        yield server.url()
    finally:
        server.stop()


class SharedServer:
    """One worker serving the tests of a module, started when first asked for, so that a module's
    tests do not each wait for a server to import the application.

    `check_after_test` (from a per-test fixture that runs before `client`'s wipe) kills a worker
    that no longer answers `/health` and fails that test: its locks go with it, as they would
    with a server per test, and the next test gets a new worker.
    """

    def __init__(
        self, database_url: str, encryption_key: str, *, workers: int = 1, **settings: str
    ) -> None:
        self._command = [CLI, "serve", "--no-migrate", "--workers", str(workers)]
        self._env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "ENCRYPTION_KEYS": encryption_key,
            "SESSION_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
            "LOG_LEVEL": "WARNING",
            **{name.upper(): value for name, value in settings.items()},
        }
        self._directory = tempfile.TemporaryDirectory()
        self._process: subprocess.Popen[bytes] | None = None
        self._url = ""

    def url(self) -> str:
        if self._process is None or self._process.poll() is not None:
            self._start()
        return self._url

    def _start(self) -> None:
        port = free_port()
        log = Path(self._directory.name) / "server.log"
        with log.open("wb") as output:
            # A group of its own, so that killing it kills every worker, hung ones included.
            self._process = subprocess.Popen(
                [*self._command, "--port", str(port)],
                env=self._env,
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
        self._url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(self._url, self._process, log)
        except BaseException:
            self._kill()
            raise

    def check_after_test(self) -> None:
        try:
            answered = httpx.get(f"{self._url}/health", timeout=10).status_code == 200
        except httpx.HTTPError:
            answered = False
        if not answered:
            self._kill()
            raise AssertionError("the server stopped answering during this test: killed")

    def _kill(self) -> None:
        if self._process is not None:
            # The whole group, even if the server itself is gone: a hung worker ignores SIGTERM.
            with suppress(ProcessLookupError):  # nothing of it left
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=30)
            self._process = None

    def stop(self) -> None:
        self._kill()
        self._directory.cleanup()
