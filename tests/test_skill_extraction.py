"""Skills stated in ads and dossiers: sections, clauses, the word check, spans (real encoder, ESCO slice)."""

from __future__ import annotations

import pytest

from matching.linker import Linker
from matching.sections import Section
from matching.skill_extraction import clauses, same_word
from tests import esco_uris as U

STOCK_SHELVES = U.SKILL + "7e9daad3-8604-4839-af9b-dc6f8db3ef68"  # remplir des rayons, rekken vullen
OPERATE_CASH_REGISTER = U.SKILL + "0cb013af-6dd9-4fb2-b34e-63dda1a5cf82"  # kassa's bedienen

# A Dutch ad as the public employment services publish them: title with "(m/v/x)", tasks, profile, offer.
DUTCH_AD = """Winkelmedewerker (m/v/x) - Supermarkt Anderlecht

Voor onze klant, een supermarkt in Anderlecht, zoeken we een gemotiveerde winkelmedewerker.

Jouw taken:
- Je vult de rekken aan (rekken vullen) en houdt de winkel netjes
- Je bedient de kassa: kassa's bedienen en klanten helpen

Jouw profiel:
- Je werkt graag in team
- Kennis van het Frans is een pluspunt

Wat bieden wij?
- Een vast contract van 38 uur, maaltijdcheques
- Solliciteer via onze website"""

NOISE = (
    "Rémunération selon expérience. Selon les horaires. Convention collective. Urgent !\n"
    "Notre client, une PME dynamique de la construction navale, recrute.\n"
    "Poste en CDI, temps plein. Envoyez votre CV."
)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("nettoyage", "nettoyer", True),
        ("desinfection", "desinfecter", True),
        ("rayons", "rayon", True),
        ("voeding", "voedingsmiddelen", False),
        ("repas", "repasser", False),
        ("vente", "vendre", False),
    ],
)
def test_same_word(a: str, b: str, same: bool) -> None:
    assert same_word(a, b) is same


def test_clauses_of_requirement_units_only() -> None:
    found = clauses(DUTCH_AD, "nl")
    texts = [c.text for c in found]
    assert "rekken vullen" in texts
    assert "kassa's bedienen" in texts
    assert all("maaltijdcheques" not in t and "Solliciteer" not in t and "supermarkt in" not in t for t in texts)
    for clause in found:
        assert DUTCH_AD[clause.start : clause.end] == clause.text
        assert clause.section.asks


def test_clause_without_frame() -> None:
    found = {c.text for c in clauses("Vous avez une bonne connaissance de la caisse enregistreuse.", "fr")}
    assert "caisse enregistreuse" in found


def test_dutch_ad_gives_its_skills_with_spans(slice_linker: Linker) -> None:
    found = slice_linker.skills.extract_many([DUTCH_AD], "nl")[0]
    by_uri = {h.uri: h for h in found}
    assert STOCK_SHELVES in by_uri and OPERATE_CASH_REGISTER in by_uri
    for hit in found:
        assert DUTCH_AD[hit.start : hit.end] == hit.source
        assert hit.section in (Section.tasks, Section.profile)
        assert 0 < hit.score <= 1


def test_pay_hours_contract_employer_and_applying_give_no_skill(slice_linker: Linker) -> None:
    assert slice_linker.skills.extract_many([NOISE], "fr") == [[]]


def test_a_shared_word_is_not_enough(slice_linker: Linker) -> None:
    # "utiliser un four de boulangerie" shares "four" and "boulangerie" with neither of these.
    found = slice_linker.skills.extract_many(["Le four est neuf.", "La boulangerie ouvre à 7 heures."], "fr")
    assert found == [[], []]


def test_skills_in_several_texts_equal_one_by_one(slice_linker: Linker) -> None:
    texts = [DUTCH_AD, "", "Vous savez utiliser un four de boulangerie et pétrir la pâte."]
    many = slice_linker.skills.extract_many(texts)
    assert [[h.uri for h in found] for found in many] == [
        [h.uri for h in slice_linker.skills.extract_many([t])[0]] for t in texts
    ]
