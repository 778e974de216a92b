"""Building or reusing the heavy resources of matching: encoder, concept space, linker indexes.

Everything generated lives under the data directory (``concept_space/``, ``encoder_cache.sqlite``) and is
rebuilt only when the ESCO release or the model changes.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import pickle
import threading
import time
import weakref
from contextlib import AbstractContextManager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.engine import Engine
from tqdm import tqdm

from esco_data import ConceptKind, Taxonomy, loaded_release
from matching.atomic import atomic_dir, atomic_file, exclusive
from matching.build_cache import adopt as build_cache_adopt
from matching.build_cache import publish as build_cache_publish
from matching.ranking import RelatedConfig, RelatedSkills
from matching.space import KIND_CODES, ConceptSpace, Encoder, ensure_concept_space, expected_manifest

if TYPE_CHECKING:  # imported where used: opening the matching state alone (the nightly rematch) needs no linker
    from matching.linking import LabelIndex, LexicalIndex, Linker, LinkerConfig, LinkKind, OccupationDocs

LINKER_FORMAT = 8
"""Version of ``linker.json``; each part of the linker indexes has its own format below."""
PART_FORMATS = {"dense": 2, "lexical": 2}
"""Formats of the stored dense (HNSW) and lexical indexes: a part is rebuilt only when its format changes.
Lexical 2: arrays in ``.npy`` files (memory-mapped) instead of a pickle. Dense 2: the label vectors as half
floats."""
_LEGACY_PARTS = {7: {"dense": 1, "lexical": 1}}
"""What the parts were in a ``linker.json`` written before parts had formats of their own."""
log = logging.getLogger(__name__)
OCCUPATION_DOCS_FORMAT = 3
"""Format of the stored ESCO documents of the occupations (``occupation_docs.pkl``). 2: plain arrays, no
scikit-learn object (reading them needs no scikit-learn import). 3: pickled from ``matching.linking`` (the
module path a pickle names moved with the layout)."""
_SPACE_KEY = ("esco_checksum", "model_id", "dim")
"""The manifest fields of the concept space that the linker indexes were built for."""
_KINDS: dict[LinkKind, tuple[int, ...]] = {
    "skill": (KIND_CODES[ConceptKind.skill],),
    "occupation": (KIND_CODES[ConceptKind.occupation], KIND_CODES[ConceptKind.isco_group]),
}


def concept_space_dir(data_dir: Path) -> Path:
    """Where the concept space and linker indexes are stored."""
    return data_dir / "concept_space"


def building(data_dir: Path) -> AbstractContextManager[None]:
    """The data directory's build lock: no process reads or publishes a concept space that another is building."""
    return exclusive(data_dir / "concept_space.lock")


def taxonomy_snapshot_path(data_dir: Path) -> Path:
    """Where the snapshot of the loaded taxonomy is kept (read at start-up instead of the database)."""
    return data_dir / "taxonomy.snapshot"


def load_taxonomy(db: Engine, data_dir: Path) -> Taxonomy:
    """The taxonomy in the database, read from its snapshot in the data directory when that is of the same release.

    A missing, stale or unreadable snapshot is replaced by one of the taxonomy read from the database.

    Args:
        db: the database engine.
        data_dir: the data directory.

    Returns:
        The taxonomy.

    Raises:
        TaxonomyNotLoaded: ESCO is not in the database.
    """
    release = loaded_release(db)
    path = taxonomy_snapshot_path(data_dir)
    try:
        return Taxonomy.from_snapshot(path.read_bytes(), release)
    except (OSError, ValueError):
        pass
    taxonomy = Taxonomy.load(db)
    try:
        atomic_file(path, lambda tmp: tmp.write_bytes(taxonomy.snapshot()))
    except OSError as exc:  # a read-only or full data directory: start from the database next time too
        log.warning("could not write the taxonomy snapshot %s: %s", path, exc)
    return taxonomy


def make_encoder(data_dir: Path, model_name: str, threads: int = 2) -> Encoder:
    """The encoder with its on-disk cache in the data directory (the model loads on first use)."""
    return Encoder(model_name, cache_dir=data_dir, threads=threads)


def _linker_manifest(space: ConceptSpace) -> dict[str, Any]:
    return {
        "format": LINKER_FORMAT,
        "space_built_at": space.manifest.get("built_at"),
        **_space_key(space),
        "parts": PART_FORMATS,
    }


