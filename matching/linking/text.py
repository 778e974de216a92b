"""Text helpers of the linker: gender forms of job titles, and splitting long text into candidate phrases."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from esco_data import normalize_label
from matching.linking.gender import INCLUSIVE_ENDING_PATTERNS, MARKER

_SLASH = re.compile(r"\s*/\s*")
_DUTCH_FORM = re.compile(r"(\w+)\s*/\s*-\s*(\w+)")


def strip_gender_markers(text: str) -> str:
    """Remove gender markers such as ``(h/f/x)``, ``(m/v/x)``, ``vendeur(se)``, ``infirmier/ère`` or
    ``medewerker/-ster`` (the markers and endings of ``matching.linking.gender``).

    Args:
        text: a job title or phrase.

    Returns:
        The text with the markers removed (the masculine or neutral form remains).
    """
    text = MARKER.sub(" ", text)
    for pattern in INCLUSIVE_ENDING_PATTERNS:
        text = pattern.sub("", text)
    return " ".join(text.split())


def gender_variants(text: str) -> list[str]:
    """The forms a gendered title stands for: ``"Accrocheur / Accrocheuse"`` -> both words.

    A title written as ``masculine phrase / feminine phrase`` gives each phrase; when one side is longer (the
    shared tail written once: ``"Accueillant familial / Accueillante familiale auprès d'adultes"``), the short
    side gets the tail too.

    Args:
        text: a job title.

    Returns:
        Distinct variants with markers removed; the first is the whole title without markers, or its one form
        when both sides are that form ("Kok / Kok"). Only the whole title when it has no slash.
    """
    base = strip_gender_markers(text)
    variants = [base]
    pieces = _SLASH.split(base)
    parts = [p for p in pieces if p]
    if len(pieces) == 2 and len(parts) == 2:  # one slash between two sides ("0//0" is no pair)
        left, right = (p.split() for p in parts)
        paired = _pair_forms(left, right)
        if paired is not None:
            left, right = paired
        elif len(left) < len(right):
            # "Secrétaire / Assistante de direction": the tail is shared.
            left = left + right[len(left) :]
        elif len(right) < len(left):
            # "Agent tractoriste chauffeur/livreur": the short side replaces the words next to the slash.
            right = left[: -len(right)] + right
        if left == right:
            # Both sides one form ("Employé / Employé de libre-service", as ``one_gender`` writes a pair): the
            # title is that form; the whole, its head written twice, would only blur it.
            variants = [" ".join(left)]
        else:
            variants += [" ".join(left), " ".join(right)]
    elif len(parts) >= 2:
        variants += parts
    for masculine, ending in _DUTCH_FORM.findall(text):
        # "medewerker/-ster" -> also "medewerkster".
        stem = masculine[:-2] if masculine.endswith("er") and ending.startswith("st") else masculine
        feminine = " ".join(base.replace(masculine, stem + ending, 1).split())
        if "/" not in feminine:
            variants.append(feminine)
    return list(dict.fromkeys(v for v in variants if v))


def _is_form_of(a: str, b: str) -> bool:
    """Whether two words are gender forms of one word ("ménager"/"ménagère", "chef"/"cheffe")."""
    a, b = normalize_label(a), normalize_label(b)
    shared = _shared_prefix(a, b)
    return a != b and shared >= max(3, min(len(a), len(b)) - 3) or (a == b and len(a) > 1)


def _pair_forms(left: list[str], right: list[str]) -> tuple[list[str], list[str]] | None:
    """Both full forms of ``left / right`` when ``right`` starts with a form of a word of ``left``.

    "Aide ménager / ménagère à domicile" -> "Aide ménager à domicile", "Aide ménagère à domicile";
    "Aide-soignant en maison de repos / Aide-soignante" -> the tail goes to the short side;
    "Responsable commercial / commerciale" -> the head goes to the short side.
    """
    if not left or not right:
        return None
    anchor = next((i for i, word in enumerate(left) if _is_form_of(word, right[0])), None)
    if anchor is None:
        return None
    k = 1
    while anchor + k < len(left) and k < len(right) and _is_form_of(left[anchor + k], right[k]):
        k += 1
    head, block, tail = left[:anchor], left[anchor : anchor + k], left[anchor + k :]
    right_block, right_tail = right[:k], right[k:]
    if tail and right_tail:
        return None  # two different tails: not one title in two forms
    shared_tail = tail or right_tail
    return head + block + shared_tail, head + right_block + shared_tail


class Decompounder:
    """Splits a rare compound word into two words that labels use: "garenverwerking" -> "garen verwerking".

    Dutch (and some French) titles glue words that ESCO labels write apart; the split form is one more
    variant to search. A word is split only when it is rare in the labels, at the point where both parts are
    label words (a linking "s", "e" or "en" allowed), choosing the most frequent pair.
    """

    def __init__(self, frequency: Counter[str], *, min_length: int = 7, min_part: int = 3, min_head: int = 4) -> None:
        """Args:
        frequency: how often each normalised word occurs in the labels.
        min_length: shorter words are never split.
        min_part: shortest modifier.
        min_head: shortest head.
        """
        self.frequency = frequency
        self.min_length, self.min_part, self.min_head = min_length, min_part, min_head

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> Decompounder:
        """A decompounder from label texts (normalised here)."""
        return cls(Counter(t for text in texts for t in normalize_label(text).split()))

    def split_word(self, word: str) -> list[str] | None:
        """The two (or three) label words a compound is made of, or None."""
        if len(word) < self.min_length:
            return None
        best: tuple[float, str, str] | None = None
        for i in range(self.min_part, len(word) - self.min_head + 1):
            modifier, head = word[:i], word[i:]
            forms = [modifier]
            forms += [modifier[:-1]] if modifier.endswith(("s", "e")) and len(modifier) > self.min_part else []
            forms += [modifier[:-2]] if modifier.endswith("en") and len(modifier) > self.min_part + 1 else []
            for form in forms:
                a, b = self.frequency.get(form, 0), self.frequency.get(head, 0)
                if a and b:
                    score = math.log(a) + math.log(b)
                    if best is None or score > best[0]:
                        best = (score, form, head)
        if best is None:
            return None
        rest = self.split_word(best[2]) if len(best[2]) >= 2 * self.min_length else None
        return [best[1], *(rest or [best[2]])]

    def __call__(self, text: str) -> str | None:
        """The text with its rare compounds split, or None when nothing splits."""
        words, changed = [], False
        for word in normalize_label(text).split():
            parts = self.split_word(word) if self.frequency.get(word, 0) < 3 else None
            words += parts or [word]
            changed = changed or bool(parts)
        return " ".join(words) if changed else None


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.casefold(), b.casefold(), strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class Phrase:
    """A candidate phrase of a longer text, with its span in that text."""

    text: str
    start: int
    end: int


_SENTENCE = re.compile(r"[^\n\r.!?;•·▪●◦*]+")
_COMMA = re.compile(r"[^,]+")
_BULLET_LEAD = re.compile(r"^(?:[\s\-–—+>]|o(?=\s))+")
# The frame people put around a skill: "Vous avez une bonne connaissance de X", "Je hebt ervaring met X",
# "strong knowledge of X". Closed word classes of French, Dutch and English (pronouns, auxiliary and modal
# verbs, determiners and intensifiers, the nouns that name knowing or having done something, prepositions):
# a phrase loses them from its start, so that what remains is the skill.
_FRAME_WORDS = frozenset(
    """
    je j ik u jij wij we vous nous tu on i you they
    avez avoir ai as a etes etre es suis est sont serez seras sera pouvez peux peut savez sais sait devez dois doit
    possedez possede disposez dispose justifiez maitrisez
    hebt heb heeft hebben bent ben is zijn kunt kan kunnen moet moeten bezit beheerst beheers
    have has had having are am be been can could will would should must possess
    un une des de du d le la les l een het a an the some any
    bonne bon bonnes bons solide solides excellente excellent reelle reel premiere premier grande vraie
    goede goed sterke sterk grondige degelijke eerste
    good strong solid sound basic first excellent proven
    connaissance connaissances experience experiences maitrise notion notions competence competences pratique
    aptitude aptitudes capacite capacites aise
    kennis ervaring vaardigheid vaardigheden competentie competenties praktijkervaring praktische
    knowledge skill skills competency competencies practical familiarity ability
    van met in en over op dans sur avec au aux of with on at
    assurer assurez assure assurerez effectuer effectuez effectue realiser realisez realise participer participez
    participe contribuer contribuez veiller veillez
    instaan zorgen uitvoeren voert ensure perform carry handle
    """.split()
)
_WORD = re.compile(r"[^\W_]+")
_TRAILING_MARK = re.compile(
    r"(?:\s*[\(\[](?:basis|basique|gevorderd|expert|notions?|d[ée]butant|confirm[ée]|avanc[ée]|courant|"
    r"basic|advanced|intermediate|fluent|niveau \w+|level \w+)[\)\]]"
    r"|\s+(?:est|sont|serait|is|zijn|would be)?\s*(?:un|une|een|a|an)?\s*(?:atout|plus|pluspunt|troef|asset|bonus)"
    r"|\s+(?:souhait[ée]e?s?|appr[ée]ci[ée]e?s?|exig[ée]e?s?|requise?s?|indispensables?|obligatoires?|"
    r"vereist|gewenst|noodzakelijk|required|preferred|desirable|essential))\s*[.!]?\s*$",
    re.IGNORECASE,
)


def strip_framing(text: str) -> str:
    """Remove the frame around a skill phrase (``"goede kennis van X (basis)"`` -> ``"X"``).

    Leading words of closed classes (pronouns, auxiliary verbs, determiners, "knowledge of", "ervaring met")
    go, however many there are; so do a trailing level mark ("(notions)") and a trailing "is a plus".

    Args:
        text: a phrase.

    Returns:
        A part of the phrase; the phrase itself (stripped) when removing the frame would leave nothing.
    """
    whole = text.strip()
    body = whole
    for _ in range(3):
        shorter = _TRAILING_MARK.sub("", body).rstrip(" :-–,")
        if shorter == body:
            break
        body = shorter
    start = 0
    for match in _WORD.finditer(body):
        if normalize_label(match.group()) not in _FRAME_WORDS:
            start = match.start()
            break
    else:
        return whole
    core = body[start:].strip(" :-–,")
    return core if len(core) >= 2 else whole


def split_phrases(text: str, *, comma_min_words: int = 4) -> list[Phrase]:
    """Split text into candidate skill phrases: lines, bullets, sentences, then comma lists.

    Args:
        text: a summary, a vacancy description or a CV section.
        comma_min_words: a sentence of at least this many words is also split at its commas (a shorter one,
            such as "Bruxelles, Belgique", is kept whole).

    Returns:
        Phrases with their spans in ``text`` (framing words not yet removed), in order, without blanks. A long
        phrase that joins two skills with "et", "en" or "and" also gives each side as a phrase of its own.
    """
    phrases: list[Phrase] = []
    for sentence in _SENTENCE.finditer(text):
        chunk = sentence.group()
        if not normalize_label(chunk):
            continue
        split = "," in chunk and len(chunk.split()) >= comma_min_words
        pieces = list(_COMMA.finditer(chunk)) if split else [sentence]
        for piece in pieces:
            raw = piece.group()
            offset = sentence.start() + piece.start() if piece is not sentence else sentence.start()
            lead = _BULLET_LEAD.match(raw)
            skip = lead.end() if lead else 0
            body = raw[skip:].rstrip()
            if not normalize_label(body):
                continue
            start = offset + skip
            phrases.append(Phrase(body, start, start + len(body)))
            if len(body.split()) >= _CONJUNCTION_MIN_WORDS:
                phrases.extend(_conjuncts(body, start))
    return phrases


_CONJUNCTION = re.compile(r"\s(?:et|en|and|ainsi que|evenals)\s", re.IGNORECASE)
_CONJUNCTION_MIN_WORDS = 5


def _conjuncts(body: str, start: int) -> list[Phrase]:
    """The sides of "X et Y" / "X en Y" / "X and Y", each with its span (only when both have two words)."""
    parts: list[Phrase] = []
    position = 0
    for match in [*_CONJUNCTION.finditer(body), None]:
        end = match.start() if match else len(body)
        side = body[position:end].strip()
        if side:
            offset = body.index(side, position)
            parts.append(Phrase(side, start + offset, start + offset + len(side)))
        position = match.end() if match else len(body)
    if len(parts) < 2 or any(len(p.text.split()) < 2 for p in parts):
        return []
    return parts


__all__ = ["Decompounder", "Phrase", "gender_variants", "split_phrases", "strip_framing", "strip_gender_markers"]
