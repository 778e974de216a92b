"""The web service's application, wired from the settings (the factory ``skillmatch serve`` runs)."""

from __future__ import annotations

from fastapi import FastAPI

from api.main import create_app as build_app
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from skillmatch.schema import create_tables
from skillmatch.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application over the configured data directory (services open in its lifespan).

    Args:
        settings: settings to use (default: from the environment).
    """
    settings = settings or get_settings()
    db = make_engine(settings.database_url)
    create_tables(db)
    return build_app(
        db=db,
        open_services=lambda: Runtime.open(settings, db=db),
        sync_seconds=settings.sync_seconds,
    )


__all__ = ["create_app"]
