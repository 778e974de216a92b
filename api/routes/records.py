"""Reading, deactivating and deleting stored records (shared by the jobseeker and vacancy routers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from api.routes.common import IngestOut
from ingestion.models import JobseekerRecord, RecordKind, VacancyRecord
from ingestion.service import IngestionService
from matching.errors import UnknownProfile


def read_row(engine: Engine, kind: str, record_id: str) -> dict[str, Any]:
    """One stored jobseeker or vacancy row.

    Raises:
        UnknownProfile: none with this id.
    """
    model = JobseekerRecord if kind == "jobseeker" else VacancyRecord
    table = model.__table__  # type: ignore[union-attr]
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == record_id)).first()
    if row is None:
        raise UnknownProfile(f"no {kind} with id {record_id!r}")
    return dict(row._mapping)


def read_rows(engine: Engine, kind: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Stored rows of several records, by id (missing ids are left out)."""
    if not ids:
        return {}
    model = JobseekerRecord if kind == "jobseeker" else VacancyRecord
    table = model.__table__  # type: ignore[union-attr]
    with engine.connect() as conn:
        rows = conn.execute(select(table).where(table.c.id.in_(ids))).all()
    return {row._mapping["id"]: dict(row._mapping) for row in rows}


def replace_field(
    service: IngestionService, engine: Engine, kind: RecordKind, record_id: str, **fields: Any
) -> IngestOut:
    """Store a record again with some top-level fields changed (deactivation), through ingestion.

    Raises:
        UnknownProfile: none with this id.
        InvalidRecord: the changed record is not valid.
    """
    data = read_row(engine, kind.value, record_id)["data"] | fields
    result = service.ingest_one(kind, data)
    return IngestOut(status=result.status, id=result.record_id, warnings=result.warnings)


def delete_record(service: IngestionService, kind: RecordKind, record_id: str) -> None:
    """Delete a record and its profile.

    Raises:
        UnknownProfile: none with this id.
    """
    if not service.delete_one(kind, record_id):
        raise UnknownProfile(f"no {kind.value} with id {record_id!r}")


__all__ = ["delete_record", "read_row", "read_rows", "replace_field"]
