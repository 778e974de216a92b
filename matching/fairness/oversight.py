"""Human oversight of candidate lists: a consultant pins or excludes a candidate for a vacancy, with a reason.

Every decision is an event in an append-only log (who, when, what, why); revoking one is an event too, so the
log shows the whole history and a decision is reversed, never deleted. The current decision of a (vacancy,
jobseeker) pair is its latest event, unless that is a revocation.

``apply_decisions`` lays the decisions over a ranked list: excluded candidates are taken out (and stay out
whatever the engine ranks until the exclusion is revoked), pinned ones go on top in the order they were
pinned. It is used on the online lists (``matching.fairness.reviewed``) and by the nightly rematch on its stored lists;
the scorer knows nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Column, Text, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from matching.profiles import ProfileKind
from matching.rematch.curation import ListCuration

MAX_REASON = 1_000
ERASED_REASON = "(erased with the jobseeker's dossier)"


class DecisionAction(StrEnum):
    """What a consultant did to a candidate of a vacancy."""

    pin = "pin"
    exclude = "exclude"
    revoke = "revoke"


class CandidateDecisionRow(SQLModel, table=True):
    """One event of the oversight log."""

    __tablename__ = "candidate_decision"

    id: int | None = Field(default=None, primary_key=True)
    vacancy_id: str = Field(max_length=64, index=True)
    jobseeker_id: str = Field(max_length=64, index=True)
    action: str = Field(max_length=16)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(max_length=200)
    created_at: datetime


OVERSIGHT_TABLES = [CandidateDecisionRow.__table__]  # type: ignore[attr-defined]


def create_tables(engine: Engine) -> None:
    """Create the oversight log if it does not exist yet."""
    SQLModel.metadata.create_all(engine, tables=OVERSIGHT_TABLES)


class InvalidDecision(Exception):
    """A decision without a reason or an author, or a revocation of nothing."""


@dataclass(frozen=True)
class Decision:
    """One event of the log (``action`` pin or exclude for a current decision)."""

    id: int
    vacancy_id: str
    jobseeker_id: str
    action: DecisionAction
    reason: str
    actor: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "id": self.id,
            "vacancy_id": self.vacancy_id,
            "jobseeker_id": self.jobseeker_id,
            "action": self.action.value,
            "reason": self.reason,
            "by": self.actor,
            "at": self.at.isoformat(),
        }


def _table() -> Any:
    return CandidateDecisionRow.__table__  # type: ignore[attr-defined]


def _decision(row: Any) -> Decision:
    at = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return Decision(row.id, row.vacancy_id, row.jobseeker_id, DecisionAction(row.action), row.reason, row.actor, at)


class OversightStore:
    """The oversight log in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _record(self, vacancy_id: str, jobseeker_id: str, action: DecisionAction, reason: str, actor: str) -> Decision:
        reason, actor = reason.strip(), actor.strip()
        if not reason:
            raise InvalidDecision("a reason is required")
        if not actor:
            raise InvalidDecision("the consultant who decides must be named")
        if len(reason) > MAX_REASON:
            raise InvalidDecision(f"the reason is longer than {MAX_REASON} characters")
        actor, now = actor[:200], datetime.now(UTC)
        row = {
            "vacancy_id": vacancy_id,
            "jobseeker_id": jobseeker_id,
            "action": action.value,
            "reason": reason,
            "actor": actor,
            "created_at": now,
        }
        with self.engine.begin() as conn:
            if action is DecisionAction.revoke and self._current(conn, vacancy_id, jobseeker_id) is None:
                raise InvalidDecision(f"{jobseeker_id} is neither pinned nor excluded for {vacancy_id}")
            key = conn.execute(_table().insert().values(**row)).inserted_primary_key
            event_id = int(key[0]) if key else 0
        return Decision(event_id, vacancy_id, jobseeker_id, action, reason, actor, now)

    def pin(self, vacancy_id: str, jobseeker_id: str, reason: str, actor: str) -> Decision:
        """Pin a candidate on top of a vacancy's list (replaces an exclusion of the same pair).

        Raises:
            InvalidDecision: no reason or no author.
        """
        return self._record(vacancy_id, jobseeker_id, DecisionAction.pin, reason, actor)

    def exclude(self, vacancy_id: str, jobseeker_id: str, reason: str, actor: str) -> Decision:
        """Exclude a candidate from a vacancy's list until the exclusion is revoked (replaces a pin).

        Raises:
            InvalidDecision: no reason or no author.
        """
        return self._record(vacancy_id, jobseeker_id, DecisionAction.exclude, reason, actor)

    def revoke(self, vacancy_id: str, jobseeker_id: str, reason: str, actor: str) -> Decision:
        """Reverse the current pin or exclusion of a pair (the log keeps both events).

        Raises:
            InvalidDecision: no reason, no author, or nothing to revoke.
        """
        return self._record(vacancy_id, jobseeker_id, DecisionAction.revoke, reason, actor)

    @staticmethod
    def _current(conn: Connection, vacancy_id: str, jobseeker_id: str) -> Decision | None:
        table = _table()
        row = conn.execute(
            select(table)
            .where(table.c.vacancy_id == vacancy_id, table.c.jobseeker_id == jobseeker_id)
            .order_by(table.c.id.desc())
            .limit(1)
        ).first()
        if row is None or row.action == DecisionAction.revoke.value:
            return None
        return _decision(row)

    def current(self, vacancy_id: str) -> dict[str, Decision]:
        """jobseeker id -> the current pin or exclusion, for one vacancy."""
        return self.current_many([vacancy_id]).get(vacancy_id, {})

    def current_many(self, vacancy_ids: Sequence[str] | None = None) -> dict[str, dict[str, Decision]]:
        """vacancy id -> jobseeker id -> current decision, for some vacancies (all when None)."""
        table = _table()
        query = select(table).order_by(table.c.id)
        if vacancy_ids is not None:
            query = query.where(table.c.vacancy_id.in_(list(vacancy_ids)))
        latest: dict[tuple[str, str], Any] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                latest[(row.vacancy_id, row.jobseeker_id)] = row
        out: dict[str, dict[str, Decision]] = {}
        for (vacancy, person), row in latest.items():
            if row.action != DecisionAction.revoke.value:
                out.setdefault(vacancy, {})[person] = _decision(row)
        return out

    def history(self, *, vacancy_id: str | None = None, jobseeker_id: str | None = None) -> list[Decision]:
        """Every event, oldest first, for a vacancy and/or a jobseeker."""
        table = _table()
        query = select(table).order_by(table.c.id)
        if vacancy_id is not None:
            query = query.where(table.c.vacancy_id == vacancy_id)
        if jobseeker_id is not None:
            query = query.where(table.c.jobseeker_id == jobseeker_id)
        with self.engine.connect() as conn:
            return [_decision(row) for row in conn.execute(query)]

    @staticmethod
    def erase_jobseeker(conn: Connection, jobseeker_id: str) -> int:
        """Keep a jobseeker's events as ids only when their dossier is erased (the reasons may describe them).

        Returns:
            Events changed.
        """
        table = _table()
        result = conn.execute(update(table).where(table.c.jobseeker_id == jobseeker_id).values(reason=ERASED_REASON))
        return int(result.rowcount or 0)


