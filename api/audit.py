"""The audit log: who read or changed what about a person, when and why.

Every read of personal data (a candidate search, a dossier view, a suggestion list, an export, the quarantine,
users and tokens...) and every change of a jobseeker's rights, of users and of tokens is one row: who (subject,
display name and role), when, what (the action, the record it was about, the search parameters), why (the
purpose of the route, or the reason a consultant gave when acting for a jobseeker at their request) and the ids
of the results. It holds ids and parameters only, never dossier contents or free text. Which route writes which
action is declared once, in ``api.auth.policy``; ``api.audit_trail`` writes the row when the route succeeded.
Rows older than the retention period are deleted by ``skillmatch audit purge``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from api.audit_actions import RIGHTS_ACTIONS, AuditAction

if TYPE_CHECKING:  # only for annotations: api.auth imports this module
    from api.auth.roles import Principal


class AuditRow(SQLModel, table=True):
    """One audited action."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str = Field(max_length=200, index=True)
    name: str = Field(default="", max_length=200)
    """The actor's display name (a consultant acting for a jobseeker is named to them)."""
    role: str = Field(max_length=16)
    action: str = Field(max_length=32, index=True)
    target: str | None = Field(default=None, max_length=64, index=True)
    """The record the action was about (a vacancy or jobseeker id, a user or token id)."""
    why: str = Field(default="", max_length=200)
    """The purpose, or the reason a consultant gave when acting for a jobseeker."""
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
    name: str
    role: str
    action: str
    target: str | None
    why: str
    params: dict[str, Any]
    result_ids: list[str]


@dataclass
class AuditEntry:
    """The row a request will write when it succeeds; the route adds what only it knows.

    Attributes:
        principal: who.
        action: what (declared by the route's rule).
        target: the record it is about (default: the path's dossier, vacancy, user or token id).
        why: the purpose, or the reason given by a consultant acting for a jobseeker.
        params: search parameters (never free text).
        results: the ids the action returned.
        skipped: nothing happened after all (e.g. a form that was refused): no row.
    """

    principal: Principal
    action: AuditAction
    target: str | None = None
    why: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    results: list[str] = field(default_factory=list)
    skipped: bool = False
    written: bool = False


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
        why: str = "",
    ) -> None:
        """Record one action.

        Args:
            principal: who did it.
            action: what they did.
            target: the record it was about.
            result_ids: the ids it returned (ids only).
            params: search parameters (filters, k, language).
            why: the purpose or the reason given.
        """
        with self.engine.begin() as conn:
            conn.execute(
                _TABLE.insert().values(
                    at=datetime.now(UTC),
                    actor=principal.subject[:200],
                    name=principal.name[:200],
                    role=principal.role.value,
                    action=action.value,
                    target=target[:64] if target else None,
                    why=why[:200],
                    params=params or {},
                    result_ids=result_ids,
                )
            )

    def write(self, entry: AuditEntry) -> None:
        """Write a request's entry (once)."""
        if entry.written or entry.skipped:
            return
        self.record(entry.principal, entry.action, entry.target, entry.results, entry.params, entry.why)
        entry.written = True

    def search(
        self,
        *,
        actor: str | None = None,
        action: AuditAction | None = None,
        actions: frozenset[AuditAction] | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        exclude_role: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEvent]:
        """Audited actions, newest first, filtered.

        Args:
            actor: only this subject's actions.
            action: only this kind of action.
            actions: only these kinds of action.
            target: only actions about this record.
            since: only actions at or after this time.
            until: only actions before this time.
            exclude_role: leave out the actions of this role (e.g. a jobseeker's own).
            limit: at most this many.
            offset: skip this many.
        """
        query = select(_TABLE).order_by(_TABLE.c.id.desc()).limit(limit).offset(offset)
        if actor is not None:
            query = query.where(_TABLE.c.actor == actor)
        if action is not None:
            query = query.where(_TABLE.c.action == action.value)
        if actions is not None:
            query = query.where(_TABLE.c.action.in_(sorted(a.value for a in actions)))
        if target is not None:
            query = query.where(_TABLE.c.target == target)
        if exclude_role is not None:
            query = query.where(_TABLE.c.role != exclude_role)
        if since is not None:
            query = query.where(_TABLE.c.at >= _naive_utc(since))
        if until is not None:
            query = query.where(_TABLE.c.at < _naive_utc(until))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            AuditEvent(
                r.id, r.at.replace(tzinfo=UTC) if r.at.tzinfo is None else r.at, r.actor, r.name or "", r.role,
                r.action, r.target, r.why or "", r.params, r.result_ids,
            )
            for r in rows
        ]  # fmt: skip

    def done_for(self, jobseeker_id: str, limit: int = 200) -> list[AuditEvent]:
        """What others did on a jobseeker's rights for them (a consultant at their request, an administrator),
        newest first: what the jobseeker is shown."""
        return self.search(target=jobseeker_id, actions=RIGHTS_ACTIONS, exclude_role="jobseeker", limit=limit)

    def purge(self, older_than: datetime) -> int:
        """Delete the actions recorded before a time; how many were deleted."""
        with self.engine.begin() as conn:
            return int(conn.execute(delete(_TABLE).where(_TABLE.c.at < _naive_utc(older_than))).rowcount)


def _naive_utc(value: datetime) -> datetime:
    # Stored in UTC; a time without a zone is taken as UTC.
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


__all__ = ["AUDIT_TABLES", "RIGHTS_ACTIONS", "AuditAction", "AuditEntry", "AuditEvent", "AuditLog", "AuditRow"]
