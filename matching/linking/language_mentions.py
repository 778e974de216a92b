"""Languages a text asks for or states, read as CEFR levels: "bonne connaissance du néerlandais" is Dutch at B2,
"Frans" alone in a list is French, "parfaitement bilingue FR/NL" is French and Dutch at C1. A language is never a
skill: the linker's skill extraction leaves ESCO's language skills to this reading.

A mention is a language's name (French, Dutch or English words: "néerlandais", "Nederlands", "Dutch") in a
segment of the text (a line, a sentence, a list item) that is about language: it holds a word of language use
("parler", "connaissance", "maîtrise", "spreken", "kennis", "mondeling", "fluent" ...), a level, or nothing but
language names and levels ("Français", "Anglais : B2"). A name elsewhere is an adjective of something else ("un
fournisseur néerlandais" is read as nothing). The level is a CEFR code when the segment gives one, else the
strongest level its words say (C2 "langue maternelle"; C1 "courant", "vlot", "bilingue"; B2 "bon", "goed"; A2
"notions", "basis"), else B1 (the language is asked for, at no stated level).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from esco_data import normalize_label

LANGUAGE_NAMES: dict[str, str] = {
    # French
    "francais": "fr", "neerlandais": "nl", "flamand": "nl", "anglais": "en", "allemand": "de", "espagnol": "es",
    "italien": "it", "portugais": "pt", "arabe": "ar", "turc": "tr", "polonais": "pl", "roumain": "ro",
    "russe": "ru", "chinois": "zh", "japonais": "ja", "grec": "el", "bulgare": "bg",
    # Dutch
    "frans": "fr", "nederlands": "nl", "vlaams": "nl", "engels": "en", "duits": "de", "spaans": "es",
    "italiaans": "it", "portugees": "pt", "arabisch": "ar", "turks": "tr", "pools": "pl", "roemeens": "ro",
    "russisch": "ru", "chinees": "zh", "japans": "ja", "grieks": "el", "bulgaars": "bg",
    # English
    "french": "fr", "dutch": "nl", "flemish": "nl", "english": "en", "german": "de", "spanish": "es",
    "italian": "it", "portuguese": "pt", "arabic": "ar", "turkish": "tr", "polish": "pl", "romanian": "ro",
    "russian": "ru", "chinese": "zh", "japanese": "ja", "greek": "el", "bulgarian": "bg",
}  # fmt: skip
"""A language's name (normalised: lower case, no accents) -> its ISO 639-1 code."""

CODES = {"fr": "fr", "nl": "nl", "en": "en", "de": "de", "es": "es", "it": "it"}
"""Language codes written as such ("FR/NL"), read only beside another mention or a bilingual word."""

_CEFR = re.compile(r"\b([ABC][12])\b")
_LEVEL_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("C2", ("langue maternelle", "moedertaal", "native", "natif", "native speaker", "mother tongue")),
    (
        "C1",
        (
            "courant", "courante", "couramment", "parfait", "parfaite", "parfaitement", "excellent", "excellente",
            "tres bon", "tres bonne", "bilingue", "trilingue", "vlot", "vlotte", "vloeiend", "uitstekend",
            "uitstekende", "zeer goed", "zeer goede", "perfect", "perfecte", "tweetalig", "drietalig", "fluent",
            "fluently", "bilingual", "excellent command", "full professional",
        ),
    ),
    ("B2", ("bon", "bonne", "bonnes", "solide", "solides", "goed", "goede", "grondig", "grondige", "good", "solid")),
    (
        "A2",
        (
            "notion", "notions", "base", "bases", "elementaire", "debutant", "debutante", "scolaire", "basis",
            "basiskennis", "noties", "elementair", "elementaire kennis", "beginner", "basic",
        ),
    ),
)  # fmt: skip
"""Words that say a level, strongest first (normalised)."""
DEFAULT_LEVEL = "B1"
"""The level of a language asked for without a level."""