T = TypeVar("T")


def apply_decisions(
    ranked: Sequence[T], decisions: dict[str, Decision], *, key: Callable[[T], str], k: int | None = None
) -> list[T]:
    """A ranked list as people see it: excluded candidates out, pinned ones on top in the order pinned.

    Pinned candidates missing from ``ranked`` are not added here (the caller fetches them).

    Args:
        ranked: the engine's list, best first (ids or matches).
        decisions: jobseeker id -> current decision for this vacancy.
        key: the jobseeker id of an item.
        k: list length (pinned candidates are always kept, even beyond it).

    Returns:
        The list shown.
    """
    pins = sorted((d for d in decisions.values() if d.action is DecisionAction.pin), key=lambda d: (d.at, d.id))
    order = {d.jobseeker_id: i for i, d in enumerate(pins)}
    top = sorted((x for x in ranked if key(x) in order), key=lambda x: order[key(x)])
    rest = [x for x in ranked if key(x) not in decisions]
    shown = top + rest
    return shown if k is None else shown[: max(k, len(top))]


class OversightCurations:
    """The oversight log as the nightly rematch reads it (``matching.rematch.Curations``).

    Pins and exclusions are decisions on a vacancy's candidates: they shape the vacancies' lists (pinned
    jobseekers first in the order pinned, excluded ones never in the list). A jobseeker's own list of
    vacancies is left as the engine ranks it.
    """

    def __init__(self, store: OversightStore) -> None:
        self.store = store

    def for_lists(self, query_kind: ProfileKind, query_ids: Sequence[str]) -> dict[str, ListCuration]:
        """The current pins and exclusions of some vacancies' lists (lists without any are left out)."""
        if query_kind is not ProfileKind.vacancy:
            return {}
        out: dict[str, ListCuration] = {}
        for vacancy, decisions in self.store.current_many(list(query_ids)).items():
            ordered = sorted(decisions.values(), key=lambda d: d.id)
            pinned = tuple(d.jobseeker_id for d in ordered if d.action is DecisionAction.pin)
            excluded = frozenset(d.jobseeker_id for d in ordered if d.action is DecisionAction.exclude)
            if pinned or excluded:
                out[vacancy] = ListCuration(pinned, excluded)
        return out

    def changed_since(self, query_kind: ProfileKind, since: datetime | None) -> set[str]:
        """Vacancies with a decision (pin, exclusion or revocation) after ``since`` (None: any ever made)."""
        if query_kind is not ProfileKind.vacancy:
            return set()
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return {d.vacancy_id for d in self.store.history() if since is None or d.at > since}


__all__ = [
    "ERASED_REASON",
    "CandidateDecisionRow",
    "Decision",
    "DecisionAction",
    "InvalidDecision",
    "OversightCurations",
    "OversightStore",
    "apply_decisions",
    "create_tables",
]
