"""Typeahead over ESCO skill and occupation labels in French, Dutch and English, fast enough for keystrokes.

Every preferred and alternative label is indexed under each of its words: the sorted list of "the label from
this word on" lets a bisection find every label with a word that starts with the query (several words
match consecutive words). Short queries (up to two characters) have their best answers computed ahead.
Results are ranked: a label that starts with the query before one that only has a word that does, a preferred
label before an alternative one, a shorter label before a longer one; one result per concept.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from dataclasses import dataclass

from esco_data import ConceptKind, LabelType, Taxonomy
from esco_data.normalize import normalize_label

SHORT = 2
"""Queries of up to this many characters are answered from lists computed ahead."""
SCAN = 4000
"""At most this many index entries are read for one query (enough to rank the best ones)."""
KEEP = 50


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A concept whose label starts a word with the query."""

    uri: str
    label: str
    """The label that matched, in its own language."""
    lang: str
    preferred: bool


class _Index:
    """Entries of one kind and language."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.entries: list[int] = []
        self.starts: list[bool] = []
        self.labels: list[tuple[str, str, bool]] = []
        self.short: dict[str, list[int]] = {}

    def rank(self, entry: int, at_start: bool) -> tuple[int, int, int]:
        uri, text, preferred = self.labels[entry]
        return (0 if at_start else 1, 0 if preferred else 1, len(text))


class Typeahead:
    """Prefix search over ESCO labels; built once, read by many threads."""

    def __init__(self, taxonomy: Taxonomy, languages: tuple[str, ...] = ("fr", "nl", "en")) -> None:
        """Args:
        taxonomy: the ESCO taxonomy.
        languages: languages to index.
        """
        self.taxonomy = taxonomy
        self.languages = languages
        self._indexes: dict[tuple[ConceptKind, str], _Index] | None = None
        self._lock = threading.Lock()

    def build(self) -> None:
        """Build the index now (otherwise the first search does)."""
        with self._lock:
            if self._indexes is not None:
                return
            rows: dict[tuple[ConceptKind, str], list[tuple[str, int, bool]]] = defaultdict(list)
            indexes: dict[tuple[ConceptKind, str], _Index] = defaultdict(_Index)
            for label in self.taxonomy.all_labels():
                if label.lang not in self.languages or label.label_type is LabelType.hidden:
                    continue
                kind = self.taxonomy.concept(label.uri).kind
                if kind not in (ConceptKind.skill, ConceptKind.occupation):
                    continue
                index = indexes[(kind, label.lang)]
                entry = len(index.labels)
                index.labels.append((label.uri, label.text, label.label_type is LabelType.preferred))
                words = normalize_label(label.text).split()
                for i in range(len(words)):
                    rows[(kind, label.lang)].append((" ".join(words[i:]), entry, i == 0))
            for key, items in rows.items():
                index = indexes[key]
                items.sort()
                index.keys = [k for k, _, _ in items]
                index.entries = [e for _, e, _ in items]
                index.starts = [s for _, _, s in items]
                buckets: dict[str, dict[int, tuple[int, int, int]]] = defaultdict(dict)
                for text, entry, at_start in items:
                    for n in range(1, SHORT + 1):
                        if len(text) >= n:
                            rank = index.rank(entry, at_start)
                            bucket = buckets[text[:n]]
                            if entry not in bucket or rank < bucket[entry]:
                                bucket[entry] = rank
                index.short = {
                    prefix: _best(index, sorted(bucket.items(), key=lambda item: item[1]))
                    for prefix, bucket in buckets.items()
                }
            self._indexes = dict(indexes)

    def search(self, query: str, kind: ConceptKind, lang: str, k: int = 10) -> list[Suggestion]:
        """Concepts of a kind whose label in a language has a word starting with the query, best first.

        Args:
            query: what was typed so far.
            kind: skill or occupation.
            lang: the labels' language.
            k: how many concepts.

        Returns:
            Up to k suggestions, one per concept.
        """
        if self._indexes is None:
            self.build()
        assert self._indexes is not None
        index = self._indexes.get((kind, lang))
        norm = normalize_label(query)
        if index is None or not norm:
            return []
        if len(norm) <= SHORT:
            entries = index.short.get(norm, [])
        else:
            start = bisect.bisect_left(index.keys, norm)
            ranked: dict[int, tuple[int, int, int]] = {}
            for i in range(start, min(start + SCAN, len(index.keys))):
                text = index.keys[i]
                if not text.startswith(norm):
                    break
                entry = index.entries[i]
                rank = index.rank(entry, index.starts[i])
                if entry not in ranked or rank < ranked[entry]:
                    ranked[entry] = rank
            entries = _best(index, sorted(ranked.items(), key=lambda item: item[1]))
        out: list[Suggestion] = []
        seen: set[str] = set()
        for entry in entries:
            uri, text, preferred = index.labels[entry]
            if uri in seen:
                continue
            seen.add(uri)
            out.append(Suggestion(uri, text, lang, preferred))
            if len(out) == k:
                break
        return out


def _best(index: _Index, ranked: list[tuple[int, tuple[int, int, int]]]) -> list[int]:
    """Entries in rank order, one per concept, at most KEEP."""
    out: list[int] = []
    seen: set[str] = set()
    for entry, _ in ranked:
        uri = index.labels[entry][0]
        if uri not in seen:
            seen.add(uri)
            out.append(entry)
            if len(out) == KEEP:
                break
    return out


__all__ = ["Suggestion", "Typeahead"]