def _space_key(space: ConceptSpace) -> dict[str, Any]:
    return {k: space.manifest.get(k) for k in _SPACE_KEY}


def _reusable_parts(stored: dict[str, Any] | None, wanted: dict[str, Any]) -> set[str]:
    """The parts of the stored linker indexes that were built for this concept space in the current format."""
    if stored is None or any(stored.get(k) != wanted[k] for k in ("space_built_at", *_SPACE_KEY)):
        return set()
    parts = stored.get("parts") or _LEGACY_PARTS.get(int(stored.get("format") or 0), {})
    return {part for part, fmt in PART_FORMATS.items() if parts.get(part) == fmt}


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        stored: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return stored


def prepare_linker(
    taxonomy: Taxonomy,
    encoder: Encoder,
    data_dir: Path,
    *,
    config: LinkerConfig | None = None,
    progress: bool = False,
    build_cache: Path | None = None,
) -> tuple[Linker, dict[str, Any]]:
    """The linker over the concept space, reusing what is stored when it matches the release and model.

    Stored indexes are memory-mapped, not read into memory: the label vectors are held once, in the dense
    index's storage, and the lexical postings are read page by page as queries touch them.

    Args:
        taxonomy: the loaded ESCO taxonomy.
        encoder: the sentence encoder.
        data_dir: the data directory.
        config: linker weights.
        progress: show progress bars while building.
        build_cache: a build cache shared by data directories (``matching.build_cache``), or None: what the
            data directory lacks for this release and model is taken from it before anything is built.

    Returns:
        The linker, and a report: whether the concept space and the indexes were built or reused (and what was
        taken from the build cache), seconds.
    """
    started = time.perf_counter()
    directory = concept_space_dir(data_dir)
    # Two processes starting on one data directory (the service and a rematch, two test workers): the second
    # waits for the first one's build and reuses it.
    with building(data_dir):
        adopted = build_cache_adopt(build_cache, data_dir, expected_manifest(taxonomy, encoder))
        linker, report = _prepare_linker(taxonomy, encoder, directory, config, progress)
    report["from_build_cache"] = adopted
    report["seconds"] = round(time.perf_counter() - started, 1)
    return linker, report


def _prepare_linker(
    taxonomy: Taxonomy, encoder: Encoder, directory: Path, config: LinkerConfig | None, progress: bool
) -> tuple[Linker, dict[str, Any]]:
    from matching.linking import LabelIndex, Linker

    space, space_built = ensure_concept_space(taxonomy, encoder, directory, progress=progress)
    manifest_path = directory / "linker.json"
    wanted = _linker_manifest(space)
    reusable = set() if space_built else _reusable_parts(_read_manifest(manifest_path), wanted)
    indexes: dict[LinkKind, LabelIndex] = {}
    built = False
    bar = tqdm(total=len(_KINDS), desc="linker label indexes", unit="index", disable=not progress)
    for kind, codes in _KINDS.items():
        bar.set_postfix_str(str(kind))
        index = _open_index(space, codes, directory, kind, reusable)
        if index is None:
            built = True
            dense = _read_dense(directory, kind) if "dense" in reusable else None
            lexical = _read_lexical(directory, kind) if "lexical" in reusable else None
            try:
                fresh = LabelIndex.build(space, codes, dense=dense, lexical=lexical)
            except ValueError:  # a stored part was built for another set of labels
                dense = lexical = None
                fresh = LabelIndex.build(space, codes)
            if dense is None:
                atomic_file(_dense_path(directory, kind), fresh.save_dense)
            if lexical is None:
                with atomic_dir(_lexical_dir(directory, kind)) as tmp:
                    fresh.lexical.save(tmp)
            (directory / f"lexical_{kind}.pkl").unlink(missing_ok=True)  # the format before .npy arrays
            del fresh  # read back from the files: memory-mapped, one copy
            index = _open_index(space, codes, directory, kind, set(PART_FORMATS))
            if index is None:  # pragma: no cover - only if the files just written cannot be read
                raise OSError(f"the {kind} label index just written to {directory} cannot be read back")
        indexes[kind] = index
        bar.update()
    bar.close()
    if built:
        atomic_file(manifest_path, lambda path: path.write_text(json.dumps(wanted, indent=2)))
    knowledge = frozenset(c.uri for c in taxonomy.concepts(ConceptKind.skill) if c.skill_type == "knowledge")
    docs = _occupation_docs(taxonomy, space, directory)
    languages = taxonomy.collection_members("language")
    linker = Linker(
        space, encoder, indexes, config, knowledge=knowledge, language_skills=languages, occupation_docs=docs
    )
    first_use = _adopt_stored_first_use(linker, directory)
    head_words = _adopt_stored_head_words(linker, directory)
    report = {
        "concept_space": "built" if space_built else "reused",
        "linker_indexes": "built" if built else "reused",
        "first_use_parts": "reused" if first_use else "built at start-up (warm_linker)",
        "skill_head_words": "reused" if head_words else "built at start-up (warm_linker)",
        "concepts": len(space.concept_uris),
        "labels": int(space.label_concepts.size),
    }
    return linker, report


