"""`crsv-registry serve --workers N`: every worker gets its share of the connections."""

import gc
import http.client
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import pytest
from anyio import to_thread
from fastapi.testclient import TestClient

from app.core.config import Settings, get_settings
from app.core.crypto import generate_key
from app.core.memory import COLLECTION_THRESHOLDS
from app.core.server import APP, balanced_sockets_supported, worker_app
from app.main import create_app

balanced_sockets_only = pytest.mark.skipif(
    not balanced_sockets_supported(), reason="connections are balanced by SO_REUSEPORT on Linux"
)
CLI = str(Path(sys.executable).with_name("crsv-registry"))


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated once, by the command the servers run, for every test to copy."""
    database = tmp_path_factory.mktemp("migrated") / "registry.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "ENCRYPTION_KEYS": generate_key()}
    done = subprocess.run([CLI, "migrate"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return database


@pytest.fixture
def at_head(tmp_path: Path, migrated: Path) -> None:
    """The test's databases start migrated: its servers then only find them at head instead of
    each spending seconds migrating. The X-Forwarded-For tests by default start on an empty
    file, so that `serve` migrating a new database, with one worker and with two, stays tested.
    """
    for name in ("registry.sqlite3", "other.sqlite3"):
        shutil.copyfile(migrated, tmp_path / name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(database: Path, port: int, workers: int, **settings: str) -> subprocess.Popen[str]:
    env = {
        **{name: value for name, value in os.environ.items() if name != "FORWARDED_ALLOW_IPS"},
        "DATABASE_URL": f"sqlite:///{database}",
        "ENCRYPTION_KEYS": generate_key(),
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    command = [CLI, "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)


def _health(port: int) -> http.client.HTTPConnection:
    """A kept-alive connection that has been answered once."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/health")
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    return connection


