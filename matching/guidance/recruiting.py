"""Occupations that recruit ("beroepen die rekruteren", "fonctions critiques"): the regional shortage lists
linked to ESCO with the engine's own linker.

A title's best occupation is kept when the linker's score reaches the threshold of the list's language, chosen
where the linker's precision on that language's dev sets is at least 0.9 (``benchmarks.link_threshold``); a
language with no such threshold has every title reviewed. The other titles wait for review (an admin confirms
a concept or rejects the title). A vacancy is marked as recruiting when its occupation is on
the list of its own region (by postcode); a jobseeker is shown the recruiting occupations of the regions they
would work in, those whose essential skills they miss least first.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from esco_data import ConceptKind, Taxonomy, UnknownConcept
from matching.linking import Linker
from matching.profiles import Origin, Profile
from matching.ranking import Region, place_of

LIST_REGIONS = {"bruxelles": Region.brussels, "flandre": Region.flanders, "wallonie": Region.wallonia}
"""The region names of the shortage lists."""
_LANG = {Region.brussels: "fr", Region.flanders: "nl", Region.wallonia: "fr"}
_EVIDENCE = {Origin.confirmed: 2, Origin.extracted: 1, Origin.inferred: 0}


class LinkStatus(StrEnum):
    """Where a shortage-list title stands."""

    linked = "linked"
    """Linked by the engine above the threshold."""
    review = "review"
    """Below the threshold: waits for an admin."""
    confirmed = "confirmed"
    """An admin chose its concept."""
    rejected = "rejected"
    """An admin found no concept for it."""


ACCEPTED = (LinkStatus.linked, LinkStatus.confirmed)


class RecruitingRow(SQLModel, table=True):
    """One title of a shortage list and the ESCO concept it stands for."""

    __tablename__ = "recruiting_occupation"

    id: int | None = Field(default=None, primary_key=True)
    list_name: str = Field(max_length=200, index=True)
    region: str = Field(max_length=16, index=True)
    group: str = Field(default="", max_length=200)
    title: str = Field(max_length=500)
    uri: str | None = Field(default=None, max_length=200)
    score: float = 0.0
    status: str = Field(max_length=16, index=True)
    alternatives: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    linked_at: datetime
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = None


RECRUITING_TABLES = [RecruitingRow.__table__]  # type: ignore[attr-defined]


def create_tables(engine: Engine) -> None:
    """Create the recruiting-occupation table if it does not exist yet."""
    SQLModel.metadata.create_all(engine, tables=RECRUITING_TABLES)


@dataclass(frozen=True)
class ShortageTitle:
    """One title of a regional shortage list."""

    region: Region
    group: str
    title: str

    @property
    def lang(self) -> str:
        """The language the region's list is written in."""
        return _LANG[self.region]


