"""Typeahead over ESCO skill and occupation labels in French, Dutch and English, fast enough for keystrokes.

Every preferred and alternative label is indexed under each of its words: the sorted list of "the label from
this word on" lets a bisection find every label with a word that starts with the query (several words match
consecutive words), and the best-ranked entries of that range are picked with numpy. Results are ranked: a
label that starts with the query before one that only has a word that does, a preferred label before an
alternative one, a shorter label before a longer one; one result per concept.
"""

from __future__ import annotations

import bisect
import logging
import pickle
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from esco_data import LANGUAGES, ConceptKind, LabelType, Taxonomy
from esco_data.normalize import normalize_label
from matching.atomic import atomic_file

log = logging.getLogger(__name__)

KEEP = 50
"""Candidates ranked per query: enough for k results after one per concept."""

STORE_FORMAT = 2
"""Format of the stored index (``Typeahead(store=...)``); another format is rebuilt. 2: keys as UTF-8 bytes."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A concept whose label starts a word with the query."""

    uri: str
    label: str
    """The label that matched, in its own language."""
    lang: str
    preferred: bool


class _Keys:
    """Sorted keys held as one UTF-8 string and their offsets (a tenth of the memory of as many ``str``), read
    as a sequence of ``bytes`` by ``bisect``: UTF-8 sorts as the code points it encodes."""

    def __init__(self, keys: list[str]) -> None:
        encoded = [key.encode() for key in keys]
        self.blob = b"".join(encoded)
        self.offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=self.offsets[1:])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> bytes:
        return self.blob[self.offsets[i] : self.offsets[i + 1]]


class _Index:
    """Entries of one kind and language: sorted keys, and per key its label and rank."""

    def __init__(self, keys: list[str], entries: npt.NDArray[np.int32], ranks: npt.NDArray[np.int32],
                 labels: list[tuple[str, str, bool]]) -> None:  # fmt: skip
        self.keys = _Keys(keys)
        self.entries = entries
        self.ranks = ranks
        self.labels = labels


def _rank(at_start: bool, preferred: bool, length: int) -> int:
    """Smaller is better: a label that starts with the query, then a preferred one, then a shorter one."""
    return (0 if at_start else 1 << 22) | (0 if preferred else 1 << 21) | min(length, (1 << 21) - 1)


class Typeahead:
    """Prefix search over ESCO labels; built once, read by many threads."""

    def __init__(self, taxonomy: Taxonomy, languages: tuple[str, ...] = LANGUAGES, store: Path | None = None) -> None:
        """Args:
        taxonomy: the ESCO taxonomy.
        languages: languages to index.
        store: a file where the built index is kept for the next start (read instead of built when it is of
            this release and these languages): building takes seconds of CPU, reading a fraction of one.
        """
        self.taxonomy = taxonomy
        self.languages = languages
        self.store = store
        self._indexes: dict[tuple[ConceptKind, str], _Index] | None = None
        self._lock = threading.Lock()

    def _key(self) -> dict[str, Any]:
        release = self.taxonomy.release
        return {"format": STORE_FORMAT, "checksum": release.checksum, "languages": list(self.languages)}

    def build(self) -> None:
        """Build the index now (otherwise the first search does), or read it from ``store``."""
        with self._lock:
            if self._indexes is not None:
                return
            stored = self._read()
            if stored is not None:
                self._indexes = stored
                return
            self._indexes = self._build()
            if self.store is not None:
                self._write(self.store, self._indexes)

    def _read(self) -> dict[tuple[ConceptKind, str], _Index] | None:
        if self.store is None or not self.store.exists():
            return None
        try:
            with self.store.open("rb") as fh:
                key, indexes = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError) as exc:
            log.warning("the stored typeahead index %s cannot be read (%s): building it", self.store, exc)
            return None
        if key != self._key() or not isinstance(indexes, dict):
            return None
        return indexes

    def _write(self, path: Path, indexes: dict[tuple[ConceptKind, str], _Index]) -> None:
        def write(tmp: Path) -> None:
            with tmp.open("wb") as fh:
                pickle.dump((self._key(), indexes), fh, protocol=pickle.HIGHEST_PROTOCOL)

        try:
            atomic_file(path, write)
        except OSError as exc:  # a read-only or full data directory: the next start builds it again
            log.warning("could not store the typeahead index in %s: %s", path, exc)

    def _build(self) -> dict[tuple[ConceptKind, str], _Index]:
        kinds: dict[str, ConceptKind] = {}
        rows: dict[tuple[ConceptKind, str], list[tuple[str, int, int]]] = defaultdict(list)
        labels: dict[tuple[ConceptKind, str], list[tuple[str, str, bool]]] = defaultdict(list)
        for label in self.taxonomy.all_labels():
            if label.lang not in self.languages or label.label_type is LabelType.hidden:
                continue
            kind = kinds.get(label.uri)
            if kind is None:
                kind = kinds[label.uri] = self.taxonomy.concept(label.uri).kind
            if kind not in (ConceptKind.skill, ConceptKind.occupation):
                continue
            key: tuple[ConceptKind, str] = (kind, label.lang)
            entry = len(labels[key])
            preferred = label.label_type is LabelType.preferred
            labels[key].append((label.uri, label.text, preferred))
            words = label.norm.split()
            for i in range(len(words)):
                rows[key].append((" ".join(words[i:]), entry, _rank(i == 0, preferred, len(label.text))))
        indexes: dict[tuple[ConceptKind, str], _Index] = {}
        for where, items in rows.items():
            items.sort()
            indexes[where] = _Index(
                [k for k, _, _ in items],
                np.fromiter((e for _, e, _ in items), dtype=np.int32, count=len(items)),
                np.fromiter((r for _, _, r in items), dtype=np.int32, count=len(items)),
                labels[where],
            )
        return indexes

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
        start = norm.encode()
        lo = bisect.bisect_left(index.keys, start)
        hi = bisect.bisect_left(index.keys, start + b"\xff", lo)  # 0xff is no UTF-8 byte
        if hi <= lo:
            return []
        ranks = index.ranks[lo:hi]
        want = min(len(ranks), KEEP * 4)
        best = np.argpartition(ranks, want - 1)[:want] if want < len(ranks) else np.arange(len(ranks))
        order = best[np.argsort(ranks[best], kind="stable")]
        out: list[Suggestion] = []
        seen: set[str] = set()
        for position in order:
            uri, text, preferred = index.labels[int(index.entries[lo + position])]
            if uri in seen:
                continue
            seen.add(uri)
            out.append(Suggestion(uri, text, lang, preferred))
            if len(out) == k:
                break
        return out


__all__ = ["Suggestion", "Typeahead"]
