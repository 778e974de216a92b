"""The Taxonomy API: ESCO concepts, their labels per language with fallback, relations and hierarchy.

A Taxonomy is read from the database once (``Taxonomy.load``) and answers from memory, so that ranking and
explanations never query the database for a label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from esco_data.errors import TaxonomyNotLoaded, UnknownConcept
from esco_data.models import (
    ConceptKind,
    EscoBroader,
    EscoCollection,
    EscoConcept,
    EscoDescription,
    EscoLabel,
    EscoOccupationSkill,
    EscoRelease,
    EscoSkillSkill,
    LabelType,
    Relation,
)
from esco_data.normalize import normalize_label
from esco_data.store import current_release, read_table

ISCO_URI_PREFIX = "http://data.europa.eu/esco/isco/C"
_TYPE_ORDER = {LabelType.preferred: 0, LabelType.alternative: 1, LabelType.hidden: 2}


@dataclass(frozen=True, slots=True)
class Concept:
    """An ESCO concept's language-independent attributes."""

    uri: str
    kind: ConceptKind
    code: str | None = None
    isco_code: str | None = None
    skill_type: str | None = None
    reuse_level: str | None = None


@dataclass(frozen=True, slots=True)
class Label:
    """One label of a concept."""

    uri: str
    text: str
    lang: str
    label_type: LabelType
    norm: str
    """The text as ``normalize_label`` makes it."""


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A label or description in the language asked for, or in a fallback language."""

    text: str
    lang: str
    requested: str

    @property
    def fallback(self) -> bool:
        """Whether the text is in another language than the one asked for."""
        return self.lang != self.requested


@dataclass(frozen=True, slots=True)
class OccupationSkills:
    """The skills of an occupation, split by relation."""

    essential: tuple[str, ...]
    optional: tuple[str, ...]


def fallback_languages(lang: str) -> list[str]:
    """The order in which languages are tried for a label: asked -> the other of fr/nl -> en.

    Args:
        lang: the language asked for (ISO 639-1).

    Returns:
        The languages to try, most wanted first.
    """
    order = [lang]
    if lang in ("fr", "nl"):
        order.append("nl" if lang == "fr" else "fr")
    order += [x for x in ("en", "fr", "nl") if x not in order]
    return order


class Taxonomy:
    """An ESCO release in memory.

    Build it with ``Taxonomy.load(engine)``; the constructor takes already-read rows and does no I/O.
    """

    def __init__(
        self,
        release: EscoRelease,
        concepts: list[Concept],
        labels: list[Label],
        descriptions: dict[tuple[str, str], str],
        occupation_skills: list[tuple[str, str, Relation]],
        skill_skills: list[tuple[str, str, Relation]],
        broader: list[tuple[str, str]],
        collections: list[tuple[str, str]],
    ) -> None:
        self.release = release
        self._concepts = {c.uri: c for c in concepts}
        self._labels: dict[str, dict[str, list[Label]]] = defaultdict(lambda: defaultdict(list))
        self._by_norm: dict[str, list[Label]] = defaultdict(list)
        for label in sorted(labels, key=lambda x: _TYPE_ORDER[x.label_type]):
            self._labels[label.uri][label.lang].append(label)
            self._by_norm[label.norm].append(label)
        self._descriptions = descriptions
        essential: dict[str, list[str]] = defaultdict(list)
        optional: dict[str, list[str]] = defaultdict(list)
        self._occupations_of: dict[str, list[tuple[str, Relation]]] = defaultdict(list)
        for occ, skill, rel in sorted(occupation_skills):
            (essential if rel is Relation.essential else optional)[occ].append(skill)
            self._occupations_of[skill].append((occ, rel))
        self._skills = {
            occ: OccupationSkills(tuple(essential.get(occ, ())), tuple(optional.get(occ, ())))
            for occ in set(essential) | set(optional)
        }
        self._related: dict[str, list[tuple[str, Relation]]] = defaultdict(list)
        for a, b, rel in sorted(skill_skills):
            self._related[a].append((b, rel))
        self._broader: dict[str, list[str]] = defaultdict(list)
        self._narrower: dict[str, list[str]] = defaultdict(list)
        for child, parent in sorted(broader):
            self._broader[child].append(parent)
            self._narrower[parent].append(child)
        self._collections: dict[str, set[str]] = defaultdict(set)
        self._members: dict[str, set[str]] = defaultdict(set)
        for uri, name in collections:
            self._collections[uri].add(name)
            self._members[name].add(uri)

    @classmethod
    def load(cls, engine: Engine) -> Taxonomy:
        """Read the loaded release from the database.

        Args:
            engine: the database engine.

        Returns:
            The taxonomy.

        Raises:
            TaxonomyNotLoaded: no release is in the database.
        """
        release = current_release(engine)
        if release is None:
            raise TaxonomyNotLoaded()
        with engine.connect() as conn:
            concepts = [
                Concept(uri, ConceptKind(kind), code, isco, skill_type, reuse)
                for uri, kind, code, isco, skill_type, reuse in read_table(
                    conn, EscoConcept, "uri", "kind", "code", "isco_code", "skill_type", "reuse_level"
                )
            ]
            labels = [
                Label(uri, text, lang, LabelType(kind), norm)
                for uri, text, lang, kind, norm in read_table(
                    conn, EscoLabel, "uri", "text", "lang", "label_type", "norm"
                )
            ]
            descriptions = {
                (uri, lang): text for uri, lang, text in read_table(conn, EscoDescription, "uri", "lang", "text")
            }
            occupation_skills = [
                (occ, skill, Relation(rel))
                for occ, skill, rel in read_table(conn, EscoOccupationSkill, "occupation_uri", "skill_uri", "relation")
            ]
            skill_skills = [
                (a, b, Relation(rel))
                for a, b, rel in read_table(conn, EscoSkillSkill, "skill_uri", "related_uri", "relation")
            ]
            broader = [(a, b) for a, b in read_table(conn, EscoBroader, "uri", "broader_uri")]
            collections = [(a, b) for a, b in read_table(conn, EscoCollection, "uri", "collection")]
        return cls(release, concepts, labels, descriptions, occupation_skills, skill_skills, broader, collections)

    # -- concepts ---------------------------------------------------------------------------------------

    @property
    def version(self) -> str:
        """The ESCO version, e.g. ``v1.1.1``."""
        return self.release.version

    def __contains__(self, uri: object) -> bool:
        return uri in self._concepts

    def __len__(self) -> int:
        return len(self._concepts)

    def concept(self, uri: str) -> Concept:
        """The concept with this URI.

        Raises:
            UnknownConcept: no concept has this URI.
        """
        try:
            return self._concepts[uri]
        except KeyError:
            raise UnknownConcept(uri) from None

    def concepts(self, kind: ConceptKind | None = None) -> Iterator[Concept]:
        """All concepts, or those of one kind, in a stable order."""
        for concept in self._concepts.values():
            if kind is None or concept.kind is kind:
                yield concept

    def counts(self) -> dict[str, int]:
        """Number of concepts per kind."""
        counts = dict.fromkeys((k.value for k in ConceptKind), 0)
        for concept in self._concepts.values():
            counts[concept.kind.value] += 1
        return counts

    # -- labels -----------------------------------------------------------------------------------------

    def label(self, uri: str, lang: str) -> LocalizedText:
        """The preferred label of a concept in a language, falling back per concept.

        Args:
            uri: the concept URI.
            lang: the language asked for; when the concept has no label in it, the other of fr/nl is
                used, then English.

        Returns:
            The label, with the language it is in (``fallback`` tells whether that differs).

        Raises:
            UnknownConcept: no concept has this URI.
        """
        by_lang = self._labels.get(uri)
        if by_lang is None:
            raise UnknownConcept(uri)
        for candidate in fallback_languages(lang) + sorted(by_lang):
            if labels := by_lang.get(candidate):
                return LocalizedText(labels[0].text, candidate, lang)
        raise UnknownConcept(uri)  # pragma: no cover - every stored concept has a label

    def labels(self, uri: str, lang: str | None = None) -> list[Label]:
        """Every label of a concept (preferred first), in one language or all."""
        by_lang = self._labels.get(uri, {})
        if lang is not None:
            return list(by_lang.get(lang, []))
        return [label for langs in sorted(by_lang) for label in by_lang[langs]]

    def all_labels(self) -> Iterator[Label]:
        """Every label of every concept."""
        for by_lang in self._labels.values():
            for labels in by_lang.values():
                yield from labels

    def has_label(self, uri: str, lang: str) -> bool:
        """Whether a concept has a label of its own in a language (no fallback)."""
        return bool(self._labels.get(uri, {}).get(lang))

    def description(self, uri: str, lang: str) -> LocalizedText | None:
        """A concept's description in a language, with the same fallback as labels; None if it has none."""
        for candidate in fallback_languages(lang):
            if text := self._descriptions.get((uri, candidate)):
                return LocalizedText(text, candidate, lang)
        return None

    def lookup(self, text: str, *, lang: str | None = None, kind: ConceptKind | None = None) -> list[Label]:
        """Concepts that have exactly this label, ignoring case, accents, punctuation and spacing.

        Args:
            text: the label to look up.
            lang: only labels in this language.
            kind: only concepts of this kind.

        Returns:
            Matching labels, most authoritative first (preferred, alternative, hidden).
        """
        found = self._by_norm.get(normalize_label(text), [])
        return [
            label
            for label in found
            if (lang is None or label.lang == lang) and (kind is None or self._concepts[label.uri].kind is kind)
        ]

    # -- relations --------------------------------------------------------------------------------------

    def skills_of(self, occupation_uri: str) -> OccupationSkills:
        """The essential and optional skills of an occupation.

        Raises:
            UnknownConcept: the URI is not an occupation.
        """
        if self.concept(occupation_uri).kind is not ConceptKind.occupation:
            raise UnknownConcept(occupation_uri)
        return self._skills.get(occupation_uri, OccupationSkills((), ()))

    def occupations_of(self, skill_uri: str) -> list[tuple[str, Relation]]:
        """The occupations that list a skill, with the relation."""
        return list(self._occupations_of.get(skill_uri, ()))

    def related_skills(self, skill_uri: str) -> list[tuple[str, Relation]]:
        """Skills that ESCO relates to a skill (skill-skill relations)."""
        return list(self._related.get(skill_uri, ()))

    def broader(self, uri: str) -> list[str]:
        """The direct parents of a concept in its pillar's hierarchy."""
        return list(self._broader.get(uri, ()))

    def narrower(self, uri: str) -> list[str]:
        """The direct children of a concept in its pillar's hierarchy."""
        return list(self._narrower.get(uri, ()))

    def ancestors(self, uri: str) -> list[str]:
        """All concepts above this one, nearest first (breadth-first, no repeats)."""
        seen: dict[str, None] = {}
        frontier = self.broader(uri)
        while frontier:
            nxt: list[str] = []
            for parent in frontier:
                if parent not in seen and parent != uri:
                    seen[parent] = None
                    nxt.extend(self._broader.get(parent, ()))
            frontier = nxt
        return list(seen)

    def isco_group(self, occupation_uri: str) -> Concept | None:
        """The ISCO-08 unit group of an occupation, or None when it has none.

        Raises:
            UnknownConcept: no concept has this URI.
        """
        concept = self.concept(occupation_uri)
        if concept.isco_code:
            return self._concepts.get(ISCO_URI_PREFIX + concept.isco_code)
        return next(
            (
                self._concepts[u]
                for u in self.ancestors(occupation_uri)
                if self._concepts[u].kind is ConceptKind.isco_group
            ),
            None,
        )

    def collections(self, uri: str) -> frozenset[str]:
        """The ESCO collections a concept belongs to (e.g. ``digital``, ``green``, ``language``)."""
        return frozenset(self._collections.get(uri, ()))

    def in_collection(self, uri: str, collection: str) -> bool:
        """Whether a concept belongs to an ESCO collection."""
        return collection in self._collections.get(uri, ())

    def collection_members(self, collection: str) -> frozenset[str]:
        """The concepts of an ESCO collection."""
        return frozenset(self._members.get(collection, ()))


__all__ = [
    "ISCO_URI_PREFIX",
    "Concept",
    "Label",
    "LocalizedText",
    "OccupationSkills",
    "Taxonomy",
    "fallback_languages",
]
