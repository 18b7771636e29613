"""Serving the app with several worker processes that share the load evenly.

uvicorn's own `--workers` has every worker accept from one shared socket. asyncio accepts a whole
burst of waiting connections in one go, so whichever worker wakes first takes most of them and
keeps them for as long as the clients keep their connections alive. Measured with fifty clients
on two workers: 45 connections on one, 5 on the other, and a 99th-percentile latency twenty times
the median. Here each worker listens on its own socket in one SO_REUSEPORT group instead, and the
kernel spreads new connections across the group: the split is then even up to chance.

Where SO_REUSEPORT does not balance connections (it does on Linux), uvicorn's shared socket is
used.

This small supervisor, not uvicorn's own multiprocess manager, because that manager hands every
worker the one shared socket, which is what unbalanced the load; giving it a socket per worker
means replacing its internals. The supervisor replaces a worker that dies, and one that hangs:
each worker touches a heartbeat file from its event loop every second, and a worker silent for
WORKER_HANG_SECONDS is killed (its socket goes with it) and replaced. A worker that dies before it
ever served would die again: then the server stops with exit code 1, for whatever runs it
(Docker's restart policy, systemd) to report and restart.
"""

import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from app.core.logging import configure_logging
from app.core.memory import collect_less_often, freeze_startup_objects, limit_malloc_arenas

if TYPE_CHECKING:
    from fastapi import FastAPI

logger = logging.getLogger("crsv_registry")
APP = "app.core.server:worker_app"  # every way of serving below builds the app through it
MODULE = "app.core.server"  # run as `python -P -m` for the supervisor and each worker
# -P: the working directory is not put on the import path, so an `app` folder wherever the
# server happens to be started cannot stand in for this one.
HEARTBEAT_EVERY_TICKS = 10  # uvicorn's event loop ticks every 0.1 s: a heartbeat a second


def worker_app() -> "FastAPI":
    """The application as a serving worker process runs it: built by `create_app`, with the
    process tuned around it.

    Here, not in `create_app`: the tuning is the process's, once for its life, and a factory
    called once per test (or by a tool that only wants the app) must not freeze each app's
    objects, shrink the thread pool of whoever called it, or change how its malloc behaves.
    """
    from app.main import create_app  # here: the supervisor imports this module, not the app

    # Before the request threads exist: each would otherwise get a malloc arena of its own.
    limit_malloc_arenas()
    app = create_app()
    threads = app.state.settings.request_threads
    app_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: "FastAPI") -> AsyncIterator[Any]:
        from anyio import to_thread

        # Requests run in a thread pool (40 threads by default). On a small server more threads
        # than the database pool can serve only queue there, each holding a request's objects.
        # The pool is the event loop's, so it is sized from inside the running loop.
        to_thread.current_default_thread_limiter().total_tokens = threads
        async with app_lifespan(served) as state:
            # Once the app and what its start-up built exist: they live as long as the process.
            freeze_startup_objects()
            collect_less_often()
            yield state

    app.router.lifespan_context = lifespan
    return app


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


def serve(host: str, port: int, workers: int, log_level: str, hang_seconds: float = 30) -> None:
    """Serve until interrupted: in this process for one worker, else in `workers` children."""
    import uvicorn

    if workers == 1:
        uvicorn.run(APP, host=host, port=port, **uvicorn_options())
    elif not balanced_sockets_supported():
        uvicorn.run(APP, host=host, port=port, workers=workers, **uvicorn_options())
    else:
        _ensure_port_free(host, port)
        _start_supervisor(host, port, workers, log_level, hang_seconds)


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


def _worker(host: str, port: int, log_level: str, heartbeat: Path) -> None:
    import uvicorn  # here, not at the top: the supervisor never needs it

    supervisor = os.getppid()

    class HeartbeatServer(uvicorn.Server):
        async def on_tick(self, counter: int) -> bool:
            # From the event loop itself: a loop blocked by anything stops the heartbeat.
            if counter % HEARTBEAT_EVERY_TICKS == 0:
                heartbeat.touch()
                # A supervisor killed outright (SIGKILL, the OOM killer) cannot stop its
                # workers: left serving, they would keep the port from the server started next.
                if os.getppid() != supervisor and not self.should_exit:
                    logger.error("supervisor gone: stopping", extra={"supervisor": supervisor})
                    self.should_exit = True
            return await super().on_tick(counter)

    configure_logging(log_level)
    sock = listening_socket(host, port, reuse_port=True)
    config = uvicorn.Config(APP, **uvicorn_options())
    HeartbeatServer(config).run(sockets=[sock])


def _start_supervisor(
    host: str, port: int, workers: int, log_level: str, hang_seconds: float
) -> NoReturn:
    """Become a small supervisor process, in place of this one (same pid, same signals).

    The console script has imported the whole application to migrate and check the database;
    a fresh interpreter that imports only this module holds a tenth of that memory.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    arguments = ["supervise", host, str(port), str(workers), log_level, str(hang_seconds)]
    os.execv(sys.executable, [sys.executable, "-P", "-m", MODULE, *arguments])


def _start_worker(host: str, port: int, log_level: str, heartbeat: Path) -> subprocess.Popen[bytes]:
    heartbeat.unlink(missing_ok=True)  # no heartbeat yet: not serving yet
    command = [sys.executable, "-P", "-m", MODULE, "worker", host, str(port), log_level]
    return subprocess.Popen([*command, str(heartbeat)])


def _hung(heartbeat: Path, hang_seconds: float) -> bool:
    try:
        return time.time() - heartbeat.stat().st_mtime > hang_seconds
    except FileNotFoundError:  # still starting
        return False


def _supervise(host: str, port: int, workers: int, log_level: str, hang_seconds: float) -> None:
    configure_logging(log_level)
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        logger.info("stopping", extra={"signal": signal.Signals(signum).name})

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    with tempfile.TemporaryDirectory(prefix="crsv-registry-workers-") as directory:
        heartbeats = [Path(directory) / f"worker-{slot}" for slot in range(workers)]
        processes = [_start_worker(host, port, log_level, beat) for beat in heartbeats]
        logger.info("serving", extra={"workers": [process.pid for process in processes]})
        failed = None
        try:
            while not stopping and failed is None:
                for slot, (process, beat) in enumerate(zip(processes, heartbeats, strict=True)):
                    if process.poll() is None and _hung(beat, hang_seconds):
                        logger.error("worker hung: killed", extra={"worker": process.pid})
                        process.kill()
                        process.wait()
                    if process.poll() is None or stopping:
                        continue
                    if not beat.exists():  # died before it served: a new one would die too
                        failed = process
                        break
                    logger.error(
                        "worker exited: replaced",
                        extra={"worker": process.pid, "exitcode": process.returncode},
                    )
                    processes[slot] = _start_worker(host, port, log_level, beat)
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
        _supervise(host, int(port), int(rest[0]), rest[1], float(rest[2]))
    else:
        _worker(host, int(port), rest[0], Path(rest[1]))
