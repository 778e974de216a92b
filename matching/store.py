"""Storage of profiles in the database (the FAISS indexes are built from here)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from matching.errors import UnknownProfile
from matching.profiles import Profile, ProfileKind


class ProfileRow(SQLModel, table=True):
    """A profile as stored: its kind and id, whether it is matchable, and the profile as JSON."""

    __tablename__ = "profile"

    kind: str = Field(primary_key=True, max_length=16)
    id: str = Field(primary_key=True, max_length=64)
    active: bool = Field(default=True, index=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(index=True)


def _table() -> Any:
    return ProfileRow.__table__  # type: ignore[attr-defined]


def create_tables(engine: Engine) -> None:
    """Create the profile table if it does not exist."""
    SQLModel.metadata.create_all(engine, tables=[_table()])


class ProfileStore:
    """Profiles by (kind, id) in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def upsert(self, profiles: Iterable[Profile], *, conn: Any = None) -> int:
        """Insert or replace profiles.

        Args:
            profiles: the profiles.
            conn: an open connection whose transaction this joins (default: a transaction of its own).

        Returns:
            How many were written.
        """
        now = datetime.now(UTC)
        rows = [
            {"kind": p.kind.value, "id": p.id, "active": p.active, "data": p.to_json(), "updated_at": now}
            for p in profiles
        ]
        if not rows:
            return 0
        table = _table()
        dialect = self.engine.dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["kind", "id"],
            set_={
                "active": stmt.excluded.active,
                "data": stmt.excluded.data,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        if conn is not None:
            conn.execute(stmt, rows)
        else:
            with self.engine.begin() as own:
                own.execute(stmt, rows)
        return len(rows)

    def get(self, kind: ProfileKind, profile_id: str) -> Profile:
        """One profile.

        Raises:
            UnknownProfile: there is none with this kind and id.
        """
        table = _table()
        with self.engine.connect() as conn:
            row = conn.execute(select(table.c.data).where(table.c.kind == kind.value, table.c.id == profile_id)).first()
        if row is None:
            raise UnknownProfile(f"no {kind.value} with id {profile_id!r}")
        return Profile.from_json(row[0])

    def get_many(self, kind: ProfileKind, profile_ids: Iterable[str]) -> dict[str, Profile]:
        """The profiles of some ids that exist, by id (one query)."""
        wanted = list(dict.fromkeys(profile_ids))
        if not wanted:
            return {}
        table = _table()
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.data).where(table.c.kind == kind.value, table.c.id.in_(wanted)))
            found = [Profile.from_json(row[0]) for row in rows]
        return {p.id: p for p in found}

    def all(self, kind: ProfileKind, *, active_only: bool = False) -> Iterator[Profile]:
        """Every profile of a kind, in id order."""
        table = _table()
        query = select(table.c.data).where(table.c.kind == kind.value).order_by(table.c.id)
        if active_only:
            query = query.where(table.c.active.is_(True))
        with self.engine.connect() as conn:
            for (data,) in conn.execute(query):
                yield Profile.from_json(data)

    def changed_since(self, kind: ProfileKind, since: datetime) -> Iterator[Profile]:
        """Profiles of a kind written after a moment (for the nightly rematch)."""
        table = _table()
        query = select(table.c.data).where(table.c.kind == kind.value, table.c.updated_at > since)
        with self.engine.connect() as conn:
            for (data,) in conn.execute(query):
                yield Profile.from_json(data)

    def delete(self, kind: ProfileKind, profile_id: str) -> bool:
        """Remove a profile; whether one was there."""
        table = _table()
        with self.engine.begin() as conn:
            result = conn.execute(delete(table).where(table.c.kind == kind.value, table.c.id == profile_id))
        return bool(result.rowcount)

    def count(self, kind: ProfileKind) -> int:
        """Number of profiles of a kind."""
        from sqlalchemy import func

        table = _table()
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(table.c.kind == kind.value)).scalar_one())


__all__ = ["ProfileRow", "ProfileStore", "create_tables"]
