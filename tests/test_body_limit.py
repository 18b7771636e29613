"""Oversized request bodies are refused with 413 before they are read, over real HTTP to one
worker: a declared Content-Length over the route's limit, and a chunked body that streams past it.
The batch route takes larger bodies, but only from a caller with a live token."""

import json
import select
import socket
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import TEST_ENCRYPTION_KEY
from tests.factories import API, incident_payload
from tests.live_server import SharedServer

LIMIT = 64 * 1024
BATCH_LIMIT = 256 * 1024
HUNDRED_MB = 100 * 1024 * 1024


@pytest.fixture(scope="module")
def shared_server(database_url: str) -> Iterator[SharedServer]:
    settings = {"max_body_bytes": str(LIMIT), "max_batch_body_bytes": str(BATCH_LIMIT)}
    shared = SharedServer(database_url, TEST_ENCRYPTION_KEY, **settings)
    yield shared
    shared.stop()


@pytest.fixture
def server(client: TestClient, shared_server: SharedServer) -> Iterator[tuple[str, int]]:
    host, port = shared_server.url().removeprefix("http://").split(":")
    yield host, int(port)
    shared_server.check_after_test()  # before `client`'s wipe


def _exchange(server: tuple[str, int], head: str, body_parts: Iterator[bytes]) -> tuple[int, str]:
    """Send a request head and the body part by part, stopping as soon as the server answers
    (it does not read the rest); its status and body."""
    with socket.create_connection(server, timeout=10) as connection:
        connection.sendall(head.encode())
        for part in body_parts:
            if select.select([connection], [], [], 0)[0]:
                break  # answered already
            try:
                connection.sendall(part)
            except OSError:
                break
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass  # closed with our unread bytes in its buffer, after answering
    status_line, _, rest = received.decode("latin-1").partition("\r\n")
    return int(status_line.split()[1]), rest.partition("\r\n\r\n")[2]


def _head(path: str, headers: dict[str, str]) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines.append("Content-Type: application/json")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n"


def _padding(total: int, size: int = 16 * 1024) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b" " * size


def _chunked(total: int) -> Iterator[bytes]:
    for part in _padding(total):
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
    yield b"0\r\n\r\n"


@pytest.mark.parametrize("path", [f"{API}/incidents", f"{API}/incidents:batch", "/incidents/new"])
def test_an_anonymous_hundred_megabytes_is_refused_at_once_unread(
    server: tuple[str, int], path: str
) -> None:
    started = time.monotonic()
    # Only the head is sent: an answer proves the body was not waited for.
    status, body = _exchange(server, _head(path, {"Content-Length": str(HUNDRED_MB)}), iter([]))
    assert status == 413
    assert json.loads(body)["status"] == 413
    assert time.monotonic() - started < 5


def test_a_chunked_body_is_cut_off_at_the_limit(server: tuple[str, int]) -> None:
    head = _head(f"{API}/incidents", {"Transfer-Encoding": "chunked"})
    status, body = _exchange(server, head, _chunked(4 * LIMIT))
    assert status == 413
    assert "larger than this route accepts" in json.loads(body)["detail"]


def test_the_batch_limit_is_for_signed_in_callers_only(
    client: TestClient, server: tuple[str, int]
) -> None:
    batch = json.dumps({"incidents": [incident_payload()]}).encode()
    padded = batch + b" " * (2 * LIMIT)  # over the ordinary limit, under the batch's
    headers = {"Content-Length": str(len(padded))}
    anonymous, _ = _exchange(server, _head(f"{API}/incidents:batch", headers), iter([padded]))
    assert anonymous == 413
    signed_in = {**headers, "Authorization": client.headers["Authorization"]}
    status, body = _exchange(server, _head(f"{API}/incidents:batch", signed_in), iter([padded]))
    assert status == 201, body
    bogus = {**headers, "Authorization": "Bearer not-a-live-token"}
    refused, _ = _exchange(server, _head(f"{API}/incidents:batch", bogus), iter([padded]))
    assert refused == 413
    too_large = {**signed_in, "Content-Length": str(BATCH_LIMIT + 1)}
    status, _ = _exchange(server, _head(f"{API}/incidents:batch", too_large), iter([]))
    assert status == 413


def test_ordinary_requests_still_pass(client: TestClient, app: FastAPI) -> None:
    response = client.post(f"{API}/incidents", json=incident_payload())
    assert response.status_code == 201, response.text
