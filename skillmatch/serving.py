"""How many processes ``skillmatch serve`` starts on this host, and what they share before they start.

Each worker is a whole service (its own runtime: encoder, linker, engine and indexes) over the one database; the
change log keeps their indexes in step (``matching.profiles.store``). The concept space and the linker's
indexes are memory-mapped files, shared between workers by the operating system's page cache.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
from pathlib import Path

from skillmatch.db import make_engine
from skillmatch.schema import create_tables
from skillmatch.settings import Settings


def available_mb(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Memory available for new processes (MemAvailable), in MB; None where it cannot be read."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_cores(workers: int) -> list[int] | None:
    """The cores ``workers`` workers run on, one each (``skillmatch.balancing``), or None when this process may use
    fewer cores than that or cannot choose its cores (not on Linux)."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return None
    return allowed[:workers] if workers <= len(allowed) else None


def default_workers(worker_memory_mb: int, *, cpus: int | None = None, memory_mb: int | None = None) -> int:
    """One worker per core, no more than the available memory holds (at least one).

    Args:
        worker_memory_mb: memory one worker needs.
        cpus: cores (default: this process's).
        memory_mb: available memory (default: read from the system; unknown: no cap).

    Returns:
        The number of workers.
    """
    cpus = cpus if cpus is not None else cores()
    memory_mb = memory_mb if memory_mb is not None else available_mb()
    by_memory = cpus if memory_mb is None else memory_mb // max(1, worker_memory_mb)
    return max(1, min(cpus, by_memory))


def workers_to_start(settings: Settings, asked: int | None) -> int:
    """The workers to start: those asked for (option, then ``SKILLMATCH_WORKERS``), else the default."""
    if asked:
        return asked
    if settings.workers:
        return settings.workers
    return default_workers(settings.worker_memory_mb)


MALLOC_ARENAS = 2
"""glibc malloc arenas a serving process keeps: its request threads hold the interpreter's lock in turn, and
with one arena per thread (up to eight per core) each arena keeps memory of its own that the others cannot
reuse: about 40 MB of private memory per worker on the demo set (``benchmarks/README.md``)."""

_M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most arenas (malloc.h)."""


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap this process's malloc arenas (arenas made later count; those already made stay).

    An operator's ``MALLOC_ARENA_MAX``, which glibc reads at start, is left as set.

    Args:
        arenas: the most arenas.

    Returns:
        Whether the cap was set (False: another C library, or ``MALLOC_ARENA_MAX`` set).
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, arenas))


def thread_locked_progress_bars() -> None:
    """Let tqdm's progress bars (the runtime's start-up stages) guard the terminal with a thread lock.

    On first use tqdm makes a multiprocessing lock, a named semaphore that the resource tracker counts as leaked
    when uvicorn terminates the worker that made it: the "There appear to be 2 leaked semaphore objects" warning
    at the end of every ``serve --workers 2``. A serving process's bars are its own; a thread lock is enough.
    """
    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())


WORKER_PRELOAD = "skillmatch.worker_preload"
"""The module whose import loads what every worker holds unchanged (the language detector's models)."""


def fork_workers_from_preloaded_server(preload: str = WORKER_PRELOAD) -> bool:
    """Have uvicorn start its workers from a forkserver that imported ``preload`` first, so that they share it.

    uvicorn spawns each worker (a fresh interpreter that loads everything again); a forkserver is a process of its
    own that imports ``preload`` once and then forks each worker, also the ones uvicorn starts again after a
    crash. Memory that no worker writes after the fork stays shared (copy on write). The forkserver runs none of
    the service (no database, no request threads); lingua's models are loaded without its pool of threads.

    Args:
        preload: the module the forkserver imports (an import error there only loses the sharing).

    Returns:
        Whether uvicorn will use it (False where this uvicorn has no such hook or forkserver is not available).
    """
    import multiprocessing

    import uvicorn._subprocess as uvicorn_subprocess

    if not hasattr(uvicorn_subprocess, "spawn") or "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([preload])
    # ``get_subprocess`` reads this module attribute for each worker it starts.
    setattr(uvicorn_subprocess, "spawn", context)  # noqa: B010 (uvicorn's attribute, typed as a spawn context)
    return True


def freeze_start_up_objects() -> int:
    """Leave what start-up loaded out of the cyclic garbage collector's scans from now on (``gc.freeze``), after
    one last full collection (what start-up dropped in cycles would otherwise be kept for good: about 80 MB of a
    serving process on the demo set, ad hoc).

    A serving process holds about half a million objects loaded at start-up (the taxonomy, the linker's parts)
    for as long as it lives; each full collection scanned them all, 0.2-0.23 s spent inside whichever request
    happened to trigger it (measured in the largest dossier's requests). Frozen, a full collection scans only what
    was made since (about 0.02 s). In a forked worker, frozen objects also keep their pages shared, as no
    collection writes to them.

    Returns:
        The objects now frozen.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def freeze_when_warm() -> threading.Thread:
    """``freeze_start_up_objects`` in a background thread, once the linker's warm-up has built its parts (so
    that they are frozen too, and the collection stays off the path to ready)."""

    from matching.resources import wait_for_warm_ups  # here: the supervisor of ``serve`` imports this module

    def run() -> None:
        wait_for_warm_ups()
        freeze_start_up_objects()

    thread = threading.Thread(target=run, name="freeze-start-up", daemon=True)
    thread.start()
    return thread


def prepare_database(settings: Settings) -> None:
    """Migrate the database once, before the workers start (they would otherwise race to migrate a SQLite
    file; PostgreSQL's migration holds an advisory lock)."""
    db = make_engine(settings.database_url)
    try:
        create_tables(db)
    finally:
        db.dispose()


__all__ = [
    "MALLOC_ARENAS",
    "WORKER_PRELOAD",
    "available_mb",
    "cores",
    "default_workers",
    "fork_workers_from_preloaded_server",
    "freeze_start_up_objects",
    "freeze_when_warm",
    "limit_malloc_arenas",
    "prepare_database",
    "thread_locked_progress_bars",
    "worker_cores",
    "workers_to_start",
]
