"""How readers and the one writer share the engine's in-memory state (feature tables and FAISS indexes).

Two designs, chosen by setting and measured side by side by ``benchmarks.load``:

- ``rwlock``: one copy of the state behind a readers-writer lock. Readers share it; a writer waits until they
  leave and keeps new readers out while it changes the state in place. A waiting writer goes before new
  readers, so a steady stream of searches never starves it.
- ``snapshot``: the state is immutable once published. A writer copies the parts it changes, changes the copy
  and publishes it with one reference swap; readers keep using the version they started with and never wait.
  A failed write leaves the published version untouched.

Either way writers are serialised: there is one writer at a time.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from enum import StrEnum
from typing import Generic, TypeVar

K = TypeVar("K")
S = TypeVar("S")


class ConcurrencyMode(StrEnum):
    """How readers and writers of the engine's state are kept apart."""

    rwlock = "rwlock"
    snapshot = "snapshot"


class ReadWriteLock:
    """Many readers or one writer; a waiting writer blocks new readers (writer preference)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        """Hold the lock for reading (shared with other readers)."""
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        """Hold the lock for writing (alone)."""
        with self._cond:
            self._waiting_writers += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class StateGuard(ABC, Generic[K, S]):
    """Access to a mapping of per-key states (one per profile kind) for readers and the one writer."""

    mode: ConcurrencyMode

    @abstractmethod
    def reading(self) -> AbstractContextManager[Mapping[K, S]]:
        """A consistent view of the states for the duration of the block."""

    @abstractmethod
    def writing(self, keys: tuple[K, ...]) -> AbstractContextManager[dict[K, S]]:
        """The states, with those of ``keys`` open to change, as the one writer; published when the block ends
        without an exception."""

    @abstractmethod
    def replace(self, key: K, state: S) -> None:
        """Publish a new state for one key (e.g. one rebuilt from the store), as the one writer."""


class LockedState(StateGuard[K, S]):
    """The ``rwlock`` design: states changed in place under the write side of a readers-writer lock.

    A write that fails half-way may leave its keys' states inconsistent: the caller repairs them (the
    engine rebuilds them from the profile store) before anything else reads them, while still the writer.
    """

    mode = ConcurrencyMode.rwlock

    def __init__(self, states: dict[K, S]) -> None:
        self._states = states
        self._lock = ReadWriteLock()
        self._writer = threading.RLock()

    @contextmanager
    def reading(self) -> Iterator[Mapping[K, S]]:
        with self._lock.read():
            yield self._states

    @contextmanager
    def writing(self, keys: tuple[K, ...]) -> Iterator[dict[K, S]]:
        with self._writer, self._lock.write():
            yield self._states

    def replace(self, key: K, state: S) -> None:
        with self._writer, self._lock.write():
            self._states[key] = state


class SnapshotState(StateGuard[K, S]):
    """The ``snapshot`` design: published states are never changed; a writer changes copies and swaps them in.

    Args:
        states: the first states.
        copy: makes an independent copy of one state (what a writer changes).
    """

    mode = ConcurrencyMode.snapshot

    def __init__(self, states: dict[K, S], copy: Callable[[S], S]) -> None:
        self._current: dict[K, S] = dict(states)
        self._copy = copy
        self._writer = threading.RLock()

    @contextmanager
    def reading(self) -> Iterator[Mapping[K, S]]:
        # One reference read: the mapping a reader holds is never changed afterwards.
        yield self._current

    @contextmanager
    def writing(self, keys: tuple[K, ...]) -> Iterator[dict[K, S]]:
        with self._writer:
            draft = dict(self._current)
            for key in keys:
                draft[key] = self._copy(draft[key])
            yield draft
            self._current = draft

    def replace(self, key: K, state: S) -> None:
        with self._writer:
            self._current = {**self._current, key: state}


def make_guard(mode: ConcurrencyMode, states: dict[K, S], copy: Callable[[S], S]) -> StateGuard[K, S]:
    """The state guard of a concurrency design.

    Args:
        mode: ``rwlock`` or ``snapshot``.
        states: the first states, by key.
        copy: how the snapshot design copies one state.
    """
    if mode is ConcurrencyMode.snapshot:
        return SnapshotState(states, copy)
    return LockedState(states)


__all__ = ["ConcurrencyMode", "LockedState", "ReadWriteLock", "SnapshotState", "StateGuard", "make_guard"]