def read_shortage_list(path: Path) -> list[ShortageTitle]:
    """The titles of a shortage-list file (tab-separated: region, group, title; a header line).

    Raises:
        ValueError: a region is not bruxelles, flandre or wallonie.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for line, row in enumerate(rows, start=2):
        region = LIST_REGIONS.get((row.get("region") or "").strip().lower())
        if region is None:
            raise ValueError(f"{path.name} line {line}: unknown region {row.get('region')!r}")
        out.append(ShortageTitle(region, (row.get("group") or "").strip(), (row.get("title") or "").strip()))
    return [t for t in out if t.title]


def link_titles(
    linker: Linker, titles: Sequence[ShortageTitle], thresholds: Mapping[str, float | None]
) -> list[dict[str, Any]]:
    """Link shortage-list titles to ESCO occupations; rows for the recruiting table.

    Args:
        linker: the engine's linker.
        titles: the titles.
        thresholds: per language of the lists, a best concept scoring at least this is kept; the others go to
            review (every title of a language without a threshold).

    Returns:
        One row per title: region, group, title, uri, score, status and the three best concepts.
    """
    texts = [t.title for t in titles]
    best = linker.link_many(texts, "occupation", k=1)
    ranked = linker.link_many(texts, "occupation", k=3)
    now = datetime.now(UTC)
    rows = []
    for title, top, alternatives in zip(titles, best, ranked, strict=True):
        hit = top[0] if top else None
        threshold = thresholds.get(title.lang)
        kept = hit is not None and threshold is not None and hit.score >= threshold
        rows.append(
            {
                "region": title.region.value,
                "group": title.group[:200],
                "title": title.title[:500],
                "uri": hit.uri if hit else None,
                "score": round(hit.score, 4) if hit else 0.0,
                "status": (LinkStatus.linked if kept else LinkStatus.review).value,
                "alternatives": [{"uri": c.uri, "label": c.label, "score": round(c.score, 4)} for c in alternatives],
                "linked_at": now,
            }
        )
    return rows


def _row_json(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row._mapping.items()}


class RecruitingStore:
    """The linked shortage lists in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _table() -> Any:
        return RecruitingRow.__table__  # type: ignore[attr-defined]

    def replace(self, list_name: str, rows: Iterable[dict[str, Any]]) -> int:
        """Replace a list's links with new ones, keeping the admins' reviews of titles that are still there.

        Returns:
            Rows written.
        """
        table = self._table()
        rows = list(rows)
        with self.engine.begin() as conn:
            reviewed = {
                (r.region, r.title): r
                for r in conn.execute(
                    select(table).where(
                        table.c.list_name == list_name,
                        table.c.status.in_([LinkStatus.confirmed.value, LinkStatus.rejected.value]),
                    )
                )
            }
            conn.execute(delete(table).where(table.c.list_name == list_name))
            for row in rows:
                # Every row has the same columns: one insert of many rows needs that.
                row.setdefault("reviewed_by", None)
                row.setdefault("reviewed_at", None)
                kept = reviewed.get((row["region"], row["title"]))
                if kept is not None:
                    row |= {
                        "uri": kept.uri,
                        "status": kept.status,
                        "reviewed_by": kept.reviewed_by,
                        "reviewed_at": kept.reviewed_at,
                    }
                row["list_name"] = list_name
            if rows:
                conn.execute(table.insert(), rows)
        return len(rows)

    def rows(self, *, status: Sequence[LinkStatus] | None = None, region: Region | None = None) -> list[dict[str, Any]]:
        """The titles with their links, optionally of some statuses or one region."""
        table = self._table()
        query = select(table).order_by(table.c.id)
        if status is not None:
            query = query.where(table.c.status.in_([s.value for s in status]))
        if region is not None:
            query = query.where(table.c.region == region.value)
        with self.engine.connect() as conn:
            return [_row_json(r) for r in conn.execute(query)]

    def review(self, row_id: int, uri: str | None, by: str, taxonomy: Taxonomy) -> dict[str, Any]:
        """An admin's review of a title: confirm a concept for it (``uri``), or reject it (None).

        Raises:
            UnknownConcept: the URI is not an ESCO occupation or ISCO group, or there is no such row.
        """
        if uri is not None and (uri not in taxonomy or taxonomy.concept(uri).kind is ConceptKind.skill):
            raise UnknownConcept(uri)
        table = self._table()
        status = LinkStatus.confirmed if uri is not None else LinkStatus.rejected
        values: dict[str, Any] = {
            "status": status.value,
            "reviewed_by": by.strip()[:200] or "admin",
            "reviewed_at": datetime.now(UTC),
        }
        if uri is not None:
            values["uri"] = uri
        with self.engine.begin() as conn:
            if not conn.execute(update(table).where(table.c.id == row_id).values(**values)).rowcount:
                raise UnknownConcept(f"recruiting title {row_id}")
            return _row_json(conn.execute(select(table).where(table.c.id == row_id)).one())


@dataclass
class Suggestion:
    """A recruiting occupation a jobseeker could reach, and the essential skills they miss for it."""

    uri: str
    label: str
    regions: list[str]
    titles: list[str]
    essential: int
    missing: list[dict[str, str]] = field(default_factory=list)

    @property
    def gap(self) -> int:
        """Essential skills missing."""
        return len(self.missing)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "uri": self.uri,
            "label": self.label,
            "regions": self.regions,
            "titles": self.titles,
            "essential": self.essential,
            "gap": self.gap,
            "missing": self.missing,
        }


