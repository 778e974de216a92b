"""Gendered title words learned from occupation labels: hand-made labels whose pairs are known, then ESCO."""

from __future__ import annotations

import numpy as np

from esco_data import ConceptKind
from matching.linking import Linker
from matching.linking.gender_forms import GenderForms, GenderFormsConfig
from matching.space import KIND_CODES, LANG_CODES, ConceptSpace

FR, NL = LANG_CODES["fr"], LANG_CODES["nl"]


def _space(labels: list[tuple[int, int, str]]) -> ConceptSpace:
    """A concept space of occupations 0..n-1 with these (concept, language, text) labels and no vectors."""
    n = max(c for c, _, _ in labels) + 1
    return ConceptSpace(
        manifest={},
        concept_uris=[f"o{i}" for i in range(n)],
        concept_kinds=np.full(n, KIND_CODES[ConceptKind.occupation], dtype=np.int8),
        concept_vectors=np.zeros((n, 1), dtype=np.float32),
        label_texts=[t for _, _, t in labels],
        label_concepts=np.asarray([c for c, _, _ in labels], dtype=np.int32),
        label_langs=np.asarray([lang for _, lang, _ in labels], dtype=np.int8),
        label_types=np.zeros(len(labels), dtype=np.int8),
        label_vectors=np.zeros((len(labels), 1), dtype=np.float32),
    )


LABELS = [
    # French writes both forms: the first is the main one.
    (0, FR, "vendeur/vendeuse"),
    (1, FR, "vendeur en boucherie/vendeuse en boucherie"),
    (2, FR, "coiffeur/coiffeuse"),
    (3, FR, "serveur/serveuse"),
    (4, FR, "directeur de magasin/directrice de magasin"),
    (5, FR, "directeur financier/directrice financière"),
    (6, FR, "inspecteur/inspectrice"),
    (7, FR, "animateur/animatrice"),
    (8, FR, "formateur/formatrice"),
    (9, FR, "danseur/danseuse"),
    # Dutch puts the feminine form in another label of the same occupation.
    (10, NL, "medewerker"),
    (10, NL, "medewerkster"),
    (11, NL, "winkelmedewerker"),
    (11, NL, "winkelmedewerkster"),
    (12, NL, "bedrijfsleider"),
    (12, NL, "bedrijfsleidster"),
    (13, NL, "onderzoeker"),
    (13, NL, "onderzoekster"),
    (14, NL, "begeleider"),
    (14, NL, "begeleidster"),
    (15, NL, "verzorger"),
    (15, NL, "verzorgster"),
    (16, NL, "ontwerper"),
    (16, NL, "ontwerpster"),
    (17, NL, "leider"),
    (18, NL, "medewerker logistiek"),
    # Synonyms with long endings on both sides are not gender forms.
    (19, NL, "fietshersteller"),
    (19, NL, "fietsreparateur"),
    (20, NL, "autohersteller"),
    (20, NL, "autoreparateur"),
    # Rare ending changes (fewer pairs than the support asks) are not trusted.
    (21, NL, "kok"),
    (21, NL, "kokkin"),
    # Masculine forms only: their feminine doubles a vowel ("meetster", "kweekster").
    (22, NL, "mijnmeter"),
    (23, NL, "hondenkweker"),
]


def test_pairs_and_endings_are_learned() -> None:
    forms = GenderForms.learn(_space(LABELS))
    assert forms.word("vendeuse") == "vendeur"
    assert forms.word("Directrice") == "Directeur"
    assert forms.word("medewerkster") == "medewerker"
    assert forms.word("vendeur") == "vendeur"
    # Synonyms and rare ending changes are left alone.
    assert forms.word("fietsreparateur") == "fietsreparateur"
    assert forms.word("kokkin") == "kokkin"


def test_compounds_and_unknown_words() -> None:
    forms = GenderForms.learn(_space(LABELS))
    # A compound by its known last part.
    assert forms.word("logistiekmedewerkster") == "logistiekmedewerker"
    # An unknown word by a learned ending change, when the result is a word of the labels.
    assert forms.word("leidster") == "leider"
    assert forms.word("formatrice") == "formateur"
    # ... also when the change closes a Dutch syllable, whose vowel is then written twice.
    assert forms.word("mijnmeetster") == "mijnmeter"
    assert forms.word("Hondenkweekster") == "Hondenkweker"
    # ... or a compound that ends as a label word does ("kweker" is the last part of "hondenkweker").
    assert forms.word("schaaldierenkweekster") == "schaaldierenkweker"
    # ... but sharing no more than the ending just written makes nothing a word.
    shared_ending = GenderForms({}, {"eur": ["eerder"]}, frozenset({"profileerder"}))
    assert shared_ending.word("coffreur") == "coffreur"
    # ... and never when the result is not one.
    assert forms.word("onbekendster") == "onbekendster"
    assert forms.word("groenteboerster") == "groenteboerster"


def test_an_ending_two_languages_change_differently_is_changed_as_the_titles_language_does() -> None:
    french, dutch = frozenset({"calculateur", "calculatrice"}), frozenset({"calculator"})
    forms = GenderForms(
        {"calculatrice": "calculateur"}, {"rice": ["eur", "or"]}, french | dutch, languages={"fr": french, "nl": dutch}
    )
    assert forms.word("calculatrice", "nl") == "calculator"
    assert forms.word("calculatrice", "fr") == forms.word("calculatrice") == "calculateur"
    assert forms.canonical("Technisch calculatrice", "nl") == "Technisch calculator"


def test_a_word_found_by_its_ending_ends_on_the_same_form_as_the_word_itself() -> None:
    forms = GenderForms({"fileuse": "fileur"}, {"eur": ["eerder"]}, frozenset({"fileuse", "fileur", "fileerder"}))
    assert forms.word("profileur") == "profileerder"  # by its ending
    assert forms.word("profileuse") == forms.word("profileur")  # by its last part ("profileur"), then as that word


def test_titles_read_the_same_in_both_forms() -> None:
    forms = GenderForms.learn(_space(LABELS))
    assert forms.canonical("Vendeuse en boucherie") == forms.canonical("Vendeur en boucherie") == "Vendeur en boucherie"
    assert forms.canonical("Directeur / Directrice de magasin") == forms.canonical("Directrice / Directeur de magasin")
    assert forms.canonical("Medewerkster logistiek (m/v/x)") == "Medewerker logistiek (m/v/x)"


def test_support_is_a_setting() -> None:
    strict = GenderForms.learn(_space(LABELS), GenderFormsConfig(min_support=50))
    assert strict.word("vendeuse") == "vendeuse"


def test_the_linker_links_both_forms_alike(slice_linker: Linker) -> None:
    for masculine, feminine in [("Boulanger", "Boulangère"), ("Pâtissier", "Pâtissière"), ("Cuisinier", "Cuisinière")]:
        assert slice_linker.one_gender(feminine) == masculine
        a = slice_linker.link(masculine, "occupation", k=3)
        b = slice_linker.link(feminine, "occupation", k=3)
        assert [(c.uri, round(c.score, 5)) for c in a] == [(c.uri, round(c.score, 5)) for c in b]
