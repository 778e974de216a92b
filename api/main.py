"""Builds the FastAPI application from services opened by the wiring (``skillmatch.server``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from prometheus_client.core import Metric
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from api.audit import AuditLog
from api.audit_trail import AuditTrail
from api.auth.guard import Authenticator
from api.auth.policy import check_routes
from api.auth.rules import authorize
from api.auth.tokens import TokenStore
from api.config import ApiConfig
from api.database_errors import install_database_handlers
from api.docs import install_docs
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.headers import SecurityHeaders
from api.json_guard import DuplicateKeyGuard
from api.limits import BodySizeLimit
from api.observe import Metrics, RequestObserver, gauge
from api.router import api_router
from api.services import Services
from api.shortlist import Shortlists
from api.typeahead import Typeahead
from api.ui import install_ui
from esco_data import TaxonomyNotLoaded
from ingestion.models import QuarantineRecord
from matching.profiles import ChangeListener
from services.interest import InterestSignals
from services.jobs import JobStore

log = logging.getLogger("skillmatch.api")


def _build_routes(app: FastAPI) -> None:
    """Build what FastAPI builds for each route on first use (its dependencies, parameters and body models: some
    0.2 s for this app), so that no first request of a page or an operation waits for it."""
    from fastapi.routing import iter_route_contexts

    for _ in iter_route_contexts(app.routes):
        pass


def _keep_in_step(services: Services, every: float, stop: threading.Event) -> None:
    """Apply the change log: the profiles other processes wrote (other serving processes on this host or others,
    a batch ingestion, a rematch), polled every ``every`` seconds and, on PostgreSQL, as soon as one commits."""
    listener = ChangeListener(services.db, stop)
    try:
        while not stop.is_set():
            listener.wait(every)
            if stop.is_set():
                return
            try:
                services.writer.poll()
            except Exception as exc:  # noqa: BLE001 - the readiness check reports a database behind or down
                log.warning("catching up with the database failed (%s)", type(exc).__name__)
                stop.wait(every)
    finally:
        listener.close()


def _state_metrics(app: FastAPI) -> Callable[[], Iterator[Metric]]:
    """Index sizes and quarantine counts, read at each scrape."""

    def collect() -> Iterator[Metric]:
        services: Services | None = app.state.services
        if services is not None:
            stats = services.engine.stats()
            for name, key, doc in (
                ("skillmatch_index_profiles", "indexed", "Profiles in the search index."),
                ("skillmatch_index_tombstones", "tombstones", "Removed profiles still taking room in the index."),
                ("skillmatch_index_generation", "generation", "Store generation the index reflects."),
            ):
                yield gauge(name, doc, ["kind"], [([kind], float(s[key] or 0)) for kind, s in stats.items()])
        table = QuarantineRecord.__table__  # type: ignore[attr-defined]
        query = select(table.c.kind, table.c.resolved_at.is_(None), func.count()).group_by(
            table.c.kind, table.c.resolved_at.is_(None)
        )
        with app.state.db.connect() as conn:
            rows = conn.execute(query).all()
        yield gauge(
            "skillmatch_quarantine_records",
            "Records rejected at ingestion (open: not yet replaced by a valid version).",
            ["kind", "state"],
            [([kind, "open" if unresolved else "resolved"], float(n)) for kind, unresolved, n in rows],
        )

    return collect


def create_app(
    *,
    db: Engine,
    services: Services | None = None,
    open_services: Callable[[], Services] | None = None,
    sync_seconds: float = 0.0,
    config: ApiConfig | None = None,
) -> FastAPI:
    """Build the app; heavy services are opened in the lifespan, not at import.

    Args:
        db: the database (``/health`` answers from it even before the services are open; the wiring has
            created every table).
        services: already opened services (tests share one; they are neither saved nor closed here).
        open_services: opens the services at start-up (the service's own path); when it raises
            ``TaxonomyNotLoaded`` the matching routes answer 503 until ESCO is loaded and the service restarted.
        sync_seconds: how often to take in what other processes wrote (0: never).
        config: sign-in, body size limit and token lifetime (default: the service's own tokens only).

    Returns:
        The FastAPI application.
    """
    config = config or ApiConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services
        if services is None and open_services is not None:
            try:
                app.state.services = open_services()
            except TaxonomyNotLoaded:
                log.warning("ESCO is not loaded: run `skillmatch esco load`; matching routes answer 503")
        if services is None:  # the service's own start (tests share their services and build on use)
            threading.Thread(target=_build_routes, args=(app,), name="routes-warm-up", daemon=True).start()
        stop = threading.Event()
        opened: Services | None = app.state.services
        if opened is not None:
            # Built (or read from its store) in the background so that start-up is not slower; the first
            # keystrokes wait for it.
            app.state.typeahead = Typeahead(opened.taxonomy, store=config.typeahead_store)
            threading.Thread(target=app.state.typeahead.build, daemon=True).start()
        if opened is not None and sync_seconds > 0:
            threading.Thread(
                target=_keep_in_step, args=(opened, sync_seconds, stop), name="change-log", daemon=True
            ).start()
        yield
        stop.set()
        if opened is not None and services is None:
            opened.save()
            opened.close()

    app = FastAPI(
        title="skillmatch",
        version="0.1.0",
        description="ESCO-based matching of jobseekers and vacancies (FR/NL). Uses the ESCO classification "
        "of the European Commission. Every error is RFC 9457 problem details (application/problem+json). "
        "Every operation but /health, /health/ready, /metrics, this document and signing in needs a bearer "
        "token; each operation says who may call it (consultant, jobseeker, admin) and whether the audit log "
        "records it.",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
        dependencies=[Depends(authorize)],  # every route's rule, from the one table of api.auth.policy
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by api.docs, offline and under the pages' security headers
    )
    app.state.db = db
    app.state.services = services
    app.state.config = config
    app.state.authenticator = Authenticator(TokenStore(db), config.auth)
    app.state.audit = AuditLog(db)
    app.state.shortlists = Shortlists(db)
    app.state.jobs = JobStore(db)
    app.state.interests = InterestSignals(db)
    app.state.metrics = Metrics()
    app.state.metrics.watch(_state_metrics(app))
    install_error_handlers(app)
    install_database_handlers(app)  # database out of reach: 503, recovered by itself
    app.add_middleware(DuplicateKeyGuard)  # hostile input: duplicate JSON keys refused before any route
    app.add_middleware(BodySizeLimit, limit=config.max_body_bytes)
    app.add_middleware(AuditTrail, log=app.state.audit)  # each successful audited request writes its row
    app.add_middleware(RequestObserver, metrics=app.state.metrics)
    app.add_middleware(SecurityHeaders)
    install_docs(app)
    app.include_router(api_router)
    install_ui(app)
    check_routes(app)
    return app


__all__ = ["create_app"]
