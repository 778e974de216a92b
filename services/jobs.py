"""Long runs started from the pages (the exposure audit's "run now"): their progress kept in the database, so
that a reload, another server process or another administrator sees the same run.

A job is a row: kind, who started it, status (``running``, ``succeeded``, ``failed``), the stage it is at with
``done`` of ``total`` steps, its result or error, and a heartbeat (``updated_at``) written with each step. A
running job whose heartbeat is older than ``STALE_SECONDS`` was left by a process that stopped: it reads as
``interrupted``, and a new job of its kind may start. Only one job of a kind runs at a time: ``start`` checks
and inserts in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, Text, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

STALE_SECONDS = 600
"""A running job without a step for this long was left by a stopped process."""


class JobRow(SQLModel, table=True):
    """One long run."""

    __tablename__ = "background_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)
    status: str = Field(max_length=16, index=True)
    stage: str = Field(default="", max_length=32)
    done: int = 0
    total: int = 0
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    started_by: str = Field(max_length=200)
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


class JobRunning(Exception):
    """A job of this kind is already running."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"job {job.id} ({job.kind}) is running")
        self.job = job


@dataclass(frozen=True)
class Job:
    """A long run as read back (``status`` says ``interrupted`` for a running job without a heartbeat)."""

    id: int
    kind: str
    status: str
    stage: str
    done: int
    total: int
    result: dict[str, Any]
    error: str | None
    started_by: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @property
    def running(self) -> bool:
        """Whether the job is still going."""
        return self.status == "running"

    @property
    def share(self) -> float | None:
        """The share of the current stage done (None when its size is not known)."""
        return self.done / self.total if self.total else None


def _table() -> Any:
    return JobRow.__table__  # type: ignore[attr-defined]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _job(row: Any, now: datetime) -> Job:
    status = row.status
    if status == "running" and now - _aware(row.updated_at) > timedelta(seconds=STALE_SECONDS):
        status = "interrupted"
    return Job(
        id=row.id, kind=row.kind, status=status, stage=row.stage, done=row.done, total=row.total,
        result=row.result or {}, error=row.error, started_by=row.started_by, started_at=_aware(row.started_at),
        updated_at=_aware(row.updated_at), finished_at=_aware(row.finished_at) if row.finished_at else None,
    )  # fmt: skip


class JobStore:
    """The long runs in the database."""

    def __init__(self, db: Engine) -> None:
        """Args:
        db: the database (the table is created by the migrations).
        """
        self.db = db

    def start(self, kind: str, by: str) -> Job:
        """Record a new running job of a kind.

        Raises:
            JobRunning: one of this kind is running (with a heartbeat).
        """
        table, now = _table(), datetime.now(UTC)
        with self.db.begin() as conn:
            for row in conn.execute(select(table).where(table.c.kind == kind, table.c.status == "running")):
                job = _job(row, now)
                if job.running:
                    raise JobRunning(job)
                conn.execute(update(table).where(table.c.id == row.id).values(status="interrupted", finished_at=now))
            values = {"kind": kind, "status": "running", "started_by": by[:200], "started_at": now, "updated_at": now}
            key = conn.execute(table.insert().values(result={}, **values)).inserted_primary_key
            new = conn.execute(select(table).where(table.c.id == int(key[0] if key else 0))).one()
        return _job(new, now)

    def step(self, job_id: int, stage: str, done: int, total: int) -> None:
        """Record where a running job is (also its heartbeat)."""
        table = _table()
        with self.db.begin() as conn:
            conn.execute(
                update(table)
                .where(table.c.id == job_id, table.c.status == "running")
                .values(stage=stage[:32], done=done, total=total, updated_at=datetime.now(UTC))
            )

    def finish(self, job_id: int, result: dict[str, Any]) -> None:
        """A job succeeded, with what it made."""
        self._end(job_id, status="succeeded", result=result)

    def fail(self, job_id: int, error: str) -> None:
        """A job failed (the error names the kind of failure; no personal data)."""
        self._end(job_id, status="failed", error=error[:4000])

    def _end(self, job_id: int, **values: Any) -> None:
        table, now = _table(), datetime.now(UTC)
        with self.db.begin() as conn:
            conn.execute(update(table).where(table.c.id == job_id).values(updated_at=now, finished_at=now, **values))

    def get(self, job_id: int) -> Job | None:
        """One job."""
        table = _table()
        with self.db.connect() as conn:
            row = conn.execute(select(table).where(table.c.id == job_id)).first()
        return _job(row, datetime.now(UTC)) if row is not None else None

    def latest(self, kind: str | None = None, limit: int = 10) -> list[Job]:
        """The latest jobs (of a kind), newest first."""
        table = _table()
        query = select(table).order_by(table.c.id.desc()).limit(limit)
        if kind is not None:
            query = query.where(table.c.kind == kind)
        with self.db.connect() as conn:
            now = datetime.now(UTC)
            return [_job(r, now) for r in conn.execute(query)]


__all__ = ["STALE_SECONDS", "Job", "JobRow", "JobRunning", "JobStore"]
