"""Thread limits for small numeric work.

A single query multiplies small matrices: handing them to several BLAS threads costs more than it saves, and
much more when another process keeps the other core busy. Query paths run under ``single_thread()``; batch
encoding and index builds keep their threads.

The BLAS limit is process-wide, and many queries run at once in the web service: the limit is taken when the
first concurrent query enters and given back when the last one leaves, never restored under a query that is
still running.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

_lock = threading.Lock()
_inside = 0
_limit: Any = None


@lru_cache(maxsize=1)
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def single_thread() -> Iterator[None]:
    """A context in which BLAS and OpenMP use one thread (shared by every thread inside it at the time)."""
    global _inside, _limit
    with _lock:
        if _inside == 0:
            _limit = _controller().limit(limits=1)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _limit is not None:
                _limit.restore_original_limits()
                _limit = None


__all__ = ["single_thread"]
