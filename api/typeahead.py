"""Typeahead over ESCO skill and occupation labels in French, Dutch and English, fast enough for keystrokes.

Every preferred and alternative label is indexed under each of its words: the sorted list of "the label from
this word on" lets a bisection find every label with a word that starts with the query (several words match
consecutive words), and the best-ranked entries of that range are picked with numpy. Results are ranked: a
label that starts with the query before one that only has a word that does, a preferred label before an
alternative one, a shorter label before a longer one; one result per concept.
"""

from __future__ import annotations

import bisect
import json
import logging
import mmap
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from esco_data import LANGUAGES, ConceptKind, LabelType, Taxonomy
from esco_data.normalize import normalize_label
from matching.atomic import atomic_dir

log = logging.getLogger(__name__)

KEEP = 50
"""Candidates ranked per query: enough for k results after one per concept."""

STORE_FORMAT = 3
"""Format of the stored index (``Typeahead(store=...)``); another format is rebuilt. 2: keys as UTF-8 bytes.
3: a folder of plain arrays, memory-mapped, the labels read from the taxonomy by their row."""


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
    as a sequence of ``bytes`` by ``bisect``: UTF-8 sorts as the code points it encodes. The string is a
    ``bytes`` when built, a read-only memory map of the stored file when read."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: npt.NDArray[np.int64]) -> None:
        self.blob = blob
        self.offsets = offsets

    @classmethod
    def of(cls, keys: list[str]) -> _Keys:
        encoded = [key.encode() for key in keys]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> bytes:
        return self.blob[self.offsets[i] : self.offsets[i + 1]]


@dataclass(frozen=True, slots=True)
class _Index:
    """Entries of one kind and language: sorted keys, and per key its label (a row of the taxonomy's labels)
    and rank."""

    keys: _Keys
    entries: npt.NDArray[np.int32]
    ranks: npt.NDArray[np.int32]


_PAGE = mmap.PAGESIZE


