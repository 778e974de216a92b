"""The parts of a job ad: what it asks (tasks, profile) and what it does not (employer, offer, applying)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.linking.sections import Section, cue_of, header_of, split_ad

FRENCH_AD = """VIVASERVICES recrute des assistant.e.s ménager.e.s en CDI sur le secteur de Guyancourt.

VOTRE MISSION :
- Entretien du logement de nos clients : ménage, repassage, lavage de vitres
- Planning aménageable selon vos disponibilités

Profil
- Vous savez travailler en équipe
- Rémunération selon expérience, mutuelle et tickets restaurant

Envoyez-nous votre CV !"""

DUTCH_AD = """Voor onze klant, een woonzorgcentrum in Anderlecht, zoeken we een zorgkundige (m/v/x).

Jouw taken
• Je staat in voor de persoonlijke verzorging van de bewoners
• Je helpt bij de maaltijden

Jouw profiel
• Je hebt een visum als zorgkundige
• Je werkt graag in team

Wat bieden wij?
• Een vast contract, voltijds of deeltijds
• Maaltijdcheques en een correct loon volgens barema

Interesse? Solliciteer via onze website."""


def _sections(text: str) -> list[tuple[str, Section]]:
    return [(u.text, u.section) for u in split_ad(text)]


def test_french_ad_sections() -> None:
    units = dict(_sections(FRENCH_AD))
    assert units["VIVASERVICES recrute des assistant.e.s ménager.e.s en CDI sur le secteur de Guyancourt"] in (
        Section.offer,
        Section.employer,
    )
    assert units["Entretien du logement de nos clients : ménage, repassage, lavage de vitres"] is Section.tasks
    assert units["Vous savez travailler en équipe"] is Section.profile
    assert units["Rémunération selon expérience, mutuelle et tickets restaurant"] is Section.offer
    assert units["Envoyez-nous votre CV !"] is Section.apply


def test_dutch_ad_sections() -> None:
    units = dict(_sections(DUTCH_AD))
    assert units["Voor onze klant, een woonzorgcentrum in Anderlecht, zoeken we een zorgkundige (m/v/x)"] is (
        Section.employer
    )
    assert units["Je staat in voor de persoonlijke verzorging van de bewoners"] is Section.tasks
    assert units["Je helpt bij de maaltijden"] is Section.tasks
    assert units["Je werkt graag in team"] is Section.profile
    assert units["Een vast contract, voltijds of deeltijds"] is Section.offer
    assert units["Maaltijdcheques en een correct loon volgens barema"] is Section.offer
    assert [s for t, s in _sections(DUTCH_AD) if "Solliciteer" in t] == [Section.apply]


def test_spans_point_into_the_text() -> None:
    for text in (FRENCH_AD, DUTCH_AD):
        for unit in split_ad(text):
            assert text[unit.start : unit.end] == unit.text


@pytest.mark.parametrize(
    ("line", "section"),
    [
        ("VOTRE MISSION :", Section.tasks),
        ("Description du poste :", Section.tasks),
        ("Profil recherché :", Section.profile),
        ("Description du profil :", Section.profile),
        ("Jouw profiel", Section.profile),
        ("Wat bieden wij?", Section.offer),
        ("Nous vous proposons :", Section.offer),
        ("Functieomschrijving", Section.tasks),
        ("Qui sont-ils", Section.employer),
        ("Vous prenez en charge la mise en service", None),
    ],
)
def test_headers(line: str, section: Section | None) -> None:
    assert header_of(line) is section


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("Rémunération selon expérience", Section.offer),
        ("Selon les horaires", Section.offer),
        ("Rémunération selon convention collective", Section.offer),
        ("Poste en CDI", Section.offer),
        ("Notre client est un leader de la construction navale", Section.employer),
        ("Bac +2 en comptabilité", Section.education),
        ("Solliciteer via de website", Section.apply),
        ("Maaltijdcheques en hospitalisatieverzekering", Section.offer),
        ("Vous réalisez le montage des cloisons", None),
    ],
)
def test_cues(text: str, section: Section | None) -> None:
    assert cue_of(text) is section


def test_a_task_sentence_under_an_offer_header_opens_the_tasks() -> None:
    text = "Ce que nous vous proposons :\nVotre rôle sera d'assurer la maintenance.\n- Planifier les interventions"
    assert [u.section for u in split_ad(text)] == [Section.tasks, Section.tasks]


@given(st.text(max_size=200))
def test_split_ad_never_crashes_and_spans_are_valid(text: str) -> None:
    previous = 0
    for unit in split_ad(text):
        assert previous <= unit.start < unit.end <= len(text)
        assert text[unit.start : unit.end] == unit.text
        previous = unit.end
