"""The application served by `crsv-registry serve` in a process of its own, with ONE worker, on
the test run's database: what a deployment runs, reached over real HTTP.

A worker that hangs is killed (SIGKILL) when the test ends, so a hang fails the test instead of
stalling the run.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": encryption_key,
        "SESSION_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "LOG_LEVEL": "WARNING",
        **{name.upper(): value for name, value in settings.items()},
    }
    command = [CLI, "serve", "--no-migrate", "--port", str(port), "--workers", "1"]
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "server.log"
        with log.open("wb") as output:
            server = subprocess.Popen(command, env=env, stdout=output, stderr=output)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, server, log)
            yield url
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGKILL)  # a hung worker ignores SIGTERM
            server.wait(timeout=30)
