"""The ESCO concept space: every label of every skill, occupation and ISCO-08 group embedded once, and one
vector per concept (the normalised mean of its label vectors across languages).

It is persisted under the data directory with a manifest (ESCO checksum, model id, dimension) and rebuilt
only when one of those changes. A stored concept space is memory-mapped, not read into memory.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from esco_data import ConceptKind, LabelType, Taxonomy
from matching.atomic import atomic_dir
from matching.errors import ConceptSpaceNotBuilt
from matching.space.encoder import Encoder, Vectors

FORMAT_VERSION = 1
SPACE_KINDS = (ConceptKind.skill, ConceptKind.occupation, ConceptKind.isco_group)
KIND_CODES = {kind: i for i, kind in enumerate(SPACE_KINDS)}
LANG_CODES = {"en": 0, "fr": 1, "nl": 2}
TYPE_CODES = {LabelType.preferred: 0, LabelType.alternative: 1, LabelType.hidden: 2}


@dataclass
class ConceptSpace:
    """Concept and label vectors of one ESCO release under one model."""

    manifest: dict[str, Any]
    concept_uris: list[str]
    concept_kinds: npt.NDArray[np.int8]
    concept_vectors: Vectors
    label_texts: Sequence[str]
    """Every label's text (a stored space reads them only when asked: serving uses the label indexes')."""
    label_concepts: npt.NDArray[np.int32]
    """Index of each label's concept in ``concept_uris``."""
    label_langs: npt.NDArray[np.int8]
    label_types: npt.NDArray[np.int8]
    label_vectors: Vectors

    def __post_init__(self) -> None:
        self._index = {uri: i for i, uri in enumerate(self.concept_uris)}

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self.concept_vectors.shape[1])

    def __contains__(self, uri: object) -> bool:
        return uri in self._index

    def index_of(self, uri: str) -> int:
        """Row of a concept in ``concept_vectors``.

        Raises:
            KeyError: the concept is not in the space (e.g. a skill group).
        """
        return self._index[uri]

    def vector(self, uri: str) -> Vectors:
        """A concept's unit vector."""
        vector: Vectors = self.concept_vectors[self._index[uri]]
        return vector

    def vectors(self, uris: Iterable[str]) -> Vectors:
        """Unit vectors of several concepts, in order."""
        rows = [self._index[u] for u in uris]
        return self.concept_vectors[rows] if rows else np.zeros((0, self.dim), dtype=np.float32)

    def kind_mask(self, kind: ConceptKind) -> npt.NDArray[np.bool_]:
        """Which concepts are of a kind."""
        mask: npt.NDArray[np.bool_] = self.concept_kinds == KIND_CODES[kind]
        return mask


def expected_manifest(taxonomy: Taxonomy, encoder: Encoder) -> dict[str, Any]:
    """What a concept space built now would record; a stored one is reused only if these agree."""
    return {
        "format": FORMAT_VERSION,
        "esco_checksum": taxonomy.release.checksum,
        "esco_version": taxonomy.version,
        "model_id": encoder.model_id,
        "model_name": encoder.model_name,
        "dim": encoder.dim,
    }


