"""The audit log (admins only): who searched, viewed or exported what, with the ids of the results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.audit import AuditAction
from api.deps import AuditDep
from api.query import IsoDatetime

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEventOut(BaseModel):
    """An audited action."""

    id: int
    at: datetime
    actor: str
    name: str
    role: str
    action: AuditAction
    target: str | None
    why: str
    params: dict[str, Any]
    result_ids: list[str]


@router.get("", response_model=list[AuditEventOut])
def search_audit(
    audit: AuditDep,
    actor: Annotated[str | None, Query(max_length=200, description="Only this subject, e.g. user:3.")] = None,
    action: AuditAction | None = None,
    target: Annotated[str | None, Query(max_length=64, description="Only actions about this record.")] = None,
    since: Annotated[IsoDatetime | None, Query(description="From this time on (ISO 8601).")] = None,
    until: Annotated[IsoDatetime | None, Query(description="Before this time (ISO 8601).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AuditEventOut]:
    """Audited actions, newest first, filtered by who, what, which record and when."""
    events = audit.search(
        actor=actor, action=action, target=target, since=since, until=until, limit=limit, offset=offset
    )
    return [AuditEventOut(**e.__dict__) for e in events]
