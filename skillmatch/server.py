"""The web service's application, wired from the settings (the factory ``skillmatch serve`` runs)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api.auth.config import AuthConfig, JwtConfig
from api.config import ApiConfig
from api.main import create_app as build_app
from skillmatch.db import make_engine
from skillmatch.private_files import restrict_new_files, secure_data_dir
from skillmatch.runtime import Runtime
from skillmatch.schema import create_tables
from skillmatch.serving import freeze_when_warm, limit_malloc_arenas, thread_locked_progress_bars
from skillmatch.settings import Settings, get_settings, resolve_path


def api_config(settings: Settings) -> ApiConfig:
    """The web service's plain settings.

    Args:
        settings: the settings.
    """
    jwt = None
    if settings.jwt_jwks:
        source = settings.jwt_jwks
        if not source.startswith(("https://", "http://")):
            source = str(resolve_path(Path(source)))
        jwt = JwtConfig(
            jwks=source,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience or None,
            algorithms=tuple(settings.jwt_algorithms),
            role_claim=settings.jwt_role_claim,
            dossier_claim=settings.jwt_dossier_claim,
            role_map=dict(settings.jwt_role_map),
        )
    auth = AuthConfig(
        jwt=jwt,
        failures_per_minute=settings.auth_failures_per_minute,
        secure_cookie=settings.secure_cookie,
        requests_per_second=settings.rate_per_token,
        burst=settings.rate_burst,
    )
    return ApiConfig(
        auth=auth,
        max_body_bytes=settings.max_body_bytes,
        token_days=settings.token_days,
        ready_lag_seconds=settings.ready_lag_seconds,
        typeahead_store=settings.typeahead_dir,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application over the configured data directory (services open in its lifespan).

    Args:
        settings: settings to use (default: from the environment).
    """
    settings = settings or get_settings()
    limit_malloc_arenas()  # before the request threads start
    thread_locked_progress_bars()  # before the runtime's start-up shows its stages
    restrict_new_files()
    secure_data_dir(settings.data_dir)
    db = make_engine(settings.database_url)
    create_tables(db)
    return build_app(
        db=db,
        open_services=lambda: _open_runtime(settings, db),
        sync_seconds=settings.sync_seconds,
        config=api_config(settings),
    )


def _open_runtime(settings: Settings, db: Engine) -> Runtime:
    """Open the service's runtime; once warm, what it loaded is frozen out of the garbage collector's scans."""
    runtime = Runtime.open(settings, db=db)
    freeze_when_warm()
    return runtime


__all__ = ["api_config", "create_app"]
