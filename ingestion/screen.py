"""Discrimination screen for vacancy text in French, Dutch and English.

The screen only reports: a flagged vacancy is kept and shown to staff with its flags, and staff decide.
Each flag names a category (age, gender, origin, mother tongue, appearance, health, family situation),
the span of the original text that triggered it, a stable rule id and a short explanation.

Matching runs on a folded copy of the text (``esco_data.fold_text``: casefolded, accents removed, ligatures
spelled out, typographic punctuation made ASCII) so "Âgée", "agee" and "ÂGÉE" match alike; an index map sends
every folded character back to its original position, so spans always point into the text as given. The rule
tables live in `ingestion.screen_rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from esco_data import LANGUAGES, fold_text
from ingestion.screen_rules import RULES, Rule
from matching.linking import gender

# How far around a match the guards look, in folded characters.
_WINDOW = 80
_SENTENCE_WINDOW = 200

# Equal-opportunity statements name the very criteria the screen looks for ("sans distinction d'âge, de
# sexe ou d'origine", "ongeacht leeftijd, geslacht, afkomst", "regardless of race"): a match preceded in
# its sentence by one of these, or followed by an invitation to apply (positive action), is not flagged.
_EQUAL_OPPORTUNITY_BEFORE = re.compile(
    r"regardless|irrespective|without\s+distinction|sans\s+(?:aucune\s+)?distinction|quel(?:le)?s?\s+que"
    r"\s+soi|independamment|ongeacht|los\s+van|zonder\s+(?:enig\s+)?onderscheid|equal\s+opportunit|"
    r"egalite\s+des\s+chances|gelijke\s+kansen|diversit|discrimin|encourag|aanmoedig"
)
_POSITIVE_ACTION_AFTER = re.compile(r"encourag|aangemoedigd|aanmoedig|uitgenodigd|invited\s+to\s+apply")
_SENTENCE_END = re.compile(r"[.!?\n]")

# Pairs of the same title in both genders: "serveur/serveuse", "vendeur ou vendeuse", "kapper/kapster".
_TITLE_PAIR = re.compile(r"\b(\w{4})(\w*)\s*(?:/|\bou\b|\bof\b|\bor\b)\s*(\1\w*)")
_FEMININE_ENDING = re.compile(f"(?:{'|'.join(gender.FEMININE_WORD_ENDINGS)})$")


class ScreenCategory(StrEnum):
    """What a flagged wording may select candidates on."""

    AGE = "age"
    GENDER = "gender"
    ORIGIN = "origin"
    MOTHER_TONGUE = "mother_tongue"
    APPEARANCE = "appearance"
    HEALTH = "health"
    FAMILY = "family"


@dataclass(frozen=True, slots=True)
class ScreenFlag:
    """One wording in a vacancy that may select candidates unlawfully.

    Attributes:
        category: what the wording may select on.
        start: offset of the first character of the span in the screened text.
        end: offset just past the span; ``text[start:end]`` of the input is the span.
        text: the span as it appears in the input.
        rule: stable id of the rule that matched, e.g. ``"age.max_years"``.
        explanation: why the wording was flagged, in English, for staff.
    """

    category: ScreenCategory
    start: int
    end: int
    text: str
    rule: str
    explanation: str


# The category is the prefix of the rule id; resolving it here makes a mistyped prefix fail at import.
_CATEGORIZED: tuple[tuple[ScreenCategory, Rule], ...] = tuple(
    (ScreenCategory(rule.id.partition(".")[0]), rule) for rule in RULES
)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Fold one character as ``esco_data.fold_text`` folds text; "" for a combining mark."""
    return fold_text(ch)


def fold(text: str) -> tuple[str, list[int]]:
    """Fold text for matching and map every folded character back to the original.

    Args:
        text: any text.

    Returns:
        The folded text (casefolded, accents and combining marks removed, "œ" as "oe", typographic
        apostrophes and dashes as ASCII) and, for each of its characters, the offset in ``text`` of the
        character it came from.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for out in _fold_char(ch):
            chars.append(out)
            origin.append(index)
    return "".join(chars), origin


def _has_neutral_marker(text: str, folded: str, origin: list[int]) -> bool:
    """Whether the vacancy addresses every gender: a marker such as "(h/f/x)", an inclusive ending
    ("vendeur(se)", "serveur·euse", "infirmier/ère") or a title in both forms ("serveur/serveuse"); the markers
    and endings are ``matching.linking.gender``'s."""
    if any(gender.names_every_gender(m.group()) for m in gender.MARKER.finditer(folded)):
        return True
    for pattern in gender.INCLUSIVE_ENDING_PATTERNS:
        for match in pattern.finditer(folded):
            # "équipe.Le poste": a full stop before a capital ends a sentence, it writes no ending.
            if not (folded[match.start()] == "." and text[origin[match.start() + 1]].isupper()):
                return True
    for match in _TITLE_PAIR.finditer(folded):
        first, second = match.group(1) + match.group(2), match.group(3)
        if first != second and (_FEMININE_ENDING.search(first) or _FEMININE_ENDING.search(second)):
            return True
    return False


