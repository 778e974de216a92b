"""Builds the FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.router import api_router
from esco_data import create_tables
from skillmatch.db import make_engine
from skillmatch.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database engine is made in the lifespan, not at import.

    Args:
        settings: settings to use (default: from the environment).

    Returns:
        The FastAPI application.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        create_tables(engine)
        app.state.settings = settings
        app.state.engine = engine
        yield
        engine.dispose()

    app = FastAPI(title="skillmatch", version="0.1.0", lifespan=lifespan)
    app.include_router(api_router)
    return app


__all__ = ["create_app"]
