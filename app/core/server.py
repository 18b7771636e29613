"""Serving the app with several worker processes that share the load evenly.

uvicorn's own `--workers` has every worker accept from one shared socket. asyncio accepts a whole
burst of waiting connections in one go, so whichever worker wakes first takes most of them and
keeps them for as long as the clients keep their connections alive. Measured with fifty clients
on two workers: 45 connections on one, 5 on the other, and a 99th-percentile latency twenty times
the median. Here each worker listens on its own socket in one SO_REUSEPORT group instead, and the
kernel spreads new connections across the group: the split is then even up to chance.

Where SO_REUSEPORT does not balance connections (it does on Linux), uvicorn's shared socket is
used. A worker that dies stops the server (its exit code says so); restarting is the job of
whatever runs the service (Docker's restart policy, systemd), which also logs it.
"""

import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any, NoReturn

from app.core.logging import configure_logging

logger = logging.getLogger("crsv_registry")
APP = "app.main:create_app"
MODULE = "app.core.server"  # run as `python -P -m` for the supervisor and each worker
# -P: the working directory is not put on the import path, so an `app` folder wherever the
# server happens to be started cannot stand in for this one.


def balanced_sockets_supported() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def uvicorn_options() -> dict[str, Any]:
    """Options every worker runs with. Forwarded headers are believed only from the proxies
    named in FORWARDED_ALLOW_IPS: uvicorn would otherwise trust them from 127.0.0.1, and a
    client on the same host could then pick its own address for every login attempt."""
    from app.core.config import get_settings

    trusted = get_settings().forwarded_allow_ips.strip()
    return {
        "factory": True,
        "log_config": None,
        "access_log": False,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or "",
    }


def serve(host: str, port: int, workers: int, log_level: str) -> None:
    """Serve until interrupted: in this process for one worker, else in `workers` children."""
    import uvicorn

    if workers == 1:
        uvicorn.run(APP, host=host, port=port, **uvicorn_options())
    elif not balanced_sockets_supported():
        uvicorn.run(APP, host=host, port=port, workers=workers, **uvicorn_options())
    else:
        _ensure_port_free(host, port)
        _start_supervisor(host, port, workers, log_level)


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _ensure_port_free(host: str, port: int) -> None:
    """Refuse a port already served, even by another server of ours.

    Sockets of one SO_REUSEPORT group may all bind the same port, so a second server started by
    mistake would silently take half the connections. A socket without the option cannot join
    the group: if it binds, nobody is listening there.
    """
    try:
        listening_socket(host, port, reuse_port=False).close()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise SystemExit(f"crsv-registry: {host}:{port} is already in use") from None
        raise


def _worker(host: str, port: int, log_level: str) -> None:
    import uvicorn  # here, not at the top: the supervisor never needs it

    configure_logging(log_level)
    sock = listening_socket(host, port, reuse_port=True)
    config = uvicorn.Config(APP, **uvicorn_options())
    uvicorn.Server(config).run(sockets=[sock])


def _start_supervisor(host: str, port: int, workers: int, log_level: str) -> NoReturn:
    """Become a small supervisor process, in place of this one (same pid, same signals).

    The console script has imported the whole application to migrate and check the database;
    a fresh interpreter that imports only this module holds a tenth of that memory.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    arguments = ["supervise", host, str(port), str(workers), log_level]
    os.execv(sys.executable, [sys.executable, "-P", "-m", MODULE, *arguments])


def _supervise(host: str, port: int, workers: int, log_level: str) -> None:
    configure_logging(log_level)
    command = [sys.executable, "-P", "-m", MODULE, "worker", host, str(port), log_level]
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        logger.info("stopping", extra={"signal": signal.Signals(signum).name})

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    processes = [subprocess.Popen(command) for _ in range(workers)]
    logger.info("serving", extra={"workers": [process.pid for process in processes]})
    failed = None
    try:
        while not stopping and failed is None:
            failed = next((p for p in processes if p.poll() is not None), None)
            time.sleep(0.2)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            process.wait()
    if failed is not None and not stopping:  # a worker stopped by the same Ctrl-C is no failure
        logger.error("worker exited", extra={"worker": failed.pid, "exitcode": failed.returncode})
        raise SystemExit(1)


if __name__ == "__main__":
    role, host, port, *rest = sys.argv[1:]
    if role == "supervise":
        _supervise(host, int(port), int(rest[0]), rest[1])
    else:
        _worker(host, int(port), rest[0])
