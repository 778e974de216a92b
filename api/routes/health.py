"""Service health: liveness with the ESCO release, and readiness (every index in step with the database)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import EngineDep
from api.errors import PROBLEM_JSON, Problem, problem_response
from api.services import Services
from esco_data import current_release

router = APIRouter(prefix="/health", tags=["health"])


class EscoStatus(BaseModel):
    """The loaded ESCO release."""

    version: str
    checksum: str
    languages: list[str]
    counts: dict[str, Any]


class Health(BaseModel):
    """Liveness of the service."""

    status: str
    esco: EscoStatus | None


class IndexStatus(BaseModel):
    """One profile index against the database."""

    kind: str
    ok: bool
    index_generation: int
    database_generation: int
    indexed: int
    database_active: int
    reasons: list[str]


class Ready(BaseModel):
    """Every index answers for exactly what the database holds."""

    status: str
    indexes: list[IndexStatus]


@router.get("")
def health(engine: EngineDep) -> Health:
    """Liveness, with the ESCO version and concept counts."""
    release = current_release(engine)
    if release is None:
        return Health(status="no_taxonomy", esco=None)
    return Health(
        status="ok",
        esco=EscoStatus(
            version=release.version,
            checksum=release.checksum,
            languages=release.languages,
            counts=release.counts,
        ),
    )


@router.get(
    "/ready",
    response_model=Ready,
    responses={503: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Not ready, with reasons"}},
)
def ready(request: Request) -> Ready | JSONResponse:
    """Readiness: 200 when every index matches the database (generation and counts), else 503 with reasons."""
    services: Services | None = request.app.state.services
    if services is None:
        return problem_response(
            503, "not-ready", "ESCO is not loaded: run `skillmatch esco load`", instance="/health/ready"
        )
    checks = services.check()
    indexes = [
        IndexStatus(
            kind=c.kind.value,
            ok=c.ok,
            index_generation=c.index_generation,
            database_generation=c.store_generation,
            indexed=c.indexed,
            database_active=c.stored_active,
            reasons=c.reasons,
        )
        for c in checks
    ]
    reasons = [r for c in checks for r in c.reasons]
    if reasons:
        return problem_response(
            503,
            "not-ready",
            "degraded: " + "; ".join(reasons),
            instance="/health/ready",
            extra={"readiness": "degraded", "indexes": [i.model_dump() for i in indexes]},
        )
    return Ready(status="ready", indexes=indexes)