def prepare_related(taxonomy: Taxonomy, linker: Linker, data_dir: Path) -> RelatedSkills:
    """Related skills of the concept space, reused from disk when built for the same space.

    Args:
        taxonomy: the loaded ESCO taxonomy.
        linker: the linker (its concept space).
        data_dir: the data directory.
    """
    return prepare_related_skills(taxonomy, linker.space, data_dir)


def prepare_related_skills(taxonomy: Taxonomy, space: ConceptSpace, data_dir: Path) -> RelatedSkills:
    """``prepare_related`` for a concept space without its linker (the batch rematch needs no linker).

    Args:
        taxonomy: the loaded ESCO taxonomy.
        space: the concept space.
        data_dir: the data directory.
    """
    directory = concept_space_dir(data_dir)
    config = RelatedConfig()
    wanted = {"space_built_at": space.manifest.get("built_at"), "config": asdict(config)}
    manifest = directory / "related.json"
    path = directory / "related.npz"
    if path.exists() and manifest.exists() and json.loads(manifest.read_text()) == wanted:
        return RelatedSkills.load(str(path), config)
    related = RelatedSkills.build(taxonomy, space, config)
    related.save(path)
    atomic_file(manifest, lambda tmp: tmp.write_text(json.dumps(wanted)))
    return related


def _occupation_docs(taxonomy: Taxonomy, space: ConceptSpace, directory: Path) -> OccupationDocs:
    """The occupations' ESCO documents, reused from disk when built for the same release in this format."""
    from matching.linking import OccupationDocs

    wanted = {"format": OCCUPATION_DOCS_FORMAT, "esco_checksum": space.manifest.get("esco_checksum")}
    manifest, path = directory / "occupation_docs.json", directory / "occupation_docs.pkl"
    if _read_manifest(manifest) == wanted:
        try:
            with path.open("rb") as fh:
                stored = pickle.load(fh)
            if isinstance(stored, OccupationDocs):
                return stored
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # unreadable, or pickled from a module path that no longer exists: built again
    docs = OccupationDocs.build(taxonomy)
    _store_pickle(path, manifest, docs, wanted)
    return docs


def _store_pickle(path: Path, manifest: Path, value: object, key: dict[str, Any]) -> None:
    """Write a pickle, then the manifest that says what it was built for (each atomically)."""

    def write(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)

    atomic_file(path, write)
    atomic_file(manifest, lambda tmp: tmp.write_text(json.dumps(key)))


FIRST_USE_FORMAT = 2
"""Format of the stored first-use parts of the linker (``linker_first_use.pkl``). 2: pickled from
``matching.linking``."""
_FIRST_USE_CODE = ("titles", "gender", "gender_forms", "skill_extraction", "text", "abbreviations")
"""The modules (of ``matching.linking``) whose code makes the first-use parts: a change to any of them rebuilds
them."""


def _code_key(space: ConceptSpace, fmt: int, modules: tuple[str, ...]) -> dict[str, Any]:
    """What a stored part was built for: its format, the linker indexes' concept space, and the code of the
    modules (of ``matching.linking``) that make it."""
    code = hashlib.sha256()
    for name in modules:
        code.update((Path(__file__).parent / "linking" / f"{name}.py").read_bytes())
    return {"format": fmt, **_linker_manifest(space), "code": code.hexdigest()}


def _first_use_key(space: ConceptSpace) -> dict[str, Any]:
    return _code_key(space, FIRST_USE_FORMAT, _FIRST_USE_CODE)


def _first_use_paths(directory: Path) -> tuple[Path, Path]:
    return directory / "linker_first_use.json", directory / "linker_first_use.pkl"


