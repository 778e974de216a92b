"""People correct what the engine understood from a record: its occupation, its skills, its language levels.

A correction changes the record itself, through the normal write path: the record's data is changed (a confirmed
occupation becomes its stated ``occupation_uri``, an added skill a stated item with its ``source``, a removed one
leaves the stated items and joins ``excluded_skills`` so that neither its text nor its occupation brings it back,
a language level is set), validated, built into a profile and stored and indexed with it as one unit
(``IngestionService.store_one``), so the matches change at once. In the same transaction a ``record_correction``
row keeps the provenance: who, when, what the engine had proposed, what was chosen and what the record said
before; and, when the person may teach the engine (a consultant), the verdict is remembered for the phrase as a
learned link (``Linker.learn``): a confirmed occupation for the title, an added skill for the phrase it was
added for, a removed skill rejected for each phrase of the record's text it came from. A jobseeker's own
corrections change their dossier only: they teach nothing.

An administrator undoes a learned link (``undo_learned``): it stops counting at once; the correction that taught
it is undone on its record when the record still says what the correction set (the earlier value is put back),
and every record whose stored links used the learned link is linked again without it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, cast, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from esco_data import ConceptKind, Taxonomy
from ingestion.models import JobseekerRecord, RecordKind, VacancyRecord
from ingestion.schemas import JobseekerIn, VacancyIn
from ingestion.service import IngestionService
from ingestion.validation import AnyRecord, FieldError, InvalidRecord
from matching.errors import UnknownProfile
from matching.linking import LearnedLink, Linker, LinkKind, Verdict

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


class CorrectionAction(StrEnum):
    """What a person corrected."""

    occupation = "occupation"
    add_skill = "add_skill"
    remove_skill = "remove_skill"
    language = "language"


class RecordCorrectionRow(SQLModel, table=True):
    """One correction of a record, with its provenance."""

    __tablename__ = "record_correction"

    id: int | None = Field(default=None, primary_key=True)
    record_kind: str = Field(max_length=16)
    record_id: str = Field(max_length=64, index=True)
    action: str = Field(max_length=16)
    field: str = Field(max_length=200)
    """Where in the record (``occupation_uri``, ``experiences[0].occupation_uri``, ``required_skills``, ...)."""
    phrase: str | None = Field(default=None, max_length=300)
    """The record's words that were corrected (a title, a skill phrase), when there are some."""
    proposed: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """What the engine had proposed there (concept URIs, best first; or the level read)."""
    chosen: str | None = Field(default=None, max_length=200)
    """What the person chose (a concept URI, a CEFR level; None: removed)."""
    previous: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """What the record said before (``{"value": ...}``), to put back when the correction is undone."""
    actor: str = Field(max_length=200)
    role: str = Field(max_length=16)
    learned_links: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """The learned links this correction taught (none for a jobseeker's own)."""
    created_at: datetime
    undone_at: datetime | None = None
    undone_by: str | None = Field(default=None, max_length=200)


CORRECTION_TABLES = [RecordCorrectionRow.__table__]  # type: ignore[attr-defined]
_TABLE = RecordCorrectionRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Corrected:
    """What a correction did."""

    record_kind: RecordKind
    record_id: str
    status: str
    """``updated`` (the record changed) or ``unchanged`` (it already said so; the provenance is still kept)."""
    correction: dict[str, Any]
    learned: list[LearnedLink]


@dataclass(frozen=True)
class Undone:
    """What undoing a learned link did."""

    link: LearnedLink
    reverted: list[str]
    """Records whose correction was undone (``kind:id``)."""
    relinked: list[str]
    """Records linked again without the learned link (``kind:id``)."""


_ITEM = re.compile(r"^(experiences|desired_occupations)\[(\d+)\]$")
_SKILL_LISTS = {
    RecordKind.jobseeker: ("skills",),
    RecordKind.vacancy: ("required_skills", "nice_to_have_skills"),
}


