"""Reading stored records (shared by the jobseeker and vacancy routers)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from api.routes.common import RecordOut
from ingestion.models import JobseekerRecord, VacancyRecord
from matching.errors import UnknownProfile


def read_record(engine: Engine, kind: str, record_id: str) -> RecordOut:
    """One stored jobseeker or vacancy.

    Raises:
        UnknownProfile: none with this id.
    """
    model = JobseekerRecord if kind == "jobseeker" else VacancyRecord
    table = model.__table__  # type: ignore[union-attr]
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == record_id)).first()
    if row is None:
        raise UnknownProfile(f"no {kind} with id {record_id!r}")
    data = row._mapping
    return RecordOut(
        id=data["id"],
        data=data["data"],
        links=data["links"],
        flags=data["flags"] if kind == "vacancy" else None,
        updated_at=data["updated_at"].isoformat(),
    )