def _adopt_stored_first_use(linker: Linker, directory: Path) -> bool:
    """Give the linker its first-use parts from disk when they were stored for these indexes and this code."""
    manifest, path = _first_use_paths(directory)
    if _read_manifest(manifest) != _first_use_key(linker.space):
        return False
    try:
        with path.open("rb") as fh:
            linker.adopt_first_use_parts(pickle.load(fh))
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        KeyError,
        TypeError,
        ValueError,
    ) as exc:
        log.warning("the stored first-use parts of the linker in %s cannot be used (%s): rebuilding them", path, exc)
        return False
    return True


_EXITING = threading.Event()
"""Set when the interpreter exits: a warm-up stops at its next batch of words instead of being stopped by the
interpreter inside the encoder."""
_WARM_UPS: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
_EXIT_WAIT_SECONDS = 30.0


def start_warm_up(linker: Linker, data_dir: Path, build_cache: Path | None = None) -> threading.Thread:
    """``warm_linker`` in a background thread, which the interpreter's exit stops between two batches of words.

    A daemon thread, so that a short command does not wait for what only a later start needs; at exit it is
    told to stop and awaited until it does (it stops before its next batch of the encoder's work: the encoding of
    the skill labels' words, the part a daemon thread must not be cut in, is never left midway; an ``esco load``
    whose exit cut it there died with SIGABRT once).
    """
    thread = threading.Thread(
        target=warm_linker,
        args=(linker, data_dir),
        kwargs={"build_cache": build_cache},
        name="linker-warm-up",
        daemon=True,
    )
    _WARM_UPS.add(thread)
    thread.start()
    return thread


def wait_for_warm_ups(timeout: float | None = None) -> bool:
    """Wait until every warm-up started in this process has finished.

    Args:
        timeout: seconds to wait for each, or None: as long as it takes.

    Returns:
        Whether none is still running.
    """
    for thread in list(_WARM_UPS):
        thread.join(timeout=timeout)
    return not any(thread.is_alive() for thread in list(_WARM_UPS))


@atexit.register
def _stop_warm_ups() -> None:
    _EXITING.set()
    for thread in list(_WARM_UPS):
        thread.join(timeout=_EXIT_WAIT_SECONDS)


def warm_linker(linker: Linker, data_dir: Path, *, head_words: bool = True, build_cache: Path | None = None) -> None:
    """Build what the linker builds on first use (``Linker.warm``), and store it for the next start unless
    ``prepare_linker`` read it from there; then the vectors of the skill labels' words, once per concept space.
    What it stored goes into the build cache too, when one is given (``esco load`` publishes the concept space
    before these are built: a data directory that takes it from the cache would build them again).

    Run by start-up in a background thread: a request that needs a part meanwhile waits for that one build.
    A data directory that cannot be written to only costs the next start the same build.

    Args:
        linker: the linker.
        data_dir: the data directory.
        head_words: build the skill labels' word vectors when none are stored (off in a worker process of a batch
            ingestion: the process that started it builds them, once).
        build_cache: the build cache shared by data directories (``matching.build_cache``), or None.
    """
    directory = concept_space_dir(data_dir)
    linker.warm()
    stored = False
    if not linker.first_use_adopted:
        manifest, path = _first_use_paths(directory)
        try:
            _store_pickle(path, manifest, linker.first_use_parts(), _first_use_key(linker.space))
            stored = True
        except OSError as exc:
            log.warning("could not store the first-use parts of the linker in %s: %s", directory, exc)
    if head_words and not linker.skills.head_words_adopted:
        stored = _build_head_words(linker, directory) or stored
    if stored and build_cache is not None and not _EXITING.is_set():
        with building(data_dir):
            build_cache_publish(build_cache, data_dir)


HEAD_WORDS_FORMAT = 1
"""Format of the stored vectors of the skill labels' words (``skill_head_words.npy`` and its ``.json``)."""
_HEAD_WORDS_CODE = ("agreement", "skill_extraction")
"""The modules (of ``matching.linking``) that say which words head agreement compares: a change rebuilds them."""


def _head_words_key(space: ConceptSpace) -> dict[str, Any]:
    return _code_key(space, HEAD_WORDS_FORMAT, _HEAD_WORDS_CODE)


_HEAD_WORDS_BATCH = 2_048
"""Words per encoder call when the skill labels' words are built (a multiple of the encoder's batch of 256, so
the vectors are those of one call over all the words)."""