_USE = re.compile(
    r"\b(?:parl\w*|langues?|linguisti\w*|connaissances?|ma[iî]tris\w*|niveau|[eé]crit\w*|oral\w*|lu|comprend\w*|"
    r"exprimer|communi\w*|r[eé]dig\w*|pratique|bilingue|trilingue|"
    r"spre\w*|taal\w*|kennis|beheers\w*|mondeling\w*|schriftelijk\w*|begrij\w*|tweetalig|drietalig|noties|"
    r"speak\w*|spoken|languages?|knowledge|fluen\w*|proficien\w*|command|written|bilingual|level)\b",
    re.IGNORECASE,
)
_SEGMENT = re.compile(r"[\n\r•;.!?|]+|,(?!\d)|\s[-–—]\s")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_FILLER = frozenset(
    "de du des d la le les l en et a au aux un une ou est sont van het een in of en te is zijn the of in and or a an "
    "is are een must required requis exige vereist souhaite souhaitee gewenst atout plus "
    "vous tu je il elle nous etes avez u jij wij we zij bent hebt heeft you are have".split()
)


@dataclass(frozen=True, slots=True)
class LanguageMention:
    """A language a text names, with the CEFR level it asks for or states, and where."""

    lang: str
    """ISO 639-1 code."""
    level: str
    """CEFR level (A1 ... C2)."""
    start: int
    end: int
    """The segment of the text (``text[start:end]``) that says it."""
    level_stated: bool
    """Whether the text says the level (else ``DEFAULT_LEVEL``)."""


def _level(segment: str) -> str | None:
    codes: list[str] = _CEFR.findall(segment)
    if codes:
        return max(codes)
    padded = f" {normalize_label(segment)} "
    for level, words in _LEVEL_WORDS:
        if any(f" {w} " in padded for w in words):
            return level
    return None


def _about_language(segment: str, words: list[str]) -> bool:
    """Whether a segment is about language: a word of language use or a level, or only names and fillers."""
    if _USE.search(segment) or _level(segment) is not None:
        return True
    return all(w in LANGUAGE_NAMES or w in CODES or w in _FILLER for w in words)


def language_mentions(text: str) -> list[LanguageMention]:
    """The languages a text names as languages, each once (its strongest level), in order of appearance.

    Args:
        text: a vacancy's description, a dossier's summary, a skill phrase.

    Returns:
        One mention per language.
    """
    found: dict[str, LanguageMention] = {}
    position = 0
    for match in [*_SEGMENT.finditer(text), None]:
        end = match.start() if match is not None else len(text)
        segment = text[position:end]
        start = position
        position = match.end() if match is not None else len(text)
        raw_words = _WORD.findall(segment)
        words = [normalize_label(w) for w in raw_words]
        langs = [LANGUAGE_NAMES[w] for w in words if w in LANGUAGE_NAMES]
        # "FR/NL": language codes count beside a named language or a bilingual word, written in capitals.
        codes = [CODES[w.lower()] for w in raw_words if w.isupper() and w.lower() in CODES]
        if codes and (langs or _CEFR.search(segment) or re.search(r"biling|tweetal|trilingu|drietal", segment, re.I)):
            langs += codes
        if not langs or not _about_language(segment, words):
            continue
        level = _level(segment)
        lead = len(segment) - len(segment.lstrip())
        trail = len(segment.rstrip())
        for lang in dict.fromkeys(langs):
            mention = LanguageMention(lang, level or DEFAULT_LEVEL, start + lead, start + trail, level is not None)
            old = found.get(lang)
            if old is None or (mention.level_stated, mention.level) > (old.level_stated, old.level):
                found[lang] = mention
    return sorted(found.values(), key=lambda m: m.start)


_LEVEL_WORD_SET = frozenset(w for _, words in _LEVEL_WORDS for phrase in words for w in phrase.split())


def only_language(text: str) -> bool:
    """Whether a short phrase says nothing but a language and its level ("Frans", "bonne connaissance du
    néerlandais", "mondeling in het Nederlands communiceren"): such a phrase is a language requirement, never a
    skill ("rédiger des rapports en anglais" says more, and stays a skill phrase)."""
    words = [normalize_label(w) for w in _WORD.findall(text)]
    if not language_mentions(text):
        return False
    return all(
        w in LANGUAGE_NAMES
        or w in CODES
        or w in _FILLER
        or w in _LEVEL_WORD_SET
        or _USE.fullmatch(w)
        or _CEFR.fullmatch(w.upper())
        for w in words
    )


__all__ = ["CODES", "DEFAULT_LEVEL", "LANGUAGE_NAMES", "LanguageMention", "language_mentions", "only_language"]
