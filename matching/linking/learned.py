"""Learned links: what consultants confirmed or rejected, remembered for the deployment and reused by the linker.

A consultant who confirms that a phrase (a job title, a skill phrase) means an ESCO concept, or rejects a concept
the engine proposed for it, teaches the engine: the same phrase later gets the confirmed concept first, with the
evidence "confirmed by a consultant on DATE", and a rejected concept is no longer proposed for it. A phrase is
remembered by its key, the form the linker searches (``Linker.phrase_key``: case, accents, punctuation, gender
forms and markers, codes, contract words, a place segment and plurals do not change it), so "Magazijnier (m/v/x) -
Brussel" and "magazijniers" teach each other, while "infirmier de bloc" and "infirmier" stay apart.

Storage is one append-only table, ``learned_link``: who, when, which phrase (as written and its key), which
concept, confirmed or rejected, what the engine proposed at that moment, and the record the consultant was
correcting. An administrator undoes a learned link: it is marked undone (who, when), never deleted, and stops
counting at once. For each (phrase, concept) the newest verdict that is not undone counts; several confirmed
concepts for one phrase come in the order of their confirmations' count, then the newest first.

The linker reads a snapshot of the table held in memory (``LearnedLinks.verdicts``), read again when the table
changed: at once in the process that wrote, and within ``refresh_seconds`` in the others (a small query tells).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, func, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from matching.errors import MatchingError

MAX_PHRASE = 300


class Verdict(StrEnum):
    """What a consultant said of a link from a phrase to a concept."""

    confirmed = "confirmed"
    rejected = "rejected"


class LearnedLinkRow(SQLModel, table=True):
    """One verdict on a link (phrase -> concept), as given."""

    __tablename__ = "learned_link"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    """``occupation`` or ``skill``."""
    phrase_key: str = Field(max_length=MAX_PHRASE, index=True)
    """The phrase as the linker normalises it (``Linker.phrase_key``)."""
    phrase: str = Field(max_length=MAX_PHRASE)
    """The phrase as written."""
    lang: str | None = Field(default=None, max_length=2)
    uri: str = Field(max_length=200, index=True)
    verdict: str = Field(max_length=16)
    proposed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """The concepts the engine proposed for the phrase at that moment, best first."""
    actor: str = Field(max_length=200)
    role: str = Field(max_length=16)
    record_kind: str | None = Field(default=None, max_length=16)
    record_id: str | None = Field(default=None, max_length=64, index=True)
    """The record whose correction taught it (None: taught directly, e.g. by the replay benchmark)."""
    created_at: datetime
    undone_at: datetime | None = None
    undone_by: str | None = Field(default=None, max_length=200)


LEARNED_TABLES = [LearnedLinkRow.__table__]  # type: ignore[attr-defined]
_TABLE = LearnedLinkRow.__table__  # type: ignore[attr-defined]


class UnknownLearnedLink(MatchingError, KeyError):
    """No learned link with this id."""

    def __str__(self) -> str:
        return str(self.args[0])


class InvalidLearnedLink(MatchingError, ValueError):
    """A verdict that cannot be learned (an empty phrase, an unknown kind, a link already undone)."""


@dataclass(frozen=True, slots=True)
class LearnedLink:
    """A verdict as read back."""

    id: int
    kind: str
    phrase_key: str
    phrase: str
    lang: str | None
    uri: str
    verdict: Verdict
    proposed: list[str]
    actor: str
    role: str
    record_kind: str | None
    record_id: str | None
    created_at: datetime
    undone_at: datetime | None = None
    undone_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "phrase_key": self.phrase_key,
            "phrase": self.phrase,
            "lang": self.lang,
            "uri": self.uri,
            "verdict": self.verdict.value,
            "proposed": list(self.proposed),
            "actor": self.actor,
            "role": self.role,
            "record_kind": self.record_kind,
            "record_id": self.record_id,
            "created_at": self.created_at.isoformat(),
            "undone_at": self.undone_at.isoformat() if self.undone_at else None,
            "undone_by": self.undone_by,
        }


@dataclass(frozen=True, slots=True)
class Confirmed:
    """A concept confirmed for a phrase: the latest confirmation's id and time, and how many there were."""

    uri: str
    link_id: int
    at: datetime
    count: int


@dataclass(frozen=True)
class PhraseVerdicts:
    """What counts for one phrase key: its confirmed concepts (first is best) and its rejected ones."""

    confirmed: tuple[Confirmed, ...] = ()
    rejected: frozenset[str] = frozenset()


NO_VERDICTS = PhraseVerdicts()


