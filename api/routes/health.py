"""Service health: liveness with the ESCO release, and readiness (every index in step with the database, and how
far this process is behind the change log)."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import EngineDep
from api.errors import PROBLEM_JSON, Problem, problem_response
from api.services import Services
from esco_data import current_release
from matching.ranking import IndexCheck

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
    behind_seconds: float | None
    reasons: list[str]


class AppliedSequence(BaseModel):
    """This process against the change log: the sequence it applied (the sum of every kind's generation), the
    database's, how many writes it is behind and since how long (None: not known)."""

    process: int
    applied: int
    database: int
    behind: int
    behind_seconds: float | None


class Ready(BaseModel):
    """Every index answers for exactly what the database holds (or is behind by moments only)."""

    status: str
    sequence: AppliedSequence
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
            behind_seconds=c.behind_seconds,
            reasons=c.reasons,
        )
        for c in checks
    ]
    lags = [c.behind_seconds for c in checks]
    sequence = AppliedSequence(
        process=os.getpid(),
        applied=sum(c.index_generation for c in checks),
        database=sum(c.store_generation for c in checks),
        behind=sum(max(0, c.store_generation - c.index_generation) for c in checks),
        behind_seconds=None if None in lags else max((lag or 0.0) for lag in lags),
    )
    tolerated = request.app.state.config.ready_lag_seconds
    reasons = [r for c in checks if not _only_moments_behind(c, tolerated) for r in c.reasons]
    if reasons:
        return problem_response(
            503,
            "not-ready",
            "degraded: " + "; ".join(reasons),
            instance="/health/ready",
            extra={
                "readiness": "degraded",
                "sequence": sequence.model_dump(),
                "indexes": [i.model_dump() for i in indexes],
            },
        )
    return Ready(status="ready", sequence=sequence, indexes=indexes)


def _only_moments_behind(check: IndexCheck, tolerated: float) -> bool:
    """Whether an index is behind only by writes committed at most ``tolerated`` seconds ago (and not damaged):
    the moment between another process's commit and this one's next poll."""
    return (
        tolerated > 0
        and not check.damaged
        and check.index_generation < check.store_generation
        and check.behind_seconds is not None
        and check.behind_seconds <= tolerated
    )