def _row_json(row: Any) -> dict[str, Any]:
    m = dict(row._mapping)
    for key in ("created_at", "undone_at"):
        if m.get(key) is not None:
            value = m[key]
            m[key] = (value.replace(tzinfo=UTC) if value.tzinfo is None else value).isoformat()
    return m


class CorrectionService:
    """Corrections of stored records by people, and the learned links they teach."""

    def __init__(self, ingestion: IngestionService, linker: Linker, taxonomy: Taxonomy) -> None:
        """Args:
        ingestion: the write path of records (validation, profile, store and index as one unit).
        linker: the linker (its learned links are taught here).
        taxonomy: the loaded ESCO taxonomy.
        """
        self.ingestion = ingestion
        self.linker = linker
        self.taxonomy = taxonomy

    @property
    def engine(self) -> Engine:
        """The database."""
        return self.ingestion.repository.engine

    # -- reading ------------------------------------------------------------------------------------------

    def _stored(self, kind: RecordKind, record_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A stored record's data and links.

        Raises:
            UnknownProfile: none with this id.
        """
        table = _records(kind)
        with self.engine.connect() as conn:
            row = conn.execute(select(table.c.data, table.c.links).where(table.c.id == record_id)).first()
        if row is None:
            raise UnknownProfile(f"no {kind.value} with id {record_id!r}")
        return dict(row[0]), list(row[1] or [])

    def history(self, kind: RecordKind, record_id: str) -> list[dict[str, Any]]:
        """The corrections of a record, oldest first (undone ones included, marked)."""
        query = (
            select(_TABLE)
            .where(_TABLE.c.record_kind == kind.value, _TABLE.c.record_id == record_id)
            .order_by(_TABLE.c.id)
        )
        with self.engine.connect() as conn:
            return [_row_json(r) for r in conn.execute(query)]

    # -- corrections --------------------------------------------------------------------------------------

    def set_occupation(
        self,
        kind: RecordKind,
        record_id: str,
        uri: str,
        *,
        actor: str,
        role: str,
        teach: bool,
        item: str | None = None,
        rejected: Sequence[str] = (),
    ) -> Corrected:
        """Confirm one of the proposed occupations of a record's title, or choose another: it becomes stated.

        Args:
            kind: the record's kind.
            record_id: its id.
            uri: the ESCO occupation chosen.
            actor: who.
            role: their role.
            teach: remember it for the title (a consultant), or for this record only (a jobseeker).
            item: for a jobseeker, which title: ``experiences[i]`` or ``desired_occupations[i]``.
            rejected: proposed occupations the person says the title is not (remembered when teaching).

        Returns:
            What was done.

        Raises:
            UnknownProfile: no such record.
            InvalidRecord: a bad item or URI (with the field and the reason).
        """
        data, links = self._stored(kind, record_id)
        if kind is RecordKind.vacancy:
            if item not in (None, "", "title"):
                raise InvalidRecord([FieldError("item", "a vacancy has one title: leave the item out")])
            title_field, target = "title", "occupation_uri"
            phrase = str(data.get("title") or "")
            previous = data.get("occupation_uri")
            new_data = data | {"occupation_uri": uri}
        else:
            match = _ITEM.match(item or "")
            if match is None:
                raise InvalidRecord([FieldError("item", "name the title: experiences[i] or desired_occupations[i]")])
            name, index = match.group(1), int(match.group(2))
            items = [dict(x) if isinstance(x, dict) else x for x in data.get(name) or []]
            if index >= len(items):
                raise InvalidRecord([FieldError("item", f"the dossier has no {name}[{index}]")])
            current = items[index] if isinstance(items[index], dict) else {"title": items[index]}
            title_field, target = f"{name}[{index}].title", f"{name}[{index}].occupation_uri"
            phrase = str(current.get("title") or "")
            previous = current.get("occupation_uri")
            items[index] = current | {"occupation_uri": uri}
            new_data = data | {name: items}
        self._check_concept(uri, "occupation", "uri")
        for i, other in enumerate(rejected):
            self._check_concept(other, "occupation", f"rejected[{i}]")
        proposed = self._proposed(links, title_field)
        verdicts: list[tuple[str, str, Verdict]] = []
        if teach and phrase:
            verdicts.append((phrase, uri, Verdict.confirmed))
            verdicts += [(phrase, other, Verdict.rejected) for other in rejected if other != uri]
        return self._apply(
            kind, record_id, new_data, CorrectionAction.occupation, target, phrase or None, proposed, uri,
            previous, actor, role, "occupation", verdicts,
        )  # fmt: skip

    def add_skill(
        self,
        kind: RecordKind,
        record_id: str,
        uri: str,
        *,
        actor: str,
        role: str,
        teach: bool,
        text: str | None = None,
        required: bool = True,
    ) -> Corrected:
        """Add a skill to a record (or confirm one the engine read): it becomes a stated item.

        Args:
            kind: the record's kind.
            record_id: its id.
            uri: the ESCO skill.
            actor: who.
            role: their role.
            teach: remember it for ``text`` (a consultant).
            text: the record's words it stands for (an extracted skill's phrase), if any.
            required: for a vacancy, a requirement (else nice to have).

        Raises:
            UnknownProfile: no such record.
            InvalidRecord: a bad URI.
        """
        self._check_concept(uri, "skill", "uri")
        data, links = self._stored(kind, record_id)
        lists = _SKILL_LISTS[kind]
        name = lists[0] if required or kind is RecordKind.jobseeker else lists[1]
        items = [_skill_item(x) for x in data.get(name) or []]
        source = "consultant" if role == "consultant" else role
        stated = [i for i, x in enumerate(items) if x.get("uri") == uri]
        previous = {"stated": bool(stated), "excluded": uri in (data.get("excluded_skills") or [])}
        if stated:
            items[stated[0]] = items[stated[0]] | {"source": source}
        else:
            items.append({"uri": uri, **({"text": text.strip()} if text and text.strip() else {}), "source": source})
        new_data = data | {name: items, "excluded_skills": [u for u in data.get("excluded_skills") or [] if u != uri]}
        if kind is RecordKind.vacancy:  # a requirement is not also nice to have, nor the other way round
            other = lists[1] if name == lists[0] else lists[0]
            new_data[other] = [x for x in (_skill_item(y) for y in data.get(other) or []) if x.get("uri") != uri]
        proposed = sorted({link["uri"] for link in links if link.get("kind") == "skill" and link.get("text") == text})
        verdicts = [(text, uri, Verdict.confirmed)] if teach and text and text.strip() else []
        return self._apply(
            kind, record_id, new_data, CorrectionAction.add_skill, name, text, proposed, uri, previous, actor,
            role, "skill", verdicts,
        )  # fmt: skip

    def remove_skill(
        self, kind: RecordKind, record_id: str, uri: str, *, actor: str, role: str, teach: bool
    ) -> Corrected:
        """Remove a skill from a record: stated items with it go, and it is excluded from what the record's text
        and occupations give; when teaching, it is rejected for every phrase of the record it was read from.

        Raises:
            UnknownProfile: no such record.
            InvalidRecord: a bad URI.
        """
        self._check_concept(uri, "skill", "uri")
        data, links = self._stored(kind, record_id)
        new_data = dict(data)
        removed: list[dict[str, Any]] = []
        for name in _SKILL_LISTS[kind]:
            items = [_skill_item(x) for x in data.get(name) or []]
            removed += [x | {"list": name} for x in items if x.get("uri") == uri]
            new_data[name] = [x for x in items if x.get("uri") != uri]
        excluded = list(dict.fromkeys([*(data.get("excluded_skills") or []), uri]))
        new_data["excluded_skills"] = excluded
        phrases = list(
            dict.fromkeys(
                str(link["text"])
                for link in links
                if link.get("kind") == "skill" and link.get("uri") == uri and str(link.get("text") or "").strip()
            )
        )
        verdicts = [(phrase, uri, Verdict.rejected) for phrase in phrases] if teach else []
        previous = {"removed": removed, "excluded": uri in (data.get("excluded_skills") or [])}
        return self._apply(
            kind, record_id, new_data, CorrectionAction.remove_skill, "excluded_skills", "; ".join(phrases) or None,
            [uri], None, previous, actor, role, "skill", verdicts,
        )  # fmt: skip

    def set_language(
        self, kind: RecordKind, record_id: str, lang: str, level: str | None, *, actor: str, role: str
    ) -> Corrected:
        """Set (or, with None, remove) a language level: a jobseeker's level, a vacancy's requirement.

        Raises:
            UnknownProfile: no such record.
            InvalidRecord: a bad language code or level.
        """
        lang = lang.strip().lower()
        if not re.fullmatch(r"[a-z]{2}", lang):
            raise InvalidRecord([FieldError("lang", f"a language is a two-letter code such as fr or nl, not {lang!r}")])
        if level is not None:
            level = level.strip().upper()
            if level not in CEFR_LEVELS:
                raise InvalidRecord(
                    [FieldError("level", f"CEFR level must be one of {', '.join(CEFR_LEVELS)}, not {level!r}")]
                )
        data, links = self._stored(kind, record_id)
        name = "languages" if kind is RecordKind.jobseeker else "language_requirements"
        levels = dict(data.get(name) or {})
        previous = levels.get(lang)
        if level is None:
            levels.pop(lang, None)
        else:
            levels[lang] = level
        read = [link.get("level") for link in links if link.get("kind") == "language" and link.get("lang") == lang]
        return self._apply(
            kind, record_id, data | {name: levels}, CorrectionAction.language, f"{name}.{lang}", None, read, level,
            previous, actor, role, "skill", [],
        )  # fmt: skip

    # -- undoing a learned link ---------------------------------------------------------------------------

    def undo_learned(self, link_id: int, actor: str) -> Undone:
        """Undo a learned link: it stops counting; the correction that taught it is undone where the record still
        says what it set; every record whose links used it is linked again.

        Raises:
            UnknownLearnedLink: no such link.
            InvalidLearnedLink: it was already undone.
        """
        learned = self._learned()
        link = learned.undo(link_id, actor)
        reverted: list[str] = []
        query = select(_TABLE).where(_TABLE.c.undone_at.is_(None)).order_by(_TABLE.c.id.desc())
        with self.engine.connect() as conn:
            taught = [dict(r._mapping) for r in conn.execute(query) if link_id in (r.learned_links or [])]
        for row in taught:
            # Only the link that carries the correction itself undoes it: undoing a rejection taught beside a
            # confirmation ("not this one") leaves the confirmed occupation in place.
            main = (
                (row.get("proposed") or [None])[0] if row["action"] == CorrectionAction.remove_skill else row["chosen"]
            )
            if link.uri == main and self._revert(row, actor):
                reverted.append(f"{row['record_kind']}:{row['record_id']}")
        relinked = self._relink_users(link_id, skip=set(reverted))
        return Undone(link, reverted, relinked)

    def _revert(self, row: dict[str, Any], actor: str) -> bool:
        """Put back what a record said before a correction, if it still says what the correction set."""
        kind = RecordKind(row["record_kind"])
        try:
            data, _ = self._stored(kind, row["record_id"])
        except UnknownProfile:
            return False
        new_data = _reverted(kind, data, row)
        now = datetime.now(UTC)

        def mark(conn: Connection) -> None:
            conn.execute(update(_TABLE).where(_TABLE.c.id == row["id"]).values(undone_at=now, undone_by=actor[:200]))

        if new_data is None:  # a later change took its place: only the provenance is marked
            with self.engine.begin() as conn:
                mark(conn)
            return False
        record = self._validated(kind, new_data)
        self.ingestion.store_one(record, source="correction undone", also=mark)
        return True

    def _relink_users(self, link_id: int, skip: set[str]) -> list[str]:
        """Link again every stored record whose links used a learned link."""
        done: list[str] = []
        marker = '"learned_link"'
        for kind in RecordKind:
            table = _records(kind)
            query = select(table.c.id, table.c.data, table.c.links).where(cast(table.c.links, String).contains(marker))
            with self.engine.connect() as conn:
                rows = [
                    (str(r[0]), dict(r[1]))
                    for r in conn.execute(query)
                    if any(_uses(link, link_id) for link in r[2] or [])
                ]
            records = [self._validated(kind, data) for rid, data in rows if f"{kind.value}:{rid}" not in skip]
            if records:
                self.ingestion.relink(kind, records, source=f"learned link {link_id} undone")
                done += [f"{kind.value}:{r.id}" for r in records]
        return done

    # -- shared -------------------------------------------------------------------------------------------

    def _learned(self) -> Any:
        learned = self.linker.learned
        if learned is None:
            raise RuntimeError("the linker has no store of learned links")  # the wiring always sets one
        return learned

    def _check_concept(self, uri: str, kind: LinkKind, field: str) -> None:
        wanted = ConceptKind.occupation if kind == "occupation" else ConceptKind.skill
        if uri not in self.taxonomy or self.taxonomy.concept(uri).kind is not wanted:
            raise InvalidRecord([FieldError(field, f"unknown ESCO {kind}: {uri}")])

    @staticmethod
    def _proposed(links: Sequence[dict[str, Any]], title_field: str) -> list[str]:
        for link in links:
            if link.get("kind") == "proposals" and link.get("field") == title_field:
                return [str(p["uri"]) for p in link.get("proposals") or []]
        ranked = sorted(
            (link for link in links if link.get("kind") == "occupation" and link.get("field") == title_field),
            key=lambda link: -float(link.get("score") or 0.0),
        )
        return [str(link["uri"]) for link in ranked]

    def _validated(self, kind: RecordKind, data: dict[str, Any]) -> AnyRecord:
        record, _ = self.ingestion.validate(kind, data)
        return record

    def _apply(
        self,
        kind: RecordKind,
        record_id: str,
        new_data: dict[str, Any],
        action: CorrectionAction,
        field: str,
        phrase: str | None,
        proposed: Sequence[Any],
        chosen: str | None,
        previous: Any,
        actor: str,
        role: str,
        link_kind: LinkKind,
        verdicts: Sequence[tuple[str, str, Verdict]],
    ) -> Corrected:
        """Store the corrected record, its provenance and what it teaches, as one unit with its profile."""
        record = self._validated(kind, new_data)
        lang = _record_language(record)
        learned: list[LearnedLink] = []
        made: dict[str, Any] = {}
        proposals = [p for p in proposed if isinstance(p, str)]

        def keep(conn: Connection) -> None:
            learned.clear()
            for phrase_text, uri, verdict in verdicts:
                if not self.linker.phrase_key(phrase_text, link_kind, lang):
                    continue  # a phrase with no words the linker reads teaches nothing (the correction stands)
                learned.append(
                    self.linker.learn(
                        phrase_text, link_kind, uri, verdict, proposed=proposals, actor=actor, role=role, lang=lang,
                        record=(kind.value, record_id), conn=conn,
                    )
                )  # fmt: skip
            row: dict[str, Any] = {
                "record_kind": kind.value,
                "record_id": record_id,
                "action": action.value,
                "field": field[:200],
                "phrase": phrase[:300] if phrase else None,
                "proposed": list(proposed),
                "chosen": chosen,
                "previous": {"value": previous},
                "actor": actor[:200],
                "role": role[:16],
                "learned_links": [link.id for link in learned],
                "created_at": datetime.now(UTC),
            }
            new_id = conn.execute(_TABLE.insert().values(**row).returning(_TABLE.c.id)).scalar_one()
            made.update(row | {"id": int(new_id), "created_at": row["created_at"].isoformat()})

        try:
            result = self.ingestion.store_one(record, source="correction", also=keep)
        finally:
            if verdicts and self.linker.learned is not None:
                self.linker.learned.changed()  # the transaction is over: read the learned links again
        return Corrected(kind, record_id, result.status, made, learned)


def _records(kind: RecordKind) -> Any:
    return (JobseekerRecord if kind is RecordKind.jobseeker else VacancyRecord).__table__  # type: ignore[union-attr]


def _skill_item(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    text = str(value)
    return {"uri": text} if text.startswith("http") else {"text": text}


def _uses(link: Any, link_id: int) -> bool:
    if not isinstance(link, dict):
        return False
    if link.get("learned_link") == link_id:
        return True
    return any(p.get("learned_link") == link_id for p in link.get("proposals") or [] if isinstance(p, dict))


def _record_language(record: AnyRecord) -> str | None:
    if isinstance(record, JobseekerIn):
        return record.preferred_language.value
    return record.language.value if isinstance(record, VacancyIn) and record.language else None


def _reverted(kind: RecordKind, data: dict[str, Any], row: dict[str, Any]) -> dict[str, Any] | None:
    """A record's data with a correction undone, or None when the record no longer says what it set."""
    previous = (row.get("previous") or {}).get("value")
    field, chosen = str(row["field"]), row.get("chosen")
    action = CorrectionAction(row["action"])
    if action is CorrectionAction.occupation:
        if field == "occupation_uri":
            if data.get("occupation_uri") != chosen:
                return None
            return _set_or_drop(data, "occupation_uri", previous)
        match = re.match(r"^(experiences|desired_occupations)\[(\d+)\]\.occupation_uri$", field)
        if match is None:
            return None
        name, index = match.group(1), int(match.group(2))
        items = [dict(x) if isinstance(x, dict) else {"title": x} for x in data.get(name) or []]
        if index >= len(items) or items[index].get("occupation_uri") != chosen:
            return None
        items[index] = _set_or_drop(items[index], "occupation_uri", previous)
        return data | {name: items}
    if action is CorrectionAction.add_skill:
        items = [_skill_item(x) for x in data.get(field) or []]
        if not any(x.get("uri") == chosen for x in items) or (isinstance(previous, dict) and previous.get("stated")):
            return None
        out = data | {field: [x for x in items if x.get("uri") != chosen]}
        if isinstance(previous, dict) and previous.get("excluded"):
            out["excluded_skills"] = list(dict.fromkeys([*(data.get("excluded_skills") or []), chosen]))
        return out
    if action is CorrectionAction.remove_skill:
        uri = (row.get("proposed") or [None])[0]
        if uri not in (data.get("excluded_skills") or []):
            return None
        out = dict(data)
        if not (isinstance(previous, dict) and previous.get("excluded")):
            out["excluded_skills"] = [u for u in data.get("excluded_skills") or [] if u != uri]
        for item in previous.get("removed", []) if isinstance(previous, dict) else []:
            name = item.pop("list", None)
            if name:
                out[name] = [*(_skill_item(x) for x in out.get(name) or []), item]
        return out
    return None


def _set_or_drop(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    out = dict(data)
    if value is None:
        out.pop(key, None)
    else:
        out[key] = value
    return out


def erase_corrections(conn: Connection, kind: RecordKind, record_id: str) -> int:
    """Delete a record's corrections (with the record: a jobseeker's erasure); how many were deleted. The learned
    links they taught stay, naming the record by its id only."""
    query = _TABLE.delete().where(_TABLE.c.record_kind == kind.value, _TABLE.c.record_id == record_id)
    return int(conn.execute(query).rowcount or 0)


def create_tables(engine: Engine) -> None:
    """Create the corrections' table if it does not exist (the wiring's migrations do it for the service)."""
    SQLModel.metadata.create_all(engine, tables=CORRECTION_TABLES)


__all__ = [
    "CORRECTION_TABLES",
    "Corrected",
    "CorrectionAction",
    "CorrectionService",
    "RecordCorrectionRow",
    "Undone",
    "create_tables",
    "erase_corrections",
]