def _wait_until_up(port: int, server: subprocess.Popen[str], workers: int) -> None:
    """Until every worker listens and the server answers: the first worker to answer is not all.

    Workers start one after the other; a test that began when the first answered found only
    one of two listening.
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        try:
            _health(port).close()
        except OSError:
            time.sleep(0.2)
            continue
        if workers == 1 or len(_connections_by_worker(server, port)) == workers:
            return
        time.sleep(0.2)
    raise AssertionError(f"{workers} workers were not all listening within 60 s")


@contextmanager
def serving(
    tmp_path: Path, workers: int, **settings: str
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = _free_port()
    server = _serve(tmp_path / "registry.sqlite3", port, workers, **settings)
    try:
        _wait_until_up(port, server, workers)
        yield server, port
    finally:
        if server.poll() is None:
            server.terminate()
        server.communicate(timeout=30)


def _connections_by_worker(server: subprocess.Popen[str], port: int) -> list[int]:
    counts = []
    for child in psutil.Process(server.pid).children():
        sockets = _tcp_sockets(child)
        if any(s.status == psutil.CONN_LISTEN and s.laddr.port == port for s in sockets):
            counts.append(
                sum(s.status == psutil.CONN_ESTABLISHED and s.laddr.port == port for s in sockets)
            )
    return counts


@pytest.mark.usefixtures("at_head")
@balanced_sockets_only
def test_two_workers_each_take_a_share_of_forty_connections(tmp_path: Path) -> None:
    with serving(tmp_path, workers=2) as (server, port):
        connections = [_health(port) for _ in range(40)]
        counts = _connections_by_worker(server, port)
        for connection in connections:
            connection.close()
    # Which worker takes a connection is up to the kernel's hash: fewer than 8 of 40 on one
    # side happens about once in 40,000 runs. Sharing one socket gave splits like 36/4.
    assert len(counts) == 2, counts
    assert min(counts) >= 8, counts


@pytest.mark.usefixtures("at_head")
@balanced_sockets_only
def test_a_second_server_on_the_same_port_is_refused(tmp_path: Path) -> None:
    with serving(tmp_path, workers=2) as (_server, port):
        second = _serve(tmp_path / "other.sqlite3", port, workers=2)
        _, errors = second.communicate(timeout=60)
        assert second.returncode != 0
        assert f"127.0.0.1:{port} is already in use" in errors
        _health(port).close()  # the first one still serves


@pytest.mark.usefixtures("at_head")
@balanced_sockets_only
def test_terminating_the_server_stops_every_worker(tmp_path: Path) -> None:
    with serving(tmp_path, workers=2) as (server, _port):
        workers = psutil.Process(server.pid).children()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    assert not any(worker.is_running() and worker.status() != "zombie" for worker in workers)


def _tcp_sockets(process: psutil.Process) -> list[Any]:
    """Its TCP sockets; none once it is a zombie or gone, as a worker just killed soon is."""
    try:
        if process.status() == psutil.STATUS_ZOMBIE:
            return []
        return list(process.net_connections(kind="tcp"))
    except psutil.NoSuchProcess:
        return []


def _listening_workers(server: subprocess.Popen[str], port: int) -> list[psutil.Process]:
    return [
        child
        for child in psutil.Process(server.pid).children()
        if any(s.status == psutil.CONN_LISTEN and s.laddr.port == port for s in _tcp_sockets(child))
    ]


def _replaced(server: subprocess.Popen[str], port: int, victim: psutil.Process) -> list[int]:
    """The pids of the listening workers once `victim` is gone and another took its place."""
    deadline = time.monotonic() + 120  # a new worker imports the whole app: slow on a busy box
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        pids = [worker.pid for worker in _listening_workers(server, port)]
        if len(pids) == 2 and victim.pid not in pids:
            return pids
        time.sleep(0.2)
    raise AssertionError("the worker was not replaced within 120 s")


@pytest.mark.usefixtures("at_head")
@balanced_sockets_only
@pytest.mark.usefixtures("at_head")
@balanced_sockets_only
def test_workers_stop_when_the_server_is_killed(tmp_path: Path) -> None:
    """Killed outright (SIGKILL, the OOM killer), the server cannot stop its workers: they notice
    and stop themselves. Left serving, they kept the port, so a new server was refused."""
    with serving(tmp_path, workers=2) as (server, _port):
        workers = psutil.Process(server.pid).children()
        server.kill()
        server.wait(timeout=30)
        _gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, alive


def test_a_worker_that_dies_is_replaced_and_the_server_answers(tmp_path: Path) -> None:
    with serving(tmp_path, workers=2) as (server, port):
        victim = _listening_workers(server, port)[0]
        victim.kill()
        _replaced(server, port, victim)
        connections = [_health(port) for _ in range(20)]  # both workers take connections again
        counts = _connections_by_worker(server, port)
        for connection in connections:
            connection.close()
        assert len(counts) == 2 and min(counts) >= 1, counts


@pytest.mark.usefixtures("at_head")
@balanced_sockets_only
def test_a_hung_worker_is_killed_and_replaced(tmp_path: Path) -> None:
    with serving(tmp_path, workers=2, WORKER_HANG_SECONDS="5") as (server, port):
        victim = _listening_workers(server, port)[0]
        victim.suspend()  # SIGSTOP: alive, holding its socket, answering nothing
        _replaced(server, port, victim)
        assert not victim.is_running() or victim.status() == psutil.STATUS_ZOMBIE
        _health(port).close()


def test_workers_default_to_one_on_sqlite_and_one_per_core_up_to_four_elsewhere() -> None:
    assert Settings(database_url="sqlite:///x.sqlite3").worker_count == 1
    expected = min(os.cpu_count() or 1, 4)
    assert Settings(database_url="postgresql://db/crsv").worker_count == expected
    assert Settings(database_url="postgresql://db/crsv", workers=3).worker_count == 3


def _failed_login_recorded_as(tmp_path: Path, workers: int, **settings: str) -> str:
    """The client address a failed login sent with a made-up X-Forwarded-For is counted under."""
    with serving(tmp_path, workers, **settings) as (_server, port):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "POST",
            "/api/v1/auth/token",
            body="username=nobody&password=guess",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": "203.0.113.9",
            },
        )
        assert connection.getresponse().status == 401
        connection.close()
    with sqlite3.connect(tmp_path / "registry.sqlite3") as database:
        (client,) = database.execute("SELECT client FROM login_failures").fetchone()
    return str(client)


@pytest.mark.parametrize("workers", [1, 2])
def test_x_forwarded_for_from_a_client_is_ignored_by_default(tmp_path: Path, workers: int) -> None:
    assert _failed_login_recorded_as(tmp_path, workers) == "127.0.0.1"


@pytest.mark.usefixtures("at_head")
def test_x_forwarded_for_is_believed_from_a_proxy_named_in_the_settings(tmp_path: Path) -> None:
    recorded = _failed_login_recorded_as(tmp_path, 1, FORWARDED_ALLOW_IPS="127.0.0.1")
    assert recorded == "203.0.113.9"


def test_serve_without_encryption_keys_on_postgresql_exits_at_once_and_touches_nothing(
    tmp_path: Path,
) -> None:
    # Nothing listens on port 9: a server that tried to migrate first would fail on the
    # connection, not with the settings' message.
    env = {key: value for key, value in os.environ.items() if key != "ENCRYPTION_KEYS"}
    env["DATABASE_URL"] = "postgresql://crsv@127.0.0.1:9/crsv_registry"
    started = time.monotonic()
    finished = subprocess.run(
        [CLI, "serve", "--port", str(_free_port())],
        env=env,
        cwd=tmp_path,  # no .env file from the project
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    assert "ENCRYPTION_KEYS is not set" in finished.stderr
    assert "serving" not in finished.stderr and "starting" not in finished.stderr
    assert time.monotonic() - started < 15


async def _thread_pool_size() -> int:
    return int(to_thread.current_default_thread_limiter().total_tokens)


def test_a_worker_tunes_its_process_and_the_factory_only_builds_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`crsv-registry serve` builds each worker's app with `worker_app` (the tests above start
    real workers through it); here, what it does to the process that `create_app` does not."""
    assert APP == "app.core.server:worker_app"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    monkeypatch.setenv("ENCRYPTION_KEYS", generate_key())
    monkeypatch.setenv("REQUEST_THREADS", "3")
    get_settings.cache_clear()
    frozen_before, thresholds_before = gc.get_freeze_count(), gc.get_threshold()
    try:
        plain = create_app(get_settings())
        with TestClient(plain) as client:
            assert client.portal.call(_thread_pool_size) == 40  # anyio's default, untouched
            assert gc.get_freeze_count() == frozen_before
            assert gc.get_threshold() == thresholds_before
        plain.state.engine.dispose()
        worker = worker_app()
        with TestClient(worker) as client:
            assert client.portal.call(_thread_pool_size) == 3
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == COLLECTION_THRESHOLDS
            assert client.get("/health").status_code == 200
        worker.state.engine.dispose()
    finally:
        get_settings.cache_clear()
        gc.set_threshold(*thresholds_before)  # the rest of the run collects as it did
        if frozen_before == 0:
            gc.unfreeze()