@dataclass
class _Snapshot:
    version: tuple[Any, ...]
    """(rows, largest id, latest undo) of the table when read."""
    links: dict[tuple[str, str], list[LearnedLink]] = field(default_factory=dict)
    """The links that count, per (kind, phrase key)."""
    by_key: dict[tuple[str, str], PhraseVerdicts] = field(default_factory=dict)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _read(row: Any) -> LearnedLink:
    m = row._mapping
    created = _utc(m["created_at"])
    assert created is not None
    return LearnedLink(
        id=int(m["id"]),
        kind=str(m["kind"]),
        phrase_key=str(m["phrase_key"]),
        phrase=str(m["phrase"]),
        lang=m["lang"],
        uri=str(m["uri"]),
        verdict=Verdict(m["verdict"]),
        proposed=list(m["proposed"] or []),
        actor=str(m["actor"]),
        role=str(m["role"]),
        record_kind=m["record_kind"],
        record_id=m["record_id"],
        created_at=created,
        undone_at=_utc(m["undone_at"]),
        undone_by=m["undone_by"],
    )


def summarise(links: Sequence[LearnedLink]) -> dict[tuple[str, str], PhraseVerdicts]:
    """What counts per (kind, phrase key) among verdicts: per concept the newest verdict not undone.

    Args:
        links: verdicts in any order (undone ones are skipped).

    Returns:
        (kind, phrase key) -> its confirmed concepts (most confirmations first, then the newest) and rejected ones.
    """
    latest: dict[tuple[str, str, str], LearnedLink] = {}
    confirmations: dict[tuple[str, str, str], int] = defaultdict(int)
    for link in sorted(links, key=lambda x: x.id):
        if link.undone_at is not None:
            continue
        key = (link.kind, link.phrase_key, link.uri)
        latest[key] = link
        if link.verdict is Verdict.confirmed:
            confirmations[key] += 1
    confirmed: dict[tuple[str, str], list[Confirmed]] = defaultdict(list)
    rejected: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (kind, phrase, uri), link in latest.items():
        if link.verdict is Verdict.confirmed:
            confirmed[(kind, phrase)].append(
                Confirmed(uri, link.id, link.created_at, confirmations[(kind, phrase, uri)])
            )
        else:
            rejected[(kind, phrase)].add(uri)
    out: dict[tuple[str, str], PhraseVerdicts] = {}
    for phrase_key in set(confirmed) | set(rejected):
        ordered = sorted(confirmed.get(phrase_key, []), key=lambda c: (-c.count, -c.link_id))
        out[phrase_key] = PhraseVerdicts(tuple(ordered), frozenset(rejected.get(phrase_key, set())))
    return out


