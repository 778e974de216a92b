"""Building or reusing the heavy resources of matching: encoder, concept space, linker indexes.

Everything generated lives under the data directory (``concept_space/``, ``encoder_cache.sqlite``) and is
rebuilt only when the ESCO release or the model changes.
"""

from __future__ import annotations

import functools
import json
import pickle
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from esco_data import ConceptKind, Taxonomy
from matching.atomic import atomic_file
from matching.concept_space import KIND_CODES, ConceptSpace, ensure_concept_space
from matching.encoder import Encoder
from matching.label_index import LabelIndex
from matching.linker import Linker, LinkerConfig, LinkKind
from matching.occupation_docs import OccupationDocs
from matching.related import RelatedConfig, RelatedSkills

LINKER_FORMAT = 8
_KINDS: dict[LinkKind, tuple[int, ...]] = {
    "skill": (KIND_CODES[ConceptKind.skill],),
    "occupation": (KIND_CODES[ConceptKind.occupation], KIND_CODES[ConceptKind.isco_group]),
}


def concept_space_dir(data_dir: Path) -> Path:
    """Where the concept space and linker indexes are stored."""
    return data_dir / "concept_space"


def make_encoder(data_dir: Path, model_name: str, threads: int = 2) -> Encoder:
    """The encoder with its on-disk cache in the data directory (the model loads on first use)."""
    return Encoder(model_name, cache_dir=data_dir, threads=threads)


def _linker_manifest(space: ConceptSpace) -> dict[str, Any]:
    return {"format": LINKER_FORMAT, "space_built_at": space.manifest.get("built_at"), **_space_key(space)}


def _space_key(space: ConceptSpace) -> dict[str, Any]:
    return {k: space.manifest.get(k) for k in ("esco_checksum", "model_id", "dim")}


def prepare_linker(
    taxonomy: Taxonomy,
    encoder: Encoder,
    data_dir: Path,
    *,
    config: LinkerConfig | None = None,
    progress: bool = False,
) -> tuple[Linker, dict[str, Any]]:
    """The linker over the concept space, reusing what is stored when it matches the release and model.

    Args:
        taxonomy: the loaded ESCO taxonomy.
        encoder: the sentence encoder.
        data_dir: the data directory.
        config: linker weights.
        progress: show progress bars while building.

    Returns:
        The linker, and a report: whether the concept space and the indexes were built or reused, seconds.
    """
    started = time.perf_counter()
    directory = concept_space_dir(data_dir)
    space, space_built = ensure_concept_space(taxonomy, encoder, directory, progress=progress)
    manifest_path = directory / "linker.json"
    wanted = _linker_manifest(space)
    stored = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    indexes: dict[LinkKind, LabelIndex] = {}
    built = space_built or stored != wanted
    for kind, codes in _KINDS.items():
        dense_path = directory / f"dense_{kind}.faiss"
        lexical_path = directory / f"lexical_{kind}.pkl"
        if not built and dense_path.exists() and lexical_path.exists():
            index = LabelIndex.build(
                space, codes, dense=LabelIndex.read_dense(dense_path), lexical=_read_pickle(lexical_path)
            )
        else:
            index = LabelIndex.build(space, codes)
            atomic_file(dense_path, index.save_dense)
            atomic_file(lexical_path, functools.partial(_write_pickle, index.lexical))
        indexes[kind] = index
    docs_path = directory / "occupation_docs.pkl"
    if not built and docs_path.exists():
        docs = _read_pickle(docs_path)
    else:
        docs = OccupationDocs.build(taxonomy)
        atomic_file(docs_path, functools.partial(_write_pickle, docs))
    if built:
        manifest_path.write_text(json.dumps(wanted, indent=2))
    knowledge = frozenset(c.uri for c in taxonomy.concepts(ConceptKind.skill) if c.skill_type == "knowledge")
    linker = Linker(space, encoder, indexes, config, knowledge=knowledge, occupation_docs=docs)
    report = {
        "concept_space": "built" if space_built else "reused",
        "linker_indexes": "built" if built else "reused",
        "concepts": len(space.concept_uris),
        "labels": len(space.label_texts),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return linker, report


def prepare_related(taxonomy: Taxonomy, linker: Linker, data_dir: Path) -> RelatedSkills:
    """Related skills of the concept space, reused from disk when built for the same space.

    Args:
        taxonomy: the loaded ESCO taxonomy.
        linker: the linker (its concept space).
        data_dir: the data directory.
    """
    directory = concept_space_dir(data_dir)
    config = RelatedConfig()
    wanted = {"space_built_at": linker.space.manifest.get("built_at"), "config": asdict(config)}
    manifest = directory / "related.json"
    path = directory / "related.npz"
    if path.exists() and manifest.exists() and json.loads(manifest.read_text()) == wanted:
        return RelatedSkills.load(str(path), config)
    related = RelatedSkills.build(taxonomy, linker.space, config)
    related.save(path)
    atomic_file(manifest, lambda tmp: tmp.write_text(json.dumps(wanted)))
    return related


def _write_pickle(obj: Any, path: Path) -> None:
    path.write_bytes(pickle.dumps(obj, protocol=5))


def _read_pickle(path: Path) -> Any:
    # Our own file, written by prepare_linker into the data directory.
    return pickle.loads(path.read_bytes())  # noqa: S301


__all__ = ["concept_space_dir", "make_encoder", "prepare_linker", "prepare_related"]
