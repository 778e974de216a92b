"""The quarantine (admins only): records rejected at ingestion, with the field and reason of each rejection.

Protected attributes and contact details are removed from the original line before it is shown.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.auth.roles import Role
from api.auth.rules import allow
from api.deps import EngineDep
from ingestion.quarantine import export_quarantine
from ingestion.schemas import PROTECTED_FIELDS

router = APIRouter(prefix="/quarantine", tags=["quarantine"], dependencies=[allow(Role.admin)])
HIDDEN = PROTECTED_FIELDS | {"contact", "name", "email", "phone", "first_name", "last_name"}


def redact(raw: str) -> str:
    """An original line without protected attributes or contact details (a line that is not JSON is withheld)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return "(not JSON: withheld)"
    if not isinstance(data, dict):
        return "(not a JSON object: withheld)"
    return json.dumps(
        {k: ("(removed)" if isinstance(k, str) and k.strip().lower() in HIDDEN else v) for k, v in data.items()},
        ensure_ascii=False,
    )


@router.get("")
def list_quarantine(
    engine: EngineDep,
    kind: Annotated[Literal["jobseeker", "vacancy"] | None, Query()] = None,
    include_resolved: bool = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[dict[str, Any]]:
    """Rejected records, oldest first, each with its original line (redacted), field path and reason."""
    lines = export_quarantine(engine, kind=kind, include_resolved=include_resolved, limit=limit)
    for line in lines:
        if isinstance(line.get("raw"), str):
            line["raw"] = redact(line["raw"])
    return lines
