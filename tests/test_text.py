"""Text helpers of the linker: gender forms of titles, framing words, and splitting text into phrases."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from esco_data import fold_text, normalize_label
from matching.linking.text import Phrase, gender_variants, split_phrases, strip_framing, strip_gender_markers

# Text that looks like what people type: words with accents, slashes, brackets, bullets, punctuation, newlines.
_PIECES = [*"abcdefhmvxoAHFMVXéèàç ·•▪-–/()[],.;:!?*+>'’\n\r\t", "kennis van ", "(h/f/x)", "(se)", "/-ster", " heb "]
_TYPED = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
TEXTS = st.one_of(st.text(max_size=80), _TYPED)


# -- gender forms -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "variants"),
    [
        ("Accrocheur / Accrocheuse", ["Accrocheur / Accrocheuse", "Accrocheur", "Accrocheuse"]),
        (
            "Accueillant familial / Accueillante familiale auprès d'adultes",
            [
                "Accueillant familial / Accueillante familiale auprès d'adultes",
                "Accueillant familial auprès d'adultes",
                "Accueillante familiale auprès d'adultes",
            ],
        ),
        (
            "Aide-soignant en maison de repos / Aide-soignante",
            [
                "Aide-soignant en maison de repos / Aide-soignante",
                "Aide-soignant en maison de repos",
                "Aide-soignante en maison de repos",
            ],
        ),
        ("Boulanger / Boulangère (h/f/x)", ["Boulanger / Boulangère", "Boulanger", "Boulangère"]),
        ("Bakker", ["Bakker"]),
        (
            "Aide ménager / ménagère à domicile",
            ["Aide ménager / ménagère à domicile", "Aide ménager à domicile", "Aide ménagère à domicile"],
        ),
        (
            "Employé / Employée de libre-service (H/F)",
            ["Employé / Employée de libre-service", "Employé de libre-service", "Employée de libre-service"],
        ),
        (
            "Coffreur bancheur / Coffreuse bancheuse",
            ["Coffreur bancheur / Coffreuse bancheuse", "Coffreur bancheur", "Coffreuse bancheuse"],
        ),
        (
            "Agent tractoriste chauffeur/livreur",
            ["Agent tractoriste chauffeur/livreur", "Agent tractoriste chauffeur", "Agent tractoriste livreur"],
        ),
        (
            "Secrétaire / Assistante de direction",
            ["Secrétaire / Assistante de direction", "Secrétaire de direction", "Assistante de direction"],
        ),
        # One form on both sides (``Linker.one_gender`` writes a pair so): that form alone.
        ("Kok / Kok", ["Kok"]),
        ("Employé / Employé de libre-service", ["Employé de libre-service"]),
        ("a / b / c", ["a / b / c", "a", "b", "c"]),
        ("(h/f/x)", []),
    ],
)
def test_gender_variants(title: str, variants: list[str]) -> None:
    assert gender_variants(title) == variants


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        ("Boulanger (h/f/x)", "Boulanger"),
        ("Verkoper (m/v/x)", "Verkoper"),
        ("Kok (M/V/X)", "Kok"),
        ("Chauffeur [h/f]", "Chauffeur"),
        ("Lagerist (m/w/d)", "Lagerist"),
        ("Vendeur H/F", "Vendeur"),
        ("vendeur(se)", "vendeur"),
        ("employé(e) de bureau", "employé de bureau"),
        ("serveur·euse", "serveur"),
        ("medewerker/-ster", "medewerker"),
        ("winkelmedewerker/-ster (m/v/x)", "winkelmedewerker"),
        ("  Bakker   (m/v/x) ", "Bakker"),
        ("COMPTABLE ((H/F))", "COMPTABLE"),
        ("Chauffeur SPL F/H", "Chauffeur SPL"),
        ("Agent arboricole F-H", "Agent arboricole"),
        ("Applications manager h/m", "Applications manager"),
        ("Kok M/V", "Kok"),
        ("Bakker (M/V/X) voltijds", "Bakker voltijds"),
        ("Technicien-ne essais", "Technicien essais"),
        ("Ingénieur-e aérodynamique", "Ingénieur aérodynamique"),
        ("Charpentier.ère", "Charpentier"),
        ("assistant.e.s ménager.e.s", "assistant ménager"),
        ("Technicien(ne) de maintenance", "Technicien de maintenance"),
        # Hyphenated titles and words that end like a marker stay whole.
        ("Chauffeur-livreur", "Chauffeur-livreur"),
        ("sage-femme", "sage-femme"),
        ("Aide-soignant", "Aide-soignant"),
        # A slash between two words is a pair of titles, not a marker.
        ("Accrocheur / Accrocheuse", "Accrocheur / Accrocheuse"),
    ],
)
def test_strip_gender_markers(title: str, stripped: str) -> None:
    assert strip_gender_markers(title) == stripped


# -- framing words ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "skill"),
    [
        ("goede kennis van Excel", "Excel"),
        ("Goede kennis van Excel", "Excel"),
        ("Ik heb ervaring met klantencontact", "klantencontact"),
        ("Ik heb ervaring met ervaring met Python (basis)", "Python"),
        ("Kennis van Frans vereist", "Frans"),
        ("Vaardigheden: deeg kneden", "deeg kneden"),
        ("Nederlands is een pluspunt", "Nederlands"),
        ("Une expérience en pâtisserie est un atout", "pâtisserie"),
        ("Expérience en pâtisserie souhaitée", "pâtisserie"),
        ("Bonne maîtrise de Word", "Word"),
        ("Une bonne connaissance du néerlandais", "néerlandais"),
        ("Vous avez une expérience en vente", "vente"),
        ("Connaissances en comptabilité (notions)", "comptabilité"),
        ("strong knowledge of SQL", "SQL"),
        ("Experience with Python is a plus", "Python"),
    ],
)
def test_strip_framing_removes_framing_words(phrase: str, skill: str) -> None:
    assert strip_framing(phrase) == skill


@pytest.mark.parametrize("phrase", ["Excel", "pâtisserie", "deeg kneden", "Kennis", "a", "design", "decorate cakes"])
def test_strip_framing_keeps_a_bare_phrase(phrase: str) -> None:
    assert strip_framing(phrase) == phrase


@pytest.mark.parametrize(
    "phrase",
    [
        "Haskell",
        "Kanban",
        "canning fruit",
        "area management",
        "maîtriser les coûts",
    ],
)
def test_strip_framing_keeps_words_that_start_like_a_framing_verb(phrase: str) -> None:
    assert strip_framing(phrase) == phrase


def test_strip_framing_dutch_second_person() -> None:
    assert strip_framing("Je hebt ervaring met klantencontact") == "klantencontact"


# -- phrases ------------------------------------------------------------------------------------------------


def _spans(text: str) -> list[tuple[str, int, int]]:
    return [(p.text, p.start, p.end) for p in split_phrases(text)]


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        (
            "- pétrir la pâte\n- cuire le pain\n* gérer la caisse",
            [("pétrir la pâte", 2, 16), ("cuire le pain", 19, 32), ("gérer la caisse", 35, 50)],
        ),
        ("• Excel • Word", [("Excel", 2, 7), ("Word", 10, 14)]),
        ("o Excel\no Word", [("Excel", 2, 7), ("Word", 10, 14)]),
        ("Boulanger\nPâtissier\r\nCuisinier", [("Boulanger", 0, 9), ("Pâtissier", 10, 19), ("Cuisinier", 21, 30)]),
        (
            "Je sais cuire du pain. Je connais la pâtisserie! Et aussi?",
            [("Je sais cuire du pain", 0, 21), ("Je connais la pâtisserie", 23, 47), ("Et aussi", 49, 57)],
        ),
        ("Ik ben bakker; ik kan deeg kneden", [("Ik ben bakker", 0, 13), ("ik kan deeg kneden", 15, 33)]),
        (
            "Vaardigheden: deeg kneden, brood bakken, weegapparatuur gebruiken",
            [("Vaardigheden: deeg kneden", 0, 25), ("brood bakken", 27, 39), ("weegapparatuur gebruiken", 41, 65)],
        ),
        # A short comma chunk is one phrase (a title with a comma), not a list.
        ("boulanger, pâtissier", [("boulanger, pâtissier", 0, 20)]),
        ("  \n\n - \n", []),
        ("", []),
    ],
)
def test_split_phrases(text: str, phrases: list[tuple[str, int, int]]) -> None:
    assert _spans(text) == phrases
    for text_, start, end in phrases:
        assert text[start:end] == text_


def test_comma_min_words_decides_comma_splitting() -> None:
    text = "deeg kneden, brood bakken, weegapparatuur gebruiken"
    assert [p.text for p in split_phrases(text)] == ["deeg kneden", "brood bakken", "weegapparatuur gebruiken"]
    assert [p.text for p in split_phrases(text, comma_min_words=7)] == [text]
    assert [p.text for p in split_phrases("Bruxelles, Belgique")] == ["Bruxelles, Belgique"]


def test_two_skills_joined_by_a_conjunction_are_also_split() -> None:
    text = "Je sais pétrir la pâte et utiliser un four de boulangerie"
    assert [(p.text, p.start, p.end) for p in split_phrases(text)] == [
        (text, 0, len(text)),
        ("Je sais pétrir la pâte", 0, 22),
        ("utiliser un four de boulangerie", 26, len(text)),
    ]
    assert [p.text for p in split_phrases("brood- en banketbakker")] == ["brood- en banketbakker"]


# -- properties ---------------------------------------------------------------------------------------------


@given(TEXTS)
def test_split_phrases_spans_are_valid(text: str) -> None:
    phrases = split_phrases(text)
    previous_end = 0
    for phrase in phrases:
        assert isinstance(phrase, Phrase)
        assert previous_end <= phrase.start < phrase.end <= len(text)
        assert text[phrase.start : phrase.end] == phrase.text
        assert phrase.text == phrase.text.strip()
        assert normalize_label(phrase.text)
        previous_end = phrase.end


@given(TEXTS)
def test_strip_framing_returns_part_of_the_phrase(text: str) -> None:
    stripped = strip_framing(text)
    assert stripped in text
    assert bool(stripped) == bool(text.strip())


@given(TEXTS)
@example("0//0")  # found by a make test run: two slashes with nothing between are not a pair's one slash
def test_gender_variants_are_distinct_clean_forms(text: str) -> None:
    variants = gender_variants(text)
    base = strip_gender_markers(text)
    if base and variants[:1] != [base]:
        # Both sides of the slash are one form: that form, which the whole title holds twice.
        assert base.count("/") == 1 and "/" not in variants[0]
        assert len(variants[0].split()) < len(base.replace("/", " / ").split())
    else:
        assert variants[:1] == ([base] if base else [])
    assert len(set(variants)) == len(variants)
    for variant in variants:
        assert variant and variant == " ".join(variant.split())
    for variant in variants[1:]:
        assert "/" not in variant


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Sœur", "soeur"),  # the screen of a jobseeker's own text used to leave "œ" as it was
        ("ŒUVRE", "oeuvre"),
        ("curriculum vitæ", "curriculum vitae"),
        ("Âgée d\u2019au moins", "agee d'au moins"),
        ("e\u0301tudiant\u2013e", "etudiant-e"),
    ],
)
def test_one_fold_for_every_screen_and_the_labels(text: str, folded: str) -> None:
    assert fold_text(text) == folded
    assert "".join(fold_text(ch) for ch in text) == folded  # character by character, as the screen maps spans
    assert normalize_label(text) == normalize_label(folded)


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        ("Chauffeur (M, F, X)", "Chauffeur"),  # commas in a marker, as the screen read them
        ("Infirmier/ère", "Infirmier"),  # an ending after a slash: no "ère" variant any more
        ("Aide-soignant/e", "Aide-soignant"),
        ("Vendeur (se)", "Vendeur"),
        ("Check-in agent", "Check-in agent"),
    ],
)
def test_markers_and_endings_are_the_gender_modules(title: str, stripped: str) -> None:
    assert strip_gender_markers(title) == stripped
    assert gender_variants(title) == [stripped]


def _strip_accents_reference(text: str) -> str:
    """The accent fold's definition: decompose, drop the combining marks (the ligatures spelled out first)."""
    import unicodedata

    spelled = text.translate(str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}))
    return "".join(ch for ch in unicodedata.normalize("NFKD", spelled) if not unicodedata.combining(ch))


@given(st.one_of(st.text(max_size=60), _TYPED))
@example("Ǆemal ﬁancée Ⅻ ½ ḱ̃ 한국 ﬀ ſt")
def test_the_accent_fold_table_equals_its_definition(text: str) -> None:
    from esco_data import strip_accents

    assert strip_accents(text) == _strip_accents_reference(text)
