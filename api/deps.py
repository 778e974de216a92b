"""Dependencies of the routes, as typed aliases; routes never build these themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.services import Services
from esco_data import TaxonomyNotLoaded
from ingestion.service import IngestionService
from matching.engine import MatchingEngine


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.db
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A database session for one request."""
    with Session(engine) as session:
        yield session


def get_services(request: Request) -> Services:
    """Taxonomy, linker, matching engine and ingestion (503 until ESCO is loaded)."""
    services: Services | None = request.app.state.services
    if services is None:
        raise TaxonomyNotLoaded()
    return services


def get_matcher(services: Annotated[Services, Depends(get_services)]) -> MatchingEngine:
    """The matching engine."""
    return services.engine


def get_ingestion(services: Annotated[Services, Depends(get_services)]) -> IngestionService:
    """The ingestion service (accepted profiles are stored and indexed as one unit)."""
    return services.ingestion


EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
ServicesDep = Annotated[Services, Depends(get_services)]
MatcherDep = Annotated[MatchingEngine, Depends(get_matcher)]
IngestionDep = Annotated[IngestionService, Depends(get_ingestion)]
