"""Builds the FastAPI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.router import api_router
from esco_data import TaxonomyNotLoaded, create_tables
from ingestion.models import create_tables as create_ingestion_tables
from matching.runtime import MatchingRuntime
from skillmatch.db import make_engine
from skillmatch.settings import Settings, get_settings

log = logging.getLogger("skillmatch.api")


def create_app(settings: Settings | None = None, runtime: MatchingRuntime | None = None) -> FastAPI:
    """Build the app; the database, taxonomy and indexes are opened in the lifespan, not at import.

    Args:
        settings: settings to use (default: from the environment).
        runtime: an already opened runtime (tests share one); default: opened from the settings.

    Returns:
        The FastAPI application.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = runtime.db if runtime is not None else make_engine(settings.database_url)
        create_tables(engine)
        create_ingestion_tables(engine)
        app.state.settings = settings
        app.state.engine = engine
        app.state.ingestion = None
        app.state.runtime = runtime
        if runtime is None:
            try:
                app.state.runtime = MatchingRuntime.open(settings, db=engine)
            except TaxonomyNotLoaded:
                log.warning("ESCO is not loaded: run `skillmatch esco load`; matching routes answer 503")
        yield
        if app.state.runtime is not None and runtime is None:
            app.state.runtime.save()
            engine.dispose()

    app = FastAPI(
        title="skillmatch",
        version="0.1.0",
        description="ESCO-based matching of jobseekers and vacancies (FR/NL). Uses the ESCO classification "
        "of the European Commission.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(api_router)
    return app


__all__ = ["create_app"]
