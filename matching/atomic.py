"""Atomic writes of files and folders: a reader sees the old version or the new one, never half of one.

A folder is written into a temporary sibling and renamed over the old one; a file is written beside its
target and renamed over it. If writing fails (disk full, a crash), the previous version stays in place.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_dir(directory: Path) -> Iterator[Path]:
    """Write a folder atomically: fill the temporary folder this yields; on success it replaces ``directory``.

    Args:
        directory: the folder to (re)place as a whole.

    Yields:
        An empty temporary folder beside ``directory``, on the same file system.

    Raises:
        Whatever the body raises; the temporary folder is removed and ``directory`` is left as it was.
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        yield tmp
        _fsync_tree(tmp)
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def atomic_file(path: Path, write: Callable[[Path], object]) -> None:
    """Write a file atomically: ``write`` fills a temporary path that then replaces ``path``.

    Args:
        path: the file to (re)place.
        write: called with the temporary path to write to.

    Two processes that write the same file at once each write a temporary file of their own (its name holds the
    process and a random part): each rename puts a whole file in place, the last one stays.

    Raises:
        Whatever ``write`` raises; the temporary file is removed and ``path`` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on a file (created if missing) while the body runs, waiting for it if another
    process holds it: two processes that would build the same thing build it once, one after the other.

    A folder where the lock file cannot be created (read-only) holds no lock: nothing can be built there anyway.

    Args:
        path: the lock file.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = path.open("a")
    except OSError:
        yield
        return
    with fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _fsync_tree(directory: Path) -> None:
    """Flush the files of a folder to disk before it is renamed into place (a rename must not expose holes)."""
    for item in directory.rglob("*"):
        if item.is_file():
            with item.open("rb") as fh:
                os.fsync(fh.fileno())


__all__ = ["atomic_dir", "atomic_file", "exclusive"]
