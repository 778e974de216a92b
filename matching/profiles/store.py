"""Storage of profiles in the database (the FAISS indexes are built from here), and its change log.

Every write of a kind's profiles bumps that kind's generation, in the same transaction, and stamps the rows it
writes with it. An index that records the generation it has applied can then tell whether it is in step with
the database, and catch up with exactly the rows written since (by this process or another one). A removed
profile leaves a tombstone row (no data) so that catching up removes it from the index too.

Together these are the change log every serving process applies: per kind, the generation is a monotonic
sequence handed out in commit order (the update of the kind's generation row locks it until the transaction
ends, in any process, on SQLite and PostgreSQL alike), and the stamped rows are the log compacted to the latest
write of each profile, which is all that replaying needs. Each commit also leaves an entry in ``profile_change``
(its kind, sequence, how many profiles and when), which tells a process how long it has been behind; entries
are not needed to replay, so they can be dropped past any saved index (``compact``). On PostgreSQL the commit
also notifies ``CHANNEL`` so that listening processes wake up at once instead of at their next poll.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, String, case, delete, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from matching.errors import UnknownProfile
from matching.profiles.profile import Profile, ProfileKind
from matching.upsert import on_conflict_ignore, on_conflict_update


class ProfileRow(SQLModel, table=True):
    """A profile as stored: its kind and id, whether it is matchable, and the profile as JSON."""

    __tablename__ = "profile"
    __table_args__ = (
        Index("ix_profile_kind_generation", "kind", "generation"),
        # Counting a kind's profiles (readiness, every start) reads this index alone, not the rows with their JSON.
        # ``active`` comes before ``deleted`` on purpose: a read by ids (``kind = ? AND id IN (...) AND NOT
        # deleted``) can use only its first column, so SQLite keeps the primary key for it; with ``deleted``
        # second, the planner took this index for such reads and scanned a kind's whole range.
        Index("ix_profile_kind_active_deleted", "kind", "active", "deleted"),
    )

    kind: str = Field(primary_key=True, max_length=16)
    id: str = Field(primary_key=True, max_length=64)
    active: bool = Field(default=True, index=True)
    deleted: bool = Field(default=False)
    """A tombstone: the profile was removed (``data`` is empty)."""
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    generation: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    """The kind's generation at which this row was last written."""
    updated_at: datetime = Field(index=True)


class ProfileGeneration(SQLModel, table=True):
    """How many writes each kind of profile has seen: bumped by every write, in its transaction."""

    __tablename__ = "profile_generation"

    kind: str = Field(sa_column=Column(String(16), primary_key=True))
    generation: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


class ProfileChange(SQLModel, table=True):
    """One committed write of a kind's profiles: its sequence (the kind's generation it made), size and time."""

    __tablename__ = "profile_change"

    kind: str = Field(sa_column=Column(String(16), primary_key=True))
    generation: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    profiles: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    """Profiles written or removed by the commit."""
    written_at: datetime


PROFILE_TABLES = [
    ProfileRow.__table__,  # type: ignore[attr-defined]
    ProfileGeneration.__table__,  # type: ignore[attr-defined]
    ProfileChange.__table__,  # type: ignore[attr-defined]
]
CHANNEL = "skillmatch_profiles"
"""The PostgreSQL notification channel a commit of profiles notifies (payload: the kind)."""


def _table() -> Any:
    return ProfileRow.__table__  # type: ignore[attr-defined]


def _generations() -> Any:
    return ProfileGeneration.__table__  # type: ignore[attr-defined]


def _changes() -> Any:
    return ProfileChange.__table__  # type: ignore[attr-defined]


def create_tables(engine: Engine) -> None:
    """Create the profile tables that do not exist yet (one row per kind in the generation table)."""
    SQLModel.metadata.create_all(engine, tables=PROFILE_TABLES)
    with engine.begin() as conn:
        conn.execute(
            on_conflict_ignore(conn, _generations(), ["kind"]),
            [{"kind": kind.value, "generation": 0} for kind in ProfileKind],
        )


@dataclass(frozen=True)
class StoredChange:
    """A profile written after some generation: the profile, or a removal (``profile`` is None)."""

    kind: ProfileKind
    id: str
    generation: int
    profile: Profile | None


@dataclass(frozen=True)
class SavedRow:
    """A profile row as it was before a write, kept to undo that write (``None`` data: there was no row)."""

    kind: str
    id: str
    row: dict[str, Any] | None


