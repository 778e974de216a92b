"""The Taxonomy API: ESCO concepts, their labels per language with fallback, relations and hierarchy.

A Taxonomy is read from the database once (``Taxonomy.load``) and answers from memory, so that ranking and
explanations never query the database for a label. ``snapshot`` turns it into bytes that
``Taxonomy.from_snapshot`` reads back in a fraction of the time (start-up keeps one beside the data).
"""

from __future__ import annotations

import gc
import hashlib
import pickle
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.engine import Engine

from esco_data.errors import UnknownConcept
from esco_data.languages import LANGUAGES
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
from esco_data.store import loaded_release, read_table
from esco_data.strings import SortedStrings

ISCO_URI_PREFIX = "http://data.europa.eu/esco/isco/C"


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
    if lang in _NATIONAL:
        order += [x for x in _NATIONAL if x != lang]
    order += [x for x in dict.fromkeys((_SOURCE, *LANGUAGES)) if x not in order]
    return order


_NATIONAL = ("fr", "nl")
"""The two national languages of the service's readers: each falls back on the other first."""
_SOURCE = "en"
"""ESCO's source language, whose labels every concept has: the next fallback."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused (then as it was): building a taxonomy makes about a million containers,
    and the collections they trigger would scan every object the process holds, again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


SNAPSHOT_FORMAT = 2
"""Version of the bytes ``Taxonomy.snapshot`` writes; a snapshot of another version is not read."""
_TYPES = tuple(LabelType)
_TYPE_CODES = {t: i for i, t in enumerate(_TYPES)}


class Taxonomy:
    """An ESCO release in memory.

    Build it with ``Taxonomy.load(engine)``, or from ``snapshot`` bytes with ``Taxonomy.from_snapshot``; the
    constructor takes already-read rows and does no I/O. Labels are held as columns (one string per text,
    URIs and languages shared with the concepts, normalised forms as a sorted array of bytes) and become
    ``Label`` objects only when asked for.
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
        rows = [(x.uri, x.text, x.lang, x.label_type, x.norm) for x in labels]
        state = _state_from_rows(concepts, rows, descriptions, occupation_skills, skill_skills, broader, collections)
        self._set_state(release, state)

    def _set_state(self, release: EscoRelease, state: dict[str, Any]) -> None:
        self.release = release
        self._concepts: dict[str, Concept] = {
            uri: Concept(uri, ConceptKind(kind), code, isco, skill_type, reuse)
            for uri, kind, code, isco, skill_type, reuse in state["concepts"]
        }
        # Label columns, grouped by concept, then language, then type (preferred first).
        self._label_uri: list[str] = state["label_uri"]
        self._label_text: list[str] = state["label_text"]
        self._label_lang: list[str] = state["label_lang"]
        self._label_type: bytes = state["label_type"]
        self._label_span: dict[str, tuple[int, int]] = state["label_span"]
        """Each concept's labels: a range of the columns."""
        self._norms = SortedStrings(state["norm_data"], state["norm_offsets"])
        """The distinct normalised forms of the labels."""
        self._label_norm: npt.NDArray[np.int32] = state["label_norm"]
        """Each label's form, by its number in ``_norms``."""
        self._norm_indptr: npt.NDArray[np.int64] = state["norm_indptr"]
        self._norm_labels: npt.NDArray[np.int32] = state["norm_labels"]
        """The labels of each form, most authoritative first: ``_norm_labels[_norm_indptr[n]:_norm_indptr[n + 1]]``."""
        self._descriptions: dict[tuple[str, str], str] = state["descriptions"]
        self._skills = {occ: OccupationSkills(ess, opt) for occ, (ess, opt) in state["skills"].items()}
        self._occupations_of: dict[str, list[tuple[str, Relation]]] = state["occupations_of"]
        self._related: dict[str, list[tuple[str, Relation]]] = state["related"]
        self._broader: dict[str, list[str]] = state["broader"]
        self._narrower: dict[str, list[str]] = state["narrower"]
        self._collections: dict[str, frozenset[str]] = state["collections"]
        self._members: dict[str, frozenset[str]] = state["members"]
        self._state = state

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
        release = loaded_release(engine)
        # The collector paused while the rows become containers: 1.6 s against 2.6-2.8 s (ad hoc, full release).
        with _collector_paused(), engine.connect() as conn:
            concepts = [
                Concept(uri, ConceptKind(kind), code, isco, skill_type, reuse)
                for uri, kind, code, isco, skill_type, reuse in read_table(
                    conn, EscoConcept, "uri", "kind", "code", "isco_code", "skill_type", "reuse_level"
                )
            ]
            labels = [
                (uri, text, lang, LabelType(kind), norm)
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
            state = _state_from_rows(
                concepts, labels, descriptions, occupation_skills, skill_skills, broader, collections
            )
            taxonomy = cls.__new__(cls)
            taxonomy._set_state(release, state)
        return taxonomy

    def snapshot(self) -> bytes:
        """The taxonomy as bytes that ``from_snapshot`` reads back much faster than the database."""
        header = {"format": SNAPSHOT_FORMAT, "checksum": self.release.checksum, "version": self.release.version}
        return pickle.dumps((header, self._state), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_snapshot(cls, data: bytes, release: EscoRelease) -> Taxonomy:
        """Read a taxonomy from ``snapshot`` bytes (written by this program: they are unpickled).

        Args:
            data: the bytes.
            release: the release in the database; the snapshot must be of it (same checksum).

        Returns:
            The taxonomy.

        Raises:
            ValueError: the bytes are not a snapshot of this release in this format.
        """
        # The collector paused: the unpickling alone took 0.18-0.57 s with it, 0.07 s without (ad hoc).
        with _collector_paused():
            try:
                header, state = pickle.loads(data)  # noqa: S301 - our own file in the data directory
            except Exception as exc:  # a truncated or foreign file: any unpickling error
                raise ValueError(f"not a taxonomy snapshot: {exc}") from exc
            wanted = {"format": SNAPSHOT_FORMAT, "checksum": release.checksum, "version": release.version}
            if not isinstance(header, dict) or header != wanted or not isinstance(state, dict):
                raise ValueError("the snapshot is of another ESCO release or format")
            taxonomy = cls.__new__(cls)
            taxonomy._set_state(release, state)
        return taxonomy

    def _label(self, i: int) -> Label:
        return Label(
            self._label_uri[i],
            self._label_text[i],
            self._label_lang[i],
            _TYPES[self._label_type[i]],
            self._norms[int(self._label_norm[i])],
        )

    def _lang_range(self, uri: str, lang: str) -> range:
        """The columns of a concept's labels in one language (empty when it has none)."""
        start, end = self._label_span.get(uri, (0, 0))
        langs = self._label_lang
        first = next((i for i in range(start, end) if langs[i] == lang), end)
        last = next((i for i in range(first, end) if langs[i] != lang), end)
        return range(first, last)

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
        span = self._label_span.get(uri)
        if span is None:
            raise UnknownConcept(uri)
        present = sorted(set(self._label_lang[span[0] : span[1]]))
        for candidate in fallback_languages(lang) + present:
            rows = self._lang_range(uri, candidate)
            if rows:
                return LocalizedText(self._label_text[rows[0]], candidate, lang)
        raise UnknownConcept(uri)  # pragma: no cover - every stored concept has a label

    def labels(self, uri: str, lang: str | None = None) -> list[Label]:
        """Every label of a concept (preferred first), in one language or all."""
        if lang is not None:
            return [self._label(i) for i in self._lang_range(uri, lang)]
        start, end = self._label_span.get(uri, (0, 0))
        return [self._label(i) for i in range(start, end)]

    def all_labels(self) -> Iterator[Label]:
        """Every label of every concept, concept by concept."""
        for i in range(len(self._label_text)):
            yield self._label(i)

    def label_digest(self) -> str:
        """A digest of every label's concept, text, language and type in ``all_labels`` order: what an index
        that names labels by their row (``label_at``) was built over."""
        digest: str | None = self.__dict__.get("_label_digest")
        if digest is None:
            h = hashlib.blake2b(digest_size=16)
            h.update("\x00".join(self._label_uri).encode())
            h.update("\x00".join(self._label_text).encode())
            h.update("\x00".join(self._label_lang).encode())
            h.update(self._label_type)
            digest = self.__dict__["_label_digest"] = h.hexdigest()
        return digest

    def label_at(self, i: int) -> tuple[str, str, str, LabelType]:
        """The i-th label of ``all_labels`` as (concept URI, text, language, type), without building a ``Label``."""
        return self._label_uri[i], self._label_text[i], self._label_lang[i], _TYPES[self._label_type[i]]

    def has_label(self, uri: str, lang: str) -> bool:
        """Whether a concept has a label of its own in a language (no fallback)."""
        return bool(self._lang_range(uri, lang))

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
        norm = self._norms.find(normalize_label(text))
        rows: list[int] = []
        if norm >= 0:
            rows = self._norm_labels[self._norm_indptr[norm] : self._norm_indptr[norm + 1]].tolist()
        labels = [self._label(i) for i in rows]
        return [
            label
            for label in labels
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


def _state_from_rows(
    concepts: list[Concept],
    labels: list[tuple[str, str, str, LabelType, str]],
    descriptions: dict[tuple[str, str], str],
    occupation_skills: list[tuple[str, str, Relation]],
    skill_skills: list[tuple[str, str, Relation]],
    broader: list[tuple[str, str]],
    collections: list[tuple[str, str]],
) -> dict[str, Any]:
    """The plain containers a Taxonomy answers from (and that a snapshot holds), built from database rows.

    Every URI and language code is one shared string object, so that a URI named by a thousand relations is
    held once.
    """
    shared: dict[str, str] = {}

    def one(text: str) -> str:
        return shared.setdefault(text, text)

    concept_rows = [(one(c.uri), c.kind.value, c.code, c.isco_code, c.skill_type, c.reuse_level) for c in concepts]
    # Labels: by type first (stable), as lookups list them; then grouped by concept and language.
    by_type = sorted(range(len(labels)), key=lambda i: _TYPE_CODES[labels[i][3]])
    first_seen: dict[str, int] = {}
    for i in by_type:
        first_seen.setdefault(labels[i][0], len(first_seen))
    rank = {i: r for r, i in enumerate(by_type)}
    order = sorted(range(len(labels)), key=lambda i: (first_seen[labels[i][0]], labels[i][2], rank[i]))
    column_of = {i: c for c, i in enumerate(order)}
    label_uri = [one(labels[i][0]) for i in order]
    label_text = [labels[i][1] for i in order]
    norms, label_norm = SortedStrings.numbered([labels[i][4] for i in order])
    label_lang = [one(labels[i][2]) for i in order]
    label_type = bytes(_TYPE_CODES[labels[i][3]] for i in order)
    label_span: dict[str, tuple[int, int]] = {}
    for column, uri in enumerate(label_uri):
        start = label_span.get(uri, (column, column))[0]
        label_span[uri] = (start, column + 1)
    # The labels of each form, most authoritative first: columns in type order, grouped by form (stable).
    columns = np.asarray([column_of[i] for i in by_type], dtype=np.int64)
    norm_labels = columns[np.argsort(label_norm[columns], kind="stable")].astype(np.int32)
    norm_indptr = np.searchsorted(label_norm[norm_labels], np.arange(len(norms) + 1)).astype(np.int64)
    essential: dict[str, list[str]] = defaultdict(list)
    optional: dict[str, list[str]] = defaultdict(list)
    occupations_of: dict[str, list[tuple[str, Relation]]] = defaultdict(list)
    for occ, skill, rel in sorted(occupation_skills):
        (essential if rel is Relation.essential else optional)[one(occ)].append(one(skill))
        occupations_of[one(skill)].append((one(occ), rel))
    skills = {
        occ: (tuple(essential.get(occ, ())), tuple(optional.get(occ, ()))) for occ in set(essential) | set(optional)
    }
    related: dict[str, list[tuple[str, Relation]]] = defaultdict(list)
    for a, b, rel in sorted(skill_skills):
        related[one(a)].append((one(b), rel))
    parents: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for child, parent in sorted(broader):
        parents[one(child)].append(one(parent))
        children[one(parent)].append(one(child))
    member_of: dict[str, set[str]] = defaultdict(set)
    members: dict[str, set[str]] = defaultdict(set)
    for uri, name in collections:
        member_of[one(uri)].add(one(name))
        members[one(name)].add(one(uri))
    return {
        "concepts": concept_rows,
        "label_uri": label_uri,
        "label_text": label_text,
        "label_lang": label_lang,
        "label_type": label_type,
        "label_span": label_span,
        "norm_data": norms.data,
        "norm_offsets": norms.offsets,
        "label_norm": label_norm,
        "norm_indptr": norm_indptr,
        "norm_labels": norm_labels,
        "descriptions": {(one(uri), one(lang)): text for (uri, lang), text in descriptions.items()},
        "skills": skills,
        "occupations_of": dict(occupations_of),
        "related": dict(related),
        "broader": dict(parents),
        "narrower": dict(children),
        "collections": {uri: frozenset(names) for uri, names in member_of.items()},
        "members": {name: frozenset(uris) for name, uris in members.items()},
    }


__all__ = [
    "ISCO_URI_PREFIX",
    "Concept",
    "Label",
    "LocalizedText",
    "OccupationSkills",
    "Taxonomy",
    "fallback_languages",
]
