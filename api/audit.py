"""The audit log: who searched, viewed or exported what, and which ids came back.

Every candidate search, dossier view, suggestion list and export is one row: who (subject and role), when,
what (the action, the record it was about, the search parameters) and the ids of the results. It holds ids
and parameters only, never dossier contents or free text. Rows older than the retention period are deleted
by ``skillmatch audit purge``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from api.auth.roles import Principal


class AuditAction(StrEnum):
    """What was done."""

    candidate_search = "candidate_search"
    dossier_view = "dossier_view"
    suggestion_list = "suggestion_list"
    anonymised_profile = "anonymised_profile"
    export = "export"
    record_correction = "record_correction"
    """A person corrected what the engine understood from a record (occupation, skill, language level)."""
    learned_link_undo = "learned_link_undo"
    """An administrator undid a link consultants had taught the linker."""


class AuditRow(SQLModel, table=True):
    """One audited action."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str = Field(max_length=200, index=True)
    role: str = Field(max_length=16)
    action: str = Field(max_length=32, index=True)
    target: str | None = Field(default=None, max_length=64, index=True)
    """The record the action was about (a vacancy or jobseeker id)."""
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Search parameters (filters, k, language): never free text."""
    result_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


AUDIT_TABLES = [AuditRow.__table__]  # type: ignore[attr-defined]
_TABLE = AuditRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AuditEvent:
    """An audited action as read back."""

    id: int
    at: datetime
    actor: str
    role: str
    action: str
    target: str | None
    params: dict[str, Any]
    result_ids: list[str]


class AuditLog:
    """Writes and reads the audit log."""

    def __init__(self, engine: Engine) -> None:
        """Args:
        engine: the database (the table is created by the wiring).
        """
        self.engine = engine

    def record(
        self,
        principal: Principal,
        action: AuditAction,
        target: str | None,
        result_ids: list[str],
        params: dict[str, Any] | None = None,
    ) -> None:
        """Record one action.

        Args:
            principal: who did it.
            action: what they did.
            target: the record it was about.
            result_ids: the ids it returned (ids only).
            params: search parameters (filters, k, language).
        """
        with self.engine.begin() as conn:
            conn.execute(
                _TABLE.insert().values(
                    at=datetime.now(UTC),
                    actor=principal.subject,
                    role=principal.role.value,
                    action=action.value,
                    target=target,
                    params=params or {},
                    result_ids=result_ids,
                )
            )

    def search(
        self,
        *,
        actor: str | None = None,
        action: AuditAction | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEvent]:
        """Audited actions, newest first, filtered.

        Args:
            actor: only this subject's actions.
            action: only this kind of action.
            target: only actions about this record.
            since: only actions at or after this time.
            until: only actions before this time.
            limit: at most this many.
            offset: skip this many.
        """
        query = select(_TABLE).order_by(_TABLE.c.id.desc()).limit(limit).offset(offset)
        if actor is not None:
            query = query.where(_TABLE.c.actor == actor)
        if action is not None:
            query = query.where(_TABLE.c.action == action.value)
        if target is not None:
            query = query.where(_TABLE.c.target == target)
        if since is not None:
            query = query.where(_TABLE.c.at >= _naive_utc(since))
        if until is not None:
            query = query.where(_TABLE.c.at < _naive_utc(until))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            AuditEvent(
                r.id, r.at.replace(tzinfo=UTC) if r.at.tzinfo is None else r.at, r.actor, r.role, r.action,
                r.target, r.params, r.result_ids,
            )
            for r in rows
        ]  # fmt: skip

    def purge(self, older_than: datetime) -> int:
        """Delete the actions recorded before a time; how many were deleted."""
        with self.engine.begin() as conn:
            return int(conn.execute(delete(_TABLE).where(_TABLE.c.at < _naive_utc(older_than))).rowcount)


def _naive_utc(value: datetime) -> datetime:
    # Stored in UTC; a time without a zone is taken as UTC.
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


__all__ = ["AUDIT_TABLES", "AuditAction", "AuditEvent", "AuditLog", "AuditRow"]
