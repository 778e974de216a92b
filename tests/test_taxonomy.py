"""The Taxonomy API on the full ESCO release."""

from __future__ import annotations

import pytest

from esco_data import ConceptKind, LabelType, Taxonomy, UnknownConcept, fallback_languages
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
