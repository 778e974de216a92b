"""Builds the FastAPI application from services opened by the wiring (``skillmatch.server``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api.database_errors import install_database_handlers
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.json_guard import DuplicateKeyGuard
from api.router import api_router
from api.services import Services
from esco_data import TaxonomyNotLoaded

log = logging.getLogger("skillmatch.api")


def _keep_in_step(services: Services, every: float, stop: threading.Event) -> None:
    """Take in, every few seconds, the profiles other processes wrote (a batch ingestion, a rematch)."""
    while not stop.wait(every):
        try:
            services.writer.catch_up()
        except Exception as exc:  # noqa: BLE001 - the readiness check reports a database that is behind or down
            log.warning("catching up with the database failed (%s)", type(exc).__name__)


def create_app(
    *,
    db: Engine,
    services: Services | None = None,
    open_services: Callable[[], Services] | None = None,
    sync_seconds: float = 0.0,
) -> FastAPI:
    """Build the app; heavy services are opened in the lifespan, not at import.

    Args:
        db: the database (``/health`` answers from it even before the services are open).
        services: already opened services (tests share one; they are neither saved nor closed here).
        open_services: opens the services at start-up (the service's own path); when it raises
            ``TaxonomyNotLoaded`` the matching routes answer 503 until ESCO is loaded and the service restarted.
        sync_seconds: how often to take in what other processes wrote (0: never).

    Returns:
        The FastAPI application.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = db
        app.state.services = services
        if services is None and open_services is not None:
            try:
                app.state.services = open_services()
            except TaxonomyNotLoaded:
                log.warning("ESCO is not loaded: run `skillmatch esco load`; matching routes answer 503")
        stop = threading.Event()
        opened: Services | None = app.state.services
        if opened is not None and sync_seconds > 0:
            threading.Thread(target=_keep_in_step, args=(opened, sync_seconds, stop), daemon=True).start()
        yield
        stop.set()
        if opened is not None and services is None:
            opened.save()
            opened.close()

    app = FastAPI(
        title="skillmatch",
        version="0.1.0",
        description="ESCO-based matching of jobseekers and vacancies (FR/NL). Uses the ESCO classification "
        "of the European Commission. Every error is RFC 9457 problem details (application/problem+json).",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    install_error_handlers(app)
    install_database_handlers(app)  # database out of reach: 503, recovered by itself
    app.add_middleware(DuplicateKeyGuard)  # hostile input: duplicate JSON keys refused before any route
    app.include_router(api_router)
    return app


__all__ = ["create_app"]
