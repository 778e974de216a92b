"""The Taxonomy API on the full ESCO release."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from esco_data import ConceptKind, LabelType, Taxonomy, UnknownConcept, fallback_languages
from matching.resources import load_taxonomy, taxonomy_snapshot_path
from tests import esco_uris as U


def test_concept_by_uri(taxonomy: Taxonomy) -> None:
    baker = taxonomy.concept(U.BAKER)
    assert baker.kind is ConceptKind.occupation
    assert baker.isco_code == "7512"
    assert U.BAKER in taxonomy
    with pytest.raises(UnknownConcept, match="unknown ESCO concept: http://example.org/x"):
        taxonomy.concept("http://example.org/x")


def test_label_in_each_language(taxonomy: Taxonomy) -> None:
    assert taxonomy.label(U.BAKER, "fr").text == "boulanger/boulangère"
    assert taxonomy.label(U.BAKER, "nl").text == "bakker"
    assert taxonomy.label(U.BAKER, "en").text == "baker"
    assert not taxonomy.label(U.BAKER, "nl").fallback


def test_label_falls_back_to_the_other_of_french_and_dutch(taxonomy: Taxonomy) -> None:
    label = taxonomy.label(U.MONITOR_FLOUR_UNLOADING, "nl")
    assert (label.text, label.lang, label.fallback) == (
        "surveiller les équipements de déchargement de farine",
        "fr",
        True,
    )


def test_label_falls_back_to_english_when_neither_french_nor_dutch(taxonomy: Taxonomy) -> None:
    for lang in ("fr", "nl"):
        label = taxonomy.label(U.INFLUENCE_PUBLIC_POLICIES, lang)
        assert (label.text, label.lang, label.fallback) == ("influence public policies", "en", True)


def test_fallback_order() -> None:
    assert fallback_languages("nl") == ["nl", "fr", "en"]
    assert fallback_languages("fr") == ["fr", "nl", "en"]
    assert fallback_languages("en") == ["en", "fr", "nl"]


def test_lookup_ignores_case_accents_and_spacing(taxonomy: Taxonomy) -> None:
    found = [label for label in taxonomy.lookup("  BOULANGERE ") if label.uri == U.BAKER]
    assert [(label.text, label.label_type) for label in found] == [("boulangère", LabelType.alternative)]
    assert {label.uri for label in taxonomy.lookup("Boulanger / Boulangère", lang="fr")} == {U.BAKER}
    assert taxonomy.lookup("bakker", lang="fr") == []
    assert {label.uri for label in taxonomy.lookup("Bakker", kind=ConceptKind.occupation)} == {U.BAKER}


def test_skills_of_occupation_split_essential_optional(taxonomy: Taxonomy) -> None:
    skills = taxonomy.skills_of(U.BAKER)
    assert (len(skills.essential), len(skills.optional)) == (35, 47)
    assert U.BAKE_GOODS in skills.essential
    assert not set(skills.essential) & set(skills.optional)
    with pytest.raises(UnknownConcept):
        taxonomy.skills_of(U.BAKE_GOODS)


def test_hierarchy_and_isco_group(taxonomy: Taxonomy) -> None:
    assert taxonomy.broader(U.BAKER) == [U.ISCO_BAKERS]
    assert U.BAKER in taxonomy.narrower(U.ISCO_BAKERS)
    assert taxonomy.ancestors(U.BAKER)[:2] == [U.ISCO_BAKERS, U.ISCO_CRAFT_FOOD]
    group = taxonomy.isco_group(U.BAKER)
    assert group is not None and group.code == "7512"
    assert taxonomy.label(U.ISCO_BAKERS, "fr").text


def test_collections(taxonomy: Taxonomy) -> None:
    assert taxonomy.in_collection(U.HASKELL, "digital")
    assert "language" in taxonomy.collections(U.UNDERSTAND_SPOKEN_DUTCH)
    assert not taxonomy.in_collection(U.BAKE_GOODS, "digital")
    assert U.HASKELL in taxonomy.collection_members("digital")


def test_descriptions_fall_back(taxonomy: Taxonomy) -> None:
    fr = taxonomy.description(U.BAKER, "fr")
    assert fr is not None and fr.lang == "fr" and not fr.fallback


def test_counts(taxonomy: Taxonomy) -> None:
    assert taxonomy.counts() == {"skill": 13_896, "occupation": 3_007, "isco_group": 619, "skill_group": 640}
    assert taxonomy.version == "v1.1.1"


# -- snapshot -----------------------------------------------------------------------------------------------


def _answers(taxonomy: Taxonomy, every: int = 1) -> dict[object, object]:
    """What every method of the API answers, for every concept (or every ``every``-th one, in a stable order),
    and a lookup of every third label."""
    out: dict[object, object] = {
        "len": len(taxonomy),
        "counts": taxonomy.counts(),
        "concepts": list(taxonomy.concepts()),
    }
    out["all_labels"] = sorted((x.uri, x.text, x.lang, x.label_type.value, x.norm) for x in taxonomy.all_labels())
    for kind in ConceptKind:
        out[kind] = [c.uri for c in taxonomy.concepts(kind)]
    for concept in list(taxonomy.concepts())[::every]:
        uri = concept.uri
        for lang in ("fr", "nl", "en", "de"):
            out["label", uri, lang] = taxonomy.label(uri, lang)
            out["labels", uri, lang] = taxonomy.labels(uri, lang)
            out["has_label", uri, lang] = taxonomy.has_label(uri, lang)
            out["description", uri, lang] = taxonomy.description(uri, lang)
        out["labels", uri] = labels = taxonomy.labels(uri)
        for label in labels[::3]:
            out["lookup", label.text] = taxonomy.lookup(label.text)
            out["lookup", label.text, "fr"] = taxonomy.lookup(label.text, lang="fr", kind=ConceptKind.occupation)
        if concept.kind is ConceptKind.occupation:
            out["skills_of", uri] = taxonomy.skills_of(uri)
            out["isco_group", uri] = taxonomy.isco_group(uri)
        out["occupations_of", uri] = taxonomy.occupations_of(uri)
        out["related", uri] = taxonomy.related_skills(uri)
        out["hierarchy", uri] = (taxonomy.broader(uri), taxonomy.narrower(uri), taxonomy.ancestors(uri))
        out["collections", uri] = taxonomy.collections(uri)
    for name in ("digital", "green", "language", "transversal", "none such"):
        out["members", name] = taxonomy.collection_members(name)
    return out


def test_a_snapshot_answers_as_the_database(taxonomy: Taxonomy) -> None:
    # The whole release's lists, and the per-concept answers of one concept in four (every concept of the
    # slice is compared in the test below): the snapshot is one structure, a sample of 7,000 concepts of
    # every kind exercises all of it.
    again = Taxonomy.from_snapshot(taxonomy.snapshot(), taxonomy.release)
    assert again.release == taxonomy.release
    expected, found = _answers(taxonomy, every=4), _answers(again, every=4)
    assert found.keys() == expected.keys()
    assert [k for k in expected if found[k] != expected[k]] == []


def test_a_snapshot_of_another_release_or_a_damaged_one_is_refused(slice_taxonomy: Taxonomy) -> None:
    data = slice_taxonomy.snapshot()
    other = slice_taxonomy.release.model_copy(update={"checksum": "0" * 64})
    with pytest.raises(ValueError, match="another ESCO release or format"):
        Taxonomy.from_snapshot(data, other)
    for damaged in (data[: len(data) // 2], b"", b"not a snapshot"):
        with pytest.raises(ValueError, match="not a taxonomy snapshot"):
            Taxonomy.from_snapshot(damaged, slice_taxonomy.release)


def test_reading_a_snapshot_leaves_the_garbage_collector_as_it_found_it(slice_taxonomy: Taxonomy) -> None:
    # The read pauses the collector; it must not switch it on where it was off, nor touch what another part of
    # the process froze.
    data = slice_taxonomy.snapshot()
    assert gc.isenabled()
    Taxonomy.from_snapshot(data, slice_taxonomy.release)
    assert gc.isenabled()
    gc.disable()
    try:
        Taxonomy.from_snapshot(data, slice_taxonomy.release)
        with pytest.raises(ValueError):
            Taxonomy.from_snapshot(b"damaged", slice_taxonomy.release)
        assert not gc.isenabled()
    finally:
        gc.enable()
    kept = [object()]  # noqa: F841 - something to freeze
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        again = Taxonomy.from_snapshot(data, slice_taxonomy.release)
        assert gc.get_freeze_count() == frozen
        assert _answers(again) == _answers(slice_taxonomy)
    finally:
        gc.unfreeze()


def test_load_taxonomy_keeps_a_snapshot_and_replaces_a_bad_one(
    slice_engine: Engine, slice_taxonomy: Taxonomy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = taxonomy_snapshot_path(tmp_path)
    path.write_bytes(b"damaged")
    first = load_taxonomy(slice_engine, tmp_path)
    assert path.read_bytes() == first.snapshot()
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left

    def no_database(engine: Engine) -> Taxonomy:
        raise AssertionError("the database was read although the snapshot is of the same release")

    monkeypatch.setattr(Taxonomy, "load", staticmethod(no_database))
    again = load_taxonomy(slice_engine, tmp_path)
    assert _answers(again) == _answers(slice_taxonomy)
