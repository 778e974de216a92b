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
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


QUIET = ("faiss.loader",)
"""Libraries whose INFO lines read like failures to an operator: faiss tries its AVX2 build first and logs
``ModuleNotFoundError`` when the CPU build has none, then loads the plain one. Their warnings still show."""


__all__ = ["QUIET", "configure_logging"]
