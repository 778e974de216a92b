"""Gender in French and Dutch job words: the markers ads add, the endings of inclusive writing, the endings of a
word's masculine and feminine forms, and writing a word in another word's case.

The one home of these rules, read by the linker to clean titles (``text``, ``titles``), by the discrimination
screen to tell a vacancy that addresses every gender (``ingestion.screen``) and by the counterfactual check to
swap forms (``services.gender_swap``). The pairs ESCO's own labels write are learned apart, from the labels
(``gender_forms``).
"""

from __future__ import annotations

import re

from esco_data import strip_accents

MASCULINE_LETTERS = frozenset("hm")
"""Letters of a marker that name men: "h" (homme), "m" (man, männlich)."""
FEMININE_LETTERS = frozenset("fvw")
"""Letters of a marker that name women: "f" (femme), "v" (vrouw), "w" (weiblich)."""
_LETTER = "[hfmvwxd]"  # and "x" (non-binary, "gender x"), "d" (divers)

MARKER = re.compile(
    rf"[\(\[]+\s*{_LETTER}(?:\s*[/\-|,.]\s*{_LETTER}){{1,3}}\s*[\)\]]+"
    rf"|(?<![\w/\-]){_LETTER}(?:\s*[/\-|]\s*{_LETTER}){{1,3}}(?![\w/\-])",
    re.IGNORECASE,
)
"""A gender marker: two to four letters that name genders, bracketed ("(h/f)", "((H/F))", "[m/v/x]",
"(M, F, X)", "(m/w/d)") or bare ("H/F", "F-H", "m/v/x", "h|f")."""


def marker_letters(marker: str) -> str:
    """The letters of a marker, lower case, in their order: ``"(H/F/X)"`` -> ``"hfx"``."""
    return "".join(ch for ch in marker.lower() if ch.isalpha())


def names_every_gender(marker: str) -> bool:
    """Whether a marker names men and women both ("(h/f)", "M/V/X"; not "v/d", Dutch for "van de")."""
    letters = set(marker_letters(marker))
    return bool(letters & MASCULINE_LETTERS and letters & FEMININE_LETTERS)


INCLUSIVE_ENDINGS = (
    "e", "es", "se", "euse", "euses", "ère", "ere", "ères", "eres", "rice", "rices", "trice", "trices", "ice",
    "ne", "enne", "ienne", "le", "te", "ve", "fe", "esse", "st", "ste", "ster",
)  # fmt: skip
"""Feminine endings written beside the masculine form: "vendeur(se)", "serveur·euse", "employé.e",
"Technicien-ne", "infirmier/ère", "medewerker/-ster"."""
_ENDINGS = "|".join(sorted(INCLUSIVE_ENDINGS, key=len, reverse=True))

BRACKETED_ENDING = re.compile(rf"(?<=\w)\s?\((?:{_ENDINGS})\)(?:s\b)?", re.IGNORECASE)
"""An ending in brackets after its word: "vendeur(se)", "employé(e)s", "technicien (ne)"."""
SEPARATED_ENDING = re.compile(
    rf"(?<=[^\W\d_]{{2}})[\u00b7\u2022\u22c5.\-](?:{_ENDINGS})(?:[\u00b7\u2022\u22c5.]?s)?\b(?![\-\u00b7\u2022\u22c5.]\w)",
    re.IGNORECASE,
)
"""An ending after a middle dot, a full stop or a hyphen: "serveur·euse", "employé.e.s", "Technicien-ne" (two
letters before the sign, so that "i.e." is not read as one)."""
SLASHED_ENDING = re.compile(rf"(?<=\w)\s?/\s?(?:-\s*\w+|(?:{_ENDINGS})\b)", re.IGNORECASE)
"""An ending after a slash: "infirmier/ère", "aide-soignant/e", and any Dutch suffix written "/-": "medewerker/-ster",
"boer/-in"."""
INCLUSIVE_ENDING_PATTERNS = (BRACKETED_ENDING, SEPARATED_ENDING, SLASHED_ENDING)
"""Every way of writing an inclusive ending."""

FRENCH_ENDINGS = (
    ("eteur", "eteuse"),
    ("cteur", "ctrice"),
    ("ateur", "atrice"),
    ("iteur", "itrice"),
    ("uteur", "utrice"),
    ("oteur", "otrice"),
    ("lteur", "ltrice"),
    ("pteur", "ptrice"),
    ("ieur", "ieure"),
    ("teur", "teuse"),
    ("eur", "euse"),
    ("ier", "ière"),
    ("er", "ère"),
    ("éen", "éenne"),
    ("ien", "ienne"),
    ("if", "ive"),
    ("el", "elle"),
    ("al", "ale"),
    ("é", "ée"),
    ("ant", "ante"),
    ("ent", "ente"),
)
"""French (masculine ending, feminine ending) of nouns and adjectives that name a person, the more specific
ending first: "vendeur" / "vendeuse", "directeur" / "directrice", "infirmier" / "infirmière"."""
DUTCH_ENDINGS = (
    ("man", "vrouw"),
    ("cteur", "ctrice"),
    ("ator", "atrice"),
    ("iteur", "itrice"),
    ("eur", "euse"),
    ("ier", "ière"),
    ("ist", "iste"),
    ("ent", "ente"),
    ("ant", "ante"),
    ("eut", "eute"),
    ("oloog", "ologe"),
)
"""Dutch (masculine ending, feminine ending), the more specific first: "kamerman" / "kamervrouw", "analist" /
"analiste". The agent nouns in "-er" / "-ster" change their stem as well ("verkoper" / "verkoopster"): the
swap spells them out."""
OTHER_FEMININE_ENDINGS = ("rice", "enne", "ine", "oise", "esse", "ster", "ess", "woman")
"""Feminine endings of person nouns whose masculine ending is not regular: "ambassadrice", "doyenne",
"copine", "Chinoise", "hôtesse", "verkoopster", "waitress", "saleswoman"."""
FEMININE_WORD_ENDINGS = tuple(
    sorted(
        {strip_accents(f) for _, f in (*FRENCH_ENDINGS, *DUTCH_ENDINGS)} | set(OTHER_FEMININE_ENDINGS),
        key=lambda ending: (-len(ending), ending),
    )
)
"""The endings that show a person noun's feminine form, without accents (read on folded text)."""


def match_case(word: str, like: str) -> str:
    """A word in the case of another: all capitals, a capital first, or as it is.

    Args:
        word: the word to write.
        like: the word whose case it takes.

    Returns:
        ``word`` in upper case when ``like`` is (and longer than one letter), with a capital first when ``like``
        has one, else unchanged.
    """
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


__all__ = [
    "BRACKETED_ENDING",
    "DUTCH_ENDINGS",
    "FEMININE_LETTERS",
    "FEMININE_WORD_ENDINGS",
    "FRENCH_ENDINGS",
    "INCLUSIVE_ENDINGS",
    "INCLUSIVE_ENDING_PATTERNS",
    "MARKER",
    "MASCULINE_LETTERS",
    "OTHER_FEMININE_ENDINGS",
    "SEPARATED_ENDING",
    "SLASHED_ENDING",
    "marker_letters",
    "match_case",
    "names_every_gender",
]
