"""The quarantine (admins only): records rejected at ingestion, with the field and reason of each rejection.

The original line never held protected attributes (minimised when stored) and its contact details are masked
(``ingestion.quarantine.export_quarantine``, the one reader of every export).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.deps import EngineDep
from ingestion.quarantine import export_quarantine

router = APIRouter(prefix="/quarantine", tags=["quarantine"])


@router.get("")
def list_quarantine(
    engine: EngineDep,
    kind: Annotated[Literal["jobseeker", "vacancy"] | None, Query()] = None,
    include_resolved: bool = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[dict[str, Any]]:
    """Rejected records, oldest first, each with its original line (contact details masked), field path and
    reason."""
    return export_quarantine(engine, kind=kind, include_resolved=include_resolved, limit=limit)
