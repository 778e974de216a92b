"""Protected attributes in a jobseeker's own free text: the sentences that state them are removed.

A dossier's structured protected fields (gender, birth date, nationality...) are dropped before validation; a
summary can say the same in words ("J'ai 52 ans, marié, deux enfants", "Ik ben van Marokkaanse afkomst").
Those sentences are removed from the text that is stored and linked, and the record carries a warning naming
the categories, never the words. Rules are in French, Dutch and English and look at a folded copy of each
sentence (``esco_data.fold_text``, as the discrimination screen folds: casefolded, accents removed, "œ" as
"oe", typographic apostrophes as "'"); years of experience, ages of the people a jobseeker cared for and
language skills are not statements about the jobseeker and are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from esco_data import fold_text

# Statements about oneself: "je suis", "ik ben", "I am" and their kin; rules on words that also describe a
# jobseeker's work ("handicap", "enfants", "grossesse", "origine") only fire after one of these.
_I_AM = r"(?:je suis|suis|ik ben|i am|i'm|im)\s+(?:\w+\s+)?"
_I_HAVE = r"(?:j'ai|j ai|ik heb|i have|i've)\s+(?:\w+\s+)?"
_NUMBER = r"(?:\d{1,2}|un|une|deux|trois|quatre|cinq|een|twee|drie|vier|vijf|one|two|three|four|five)"
_RULES: dict[str, tuple[str, ...]] = {
    "age": (
        r"\b(?:j'ai|j ai|ik ben|i am|i'm|agee? de|aged|leeftijd:?)\s+\d{2}\s*(?:ans|jaar|years?)\b"
        r"(?!\s*(?:d'|de |van |of |aan |bij |dans |in |als |ervaring|experience|old experience))",
        r"\b(?:ne|nee|geboren|born)\s+(?:le\s+|op\s+|on\s+|en\s+|in\s+)?"
        r"(?:\d{1,2}[ /.-]\d{1,2}[ /.-])?(?:19|20)\d{2}\b",
        r"\bdate de naissance\b|\bgeboortedatum\b|\bdate of birth\b|\bmon age\b|\bmijn leeftijd\b|\bmy age\b",
    ),
    "gender": (
        rf"\b{_I_AM}(?:une?\s+|een\s+|a\s+)?(?:femme|homme|vrouw|man|woman|transgen\w*)\b",
        r"\b(?:sexe|geslacht|gender)\s*:",
    ),
    "origin": (
        r"\bnationalite\b|\bnationaliteit\b|\bnationality\b",
        rf"\b{_I_AM}(?:d'origine|originaire|afkomstig|van\s+\w+\s+afkomst|of\s+\w+\s+(?:origin|descent))",
        r"\bmes origines\b|\bmijn afkomst\b|\bmy (?:origins?|ethnicity)\b|\bethni\w*|\betni\w*|\bhuidskleur\b",
        r"\b(?:ne|nee|geboren|born)\s+(?:a|au|aux|en|in)\s+[a-z]",
        rf"\b(?:statut de|{_I_AM})(?:refugiee?|vluchteling|refugee)\b",
    ),
    "disability": (
        rf"\b(?:{_I_AM}|{_I_HAVE}|mon |mijn |my )(?:handicap\w*|invalide|beperking|gehandicapt|disab\w*)",
        r"\breconnaissance (?:de |du )?handicap\b|\btravailleur handicape\b|\bavec un handicap\b",
        rf"\b(?:{_I_AM}|{_I_HAVE})(?:atteinte? d'une |une |een |a )?"
        r"(?:maladie chronique|chronische ziekte|chronic illness)",
    ),
    "family": (
        rf"\b{_I_AM}(?:marie|mariee|celibataire|divorcee?|veuf|veuve|pacsee?|getrouwd|gehuwd|alleenstaand\w*"
        r"|gescheiden|weduw\w*|married|divorced|single|widow\w*)\b",
        r"\b(?:celibataire|divorcee?|getrouwd|gehuwd|alleenstaande (?:moeder|vader)|single (?:mother|father|parent))\b",
        rf"\b(?:{_I_HAVE}|pere de |mere de |maman de |papa de |moeder van |vader van |mother of |father of )"
        rf"{_NUMBER}\s+(?:enfants?|kinderen|kind|children|child|kids)\b",
        r"\b(?:mes enfants|mijn kinderen|my children|my kids)\b",
        rf"\b{_I_AM}(?:enceinte|zwanger|pregnant)\b",
        r"\bsituation familiale\b|\bgezinssituatie\b|\bburgerlijke staat\b|\betat civil\b|\bmarital status\b",
    ),
}
_COMPILED = {category: re.compile("|".join(patterns)) for category, patterns in _RULES.items()}
# Read on the text as written, where the accent tells "marié" from the first name Marie.
_UNFOLDED = {"family": re.compile(r"\bmariée?s?\b|\bpacsée?s?\b", re.IGNORECASE)}
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*\s*|\n")


@dataclass(frozen=True)
class ScreenedText:
    """A free text with the sentences stating protected attributes removed, and which categories they were."""

    text: str
    categories: list[str]


def screen_self_description(text: str) -> ScreenedText:
    """Remove the sentences of a jobseeker's free text that state a protected attribute.

    Args:
        text: a summary as the jobseeker or a consultant wrote it (already cleaned).

    Returns:
        The text without those sentences (stripped) and the categories found, sorted, each once.
    """
    kept: list[str] = []
    found: set[str] = set()
    for sentence in _SENTENCE.findall(text):
        folded = fold_text(sentence)
        hits = {category for category, rule in _COMPILED.items() if rule.search(folded)}
        hits |= {category for category, rule in _UNFOLDED.items() if rule.search(sentence)}
        if hits:
            found |= hits
        else:
            kept.append(sentence)
    return ScreenedText("".join(kept).strip(), sorted(found))


__all__ = ["ScreenedText", "screen_self_description"]
