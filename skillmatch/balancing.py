"""Connections spread evenly over the workers of ``skillmatch serve --workers N``.

The workers share one listening socket, and a kept-alive connection is served by the worker that accepted it
for as long as it lives. The kernel wakes every waiting worker for a new connection and the first one to call
``accept`` takes it, so the split follows whoever happens to be quickest: measured on an idle two-worker
service, 64 connections opened one after the other split 45/19, 25/39, 37/27 (2026-12-07); under load, one
worker served 60-70% of the searches while the other's core was partly idle.

Here each worker publishes how many connections it holds on a small board (a file that all workers map, made
by ``serve``; a worker claims a slot with a lock that the kernel releases when it dies, also on ``kill -9``, so
a restarted worker takes the slot back). A worker that holds more connections than another live worker lets
that one accept first: it stops watching the socket for ``DEFER_SECONDS`` and looks again, at most
``MAX_DEFER_SECONDS`` for one waiting connection, after which it accepts anyway (a busy or stuck worker does not
hold a connection back for longer). Only opening a connection may wait; requests on open connections never do.

When there are no more workers than cores, each worker also runs on a core of its own (its slot's): two
unpinned workers on 2 cores moved between the cores and took each other's, and a thread holding a worker's
interpreter lock was set aside while the worker's other threads waited for it. Pinned, the same searches took 9%
less CPU and their p99 went from 40-60 ms to 30-36 ms (2026-12-07, 115 searches/s, ad hoc, alternated runs).
"""

from __future__ import annotations

import asyncio
import fcntl
import mmap
import os
import time
from pathlib import Path
from typing import Any

BOARD_ENV = "SKILLMATCH_ACCEPT_BOARD"
"""The environment variable naming the board's file (set by ``serve`` before its workers start)."""
CORES_ENV = "SKILLMATCH_WORKER_CORES"
"""The environment variable listing the cores the workers run on, one each by slot (set by ``serve`` when there
are no more workers than cores: ``skillmatch.serving.worker_cores``)."""
SLOTS = 256
"""Workers a board has room for."""
DEFER_SECONDS = 0.002
MAX_DEFER_SECONDS = 0.05
PUBLISH_SECONDS = 0.1
"""How often a worker publishes its count (also after each connection it accepts)."""
_EMPTY = -1


def create_board(path: Path) -> Path:
    """Make an empty board at ``path`` (every slot free)."""
    path.write_bytes(_EMPTY.to_bytes(4, "little", signed=True) * SLOTS)
    return path


class AcceptBoard:
    """A worker's view of the board: its own slot, and the other live workers' connection counts.

    Kept open for the worker's life: the slot's lock is a POSIX record lock, which the kernel drops when the
    process closes any descriptor of the file (the map's own one too).
    """

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR)
        self._map = mmap.mmap(self._fd, SLOTS * 4)
        self._counts = memoryview(self._map).cast("i")
        self.slot = self._claim()
        self.publish(0)

    def _claim(self) -> int:
        for slot in range(SLOTS):
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot)
            except OSError:
                continue
            return slot
        raise RuntimeError(f"every slot of the accept board is taken ({SLOTS} workers)")

    def _alive(self, slot: int) -> bool:
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 1, slot)
        except OSError:
            return True  # its worker holds the lock
        fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, slot)
        return False

    def publish(self, held: int) -> None:
        """Say how many connections this worker holds."""
        self._counts[self.slot] = held

    def fewest_elsewhere(self) -> int | None:
        """The fewest connections another live worker holds (None: no other worker)."""
        fewest = None
        for slot, count in enumerate(self._counts):
            if slot == self.slot or count == _EMPTY or (fewest is not None and count >= fewest):
                continue
            if self._alive(slot):
                fewest = count
        return fewest

    def close(self) -> None:
        """Free the slot."""
        self.publish(_EMPTY)
        self._counts.release()
        self._map.close()
        os.close(self._fd)  # (closing the file releases the slot's lock)


class BalancedLoop(asyncio.SelectorEventLoop):
    """asyncio's event loop, accepting one connection at a time and only when no other worker holds fewer
    (uvicorn's ``loop`` setting names it; without a board it accepts as asyncio does)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        path = os.environ.get(BOARD_ENV)
        self.board = AcceptBoard(Path(path)) if path else None
        cores = os.environ.get(CORES_ENV)
        if self.board is not None and cores:
            # The threads this one starts from now on (the service's own) run on that core too.
            listed = [int(core) for core in cores.split(",")]
            os.sched_setaffinity(0, {listed[self.board.slot % len(listed)]})
        self._waiting_since: float | None = None
        self._deferred_at = 0.0
        self._servers: set[Any] = set()
        if self.board is not None:
            self.call_soon(self._publish_now_and_then)

    def _held(self) -> int:
        return sum(getattr(server, "_active_count", 0) for server in self._servers)

    def _publish_now_and_then(self) -> None:
        if self.board is not None and not self.is_closed():
            self.board.publish(self._held())
            self.call_later(PUBLISH_SECONDS, self._publish_now_and_then)

    def _accept_connection(  # asyncio's own hook (private)
        self, protocol_factory: Any, sock: Any, sslcontext: Any = None, server: Any = None, backlog: int = 100,
        *args: Any,
    ) -> None:  # fmt: skip
        if self.board is None or server is None:
            super()._accept_connection(protocol_factory, sock, sslcontext, server, backlog, *args)  # type: ignore[misc]
            return
        self._servers.add(server)
        held, fewest = self._held(), self.board.fewest_elsewhere()
        now = time.monotonic()
        if self._waiting_since is not None and now - self._deferred_at > 5 * DEFER_SECONDS:
            self._waiting_since = None  # the connection it waited for went to another worker: this is a new one
        if fewest is not None and fewest < held:
            self._waiting_since = self._waiting_since or now
            self._deferred_at = now
            if now - self._waiting_since < MAX_DEFER_SECONDS:
                self._defer(protocol_factory, sock, sslcontext, server, backlog, *args)
                return
        self._waiting_since = None
        super()._accept_connection(protocol_factory, sock, sslcontext, server, 1, *args)  # type: ignore[misc]
        self.board.publish(held + 1)

    def _defer(self, *accept: Any) -> None:
        """Stop watching the socket for a moment (it stays readable while a connection waits), then look again."""
        sock, server = accept[1], accept[3]
        self._remove_reader(sock.fileno())  # type: ignore[attr-defined]

        def watch_again() -> None:
            if server.is_serving() and sock.fileno() != -1:
                self._add_reader(sock.fileno(), self._accept_connection, *accept)  # type: ignore[attr-defined]

        self.call_later(DEFER_SECONDS, watch_again)

    def close(self) -> None:
        if self.board is not None:
            self.board.close()
            self.board = None
        super().close()


__all__ = ["BOARD_ENV", "CORES_ENV", "AcceptBoard", "BalancedLoop", "create_board"]
