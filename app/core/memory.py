"""Keeping a worker process's memory small, and its pauses short, on a small server."""

import ctypes
import ctypes.util
import gc
import logging

logger = logging.getLogger(__name__)
M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Ask glibc for at most `arenas` malloc arenas instead of eight per core.

    Each thread of the request pool otherwise gets an arena of its own, and memory freed in one
    stays reserved there: resident memory grows with the thread count, not the work. The same as
    MALLOC_ARENA_MAX=2 in the environment; a no-op where the C library is not glibc.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    if not mallopt(M_ARENA_MAX, arenas):
        logger.debug("mallopt(M_ARENA_MAX) refused")


def freeze_startup_objects() -> None:
    """Leave the objects built at start-up out of every later garbage collection.

    The application, its models and SQLAlchemy's mappers are some 160,000 objects that live as
    long as the process. A full collection walked them all: measured under the list benchmark,
    every two seconds or so a worker stopped for 90 to 170 ms (20 to 66 ms once frozen).
    Done once per process: frozen objects are never freed, so the test suite, which starts an
    application per test, must not freeze each one.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


# Python collects its youngest objects after every 700 allocations, and older ones after 10
# collections of the younger. A batch of 1,000 incidents allocates some 100,000 objects that
# live until it ends: each collection walked them again, 161 young, 15 middle-aged and one full
# collection a batch, 50 to 80 ms of its 500 (bench/RESULTS.md). Most objects are freed when
# their last reference goes, not by the collector, so collecting less often leaves only
# reference cycles waiting longer.
COLLECTION_THRESHOLDS = (25_000, 20, 20)


def collect_less_often() -> None:
    """Run the cycle collector after `COLLECTION_THRESHOLDS` allocations, not Python's
    (700, 10, 10). A serving process's choice, made once at its start, like the freeze above."""
    gc.set_threshold(*COLLECTION_THRESHOLDS)
