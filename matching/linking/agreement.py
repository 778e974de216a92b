"""Whether a phrase and a skill label say the same thing: their heads agree, and so do the heads' complements.

A skill phrase names an act or an object with a head word and its complement ("prévention | des escarres",
"kassa's | bedienen", "brevet | de cariste"); a label that shares only one of them names something else ("gérer la
prévention | des vols", "brevets" for patents, "physique" for "accueil physique"). The rule, for a phrase and one
label of the concept it links to:

- the phrase's head is its first content word in French, its first or its last in Dutch and English ("kassa
  bedienen", "customer service"); two heads are one when they are one word (``same_word``: plurals and derived
  forms allowed, "nettoyage"/"nettoyer") or, given a word similarity, close ("gestion"/"gérer");
- a phrase of one word must be the label's head ("administratif" is no "service administratif");
- against a label of one content word, the phrase's head must be that word, with no complement the label lacks
  ("électricité industrielle" is electricity, "brevet de cariste" no patent);
- against a longer label, the phrase must hold the label's head, and the label the phrase's head and one more of
  its words ("gestion des stocks" / "gérer des stocks"; not "communication aux clients" / "enseigner la
  communication avec la clientèle"). Words in the middle of a long clause do not make it a skill
  of theirs ("animer un système de traitement des demandes" is no "traiter des demandes");
- a text of more than ``MAX_PHRASE_WORDS`` content words is a sentence, whose own head is rarely the skill's
  ("Vier jaar lang bakkerswaren bakken in een bakkerij"): it must hold the label's head, nothing more.

So a generic head ("brevet", "permis", "attestation", "service") links only through its complement, and a name
with an acronym ("SPF Santé publique") agrees with no skill label. A concept agrees when one of its labels in the
phrase's language does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from esco_data import normalize_label

STOP_WORDS = frozenset(
    "de du des d la le les l en et a au aux pour par sur dans avec un une ou c s n j m t qu est sont ce cet cette "
    "van het een voor met in op bij of en te is zijn die dat "
    "the for with at to and or on by from as is are".split()
)
"""Words that are no content of a skill phrase or label (fr, nl, en)."""
_POSSESSIVES = frozenset("son sa ses votre vos notre nos leur leurs je uw jouw onze hun your our their".split())


def content_words(text: str) -> list[str]:
    """A text's content words, normalised (lower case, no accents or punctuation), in order."""
    return [
        w for w in normalize_label(text).split() if w not in STOP_WORDS and w not in _POSSESSIVES and not w.isdigit()
    ]


def singular(word: str) -> str:
    """A normalised word without a plural ending (-s, -x)."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def same_word(a: str, b: str) -> bool:
    """Whether two normalised words are one word: equal without a plural, or one derived from the other (the same
    first six letters and at most four letters apart: "nettoyage"/"nettoyer", not "voeding"/"voedingsmiddelen")."""
    a, b = singular(a), singular(b)
    if a == b:
        return True
    return len(a) >= 6 and len(b) >= 6 and a[:6] == b[:6] and abs(len(a) - len(b)) <= 4


def heads(words: Sequence[str], lang: str | None) -> tuple[int, ...]:
    """Where a phrase's or label's head may be: its first content word in French, its first or last in Dutch and
    English (and when the language is not known)."""
    if not words:
        return ()
    return (0,) if lang == "fr" or len(words) == 1 else (0, len(words) - 1)


Similar = Callable[[str, str], bool]
"""Whether two words (as written, lower case) are one head in other forms ("gestion" / "gérer")."""


def _never(a: str, b: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Word:
    """A content word: as written (lower case, accents kept) and normalised."""

    raw: str
    norm: str
    bound: bool = False
    """Whether a preposition comes before it: it opens a complement ("brevet | de cariste")."""


MAX_PHRASE_WORDS = 5
"""Longer texts are sentences: only the label's head is checked in them."""

PREPOSITIONS = frozenset("de du des d van voor of for".split())
"""Words that open a noun's complement (fr, nl, en)."""


