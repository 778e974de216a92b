"""The database out of reach: 503 problem details with a clear message, never a 500 or the driver's text.

Connections are checked before use (``pool_pre_ping``) and a broken one is dropped, so the service recovers by
itself once the database is back: the next request opens a fresh connection.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.errors import problem_response

log = logging.getLogger("skillmatch.api")

DATABASE_UNAVAILABLE = (
    "the database cannot be reached or is busy; nothing was changed by this request, retry in a few seconds"
)
RETRY_AFTER_SECONDS = 5

_OUT_OF_REACH = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def install_database_handlers(app: FastAPI) -> None:
    """Answer 503 ``database-unavailable`` (with ``Retry-After``) when the database cannot be used."""

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The driver's message may name hosts and users: the log gets its type only, the client a plain reason.
        log.warning("database unavailable on %s %s (%s)", request.method, request.url.path, type(exc).__name__)
        return problem_response(
            503,
            "database-unavailable",
            DATABASE_UNAVAILABLE,
            instance=request.url.path,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for kind in _OUT_OF_REACH:
        app.add_exception_handler(kind, _unavailable)


__all__ = ["DATABASE_UNAVAILABLE", "install_database_handlers"]