def _in_equal_opportunity_context(folded: str, start: int, end: int) -> bool:
    """Whether the span sits in an equal-opportunity or positive-action sentence."""
    before = folded[max(0, start - _SENTENCE_WINDOW) : start]
    boundaries = list(_SENTENCE_END.finditer(before))
    if boundaries:
        before = before[boundaries[-1].end() :]
    after = folded[end : end + _SENTENCE_WINDOW]
    stop = _SENTENCE_END.search(after)
    if stop:
        after = after[: stop.start()]
    return bool(_EQUAL_OPPORTUNITY_BEFORE.search(before) or _POSITIVE_ACTION_AFTER.search(after))


def _guarded(rule: Rule, folded: str, start: int, end: int) -> bool:
    """Whether a guard of the rule, or the equal-opportunity guard, cancels a match on folded[start:end]."""
    if rule.not_before is not None and rule.not_before.search(folded[max(0, start - _WINDOW) : start]):
        return True
    if rule.not_after is not None and rule.not_after.match(folded[end : end + _WINDOW]):
        return True
    return _in_equal_opportunity_context(folded, start, end)


def _original_span(text: str, origin: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a folded span to the original text, keeping combining marks that follow its last character."""
    orig_start, orig_end = origin[start], origin[end - 1] + 1
    while orig_end < len(text) and not _fold_char(text[orig_end]):  # a combining mark folds to nothing
        orig_end += 1
    return orig_start, orig_end


def _drop_overlaps(flags: list[ScreenFlag]) -> list[ScreenFlag]:
    """Keep, among overlapping flags of one category, the longest (then the earliest); sort by start."""
    kept: list[ScreenFlag] = []
    for flag in sorted(flags, key=lambda f: (f.start - f.end, f.start)):
        if not any(k.category == flag.category and k.start < flag.end and flag.start < k.end for k in kept):
            kept.append(flag)
    return sorted(kept, key=lambda f: (f.start, f.end, f.category))


def screen_text(text: str, lang: str | None = None) -> list[ScreenFlag]:
    """Screen a vacancy's title and description for wording that selects candidates unlawfully.

    Args:
        text: the vacancy text (title and description, in one string).
        lang: "fr", "nl" or "en" to apply that language's rules only (plus the few rules shared by all
            languages); None applies every language's rules, for bilingual or unknown-language text.

    Returns:
        The flags, sorted by start offset; overlapping matches of one category are reported once (the
        longest span). An empty list when nothing was found. The screen never rejects anything.

    Raises:
        ValueError: ``lang`` is not "fr", "nl", "en" or None.
    """
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}: expected one of {', '.join(LANGUAGES)} or None")
    folded, origin = fold(text)
    neutral: bool | None = None  # computed once, only when a gendered job title matches
    flags: list[ScreenFlag] = []
    for category, rule in _CATEGORIZED:
        if lang is not None and lang not in rule.langs:
            continue
        for match in rule.pattern.finditer(folded):
            start, end = match.span("hit") if "hit" in rule.pattern.groupindex else (-1, -1)
            if start < 0:
                start, end = match.span()
            if start == end or _guarded(rule, folded, start, end):
                continue
            if rule.role_noun:
                if neutral is None:
                    neutral = _has_neutral_marker(text, folded, origin)
                if neutral:
                    continue
            orig_start, orig_end = _original_span(text, origin, start, end)
            flags.append(
                ScreenFlag(
                    category=category,
                    start=orig_start,
                    end=orig_end,
                    text=text[orig_start:orig_end],
                    rule=rule.id,
                    explanation=rule.explanation,
                )
            )
    return _drop_overlaps(flags)


__all__ = ["ScreenCategory", "ScreenFlag", "fold", "screen_text"]
