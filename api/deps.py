"""Dependencies of the routes, as typed aliases; routes never build these themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from esco_data import TaxonomyNotLoaded
from ingestion.service import IngestionService
from matching.engine import MatchingEngine
from matching.runtime import MatchingRuntime
from skillmatch.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A database session for one request."""
    with Session(engine) as session:
        yield session


def get_runtime(request: Request) -> MatchingRuntime:
    """Taxonomy, linker and matching engine (503 until ESCO is loaded)."""
    runtime: MatchingRuntime | None = request.app.state.runtime
    if runtime is None:
        raise TaxonomyNotLoaded()
    return runtime


def get_matcher(runtime: Annotated[MatchingRuntime, Depends(get_runtime)]) -> MatchingEngine:
    """The matching engine."""
    return runtime.engine


def get_ingestion(request: Request, runtime: Annotated[MatchingRuntime, Depends(get_runtime)]) -> IngestionService:
    """The ingestion service (accepted profiles go straight into the indexes)."""
    service: IngestionService | None = getattr(request.app.state, "ingestion", None)
    if service is None:
        service = request.app.state.ingestion = IngestionService.for_runtime(runtime)
    return service


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
RuntimeDep = Annotated[MatchingRuntime, Depends(get_runtime)]
MatcherDep = Annotated[MatchingEngine, Depends(get_matcher)]
IngestionDep = Annotated[IngestionService, Depends(get_ingestion)]