def _same_build(stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(stored.get(key) == value for key, value in wanted.items())


def _same_model(stored: dict[str, Any], encoder: Encoder) -> bool:
    """Whether a stored space's label vectors are the ones this encoder gives."""
    return bool(stored.get("model_id") == encoder.model_id and stored.get("dim") == encoder.dim)


def build_concept_space(
    taxonomy: Taxonomy, encoder: Encoder, *, progress: bool = False, reuse: ConceptSpace | None = None
) -> ConceptSpace:
    """Embed every label of every skill, occupation and ISCO group, and average them per concept.

    The label vectors are not written to the encoder's on-disk cache (the concept space holds them; writing some
    200,000 vectors there took a sixth of a first start): a rebuild reuses those of the space it replaces.

    Args:
        taxonomy: the ESCO taxonomy.
        encoder: the sentence encoder.
        progress: show a progress bar on standard error.
        reuse: a space built before by the same model (the one this build replaces, after an ESCO change):
            the labels it holds are not embedded again.

    Returns:
        The concept space (not yet saved).
    """
    started = time.perf_counter()
    concept_uris: list[str] = []
    kinds: list[int] = []
    texts: list[str] = []
    label_concepts: list[int] = []
    langs: list[int] = []
    types: list[int] = []
    for kind in SPACE_KINDS:
        for concept in taxonomy.concepts(kind):
            row = len(concept_uris)
            concept_uris.append(concept.uri)
            kinds.append(KIND_CODES[kind])
            for label in taxonomy.labels(concept.uri):
                texts.append(label.text)
                label_concepts.append(row)
                langs.append(LANG_CODES.get(label.lang, 0))
                types.append(TYPE_CODES[label.label_type])
    unique = list(dict.fromkeys(texts))
    position = {text: i for i, text in enumerate(unique)}
    unique_vectors = np.zeros((len(unique), encoder.dim), dtype=np.float32)
    missing = np.ones(len(unique), dtype=bool)
    if reuse is not None and _same_model(reuse.manifest, encoder):
        reused = {text: row for row, text in enumerate(reuse.label_texts) if text in position}
        if reused:
            rows = [position[text] for text in reused]
            unique_vectors[rows] = reuse.label_vectors[list(reused.values())]
            missing[rows] = False
    todo_rows = np.flatnonzero(missing)
    todo = [unique[i] for i in todo_rows]
    batch = 4096
    with tqdm(total=len(todo), desc="embedding ESCO labels", unit="label", disable=not progress) as bar:
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            unique_vectors[todo_rows[start : start + len(chunk)]] = encoder.encode(chunk, store=False, spread=True)
            bar.update(len(chunk))
    label_vectors = unique_vectors[[position[t] for t in texts]]
    label_concept_arr = np.asarray(label_concepts, dtype=np.int32)
    concept_vectors = np.zeros((len(concept_uris), encoder.dim), dtype=np.float32)
    np.add.at(concept_vectors, label_concept_arr, label_vectors)
    norms = np.linalg.norm(concept_vectors, axis=1, keepdims=True)
    concept_vectors /= np.maximum(norms, 1e-12)
    manifest = {
        **expected_manifest(taxonomy, encoder),
        "concepts": len(concept_uris),
        "labels": len(texts),
        "unique_texts": len(unique),
        "embedded_texts": len(todo),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    return ConceptSpace(
        manifest=manifest,
        concept_uris=concept_uris,
        concept_kinds=np.asarray(kinds, dtype=np.int8),
        concept_vectors=concept_vectors,
        label_texts=texts,
        label_concepts=label_concept_arr,
        label_langs=np.asarray(langs, dtype=np.int8),
        label_types=np.asarray(types, dtype=np.int8),
        label_vectors=label_vectors,
    )


def save_concept_space(space: ConceptSpace, directory: Path) -> None:
    """Write a concept space atomically: into a temporary folder, then renamed over the old one.

    Args:
        space: the concept space.
        directory: its folder (replaced as a whole).
    """
    with atomic_dir(directory) as tmp:
        np.save(tmp / "concept_vectors.npy", space.concept_vectors)
        np.save(tmp / "concept_kinds.npy", space.concept_kinds)
        np.save(tmp / "label_vectors.npy", space.label_vectors)
        np.save(tmp / "label_concepts.npy", space.label_concepts)
        np.save(tmp / "label_langs.npy", space.label_langs)
        np.save(tmp / "label_types.npy", space.label_types)
        (tmp / "concepts.json").write_text(json.dumps(space.concept_uris), encoding="utf-8")
        (tmp / "labels.json").write_text(json.dumps(list(space.label_texts), ensure_ascii=False), encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(space.manifest, indent=2), encoding="utf-8")


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of a stored concept space, or None when there is none."""
    path = directory / "manifest.json"
    if not path.exists():
        return None
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def load_concept_space(directory: Path, wanted: dict[str, Any] | None = None) -> ConceptSpace:
    """Read a stored concept space.

    Args:
        directory: its folder.
        wanted: when given, the manifest fields it must match (see ``expected_manifest``).

    Returns:
        The concept space.

    Raises:
        ConceptSpaceNotBuilt: there is none, or it was built for another ESCO release or model.
    """
    manifest = read_manifest(directory)
    if manifest is None:
        raise ConceptSpaceNotBuilt(f"nothing in {directory}")
    if wanted is not None and not _same_build(manifest, wanted):
        raise ConceptSpaceNotBuilt("it was built for another ESCO release or model")
    return ConceptSpace(
        manifest=manifest,
        concept_uris=json.loads((directory / "concepts.json").read_text(encoding="utf-8")),
        concept_kinds=mapped_array(directory / "concept_kinds.npy"),
        concept_vectors=mapped_array(directory / "concept_vectors.npy"),
        label_texts=_StoredTexts(directory / "labels.json"),
        label_concepts=mapped_array(directory / "label_concepts.npy"),
        label_langs=mapped_array(directory / "label_langs.npy"),
        label_types=mapped_array(directory / "label_types.npy"),
        label_vectors=mapped_array(directory / "label_vectors.npy"),
    )


class _StoredTexts(Sequence[str]):
    """The label texts of a stored concept space, read from their JSON file when first used."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._texts: list[str] | None = None

    def _loaded(self) -> list[str]:
        if self._texts is None:
            self._texts = json.loads(self._path.read_text(encoding="utf-8"))
        return self._texts

    def __len__(self) -> int:
        return len(self._loaded())

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        return self._loaded()[i]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return self._loaded() == list(other)

    __hash__ = None  # type: ignore[assignment]


def mapped_array(path: Path) -> npt.NDArray[Any]:
    """A stored array, memory-mapped read-only: pages are read when used, and shared with other processes.

    (The label vectors, the largest part, are only read to build the linker's indexes, which hold their own.)
    Returned as a plain array over the mapping: slicing a ``np.memmap`` runs Python code on every view (a
    tenth of a real vacancy's ingestion went there).
    """
    array: npt.NDArray[Any] = np.load(path, mmap_mode="r").view(np.ndarray)
    return array


def ensure_concept_space(
    taxonomy: Taxonomy, encoder: Encoder, directory: Path, *, progress: bool = False
) -> tuple[ConceptSpace, bool]:
    """Reuse the stored concept space when it matches the taxonomy and model, else build and save one.

    Args:
        taxonomy: the ESCO taxonomy.
        encoder: the sentence encoder.
        directory: where the concept space is stored.
        progress: show a progress bar while building.

    Returns:
        The concept space, and whether it was (re)built.
    """
    wanted = expected_manifest(taxonomy, encoder)
    stored = read_manifest(directory)
    if stored is not None and _same_build(stored, wanted):
        return load_concept_space(directory), False
    previous = None
    if stored is not None and _same_model(stored, encoder):
        try:
            previous = load_concept_space(directory)
        except (OSError, ValueError):  # a damaged space: build without it
            previous = None
    save_concept_space(build_concept_space(taxonomy, encoder, progress=progress, reuse=previous), directory)
    return load_concept_space(directory), True  # memory-mapped, as a reused one


__all__ = [
    "ConceptSpace",
    "build_concept_space",
    "ensure_concept_space",
    "expected_manifest",
    "load_concept_space",
    "read_manifest",
    "save_concept_space",
]