class ProfileStore:
    """Profiles by (kind, id) in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _reading(self) -> Connection:
        """A connection whose transaction reads, on PostgreSQL, one state of the database throughout.

        Read committed (PostgreSQL's default) lets each statement see the writes committed meanwhile, so the
        rows read after a generation could belong to a later one. That is harmless (catching up from the older
        generation applies them again, with the same result), but a snapshot that is exactly one generation is
        what the index's manifest claims. SQLite reads without a transaction until a write: the same
        harmless case there.
        """
        conn = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        return conn

    def _bump(self, conn: Connection, kind: ProfileKind, profiles: int) -> int:
        # The update locks the kind's generation row until the transaction ends, so writers of one kind (in any
        # process) take their turns: generations are committed in order and none is handed out twice.
        table = _generations()
        conn.execute(update(table).where(table.c.kind == kind.value).values(generation=table.c.generation + 1))
        value = conn.execute(select(table.c.generation).where(table.c.kind == kind.value)).scalar_one_or_none()
        if value is None:  # a database created before generations existed
            conn.execute(insert(table).values(kind=kind.value, generation=1))
            value = 1
        generation = int(value)
        conn.execute(
            insert(_changes()).values(
                kind=kind.value, generation=generation, profiles=profiles, written_at=datetime.now(UTC)
            )
        )
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_notify(:channel, :kind)"), {"channel": CHANNEL, "kind": kind.value})
        return generation

    def upsert(self, profiles: Iterable[Profile], *, conn: Connection | None = None) -> dict[ProfileKind, int]:
        """Insert or replace profiles, bumping the generation of each kind written.

        Args:
            profiles: the profiles.
            conn: an open connection whose transaction this joins (default: a transaction of its own).

        Returns:
            The new generation of each kind written.
        """
        profiles = list(profiles)
        if not profiles:
            return {}
        if conn is None:
            with self.engine.begin() as own:
                return self.upsert(profiles, conn=own)
        now = datetime.now(UTC)
        generations: dict[ProfileKind, int] = {}
        for kind in ProfileKind:
            batch = [p for p in profiles if p.kind is kind]
            if not batch:
                continue
            generation = generations[kind] = self._bump(conn, kind, len(batch))
            rows = [
                {
                    "kind": p.kind.value,
                    "id": p.id,
                    "active": p.active,
                    "deleted": False,
                    "data": p.to_json(),
                    "generation": generation,
                    "updated_at": now,
                }
                for p in batch
            ]
            columns = ("active", "deleted", "data", "generation", "updated_at")
            conn.execute(on_conflict_update(conn, _table(), ["kind", "id"], columns), rows)
        return generations

    def delete(self, kind: ProfileKind, ids: Sequence[str], *, conn: Connection | None = None) -> int | None:
        """Remove profiles, leaving tombstones; the kind's new generation, or None if none of them was there."""
        if conn is None:
            with self.engine.begin() as own:
                return self.delete(kind, ids, conn=own)
        table = _table()
        present = [
            row[0]
            for row in conn.execute(
                select(table.c.id).where(table.c.kind == kind.value, table.c.id.in_(list(ids)), ~table.c.deleted)
            )
        ]
        if not present:
            return None
        generation = self._bump(conn, kind, len(present))
        conn.execute(
            update(table)
            .where(table.c.kind == kind.value, table.c.id.in_(present))
            .values(active=False, deleted=True, data={}, generation=generation, updated_at=datetime.now(UTC))
        )
        return generation

    def saved_rows(self, conn: Connection, keys: Sequence[tuple[str, str]]) -> list[SavedRow]:
        """The rows of some (kind, id) pairs as they are now, to undo a write with ``restore``."""
        table = _table()
        out = []
        for kind, profile_id in keys:
            row = conn.execute(select(table).where(table.c.kind == kind, table.c.id == profile_id)).first()
            out.append(SavedRow(kind, profile_id, dict(row._mapping) if row is not None else None))
        return out

    def restore(self, saved: Sequence[SavedRow], *, conn: Connection | None = None) -> dict[ProfileKind, int]:
        """Put rows back as ``saved_rows`` read them (a row that did not exist becomes a tombstone).

        Returns:
            The new generation of each kind touched (restoring is a write like any other).
        """
        if conn is None:
            with self.engine.begin() as own:
                return self.restore(saved, conn=own)
        generations: dict[ProfileKind, int] = {}
        table = _table()
        for kind in {ProfileKind(s.kind) for s in saved}:
            generation = generations[kind] = self._bump(conn, kind, sum(1 for s in saved if s.kind == kind.value))
            for item in (s for s in saved if s.kind == kind.value):
                row = (
                    dict(item.row)
                    if item.row is not None
                    else {"kind": kind.value, "id": item.id, "active": False, "deleted": True, "data": {}}
                )
                row |= {"generation": generation, "updated_at": datetime.now(UTC)}
                conn.execute(
                    on_conflict_update(conn, table, ["kind", "id"], [k for k in row if k not in ("kind", "id")]), [row]
                )
        return generations

    def generation(self, kind: ProfileKind, *, conn: Connection | None = None) -> int:
        """The kind's current generation (0 before any write)."""
        table = _generations()
        query = select(table.c.generation).where(table.c.kind == kind.value)
        if conn is not None:
            return int(conn.execute(query).scalar_one_or_none() or 0)
        with self.engine.connect() as own:
            return int(own.execute(query).scalar_one_or_none() or 0)

    def generations(self) -> dict[ProfileKind, int]:
        """Every kind's current generation, in one query (what a serving process polls)."""
        table = _generations()
        with self.engine.connect() as conn:
            found = {str(k): int(g) for k, g in conn.execute(select(table.c.kind, table.c.generation))}
        return {kind: found.get(kind.value, 0) for kind in ProfileKind}

    def behind_since(self, kind: ProfileKind, generation: int) -> datetime | None:
        """When the oldest write of a kind after a generation was committed (None: nothing after it is logged)."""
        table = _changes()
        query = select(func.min(table.c.written_at)).where(table.c.kind == kind.value, table.c.generation > generation)
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar_one_or_none()
        if not isinstance(value, datetime):
            return None
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    def compact(self, kind: ProfileKind, generation: int) -> int:
        """Drop the change log's entries of a kind up to a generation (one a saved index holds).

        Replaying never needs them (the stamped rows are the log); only the lag reported for a process that is
        further behind than the entry kept is then unknown.

        Returns:
            Entries dropped.
        """
        table = _changes()
        with self.engine.begin() as conn:
            result = conn.execute(delete(table).where(table.c.kind == kind.value, table.c.generation <= generation))
        return int(result.rowcount or 0)

    def get(self, kind: ProfileKind, profile_id: str) -> Profile:
        """One profile.

        Raises:
            UnknownProfile: there is none with this kind and id.
        """
        table = _table()
        with self.engine.connect() as conn:
            row = conn.execute(
                select(table.c.data).where(table.c.kind == kind.value, table.c.id == profile_id, ~table.c.deleted)
            ).first()
        if row is None:
            raise UnknownProfile(f"no {kind.value} with id {profile_id!r}")
        return Profile.from_json(row[0])

    def get_many(self, kind: ProfileKind, profile_ids: Iterable[str]) -> dict[str, Profile]:
        """The profiles of some ids that exist and are not deleted, by id (one query)."""
        wanted = list(dict.fromkeys(profile_ids))
        if not wanted:
            return {}
        table = _table()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(table.c.data).where(table.c.kind == kind.value, table.c.id.in_(wanted), ~table.c.deleted)
            )
            found = [Profile.from_json(row[0]) for row in rows]
        return {p.id: p for p in found}

    def all(self, kind: ProfileKind, *, active_only: bool = False) -> Iterator[Profile]:
        """Every profile of a kind, in id order."""
        table = _table()
        query = select(table.c.data).where(table.c.kind == kind.value, ~table.c.deleted).order_by(table.c.id)
        if active_only:
            query = query.where(table.c.active.is_(True))
        with self.engine.connect() as conn:
            for (data,) in conn.execute(query):
                yield Profile.from_json(data)

    def snapshot(self, kind: ProfileKind) -> tuple[int, list[Profile]]:
        """Every profile of a kind with the generation they make up, read in one transaction."""
        table = _table()
        with self._reading() as conn, conn.begin():
            generation = self.generation(kind, conn=conn)
            query = select(table.c.data).where(table.c.kind == kind.value, ~table.c.deleted).order_by(table.c.id)
            profiles = [Profile.from_json(data) for (data,) in conn.execute(query)]
        return generation, profiles

    def changed_after(self, kind: ProfileKind, generation: int) -> tuple[int, list[StoredChange]]:
        """What was written to a kind after a generation, oldest first, and the generation it brings us to."""
        table = _table()
        with self._reading() as conn, conn.begin():
            current = self.generation(kind, conn=conn)
            query = (
                select(table.c.id, table.c.data, table.c.deleted, table.c.generation)
                .where(table.c.kind == kind.value, table.c.generation > generation)
                .order_by(table.c.generation, table.c.id)
            )
            changes = [
                StoredChange(kind, pid, int(gen), None if deleted else Profile.from_json(data))
                for pid, data, deleted, gen in conn.execute(query)
            ]
        return current, changes

    def count(self, kind: ProfileKind, *, active_only: bool = False) -> int:
        """Number of stored profiles of a kind (tombstones not counted)."""
        stored, active = self.counts(kind)
        return active if active_only else stored

    def counts(self, kind: ProfileKind) -> tuple[int, int]:
        """A kind's stored profiles and its active ones (tombstones not counted), read together."""
        with self.engine.connect() as conn:
            stored, active = conn.execute(self.count_query(kind)).one()
        return int(stored), int(active or 0)

    @staticmethod
    def count_query(kind: ProfileKind) -> Any:
        """The query ``counts`` runs: it reads ``ix_profile_kind_active_deleted`` alone, never the rows."""
        table = _table()
        return select(func.count(), func.sum(case((table.c.active, 1), else_=0))).where(
            table.c.kind == kind.value, ~table.c.deleted
        )


__all__ = ["CHANNEL", "PROFILE_TABLES", "ProfileChange", "ProfileRow", "ProfileStore", "StoredChange", "create_tables"]
