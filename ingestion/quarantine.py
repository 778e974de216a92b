"""Reading the quarantine: rejected records with where they came from and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

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
        One dict per record: kind, source, line, record id, field, reason, every error, the original text,
        when it was quarantined and, if so, resolved.
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
        return [{key: row._mapping[key] for key in QUARANTINE_COLUMNS} for row in conn.execute(query)]


__all__ = ["QUARANTINE_COLUMNS", "export_quarantine"]
