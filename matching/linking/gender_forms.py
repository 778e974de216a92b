"""Gendered forms of job-title words, learned from ESCO's own occupation labels: one form for both genders.

A title in its feminine form ("Opératrice", "Verkoopster", "Tekenares") should link to the same occupations
as its masculine form. ESCO writes many occupations both ways: French labels as "boulanger/boulangère",
Dutch ones as alternative labels ("bedrijfsleider", "bedrijfsleidster"). From those labels this module learns
word pairs and the ending changes behind them ("-rice" / "-eur", "-ster" / "-er", "-akster" / "-ker"), keeping
an ending change only when many pairs show it and the endings are short (so synonyms such as "hersteller" /
"reparateur" are not taken for gender forms). ``canonical`` then writes every word of a title in the form
ESCO uses most (the masculine one): a known form directly, a compound by its known last part, an unknown
word by a learned ending change when the result is a word of the labels.

Nothing here is a hand-written list of endings: it is all read from the labels of the loaded release.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from esco_data import ConceptKind
from matching.linking.gender import match_case
from matching.space import KIND_CODES, LANG_CODES, ConceptSpace

_WORD = re.compile(r"[^\W\d_]+")
_DOUBLE_VOWEL = re.compile(r"([aeou])\1([^\Waeiouy\d_]+)$")
"""A doubled vowel before the final consonants of a stem ("meet", "kweek", "verkoop")."""


@dataclass(frozen=True)
class GenderFormsConfig:
    """How pairs and ending changes are learned (from ESCO labels only)."""

    min_prefix: int = 3
    """Letters the two forms of a word share at the start, at least."""
    max_ending: int = 6
    """Longest ending that may differ between the two forms."""
    max_short_ending: int = 3
    """The shorter of the two differing endings is at most this long."""
    min_support: int = 5
    """Pairs an ending change needs to be trusted."""
    min_head: int = 4
    """Shortest last part of a compound that is looked up on its own."""


def _prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _ending(a: str, b: str) -> tuple[str, str]:
    n = _prefix(a, b)
    return a[n:], b[n:]


class GenderForms:
    """Maps the words of a title to one form per gender pair (the one ESCO's labels use most)."""

    def __init__(
        self,
        forms: dict[str, str],
        endings: dict[str, list[str]],
        vocabulary: frozenset[str],
        min_head: int = 4,
        languages: dict[str, frozenset[str]] | None = None,
    ) -> None:
        """Args:
        forms: a word -> its other form, the one to write (learned pairs).
        endings: an ending -> the endings it may be replaced by, most supported first.
        vocabulary: every word of the occupation labels.
        languages: the words of each language's labels ("fr", "nl"): of two ending changes that both give a
            label word, the one that gives a word of the title's language is taken.
        min_head: shortest last part of a compound that is looked up on its own.
        """
        self.forms = forms
        self.endings = endings
        self.vocabulary = vocabulary
        self.languages = languages or {}
        self.min_head = min_head
        self._longest = max((len(e) for e in endings), default=0)
        self._reversed = sorted(word[::-1] for word in vocabulary)
        """The label words spelled backwards, sorted: which words end in a given way, by bisection."""

    @classmethod
    def learn(cls, space: ConceptSpace, config: GenderFormsConfig | None = None) -> GenderForms:
        """Learn word pairs and ending changes from the French and Dutch occupation labels of a concept space.

        Args:
            space: the concept space (its label texts, concepts and languages).
            config: learning thresholds.

        Returns:
            The learned forms.
        """
        return cls.learn_labels(space.label_texts, space.label_concepts, space.label_langs, space.concept_kinds, config)

    @classmethod
    def learn_labels(
        cls,
        texts: Sequence[str],
        label_concepts: npt.NDArray[np.integer[Any]],
        label_langs: npt.NDArray[np.int8],
        concept_kinds: npt.NDArray[np.int8],
        config: GenderFormsConfig | None = None,
    ) -> GenderForms:
        """Learn word pairs and ending changes from the French and Dutch occupation labels among some labels.

        Pairs are learned per language; a word that one language writes as the other form of a pair and another
        language uses as a word of its own ("styliste") is left alone.

        Args:
            texts: the label texts.
            label_concepts: the concept of each label (a row of ``concept_kinds``).
            label_langs: the language code of each label.
            concept_kinds: the kind code of each concept.
            config: learning thresholds.

        Returns:
            The learned forms.
        """
        cfg = config or GenderFormsConfig()
        wanted = {KIND_CODES[ConceptKind.occupation], KIND_CODES[ConceptKind.isco_group]}
        languages = {LANG_CODES["fr"], LANG_CODES["nl"]}
        labels: defaultdict[int, defaultdict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        frequency: defaultdict[int, Counter[str]] = defaultdict(Counter)
        for text, concept, lang in zip(texts, label_concepts.tolist(), label_langs.tolist(), strict=True):
            if lang not in languages or int(concept_kinds[concept]) not in wanted:
                continue
            lowered = text.lower()
            labels[lang][concept].append(lowered)
            frequency[lang].update(_WORD.findall(lowered))
        candidates = {lang: Counter(_pairs(labels[lang].values(), frequency[lang], cfg)) for lang in labels}
        # An ending change is trusted when enough pairs show it, in the direction most of them take.
        support: Counter[tuple[str, str]] = Counter()
        for found in candidates.values():
            for (other, main), n in found.items():
                support[_ending(other, main)] += n
        trusted = {
            change
            for change, n in support.items()
            if n >= cfg.min_support and n >= support.get((change[1], change[0]), 0)
        }
        per_language = {lang: _forms(found, trusted) for lang, found in candidates.items()}
        forms: dict[str, str] = {}
        for lang, learned in per_language.items():
            for other, main in learned.items():
                others = [lng for lng in per_language if lng != lang and other in frequency[lng]]
                if all(per_language[lng].get(other) == main for lng in others):
                    forms[other] = main
        forms = {other: main for other, main in forms.items() if main not in forms}  # no chains
        endings: defaultdict[str, list[str]] = defaultdict(list)
        for (a, b), _ in sorted(support.items(), key=lambda kv: -kv[1]):
            if (a, b) in trusted and a:
                endings[a].append(b)
        vocabulary = frozenset(word for counts in frequency.values() for word in counts)
        names = {code: name for name, code in LANG_CODES.items()}
        by_language = {names[lang]: frozenset(counts) for lang, counts in frequency.items() if lang in names}
        return cls(forms, dict(endings), vocabulary, cfg.min_head, by_language)

    def word(self, word: str, lang: str | None = None) -> str:
        """The form a word is written in (itself when it has no other form).

        Args:
            word: one word, any case.
            lang: the language of the title it is in, when known ("Technisch calculatrice" is Dutch: a
                "calculator", not a French "calculateur").

        Returns:
            The word's main form, in the word's case.
        """
        found = self._main(word.lower(), 2, lang)
        return match_case(found, word) if found else word

    def _main(self, lower: str, hops: int, lang: str | None = None) -> str | None:
        """A lower-case word's main form, None when it is its own; a word found by its last part or its ending
        is read in turn (at most ``hops`` times), so that it ends on the same form as that word itself
        ("profileuse" -> "profileur" -> "profileerder", as "profileur" alone)."""
        found = self.forms.get(lower)
        own = self.languages.get(lang or "")
        if found is not None and own and found not in own:
            # A pair of another language's labels ("calculatrice" / "calculateur" in French): the title's
            # language may change the ending its own way ("calculator" in Dutch).
            alternative = self._by_ending(lower, lang)
            found = alternative if alternative is not None and alternative in own else found
        if found is None and lower not in self.vocabulary:
            found = self._compound(lower) or self._by_ending(lower, lang)
            if found is not None and hops > 0:
                found = self._main(found, hops - 1, lang) or found
        return found

    def _compound(self, word: str) -> str | None:
        """A compound by its known last part: "lasinspectrice" -> "las" + "inspecteur"."""
        for i in range(3, len(word) - self.min_head + 1):
            head = self.forms.get(word[i:])
            if head is not None:
                return word[:i] + head
        return None

    def _by_ending(self, word: str, lang: str | None = None) -> str | None:
        """An unknown word by a learned ending change, when the result (or its last part) is a label word.

        Dutch spells the vowel of an open syllable once and that of a closed one twice, so an ending change
        can close or open the syllable before it: "meetster" / "meter", "kweekster" / "kweker". When the
        change gives no label word, the same change with that vowel written once is tried. Of the changes of
        one ending that give a label word, the first that gives a word of ``lang`` is taken, else the first.
        """
        own = self.languages.get(lang or "", frozenset())
        for size in range(min(self._longest, len(word) - 3), 0, -1):
            stem = word[:-size]
            opened = _DOUBLE_VOWEL.sub(r"\1\2", stem)
            known = [
                candidate
                for replacement in self.endings.get(word[-size:], ())
                for candidate in dict.fromkeys((stem + replacement, opened + replacement))
                if self._known(candidate, len(replacement))
            ]
            if known:
                return next((c for c in known if c in own), known[0])
        return None

    def _known(self, word: str, ending: int = 0) -> bool:
        """A label word, a compound ending in one, or a compound ending as one does ("schaaldierenkweker" ends
        as "hondenkweker": its last part, "kweker", is the last part of a label word). That last part holds
        three letters before the ``ending`` just written at least, so that the ending alone never makes a word
        known ("coffreerder" does not end as "profileerder" does: only "eerder" is shared)."""
        if word in self.vocabulary:
            return True
        if any(word[i:] in self.vocabulary for i in range(3, len(word) - self.min_head - 1)):
            return True
        size = max(self.min_head + 2, ending + 3)
        if len(word) < size + 3:  # a first part of three letters at least before that last part
            return False
        tail = word[-size:][::-1]
        at = bisect.bisect_left(self._reversed, tail)
        return at < len(self._reversed) and self._reversed[at].startswith(tail) and self._reversed[at] != tail

    def canonical(self, text: str, lang: str | None = None) -> str:
        """A title with every word in its main form ("Opératrice du son" -> "Opérateur du son").

        Args:
            text: a job title.
            lang: its language, when known (see ``word``).

        Returns:
            The title, words rewritten; separators, case and other words unchanged.
        """
        return _WORD.sub(lambda m: self.word(m.group(0), lang), text)


def _forms(candidates: Counter[tuple[str, str]], trusted: set[tuple[str, str]]) -> dict[str, str]:
    """other form -> main form, for the candidate pairs whose ending change is trusted (either way round)."""
    forms: dict[str, str] = {}
    for (other, main), _ in candidates.most_common():
        if _ending(other, main) not in trusted:
            if _ending(main, other) not in trusted:
                continue
            other, main = main, other
        if other not in forms and main not in forms:
            forms[other] = main
    return forms


def _pairs(groups: Iterable[list[str]], frequency: Counter[str], cfg: GenderFormsConfig) -> Iterable[tuple[str, str]]:
    """(other form, main form) of words that two labels of one concept write two ways.

    Evidence: the two sides of a "masculine/feminine" label (the first is the main form), and two labels that
    differ in exactly one word (the more frequent word is the main form).
    """

    def close(a: str, b: str) -> bool:
        # Gender forms share a stem and differ by a short ending on at least one side ("-akster" / "-ker");
        # two long endings ("consultant" / "conseiller") are synonyms.
        ends = _ending(a, b)
        return (
            a != b
            and _prefix(a, b) >= cfg.min_prefix
            and max(map(len, ends)) <= cfg.max_ending
            and min(map(len, ends)) <= cfg.max_short_ending
        )

    for texts in groups:
        tokens = []
        for text in texts:
            if "/" in text:
                left, _, right = text.partition("/")
                for a, b in zip(_WORD.findall(left), _WORD.findall(right), strict=False):
                    if close(a, b):
                        yield b, a
            tokens.append(_WORD.findall(text))
        for i, x in enumerate(tokens):
            for y in tokens[i + 1 :]:
                if len(x) != len(y):
                    continue
                diff = [(a, b) for a, b in zip(x, y, strict=True) if a != b]
                if len(diff) == 1 and close(*diff[0]):
                    a, b = diff[0]
                    yield (b, a) if frequency[a] >= frequency[b] else (a, b)


__all__ = ["GenderForms", "GenderFormsConfig"]
