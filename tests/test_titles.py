"""Job titles as employers write them: markers, codes, segments, contract words, plurals, typos, heads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.linking import Linker
from matching.linking.titles import TitleNormaliser, clean_title
from tests import esco_uris as U


def _texts(title: str) -> list[str]:
    return [s.text for s in clean_title(title)]


@pytest.mark.parametrize(
    ("title", "segments"),
    [
        ("Chauffeur SPL F/H (H/F)", ["Chauffeur SPL"]),
        ("COMPTABLE ((H/F))", ["COMPTABLE"]),
        ("TECHNICIEN ITINÉRANT (29) - H/F", ["TECHNICIEN ITINÉRANT"]),
        ("directeur affaires juridiques H/F - EC22160", ["directeur affaires juridiques"]),
        ("In Extenso - Comptable (H/F)", ["In Extenso", "Comptable"]),
        ("CONSEILLER (LYON) - H/F", ["CONSEILLER", "LYON"]),
        ('"Agent arboricole F-H" (H/F)', ["Agent arboricole"]),
        ("Technicien-ne essais réparation f/h (H/F)", ["Technicien essais réparation"]),
        ("Magazijnier CDI - Urgent", ["Magazijnier"]),
        ("Logistiek medewerker (m/v/x) - voltijds - vast contract", ["Logistiek medewerker"]),
        ("Universitair (hoofd)docent biologie", ["Universitair docent biologie"]),
        ("Human resources (hr) directeur", ["Human resources hr directeur"]),
        ("Cuisinier confirmé H/F - CDI temps plein", ["Cuisinier"]),
        ("(h/f/x)", []),
        ("", []),
    ],
)
def test_clean_title(title: str, segments: list[str]) -> None:
    assert _texts(title) == segments


def test_a_bracket_that_ends_a_segment_is_marked() -> None:
    segments = clean_title("Redacteur (bladen)")
    assert [(s.text, s.bracketed) for s in segments] == [("Redacteur", False), ("bladen", True)]


@given(st.text(max_size=60))
def test_clean_title_never_crashes_and_gives_non_empty_segments(text: str) -> None:
    for segment in clean_title(text):
        assert segment.text == segment.text.strip()
        assert segment.text


@pytest.fixture(scope="module")
def titles(slice_linker: Linker) -> TitleNormaliser:
    return slice_linker.titles


@pytest.mark.parametrize(
    ("title", "main"),
    [
        ("BOULANGERS (H/F)", "boulanger"),  # capitals and a plural
        ("Boulangerr", "boulanger"),  # a typo (rapidfuzz against the label words)
        ("Maison Dupont - Boulanger (H/F) - Bruxelles", "boulanger"),  # an employer before, a place after
        ("Boulanger / Boulangère (H/F) - CDI", "boulanger boulangere"),
        ("Bakkers (m/v/x)", "bakker"),  # a Dutch plural
        ("Kok - dringend - voltijds", "kok"),
    ],
)
def test_normalised_main_form(titles: TitleNormaliser, title: str, main: str) -> None:
    assert titles.normalise(title).forms[0] == main


def test_a_place_one_letter_from_a_label_word_is_no_specialty() -> None:
    # "Brussel" is one letter from the "Brussels" of a Dutch label: read as a typo, the place would join the title.
    labels = [("magazijnier", "nl"), ("lid van het Brussels Parlement", "nl"), ("kok in een restaurant", "nl")]
    titles = TitleNormaliser(labels)
    assert titles.normalise("Magazijnier (m/v/x) - Brussel").forms == ["magazijnier"]
    assert titles.normalise("Magazijnier (m/v/x) - restaurants").forms == ["magazijnier restaurant"]
    assert titles.normalise("Magazijnierr").forms == ["magazijnier"]  # a typo in the title itself is repaired


def test_gender_pair_gives_both_full_forms(titles: TitleNormaliser) -> None:
    query = titles.normalise("Aide boulanger / boulangère (H/F)")
    assert query.forms == ["aide boulanger boulangere", "aide boulanger", "aide boulangere"]


def test_head_is_the_role_word(titles: TitleNormaliser) -> None:
    assert titles.normalise("Boulanger en pâtisserie fine").head == "boulanger"
    assert titles.normalise("Kok (m/v/x) restaurant").head == "kok"


def test_abbreviation_is_an_extra_form(titles: TitleNormaliser) -> None:
    query = titles.normalise("Chauffeur SPL (H/F)")
    assert query.forms == ["chauffeur spl"]
    assert "chauffeur poids lourd" in query.extra_forms


@pytest.mark.parametrize(
    ("title", "uri"),
    [
        ("BOULANGER (H/F) - CDI - Urgent", U.BAKER),
        ("Boulangère F/H - Boulangerie Dupont - Ixelles", U.BAKER),
        ("Aide boulanger / boulangère (H/F)", U.BAKER),
        ("Bakker (m/v/x) - Brood & Co - Anderlecht", U.BAKER),
        ("Kok (M/V/X) - voltijds - Schaarbeek", U.COOK),
        ("Cuisiniers H/F", U.COOK),
        ("Winkelmedewerkers (m/v/x) - studentenjob", U.SHOP_ASSISTANT),
        ("Comptable confirmé H/F - ref EC22160", U.ACCOUNTANT),
        ("Verpleegkundige (m/v/x) - WZC Sint-Jozef", U.NURSE),
    ],
)
def test_published_title_links_to_its_occupation(slice_linker: Linker, title: str, uri: str) -> None:
    assert slice_linker.link(title, "occupation")[0].uri == uri


def test_a_feminine_word_is_repaired_with_the_ending_pairs_of_the_gender_module() -> None:
    # The French ending pairs live once (matching.linking.gender); "-ive" / "-if" was missing from the titles' copy.
    titles = TitleNormaliser([("directeur créatif", "fr"), ("infirmier", "fr"), ("conducteur", "fr")])
    assert [titles.repair(w) for w in ("creative", "infirmiere", "conductrice")] == [
        "creatif", "infirmier", "conducteur",
    ]  # fmt: skip