def words_of(text: str) -> list[Word]:
    """A text's content words, in order."""
    out: list[Word] = []
    bound = False
    for raw in _TOKEN.findall(text.lower()):
        preposition, free, after_preposition = _token_words(raw)
        if preposition:
            bound = True
        if free:
            out.extend(after_preposition if bound else free)
            bound = False
    return out


@lru_cache(maxsize=1 << 15)
def _token_words(raw: str) -> tuple[bool, tuple[Word, ...], tuple[Word, ...]]:
    """What one token (lower case) gives ``words_of``: whether it is a preposition, and its content words (none
    when it is no content word), unbound and bound. Agreement splits the same candidate labels again and again,
    and normalising their tokens each time was a tenth of a cold jobseeker ingestion; a few megabytes at most."""
    norm = normalize_label(raw)
    if norm and norm not in STOP_WORDS and norm not in _POSSESSIVES and not norm.isdigit():
        parts = norm.split()
        return norm in PREPOSITIONS, tuple(Word(raw, p) for p in parts), tuple(Word(raw, p, True) for p in parts)
    return norm in PREPOSITIONS, (), ()


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def agrees(phrase: Sequence[Word], label: Sequence[Word], label_lang: str | None, similar: Similar = _never) -> bool:
    """Whether a phrase and a label (both as ``words_of``) agree in head and complement (module docstring).

    Args:
        phrase: the phrase's content words.
        label: the label's content words.
        label_lang: the label's language (fr, nl, en).
        similar: whether two heads are one in other forms (a nominalisation: "gestion" / "gérer").
    """
    if not phrase or not label:
        return False

    def same_head(a: Word, b: Word) -> bool:
        return same_word(a.norm, b.norm) or similar(a.raw, b.raw)

    if len(phrase) > MAX_PHRASE_WORDS:
        # A sentence, not a phrase: its own head is not the skill's ("Vier jaar lang bakkerswaren bakken in een
        # bakkerij"); the label's head must still be in it.
        return any(same_head(word, label[h]) for h in heads([w.norm for w in label], label_lang) for word in phrase)

    phrase_heads = heads([w.norm for w in phrase], label_lang)
    if len(phrase) == 1:
        # One word names a skill whose label it heads: "administratif" is no "service administratif".
        return any(same_head(phrase[0], label[h]) for h in heads([w.norm for w in label], label_lang))
    if len(label) == 1:
        # A one-word label names the phrase's head, unless the phrase gives that head a complement the label does
        # not have ("électricité industrielle" is electricity; "brevet de cariste" is no patent).
        return any(same_head(phrase[i], label[0]) and not any(w.bound for w in phrase[i + 1 :]) for i in phrase_heads)
    label_head = heads([w.norm for w in label], label_lang)
    if not any(same_head(word, label[h]) for h in label_head for word in phrase):
        return False  # "enseigner la communication avec la clientèle" is no "communication aux clients"
    for i in phrase_heads:
        if any(same_head(phrase[i], word) for word in label):
            rest = [w for j, w in enumerate(phrase) if j != i]
            if not rest or any(same_word(w.norm, other.norm) for w in rest for other in label):
                return True
    return False


def any_agrees(phrase: str, labels: Iterable[tuple[str, str | None]], similar: Similar = _never) -> bool:
    """Whether a phrase agrees with one of some labels ((text, language) pairs).

    Args:
        phrase: the phrase as written (framing words already removed).
        labels: the labels to try.
        similar: whether two heads are one in other forms.
    """
    return any_agrees_words(words_of(phrase), ((words_of(text), lang) for text, lang in labels), similar)


def any_agrees_words(
    phrase: Sequence[Word], labels: Iterable[tuple[Sequence[Word], str | None]], similar: Similar = _never
) -> bool:
    """``any_agrees`` over words already split (``words_of``): the phrase's, and each label's with its language."""
    return any(agrees(phrase, words, lang, similar) for words, lang in labels)


__all__ = [
    "STOP_WORDS",
    "Similar",
    "Word",
    "agrees",
    "any_agrees",
    "any_agrees_words",
    "content_words",
    "heads",
    "same_word",
    "singular",
    "words_of",
]
