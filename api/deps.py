"""Dependencies of the routes, as typed aliases; routes never build these themselves.

The getters are ``async def``: they only read the app's state, and FastAPI runs an async dependency on the
event loop, where a plain ``def`` one would cost a hop to a worker thread (many per request otherwise)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.audit import AuditLog
from api.auth.tokens import TokenStore
from api.config import ApiConfig
from api.observe import Metrics
from api.services import Services
from api.shortlist import Shortlists
from api.typeahead import Typeahead
from esco_data import TaxonomyNotLoaded
from ingestion.corrections import CorrectionService
from ingestion.service import IngestionService
from matching.ranking import MatchingEngine
from services.fairness import FairnessServices
from services.interest import InterestSignals
from services.jobs import JobStore


async def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.db
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A database session for one request."""
    with Session(engine) as session:
        yield session


async def get_services(request: Request) -> Services:
    """Taxonomy, linker, matching engine and ingestion (503 until ESCO is loaded)."""
    services: Services | None = request.app.state.services
    if services is None:
        raise TaxonomyNotLoaded()
    return services


async def get_matcher(services: Annotated[Services, Depends(get_services)]) -> MatchingEngine:
    """The matching engine."""
    return services.engine


async def get_ingestion(services: Annotated[Services, Depends(get_services)]) -> IngestionService:
    """The ingestion service (accepted profiles are stored and indexed as one unit)."""
    return services.ingestion


def get_fairness(services: Annotated[Services, Depends(get_services)]) -> FairnessServices:
    """Oversight, exposure audit, jobseekers' rights, skill gap and recruiting occupations."""
    return services.fairness


async def get_corrections(services: Annotated[Services, Depends(get_services)]) -> CorrectionService:
    """Corrections of records by people, and the links consultants teach the linker."""
    return services.corrections


EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
ServicesDep = Annotated[Services, Depends(get_services)]
MatcherDep = Annotated[MatchingEngine, Depends(get_matcher)]
IngestionDep = Annotated[IngestionService, Depends(get_ingestion)]
FairnessDep = Annotated[FairnessServices, Depends(get_fairness)]
CorrectionsDep = Annotated[CorrectionService, Depends(get_corrections)]


async def get_audit(request: Request) -> AuditLog:
    """The audit log."""
    audit: AuditLog = request.app.state.audit
    return audit


async def get_tokens(request: Request) -> TokenStore:
    """Users and tokens."""
    tokens: TokenStore = request.app.state.authenticator.tokens
    return tokens


async def get_shortlists(request: Request) -> Shortlists:
    """The vacancies' shortlists."""
    shortlists: Shortlists = request.app.state.shortlists
    return shortlists


async def get_metrics(request: Request) -> Metrics:
    """The service's metrics."""
    metrics: Metrics = request.app.state.metrics
    return metrics


async def get_config(request: Request) -> ApiConfig:
    """The web service's settings."""
    config: ApiConfig = request.app.state.config
    return config


async def get_jobs(request: Request) -> JobStore:
    """Long runs started from the pages, with their progress."""
    jobs: JobStore = request.app.state.jobs
    return jobs


async def get_interests(request: Request) -> InterestSignals:
    """Jobseekers' interest in vacancies."""
    interests: InterestSignals = request.app.state.interests
    return interests


AuditDep = Annotated[AuditLog, Depends(get_audit)]
TokensDep = Annotated[TokenStore, Depends(get_tokens)]
ShortlistsDep = Annotated[Shortlists, Depends(get_shortlists)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
ConfigDep = Annotated[ApiConfig, Depends(get_config)]
JobsDep = Annotated[JobStore, Depends(get_jobs)]
InterestsDep = Annotated[InterestSignals, Depends(get_interests)]


async def get_typeahead(request: Request, services: ServicesDep) -> Typeahead:
    """The ESCO label typeahead (built at the first search when start-up has not built it yet)."""
    typeahead: Typeahead | None = getattr(request.app.state, "typeahead", None)
    if typeahead is None or typeahead.taxonomy is not services.taxonomy:
        store = request.app.state.config.typeahead_store
        typeahead = request.app.state.typeahead = Typeahead(services.taxonomy, store=store)
    return typeahead


TypeaheadDep = Annotated[Typeahead, Depends(get_typeahead)]
