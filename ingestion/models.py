"""Stored records (jobseekers, vacancies) and the quarantine of rejected ones."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel


class RecordKind(StrEnum):
    """What a record (or a batch) holds."""

    jobseeker = "jobseeker"
    vacancy = "vacancy"


class JobseekerRecord(SQLModel, table=True):
    """An accepted jobseeker: the validated dossier (protected attributes already dropped) and its links."""

    __tablename__ = "jobseeker"

    id: str = Field(primary_key=True, max_length=64)
    content_hash: str = Field(max_length=64)
    preferred_language: str = Field(max_length=2)
    active: bool = True
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    links: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """Provenance: which text gave which ESCO concept, with its score."""
    source: str = Field(default="", max_length=500)
    created_at: datetime
    updated_at: datetime


class VacancyRecord(SQLModel, table=True):
    """An accepted vacancy: the validated record, its links and the discrimination screen's flags."""

    __tablename__ = "vacancy"

    id: str = Field(primary_key=True, max_length=64)
    content_hash: str = Field(max_length=64)
    language: str = Field(max_length=2)
    status: str = Field(max_length=16)
    employer_id: str | None = Field(default=None, max_length=64, index=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    links: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    flags: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="", max_length=500)
    created_at: datetime
    updated_at: datetime


class QuarantineRecord(SQLModel, table=True):
    """A rejected record: the original text, where it came from, and why (field path and reason)."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("kind", "raw_hash", name="uq_quarantine_kind_raw"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    source: str = Field(default="", max_length=500)
    line: int | None = None
    record_id: str | None = Field(default=None, max_length=200, index=True)
    field: str = Field(max_length=500)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    errors: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    raw: str = Field(sa_column=Column(Text, nullable=False))
    raw_hash: str = Field(max_length=64)
    created_at: datetime
    resolved_at: datetime | None = None
    """Set when a later, valid version of the same record id was accepted."""


INGESTION_TABLES = [
    JobseekerRecord.__table__,  # type: ignore[attr-defined]
    VacancyRecord.__table__,  # type: ignore[attr-defined]
    QuarantineRecord.__table__,  # type: ignore[attr-defined]
]


def create_tables(engine: Engine) -> None:
    """Create the ingestion tables that do not exist yet."""
    SQLModel.metadata.create_all(engine, tables=INGESTION_TABLES)


__all__ = ["INGESTION_TABLES", "JobseekerRecord", "QuarantineRecord", "RecordKind", "VacancyRecord", "create_tables"]
