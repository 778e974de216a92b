"""Precision of reading skills by general rules: head and complement agreement between a phrase and a label, names
of organisations and places, and languages read as CEFR levels (never as skills)."""

from __future__ import annotations

import pytest

from matching.linking.agreement import agrees, any_agrees, words_of
from matching.linking.language_mentions import language_mentions, only_language
from matching.linking.names import is_name


@pytest.mark.parametrize(
    ("phrase", "label", "lang"),
    [
        ("désinfection des surfaces", "désinfecter des surfaces", "fr"),
        ("dépoussiérage", "dépoussiérer", "fr"),
        ("électricité industrielle", "électricité", "fr"),
        ("accueillez et conseillez les clients", "accueillir les clients", "fr"),
        ("entretien d'espaces paysagers", "entretenir des paysages", "fr"),
        ("Négociations des tarifs de sous-traitance", "négocier les tarifs", "fr"),
        ("de kassa bedienen", "kassa's bedienen", "nl"),
        ("customer service", "customer service", "en"),
    ],
)
def test_a_phrase_agrees_with_a_label_that_shares_its_head_and_complement(phrase: str, label: str, lang: str) -> None:
    assert agrees(words_of(phrase), words_of(label), lang)


@pytest.mark.parametrize(
    ("phrase", "label", "lang"),
    [
        ("prévention des escarres", "gérer la prévention des vols", "fr"),  # another complement
        ("Brevet de cariste", "brevets", "fr"),  # a generic head links through its complement or not at all
        ("Accueil physique", "physique", "fr"),  # the label is the phrase's modifier
        ("administratif", "service administratif", "fr"),  # one word is the label's head, or nothing
        ("Génie climatique", "climatologie", "fr"),
        ("animer un système de traitement", "traiter des demandes", "fr"),
        ("Communication aux clients", "enseigner la communication avec la clientèle", "fr"),
        ("SPF Santé publique", "santé publique", "fr"),
    ],
)
def test_a_phrase_does_not_agree_with_a_label_of_another_head_or_complement(phrase: str, label: str, lang: str) -> None:
    assert not agrees(words_of(phrase), words_of(label), lang)


def test_heads_in_other_forms_agree_through_a_word_similarity() -> None:
    pairs = {("gestion", "gérer"), ("gérer", "gestion")}
    similar = lambda a, b: (a, b) in pairs  # noqa: E731 - a stand-in for the encoder's closeness of two words
    assert any_agrees("gestion des stocks", [("gérer des stocks", "fr")], similar)
    assert not any_agrees("gestion des stocks", [("gérer des stocks", "fr")])
    assert not any_agrees("gestion des stocks", [("gérer des vols", "fr")], similar)


KNOWN = frozenset("sante publique gestion stock chariot elevateur haccp sap excel conduite".split())


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("SPF Santé publique", True),
        ("Ministère de la Santé", True),
        ("CPAS de Bruxelles", True),
        ("Saint-Quentin-en-Yvelines", True),
        ("Gemeente Anderlecht", True),
        ("Gestion des stocks", False),
        ("HACCP", False),
        ("Maîtrise de SAP", False),
        ("Conduite De Chariot Elévateur", False),
        ("Excel", False),
    ],
)
def test_names_of_organisations_and_places_are_told_apart_from_skills(text: str, name: bool) -> None:
    assert is_name(text, lambda word: word.rstrip("s") in KNOWN or word in KNOWN) is name


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("Français", {"fr": "B1"}),
        ("Frans", {"fr": "B1"}),
        ("mondeling in het Nederlands communiceren", {"nl": "B1"}),
        ("bonne connaissance du néerlandais", {"nl": "B2"}),
        ("Vous parlez couramment anglais et néerlandais.", {"en": "C1", "nl": "C1"}),
        ("Parfaitement bilingue FR/NL", {"fr": "C1", "nl": "C1"}),
        (
            "Langues : Français (langue maternelle), Anglais B2, néerlandais notions",
            {"fr": "C2", "en": "B2", "nl": "A2"},
        ),
        ("Connaissance de base en allemand", {"de": "A2"}),
        ("Goede kennis van het Frans is een pluspunt", {"fr": "B2"}),
        ("NL: B1", {"nl": "B1"}),
        ("Nous travaillons avec un fournisseur néerlandais.", {}),
        ("Expérience en cuisine française", {}),
        ("Vous êtes bilingue.", {}),
    ],
)
def test_languages_are_read_as_cefr_levels(text: str, levels: dict[str, str]) -> None:
    found = language_mentions(text)
    assert {m.lang: m.level for m in found} == levels
    for mention in found:
        assert text[mention.start : mention.end].strip() == text[mention.start : mention.end]


@pytest.mark.parametrize(
    ("text", "only"),
    [
        ("Français", True),
        ("Frans", True),
        ("bonne connaissance du néerlandais", True),
        ("mondeling in het Nederlands communiceren", True),
        ("Anglais lu", True),
        ("rédiger des rapports en anglais", False),
        ("cuisine française", False),
    ],
)
def test_a_phrase_that_says_only_a_language_is_a_requirement_not_a_skill(text: str, only: bool) -> None:
    assert only_language(text) is only