def primary_occupation(profile: Profile) -> str | None:
    """A vacancy's occupation: the one its strongest evidence names (given in the record, then linked)."""
    if not profile.occupations:
        return None
    best = max(profile.occupations, key=lambda c: (_EVIDENCE[c.origin], c.confidence))
    return best.uri


class RecruitingOccupations:
    """The accepted links of the shortage lists, by region, for marking vacancies and suggesting occupations."""

    def __init__(self, taxonomy: Taxonomy, rows: Iterable[dict[str, Any]]) -> None:
        """Args:
        taxonomy: ESCO.
        rows: rows of the recruiting table (only linked and confirmed ones are used).
        """
        self.taxonomy = taxonomy
        accepted = {s.value for s in ACCEPTED}
        self.titles: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            if row["status"] in accepted and row["uri"]:
                self.titles.setdefault((row["region"], row["uri"]), []).append(row["title"])

    def of(self, region: Region, occupation: str) -> list[str]:
        """The list titles a region's list gives for an occupation (directly or through its ISCO group)."""
        found = list(self.titles.get((region.value, occupation), []))
        try:
            group = self.taxonomy.isco_group(occupation)
        except UnknownConcept:
            group = None
        if group is not None:
            found += self.titles.get((region.value, group.uri), [])
        return found

    def mark(self, vacancy: Profile) -> dict[str, Any] | None:
        """Whether a vacancy's occupation recruits in the vacancy's region: the region and titles, or None."""
        place = place_of(vacancy.postcode)
        occupation = primary_occupation(vacancy)
        if place is None or occupation is None:
            return None
        titles = self.of(place.region, occupation)
        if not titles:
            return None
        return {"region": place.region.value, "occupation": occupation, "titles": titles}

    def occupations(self, regions: Sequence[Region]) -> dict[str, list[tuple[str, str]]]:
        """ESCO occupation -> (region, title) of the accepted links of some regions (ISCO groups left out)."""
        out: dict[str, list[tuple[str, str]]] = {}
        wanted = {r.value for r in regions}
        for (region, uri), titles in self.titles.items():
            if region in wanted and uri in self.taxonomy and self.taxonomy.concept(uri).kind is ConceptKind.occupation:
                out.setdefault(uri, []).extend((region, t) for t in titles)
        return out

    def suggest(self, jobseeker: Profile, *, lang: str | None = None, limit: int = 10) -> list[Suggestion]:
        """The recruiting occupations a jobseeker could reach with the smallest gap in essential skills.

        The regions are those the jobseeker accepts to work in, else the region of their postcode, else
        Brussels. Occupations they already hold or want are left out.

        Args:
            jobseeker: the jobseeker's profile.
            lang: the language of the labels (default: the jobseeker's).
            limit: how many occupations.

        Returns:
            Suggestions, fewest missing essential skills first (then most essential skills held, then label).
        """
        lang = lang or jobseeker.lang
        regions = [Region(r) for r in jobseeker.regions if r in Region.__members__]
        if not regions:
            place = place_of(jobseeker.postcode)
            regions = [place.region if place else Region.brussels]
        held = set(jobseeker.skill_uris())
        own = {c.uri for c in jobseeker.occupations}
        out = []
        for uri, found in self.occupations(regions).items():
            if uri in own:
                continue
            essential = self.taxonomy.skills_of(uri).essential
            missing = [s for s in essential if s not in held]
            out.append(
                Suggestion(
                    uri=uri,
                    label=self.taxonomy.label(uri, lang).text,
                    regions=sorted({r for r, _ in found}),
                    titles=sorted({t for _, t in found}),
                    essential=len(essential),
                    missing=[{"uri": s, "label": self.taxonomy.label(s, lang).text} for s in missing],
                )
            )
        out.sort(key=lambda s: (s.gap, -(s.essential - s.gap), s.label))
        return out[:limit]


__all__ = [
    "LIST_REGIONS",
    "LinkStatus",
    "RecruitingOccupations",
    "RecruitingRow",
    "RecruitingStore",
    "ShortageTitle",
    "Suggestion",
    "create_tables",
    "link_titles",
    "primary_occupation",
    "read_shortage_list",
]