class LearnedLinks:
    """The learned links of one database: writing verdicts, undoing them, and the verdicts of a phrase."""

    def __init__(self, engine: Engine, *, refresh_seconds: float = 1.0) -> None:
        """Args:
        engine: the database (the table is created by the wiring's migrations).
        refresh_seconds: how often, at most, a reader asks the database whether another process changed the
            table.
        """
        self.engine = engine
        self.refresh_seconds = refresh_seconds
        self._snapshot: _Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # -- writing ------------------------------------------------------------------------------------------

    def learn(
        self,
        *,
        kind: str,
        phrase: str,
        phrase_key: str,
        uri: str,
        verdict: Verdict,
        proposed: Sequence[str],
        actor: str,
        role: str,
        lang: str | None = None,
        record_kind: str | None = None,
        record_id: str | None = None,
        conn: Connection | None = None,
    ) -> LearnedLink:
        """Remember one verdict.

        Args:
            kind: ``occupation`` or ``skill``.
            phrase: the phrase as written.
            phrase_key: the phrase as the linker normalises it (``Linker.phrase_key``).
            uri: the concept.
            verdict: confirmed or rejected.
            proposed: the concepts the engine proposed for the phrase then, best first.
            actor: who (a signed-in subject).
            role: their role.
            lang: the phrase's language, when known.
            record_kind: the kind of the record being corrected, if any.
            record_id: its id.
            conn: a connection whose transaction the row joins (None: one of its own).

        Returns:
            The stored verdict.

        Raises:
            InvalidLearnedLink: an unknown kind, or an empty phrase or key.
        """
        if kind not in ("occupation", "skill"):
            raise InvalidLearnedLink(f"a learned link is for an occupation or a skill, not {kind!r}")
        if not phrase.strip() or not phrase_key.strip():
            raise InvalidLearnedLink("a learned link needs a phrase with words in it")
        row: dict[str, Any] = {
            "kind": kind,
            "phrase_key": phrase_key[:MAX_PHRASE],
            "phrase": phrase.strip()[:MAX_PHRASE],
            "lang": lang,
            "uri": uri,
            "verdict": Verdict(verdict).value,
            "proposed": list(dict.fromkeys(proposed))[:20],
            "actor": actor[:200],
            "role": role[:16],
            "record_kind": record_kind,
            "record_id": record_id,
            "created_at": datetime.now(UTC),
        }
        if conn is None:
            with self.engine.begin() as own:
                new_id = own.execute(_TABLE.insert().values(**row).returning(_TABLE.c.id)).scalar_one()
        else:
            new_id = conn.execute(_TABLE.insert().values(**row).returning(_TABLE.c.id)).scalar_one()
        link = LearnedLink(
            id=int(new_id),
            kind=kind,
            phrase_key=row["phrase_key"],
            phrase=row["phrase"],
            lang=lang,
            uri=uri,
            verdict=Verdict(verdict),
            proposed=row["proposed"],
            actor=row["actor"],
            role=row["role"],
            record_kind=record_kind,
            record_id=record_id,
            created_at=row["created_at"],
        )
        if conn is None:
            self._add_to_snapshot(link)
        else:
            self.changed()  # the caller calls it again once its transaction commits
        return link

    def _add_to_snapshot(self, link: LearnedLink) -> None:
        """Take a link this process just committed into the snapshot, when the snapshot was current (else it is
        read again at the next lookup): a stream of confirmations does not read the whole table each time."""
        version = self._version()
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or version != (snapshot.version[0] + 1, link.id, snapshot.version[2]):
                self._snapshot = None
                return
            key = (link.kind, link.phrase_key)
            snapshot.links.setdefault(key, []).append(link)
            snapshot.by_key[key] = summarise(snapshot.links[key])[key]
            snapshot.version = version
            self._checked = time.monotonic()

    def undo(self, link_id: int, actor: str, *, conn: Connection | None = None) -> LearnedLink:
        """Undo a learned link: it stops counting at once and stays listed as undone.

        Args:
            link_id: the learned link.
            actor: who undoes it.
            conn: a connection whose transaction the change joins (None: one of its own).

        Returns:
            The link as it is now.

        Raises:
            UnknownLearnedLink: no such link.
            InvalidLearnedLink: it is already undone.
        """
        found = self.get(link_id, conn=conn)
        if found.undone_at is not None:
            raise InvalidLearnedLink(f"learned link {link_id} was already undone on {found.undone_at.date()}")
        now = datetime.now(UTC)
        stmt = (
            update(_TABLE)
            .where(_TABLE.c.id == link_id, _TABLE.c.undone_at.is_(None))
            .values(undone_at=now, undone_by=actor[:200])
        )
        if conn is None:
            with self.engine.begin() as own:
                own.execute(stmt)
        else:
            conn.execute(stmt)
        self.changed()
        return LearnedLink(**{**_as_dict(found), "undone_at": now, "undone_by": actor[:200]})

    def uris(self) -> set[str]:
        """The concepts of the links that count (what an ESCO upgrade must find again in the new release)."""
        with self.engine.connect() as conn:
            return {str(u) for (u,) in conn.execute(select(_TABLE.c.uri).where(_TABLE.c.undone_at.is_(None)))}

    def follow(self, followed: dict[str, str | None], actor: str) -> dict[str, int]:
        """After a new ESCO release: links to a concept that left follow it to its replacement; those to a concept
        without one are undone (by ``actor``, kept listed).

        Args:
            followed: old URI -> the URI that replaces it, or None when none does.
            actor: who is named as having undone the links of withdrawn concepts (e.g. "esco upgrade").

        Returns:
            How many links were moved to a replacement (``followed``) and undone (``withdrawn``).
        """
        moved = withdrawn = 0
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            for old, new in followed.items():
                current = (_TABLE.c.uri == old) & _TABLE.c.undone_at.is_(None)
                if new is not None:
                    moved += int(conn.execute(update(_TABLE).where(current).values(uri=new)).rowcount)
                else:
                    done = update(_TABLE).where(current).values(undone_at=now, undone_by=actor[:200])
                    withdrawn += int(conn.execute(done).rowcount)
        self.changed()
        return {"followed": moved, "withdrawn": withdrawn}

    def rekey(self, key_of: Callable[[LearnedLink], str]) -> int:
        """Compute every link's phrase key again (the linker of a new release normalises with its own labels).

        Args:
            key_of: the new key of a link (``Linker.phrase_key`` of its phrase, kind and language).

        Returns:
            How many keys changed.
        """
        with self.engine.connect() as conn:
            links = [_read(r) for r in conn.execute(select(_TABLE))]
        changes = {link.id: key_of(link)[:MAX_PHRASE] for link in links}
        changes = {
            i: key for i, key, link in zip(changes, changes.values(), links, strict=True) if key != link.phrase_key
        }
        with self.engine.begin() as conn:
            for link_id, key in changes.items():
                conn.execute(update(_TABLE).where(_TABLE.c.id == link_id).values(phrase_key=key))
        self.changed()
        return len(changes)

    def changed(self) -> None:
        """Forget the snapshot: the next lookup reads the table again (called after every write here)."""
        with self._lock:
            self._snapshot = None

    # -- reading ------------------------------------------------------------------------------------------

    def get(self, link_id: int, *, conn: Connection | None = None) -> LearnedLink:
        """One learned link.

        Raises:
            UnknownLearnedLink: no such link.
        """
        query = select(_TABLE).where(_TABLE.c.id == link_id)
        if conn is None:
            with self.engine.connect() as own:
                row = own.execute(query).first()
        else:
            row = conn.execute(query).first()
        if row is None:
            raise UnknownLearnedLink(f"no learned link with id {link_id}")
        return _read(row)

    def search(
        self,
        *,
        q: str | None = None,
        kind: str | None = None,
        verdict: Verdict | None = None,
        uri: str | None = None,
        actor: str | None = None,
        undone: bool | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[LearnedLink]:
        """Learned links, newest first, filtered.

        Args:
            q: words the phrase (as written or normalised) contains.
            kind: ``occupation`` or ``skill``.
            verdict: confirmed or rejected.
            uri: only links to this concept.
            actor: only this subject's.
            undone: True only undone links, False only those that count, None both.
            limit: at most this many.
            offset: skip this many.
        """
        query = select(_TABLE).order_by(_TABLE.c.id.desc()).limit(limit).offset(offset)
        if q:
            pattern = f"%{q.strip().lower()}%"
            query = query.where(or_(func.lower(_TABLE.c.phrase).like(pattern), _TABLE.c.phrase_key.like(pattern)))
        if kind is not None:
            query = query.where(_TABLE.c.kind == kind)
        if verdict is not None:
            query = query.where(_TABLE.c.verdict == Verdict(verdict).value)
        if uri is not None:
            query = query.where(_TABLE.c.uri == uri)
        if actor is not None:
            query = query.where(_TABLE.c.actor == actor)
        if undone is not None:
            query = query.where(_TABLE.c.undone_at.is_not(None) if undone else _TABLE.c.undone_at.is_(None))
        with self.engine.connect() as conn:
            return [_read(r) for r in conn.execute(query)]

    def verdicts(self, kind: str, phrase_key: str) -> PhraseVerdicts:
        """What counts for a phrase: its confirmed concepts (best first) and rejected ones.

        Args:
            kind: ``occupation`` or ``skill``.
            phrase_key: the phrase as the linker normalises it.
        """
        return self._current().by_key.get((kind, phrase_key), NO_VERDICTS)

    def empty(self) -> bool:
        """Whether no learned link counts (the linker then skips every lookup)."""
        return not self._current().by_key

    def _version(self) -> tuple[Any, ...]:
        with self.engine.connect() as conn:
            row = conn.execute(select(func.count(), func.max(_TABLE.c.id), func.max(_TABLE.c.undone_at))).one()
        return (int(row[0]), row[1], row[2])

    def _current(self) -> _Snapshot:
        now = time.monotonic()
        with self._lock:
            snapshot = self._snapshot
            fresh = snapshot is not None and now - self._checked < self.refresh_seconds
        if fresh:
            assert snapshot is not None
            return snapshot
        version = self._version()
        if snapshot is not None and snapshot.version == version:
            with self._lock:
                self._checked = now
            return snapshot
        with self.engine.connect() as conn:
            rows = [_read(r) for r in conn.execute(select(_TABLE).where(_TABLE.c.undone_at.is_(None)))]
        links: dict[tuple[str, str], list[LearnedLink]] = defaultdict(list)
        for link in rows:
            links[(link.kind, link.phrase_key)].append(link)
        built = _Snapshot(version, dict(links), summarise(rows))
        with self._lock:
            self._snapshot = built
            self._checked = now
        return built


def _as_dict(link: LearnedLink) -> dict[str, Any]:
    return {name: getattr(link, name) for name in LearnedLink.__slots__}


def create_tables(engine: Engine) -> None:
    """Create the learned links' table if it does not exist (the wiring's migrations do it for the service)."""
    SQLModel.metadata.create_all(engine, tables=LEARNED_TABLES)


__all__ = [
    "LEARNED_TABLES",
    "NO_VERDICTS",
    "Confirmed",
    "InvalidLearnedLink",
    "LearnedLink",
    "LearnedLinkRow",
    "LearnedLinks",
    "PhraseVerdicts",
    "UnknownLearnedLink",
    "Verdict",
    "create_tables",
    "summarise",
]
