"""Reading the quarantine: rejected records with where they came from and why; and its retention.

Every reader (the API, the admin page, ``skillmatch quarantine export``) goes through ``export_quarantine``,
which masks contact details in the original line (``ingestion.minimise.mask_contact``) and in the reasons (the
value a contact field was refused for, ``mask_error``: rows stored before validation left it out); protected attributes
never reached it (``minimise_line`` at storage). ``purge_quarantine`` deletes rows past the retention period.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from ingestion.minimise import mask_contact, mask_error, mask_reason
from ingestion.models import QuarantineRecord

QUARANTINE_COLUMNS = (
    "id",
    "kind",
    "source",
    "line",
    "record_id",
    "field",
    "reason",
    "errors",
    "raw",
    "created_at",
    "resolved_at",
)
"""The columns of an exported quarantine row, in order."""


def export_quarantine(
    engine: Engine, *, kind: str | None = None, include_resolved: bool = False, limit: int | None = None
) -> list[dict[str, Any]]:
    """Quarantined records, oldest first.

    Args:
        engine: the database.
        kind: only ``jobseeker`` or ``vacancy`` records.
        include_resolved: also records that a later valid version of the same id replaced.
        limit: at most this many.

    Returns:
        One dict per record: kind, source, line, record id, field, reason, every error, the original text
        (minimised, contact details masked), when it was quarantined and, if so, resolved.
    """
    table = QuarantineRecord.__table__  # type: ignore[attr-defined]
    query = select(table).order_by(table.c.id)
    if kind is not None:
        query = query.where(table.c.kind == kind)
    if not include_resolved:
        query = query.where(table.c.resolved_at.is_(None))
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = [{key: row._mapping[key] for key in QUARANTINE_COLUMNS} for row in conn.execute(query)]
    for row in rows:
        if isinstance(row["raw"], str):
            row["raw"] = mask_contact(row["raw"])
        if isinstance(row["reason"], str):
            row["reason"] = mask_reason(str(row["field"] or ""), row["reason"])
        if isinstance(row["errors"], list):
            row["errors"] = [mask_error(e) if isinstance(e, dict) else e for e in row["errors"]]
    return rows


def purge_quarantine(engine: Engine, older_than: datetime) -> int:
    """Delete the quarantined records stored before a time (the retention period); how many were deleted."""
    table = QuarantineRecord.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        return int(conn.execute(delete(table).where(table.c.created_at < older_than)).rowcount or 0)


__all__ = ["QUARANTINE_COLUMNS", "export_quarantine", "purge_quarantine"]