def _mapped(path: Path) -> Any:
    """A stored array, memory-mapped read-only, as a plain array over the map (indexing a ``np.memmap`` costs
    more), its pages touched once now (see ``_map_bytes``)."""
    array = np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)
    flat = array.reshape(-1)
    step = max(1, _PAGE // max(1, array.itemsize))
    flat[::step].sum()  # one read per page
    return array


def _map_bytes(path: Path) -> bytes | mmap.mmap:
    """A file's bytes, memory-mapped read-only (an empty file cannot be mapped: its bytes are empty), each page
    touched once now: a page's first read in a process costs a fault, which the first keystrokes would
    otherwise pay (a one-letter query reads a range of a hundred pages)."""
    with path.open("rb") as fh:
        if fh.seek(0, 2) == 0:
            return b""
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    mapped[::_PAGE]  # one read per page
    return mapped


def _rank(at_start: bool, preferred: bool, length: int) -> int:
    """Smaller is better: a label that starts with the query, then a preferred one, then a shorter one."""
    return (0 if at_start else 1 << 22) | (0 if preferred else 1 << 21) | min(length, (1 << 21) - 1)


class Typeahead:
    """Prefix search over ESCO labels; built once, read by many threads."""

    def __init__(self, taxonomy: Taxonomy, languages: tuple[str, ...] = LANGUAGES, store: Path | None = None) -> None:
        """Args:
        taxonomy: the ESCO taxonomy.
        languages: languages to index.
        store: a folder where the built index is kept for the next start (mapped instead of built when it is
            of these labels and languages): building takes seconds of CPU, mapping a fraction of one, and the
            processes of one host share the mapped pages.
        """
        self.taxonomy = taxonomy
        self.languages = languages
        self.store = store
        self._indexes: dict[tuple[ConceptKind, str], _Index] | None = None
        self._lock = threading.Lock()

    def _key(self) -> dict[str, Any]:
        release = self.taxonomy.release
        return {
            "format": STORE_FORMAT,
            "checksum": release.checksum,
            "languages": list(self.languages),
            # The entries are rows of the taxonomy's labels: the same labels in the same order.
            "labels": self.taxonomy.label_digest(),
        }

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
        if self.store is None or not (self.store / "manifest.json").exists():
            return None
        try:
            manifest = json.loads((self.store / "manifest.json").read_text())
            if not isinstance(manifest, dict) or manifest.get("key") != self._key():
                return None
            indexes: dict[tuple[ConceptKind, str], _Index] = {}
            for stem, (kind, lang) in manifest["indexes"].items():
                indexes[(ConceptKind(kind), lang)] = _Index(
                    _Keys(_map_bytes(self.store / f"{stem}.keys"), _mapped(self.store / f"{stem}.offsets.npy")),
                    _mapped(self.store / f"{stem}.entries.npy"),
                    _mapped(self.store / f"{stem}.ranks.npy"),
                )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("the stored typeahead index %s cannot be read (%s): building it", self.store, exc)
            return None
        return indexes

    def _write(self, directory: Path, indexes: dict[tuple[ConceptKind, str], _Index]) -> None:
        """Store the index as plain arrays in a folder, which later starts map (the processes of one host share
        its pages) instead of unpickling a copy each."""
        try:
            with atomic_dir(directory) as tmp:
                stems: dict[str, list[str]] = {}
                for (kind, lang), index in indexes.items():
                    stem = f"{kind.value}-{lang}"
                    (tmp / f"{stem}.keys").write_bytes(bytes(index.keys.blob))
                    np.save(tmp / f"{stem}.offsets.npy", index.keys.offsets, allow_pickle=False)
                    np.save(tmp / f"{stem}.entries.npy", index.entries, allow_pickle=False)
                    np.save(tmp / f"{stem}.ranks.npy", index.ranks, allow_pickle=False)
                    stems[stem] = [kind.value, lang]
                (tmp / "manifest.json").write_text(json.dumps({"key": self._key(), "indexes": stems}))
        except OSError as exc:  # a read-only or full data directory: the next start builds it again
            log.warning("could not store the typeahead index in %s: %s", directory, exc)
            return
        legacy = directory.with_name("typeahead.pickle")  # format 2, one pickled file
        legacy.unlink(missing_ok=True)

    def _build(self) -> dict[tuple[ConceptKind, str], _Index]:
        kinds: dict[str, ConceptKind] = {}
        rows: dict[tuple[ConceptKind, str], list[tuple[str, int, int]]] = defaultdict(list)
        for row, label in enumerate(self.taxonomy.all_labels()):
            if label.lang not in self.languages or label.label_type is LabelType.hidden:
                continue
            kind = kinds.get(label.uri)
            if kind is None:
                kind = kinds[label.uri] = self.taxonomy.concept(label.uri).kind
            if kind not in (ConceptKind.skill, ConceptKind.occupation):
                continue
            preferred = label.label_type is LabelType.preferred
            words = label.norm.split()
            for i in range(len(words)):
                rows[(kind, label.lang)].append((" ".join(words[i:]), row, _rank(i == 0, preferred, len(label.text))))
        indexes: dict[tuple[ConceptKind, str], _Index] = {}
        for where, items in rows.items():
            items.sort()
            indexes[where] = _Index(
                _Keys.of([k for k, _, _ in items]),
                np.fromiter((e for _, e, _ in items), dtype=np.int32, count=len(items)),
                np.fromiter((r for _, _, r in items), dtype=np.int32, count=len(items)),
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
        label_at = self.taxonomy.label_at
        for position in order:
            uri, text, _, label_type = label_at(int(index.entries[lo + position]))
            if uri in seen:
                continue
            seen.add(uri)
            out.append(Suggestion(uri, text, lang, label_type is LabelType.preferred))
            if len(out) == k:
                break
        return out


__all__ = ["Suggestion", "Typeahead"]
