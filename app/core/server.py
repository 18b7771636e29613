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
import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

from app.core.logging import configure_logging

logger = logging.getLogger("crsv_registry")
APP = "app.main:create_app"


def balanced_sockets_supported() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def serve(host: str, port: int, workers: int, log_level: str) -> None:
    """Serve until interrupted: in this process for one worker, else in `workers` children."""
    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port, log_config=None, access_log=False)
    elif not balanced_sockets_supported():
        uvicorn.run(
            APP,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            access_log=False,
        )
    else:
        _ensure_port_free(host, port)
        _supervise(host, port, workers, log_level)


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
    configure_logging(log_level)
    # The supervisor stops the workers with SIGTERM; Ctrl-C reaches the whole process group,
    # and the supervisor alone decides what happens then.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = listening_socket(host, port, reuse_port=True)
    config = uvicorn.Config(APP, factory=True, log_config=None, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def _supervise(host: str, port: int, workers: int, log_level: str) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(host, port, log_level), name=f"worker-{number}")
        for number in range(workers)
    ]
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        logger.info("stopping", extra={"signal": signal.Signals(signum).name})

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for process in processes:
            process.start()
        logger.info("serving", extra={"workers": [process.pid for process in processes]})
        exited = _wait_for_exit(processes, lambda: stopping)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if exited is not None:
        logger.error("worker exited", extra={"worker": exited.name, "exitcode": exited.exitcode})
        raise SystemExit(1)


def _wait_for_exit(
    processes: list[BaseProcess], stopping: Callable[[], bool]
) -> BaseProcess | None:
    """Block until asked to stop (None) or until a worker ends on its own (that worker)."""
    sentinels = {process.sentinel: process for process in processes}
    while True:
        ready = multiprocessing.connection.wait(list(sentinels), timeout=0.5)
        if stopping():  # a worker stopped by the same Ctrl-C is no failure
            return None
        if ready:
            return sentinels[ready[0]]  # type: ignore[index]
