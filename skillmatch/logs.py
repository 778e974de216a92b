"""Logging of the web service: one line per record on standard error (the access log's lines are JSON)."""

from __future__ import annotations

import logging
import sys


def configure_logging(level: int = logging.INFO) -> None:
    """Send skillmatch's and uvicorn's logs to standard error, one line each.

    Args:
        level: the lowest level logged.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = True


__all__ = ["configure_logging"]
