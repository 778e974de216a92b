"""Thread limits for small numeric work.

A single query multiplies small matrices: handing them to several BLAS threads costs more than it saves, and
much more when another process keeps the other core busy. Query paths run under ``single_thread()``; batch
encoding and index builds keep their threads.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def single_thread() -> AbstractContextManager[Any]:
    """A context in which BLAS and OpenMP use one thread."""
    limit: AbstractContextManager[Any] = _controller().limit(limits=1)
    return limit


__all__ = ["single_thread"]