def _head_words_paths(directory: Path) -> tuple[Path, Path]:
    """The words with the key they were built for (JSON, written last), and their vectors (``.npy``)."""
    return directory / "skill_head_words.json", directory / "skill_head_words.npy"


def _build_head_words(linker: Linker, directory: Path) -> bool:
    """Encode every word of the skill labels (about 25,000 words, 7-8 s on two cores for all of ESCO) in calls of
    ``_HEAD_WORDS_BATCH`` words, stopping between two calls when the process exits; store them, and give them to
    the linker mapped from the file (one copy shared by every process). Whether they were stored."""
    started = time.perf_counter()
    words = linker.skills.head_word_list()
    parts = []
    for start in range(0, len(words), _HEAD_WORDS_BATCH):
        if _EXITING.is_set():
            return False  # the process exits: a later start builds them
        parts.append(linker.encoder.encode(words[start : start + _HEAD_WORDS_BATCH], use_cache=False, store=False))
    vectors = np.concatenate(parts).astype(np.float32, copy=False) if parts else np.zeros((0, 0), np.float32)
    manifest, path = _head_words_paths(directory)

    def write_vectors(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            np.save(fh, vectors)

    try:
        atomic_file(path, write_vectors)
        key = _head_words_key(linker.space)
        atomic_file(manifest, lambda tmp: tmp.write_text(json.dumps({"key": key, "words": words})))
    except OSError as exc:
        log.warning("could not store the skill labels' word vectors in %s: %s", directory, exc)
        linker.skills.adopt_head_words(words, vectors)
        return False
    if not _adopt_stored_head_words(linker, directory):  # pragma: no cover - only if the files just written fail
        linker.skills.adopt_head_words(words, vectors)
    log.info("skill labels' word vectors: %d words in %.1f s", len(words), time.perf_counter() - started)
    return True


def _adopt_stored_head_words(linker: Linker, directory: Path) -> bool:
    """Give the linker the stored vectors of the skill labels' words, mapped read-only, when they were built
    for this concept space, encoder and code."""
    manifest, path = _head_words_paths(directory)
    try:
        stored = json.loads(manifest.read_text())
        if not isinstance(stored, dict) or stored.get("key") != _head_words_key(linker.space):
            return False
        # A plain array over the mapped file: a row of an np.memmap is a memmap too, slow to make per word.
        vectors = np.asarray(np.load(path, mmap_mode="r"))
        linker.skills.adopt_head_words(list(stored["words"]), vectors)
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("the stored word vectors in %s cannot be used (%s): rebuilding them", directory, exc)
        return False
    return True


def _dense_path(directory: Path, kind: LinkKind) -> Path:
    return directory / f"dense_{kind}.faiss"


def _lexical_dir(directory: Path, kind: LinkKind) -> Path:
    return directory / f"lexical_{kind}"


def _read_dense(directory: Path, kind: LinkKind) -> object | None:
    from matching.linking import LabelIndex

    try:
        return LabelIndex.read_dense(_dense_path(directory, kind))
    except RuntimeError:  # FAISS cannot read it: missing, truncated or not an index
        return None


def _read_lexical(directory: Path, kind: LinkKind) -> LexicalIndex | None:
    from matching.linking import LexicalIndex

    try:
        return LexicalIndex.load(_lexical_dir(directory, kind))
    except (OSError, ValueError, KeyError):
        return None


def _open_index(
    space: ConceptSpace, codes: tuple[int, ...], directory: Path, kind: LinkKind, reusable: set[str]
) -> LabelIndex | None:
    """The label index of a kind from its stored parts, or None when a part is missing, stale or unreadable."""
    from matching.linking import LabelIndex

    if reusable != set(PART_FORMATS):
        return None
    dense, lexical = _read_dense(directory, kind), _read_lexical(directory, kind)
    if dense is None or lexical is None:
        return None
    try:
        return LabelIndex.build(space, codes, dense=dense, lexical=lexical)
    except ValueError:  # stored for another set of labels
        return None


__all__ = [
    "building",
    "concept_space_dir",
    "load_taxonomy",
    "make_encoder",
    "prepare_linker",
    "prepare_related",
    "prepare_related_skills",
    "taxonomy_snapshot_path",
    "start_warm_up",
    "wait_for_warm_ups",
    "warm_linker",
]
