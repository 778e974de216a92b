"""Profiles of a batch built in worker processes: linking holds the interpreter's lock, so threads of one process
use one core, and a batch ingestion would leave the others idle.

Each worker opens its own profile builder once (the taxonomy snapshot, the memory-mapped concept space and
linker indexes, the encoder with its shared on-disk cache) through a factory that can be pickled; the parent
process builds beside them with its own builder, and validates, stores and indexes as without workers. A
segment of records is cut into contiguous pieces whose profiles are put back in order, so the batch's outcome
is the one a single process gives (tested in ``tests/test_build_pool.py``, and on matching-dev's 1,200 records).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from ingestion.profile_builder import BuiltProfile, ProfileBuilder
from ingestion.schemas import JobseekerIn, VacancyIn

MIN_PER_WORKER = 16
"""Records per worker below which a segment is built in the parent (sending it costs more than it saves)."""

_BUILDER: ProfileBuilder | None = None
"""The worker process's own builder, opened by ``_open``."""


def _open(factory: Callable[[], ProfileBuilder]) -> None:
    global _BUILDER  # noqa: PLW0603 - one builder per worker process, opened once by the pool's initializer
    _BUILDER = factory()


def _build(records: Sequence[JobseekerIn | VacancyIn]) -> list[BuiltProfile]:
    if _BUILDER is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("the worker's profile builder is not open")
    return _BUILDER.build(records)


class BuildPool:
    """Builds profiles in this process and in worker processes, each with a builder of its own (the workers
    start on first use and keep their builder for every later segment)."""

    def __init__(self, factory: Callable[[], ProfileBuilder], processes: int) -> None:
        """Args:
        factory: opens a profile builder in a worker; must pickle (a module-level function or a
            ``functools.partial`` of one).
        processes: processes that build, this one included (at least 2, else no pool is worth starting).
        """
        if processes < 2:
            raise ValueError("a build pool needs at least 2 processes")
        self.factory = factory
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def build(self, builder: ProfileBuilder, records: Sequence[JobseekerIn | VacancyIn]) -> list[BuiltProfile]:
        """The profiles of ``records`` in order, built by ``builder`` here and by the workers at once.

        The records are cut into pieces of at least ``MIN_PER_WORKER``, a few per process; the workers take them
        from the front, this process from the back, so that a worker that is still opening its builder, or a
        piece of long texts, holds no one up. Too few records to share are built here alone.
        """
        parts = min(4 * self.processes, len(records) // MIN_PER_WORKER)
        if parts < 2:
            return builder.build(records)
        if self._pool is None:
            # spawn, not fork: the parent holds threads (the linker's warm-up, database pools) and BLAS state.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.processes - 1, mp_context=context, initializer=_open,
                                             initargs=(self.factory,))  # fmt: skip
        step = -(-len(records) // parts)
        pieces = deque((i, list(records[start : start + step])) for i, start in enumerate(range(0, len(records), step)))
        done: list[list[BuiltProfile] | None] = [None] * len(pieces)
        running: dict[Future[list[BuiltProfile]], int] = {}
        queued = 2 * (self.processes - 1)  # a piece waiting behind each worker's current one
        while pieces or running:
            while pieces and len(running) < queued:
                i, piece = pieces.popleft()
                running[self._pool.submit(_build, piece)] = i
            if pieces:
                i, piece = pieces.pop()
                done[i] = builder.build(piece)
                finished = [f for f in running if f.done()]
            else:
                finished = list(wait(running, return_when=FIRST_COMPLETED).done)
            for future in finished:
                done[running.pop(future)] = future.result()
        return [profile for part in done if part is not None for profile in part]

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


__all__ = ["MIN_PER_WORKER", "BuildPool"]
