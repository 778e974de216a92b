"""The counterfactual gender swap, on hand-written pairs of French and Dutch titles and on record fields."""

from __future__ import annotations

import pytest

from services.gender_swap import swap_jobseeker, swap_markers, swap_phrase, swap_title, swap_vacancy
from tests.factories import jobseeker, vacancy
from tests.gender_pairs import DUTCH, FRENCH

PAIRS = [("fr", m, f) for m, f in FRENCH] + [("nl", m, f) for m, f in DUTCH]


def test_there_are_enough_pairs() -> None:
    assert len(PAIRS) >= 100
    assert len({(lang, m) for lang, m, _ in PAIRS}) == len(PAIRS)


@pytest.mark.parametrize(("lang", "masculine", "feminine"), PAIRS)
def test_each_form_becomes_the_other(lang: str, masculine: str, feminine: str) -> None:
    assert swap_title(masculine, lang) == feminine
    assert swap_title(feminine, lang) == masculine


def test_every_pair_is_changed() -> None:
    # A swap that changes nothing proves nothing.
    assert sum(swap_title(m, lang) != m for lang, m, _ in PAIRS) == len(PAIRS)


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("fr", "Responsable paie"),
        ("fr", "Garde barrière"),
        ("fr", "Comptable"),
        ("fr", "Styliste"),
        ("fr", "Gestionnaire de collections"),
        ("fr", "Secrétaire"),
        ("nl", "Burgemeester"),
        ("nl", "Ingenieur"),
        ("nl", "Manager verkoop"),
        ("nl", "Gemeenteraadslid"),
        ("en", "Sales manager"),
    ],
)
def test_words_without_a_gendered_form_stay(lang: str, title: str) -> None:
    assert swap_title(title, lang) == title


def test_only_the_head_of_a_title_changes() -> None:
    # The complement names things: "de grue", "d'engins", "machines".
    assert swap_title("Conducteur de moissonneuse-batteuse", "fr") == "Conductrice de moissonneuse-batteuse"
    assert swap_title("Vendeuse en boulangerie", "fr") == "Vendeur en boulangerie"
    assert swap_title("Monteur landbouwmachines", "nl") == "Monteuse landbouwmachines"
    # A Dutch title has one head noun: the word after it is left alone.
    assert swap_title("Coördinator brandweer", "nl") == "Coördinatrice brandweer"


def test_markers() -> None:
    assert swap_markers("Chauffeur SPL F/H (H/F)") == "Chauffeur SPL H/F (F/H)"
    assert swap_markers("Kok [m / v / x]") == "Kok [v/m/x]"
    assert swap_markers("km/h, a/b") == "km/h, a/b"
    # Every marker the linker strips (matching.linking.gender.MARKER) is swapped, "v/d" ("van de") is none.
    assert swap_markers("Chauffeur (M, F, X)") == "Chauffeur (F,M,X)"
    assert swap_markers("Serveur F-H, kok ((h/f))") == "Serveur H-F, kok ((f/h))"
    assert swap_markers("Medewerker v/d klantendienst (m/w/d)") == "Medewerker v/d klantendienst (w/m/d)"


def test_phrases_change_only_explicit_forms() -> None:
    assert swap_phrase("encadrer des vendeurs", "fr") == "encadrer des vendeurs"
    assert swap_phrase("travailler avec un ordinateur", "fr") == "travailler avec un ordinateur"
    assert swap_phrase("former un vendeur/vendeuse (h/f)", "fr") == "former un vendeuse/vendeur (f/h)"


def test_records_report_what_changed() -> None:
    person = jobseeker(
        experiences=[{"title": "Boulangère", "years": 3}, {"title": "Comptable"}],
        desired_occupations=[{"title": "Pâtissier (h/f/x)"}],
    )
    result = swap_jobseeker(person)
    assert result.data["experiences"][0]["title"] == "Boulanger"
    assert result.data["desired_occupations"][0]["title"] == "Pâtissière (f/h/x)"
    assert result.changed == ["experiences[0].title", "desired_occupations[0].title"]
    assert person["experiences"][0]["title"] == "Boulangère", "the input is not changed"
    offer = swap_vacancy(vacancy())
    assert offer.data["title"] == "Bakster (v/m/x)" and offer.changed == ["title"]
    assert swap_jobseeker(jobseeker(experiences=[{"title": "Comptable"}])).changed == []
