"""Job titles as employers write them, turned into the forms the linker searches.

A published title carries much besides the job: gender markers in many spellings ("(H/F)", "F/H", "m/v/x",
"Technicien-ne", "employé.e"), reference codes ("EC22160", "(29)"), the employer's or the place's name in a
segment of its own ("In Extenso - Comptable", "CONSEILLER (LYON)"), contract words ("CDI", "Urgent"),
capitals and plurals ("ELECTRICIENS"), typos, abbreviations ("SPL", "ASVP") and a head with modifiers
("Zorgkundige woonzorgcentrum", "INFIRMIER DE JOUR SSR"). ``TitleNormaliser`` removes the noise with general
rules, repairs words against the vocabulary of ESCO's occupation labels (plurals by stripping an ending,
typos with rapidfuzz), expands known abbreviations, chooses the segment that reads as a job and finds its
head: the word that names the role, which a candidate occupation must share.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from esco_data import normalize_label, strip_accents
from matching.linking.abbreviations import ABBREVIATIONS
from matching.linking.gender import FRENCH_ENDINGS
from matching.linking.text import gender_variants, strip_gender_markers

# Words that say how, when or on which contract a job is offered, never what the job is (fr, nl, en).
_NOISE = re.compile(
    r"(?<![\w-])(?:"
    r"cdi|cdd|cdic|cdi-c|int[ée]rim(?:aire)?|alternance|en alternance|contrat pro(?:fessionnel)?|"
    r"temps (?:plein|partiel|complet)|plein temps|mi-temps|[àa] temps partiel|"
    r"urgent(?:e|es)?|tr[èe]s urgent|poste [àa] pourvoir(?: imm[ée]diatement)?|imm[ée]diat(?:ement)?|asap|"
    r"offre d'emploi|nous recrutons|on recrute|"
    r"junior|senior|sr|jr|confirm[ée]e?s?|exp[ée]riment[ée]e?s?|d[ée]butant(?:e|es|s)?(?: accept[ée]e?)?|"
    r"[ée]tudiant(?:e|es|s)?|job [ée]tudiant|stage|stagiaire|saisonnier(?:e|es|s)?|"
    r"vaste job|vast contract|vaste betrekking|tijdelijk|interim|uitzendwerk|studentenjob|flexi-?job|"
    r"voltijds?|deeltijds?|fulltime|parttime|full[- ]time|part[- ]time|dringend|vacature|gezocht|"
    r"ervaren|starter|hiring|wanted|we are hiring|freelance|ind[ée]pendant(?:e)?|zelfstandige?"
    r")(?![\w-])",
    re.IGNORECASE,
)
# A token with a digit is a reference, a department number or an hour ("EC22160", "29", "7H13H").
_CODE = re.compile(r"(?<![\w-])[\w&]*\d[\w&]*(?![\w-])")
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_QUOTES = re.compile(r"[\"“”«»„]")
# Segments: an employer, a place or a reference written beside the title.
_SEGMENT = re.compile(r"\s+[-–—|]+\s+|\s+[-–—]+$|^[-–—]+\s+|\s*[|•]\s*|\s+:\s+|^\s*:|:\s*$")
_PAIR = re.compile(r"\s+(?:ou|of|or|en/of)\s+", re.IGNORECASE)
# Two gender words glued: "homme-femme de ménage", "Femme/Homme de chambre", "man/vrouw".
_GENDER_WORDS = re.compile(r"\b(homme|femme|man|vrouw)\s*[-/]\s*(homme|femme|man|vrouw)\b", re.IGNORECASE)
_STOP = frozenset(
    "de du des d la le les l en et a au aux pour par sur dans avec un une van het een voor met in op bij of and "
    "the for with at to".split()
)


@dataclass(frozen=True)
class TitleQuery:
    """What the linker searches for one title."""

    text: str
    """The title as given."""
    forms: list[str]
    """Forms to search, the main one first (noise removed, words repaired), then its variants (gender forms,
    the titles of a title that repeats its head)."""
    head: str | None = None
    """The normalised word that names the role ("technicien" in "technicien méthodes maintenance")."""
    tokens: tuple[str, ...] = ()
    """Normalised content words of the main form."""
    extra_forms: list[str] = field(default_factory=list)
    """Weaker forms (other segments, abbreviations spelled out): searched, never the main evidence."""


def _strip_gender_words(text: str) -> str:
    return _GENDER_WORDS.sub(lambda m: m.group(1), text)


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a title between separators, or the content of brackets."""

    text: str
    bracketed: bool = False


_BRACKET_MARK = "\x00"


def clean_title(text: str) -> list[Segment]:
    """Segments of a title without gender markers, codes, quotes and contract words.

    Args:
        text: a published job title.

    Returns:
        The non-empty segments in their order ("In Extenso - Comptable (H/F)" -> "In Extenso", "Comptable").
        Brackets glued to a word ("(hoofd)docent") are dropped with their content; other brackets give a
        segment of their own, marked as bracketed.
    """
    text = _QUOTES.sub(" ", text)
    text = strip_gender_markers(text)
    text = _GLUED_BRACKETS.sub("", text)
    text = _BRACKETS.sub(_bracket, text)
    segments = []
    for piece in _SEGMENT.split(text):
        piece = piece or ""
        bracketed = piece.startswith(_BRACKET_MARK)
        piece = _CODE.sub(" ", piece.replace(_BRACKET_MARK, " "))
        piece = _NOISE.sub(" ", piece)
        piece = strip_gender_markers(piece)
        piece = " ".join(piece.split()).strip(" -–—,;:/&.")
        if normalize_label(piece):
            segments.append(Segment(piece, bracketed))
    return segments


_GLUED_BRACKETS = re.compile(r"(?<=\w)\([^()\s]*\)(?=\w)|(?<!\S)\([^()\s]*\)(?=\w)")


def _bracket(match: re.Match[str]) -> str:
    """Brackets that end a segment hold a place, a code or a specialty: a segment of their own. Brackets
    inside one explain a word ("Human resources (hr) directeur"): their content stays in place."""
    inner = match.group(1) if match.group(1) is not None else match.group(2)
    if not inner.strip():
        return " "
    rest = match.string[match.end() :]
    ends_segment = _SEGMENT.match(rest) is not None or not normalize_label(_SEGMENT.split(rest, maxsplit=1)[0])
    return f" - {_BRACKET_MARK}{inner} - " if ends_segment else f" {inner} "


class TitleNormaliser:
    """Turns published titles into searchable forms with the vocabulary of ESCO's occupation labels."""

    def __init__(
        self,
        labels: Sequence[tuple[str, str]],
        words: Counter[str] | None = None,
        *,
        typo_cutoff: float = 90.0,
        min_typo_length: int = 6,
    ) -> None:
        """Args:
        labels: (text, language) of every occupation label.
        words: other known words with their frequency (e.g. of skill labels): never corrected, never targets.
        typo_cutoff: rapidfuzz ratio (0-100) from which an unknown word is read as a known one.
        min_typo_length: shorter unknown words are never corrected (too many near neighbours).
        """
        self.frequency: Counter[str] = Counter()
        heads: Counter[str] = Counter()
        for label, lang in labels:
            tokens = [w for w in normalize_label(label).split() if w not in _STOP]
            if not tokens:
                continue
            self.frequency.update(set(tokens))
            heads[_label_head(tokens, lang)] += 1
        # How often a word is the head of the labels it occurs in (fr, nl: the first word; en, and nl after an
        # adjective: the last).
        self.head_score = {w: heads[w] / n for w, n in self.frequency.items() if heads[w]}
        self.known: Counter[str] = Counter(words or ()) + self.frequency
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in self.frequency:
            if len(word) >= min_typo_length - 1:
                self._by_initial[word[0]].append(word)
        self.typo_cutoff = typo_cutoff
        self.min_typo_length = min_typo_length
        self._repairs: dict[str, str] = {}

    # -- words --------------------------------------------------------------------------------------------

    def repair(self, word: str) -> str:
        """A normalised word as the labels spell it: itself, its singular or other gender form when the labels
        use that more, or the label word it is a typo of."""
        found = self._repairs.get(word)
        if found is not None:
            return found
        found = word
        if not word.isdigit() and len(word) > 2:
            if word in self.known:
                # A known word only loses a plural ("electriciens"): gender forms are searched as variants.
                options = list(_singulars(word))
            else:
                options = _other_forms(word)
            best = max((w for w in options if w in self.frequency), key=self.frequency.__getitem__, default=None)
            if best is not None and self.frequency[best] >= self.frequency.get(word, 0):
                found = best
            elif word not in self.known and len(word) >= self.min_typo_length:
                typo = process.extractOne(
                    word, self._by_initial.get(word[0], []), scorer=fuzz.ratio, score_cutoff=self.typo_cutoff
                )
                if typo is not None:
                    found = str(typo[0])
        if len(self._repairs) < 100_000:
            self._repairs[word] = found
        return found

    def _repaired(self, text: str) -> str:
        return " ".join(self.repair(w) for w in normalize_label(text).split())

    def head_of(self, words: Sequence[str]) -> str | None:
        """The word of a title that names the role: the first word when labels often start with it, else the
        word that most often heads a label (None when no word does)."""
        content = [w for w in words if w not in _STOP]
        if not content:
            return None
        if len(content) == 1:
            return content[0] if content[0] in self.frequency else None
        if self.head_score.get(content[0], 0.0) >= 0.3:
            return content[0]
        best = max(content, key=lambda w: self.head_score.get(w, 0.0))
        return best if self.head_score.get(best, 0.0) >= 0.5 else None

    def _is_title(self, segment: str) -> bool:
        """Whether a segment reads as a job title: it has a head and most of its words are label words."""
        words = [self.repair(w) for w in normalize_label(segment).split() if w not in _STOP]
        head = self.head_of(words)
        if head is None or self.head_score.get(head, 0.0) < 0.5:
            return False
        return sum(w in self.frequency for w in words) >= len(words) / 2

    # -- titles -------------------------------------------------------------------------------------------

    def normalise(self, text: str) -> TitleQuery:
        """The forms to search for a title, its head and content words.

        The main segment is the first that reads as a job title (an employer's or a place's name before it is
        skipped); the others are weak extra forms.

        Args:
            text: a title as published.

        Returns:
            The query; ``forms`` is empty when nothing of the title is left (only markers or codes).
        """
        segments = clean_title(_strip_gender_words(text))
        if not segments:
            return TitleQuery(text, [])
        # The title comes first, unless the first segments have no word of any occupation label (an
        # employer's name: "In Extenso - Comptable").
        candidates = [i for i, seg in enumerate(segments) if not seg.bracketed] or [0]
        main_at = next((i for i in candidates if self._has_label_word(segments[i].text)), candidates[0])
        first = segments[main_at].text
        main = _PAIR.sub(" / ", first) if _gender_pair(first) else first
        # A later segment made of label words specifies the title ("Game designer - jeux vidéo",
        # "Redacteur (bladen)"); one with other words is a place or a name ("- Versailles"); one that reads as
        # a title of its own is a second title.
        later = segments[main_at + 1 :]
        others = [seg.text for seg in later if not seg.bracketed and self._is_title(seg.text)]
        tail = " ".join(seg.text for seg in later if seg.text not in others and self._is_modifier(seg.text))
        forms: list[str] = []
        for variant in gender_variants(main):
            repaired = self._repaired(f"{variant} {tail}")
            if repaired:
                forms.append(repaired)
        if "/" not in main and forms:
            forms += self._repeated_head(forms[0])
        forms = list(dict.fromkeys(forms))
        if not forms:
            return TitleQuery(text, [])
        masculine = forms[1] if len(forms) > 1 and "/" in main else forms[0]
        words = tuple(w for w in masculine.split() if w not in _STOP)
        extra = [self._expand(f) for f in forms[:1]] + [self._repaired(s) for s in others[:1]]
        return TitleQuery(
            text, forms, self.head_of(words), words, [f for f in dict.fromkeys(extra) if f and f not in forms]
        )

    def _has_label_word(self, segment: str) -> bool:
        words = [self.repair(w) for w in normalize_label(segment).split() if w not in _STOP and len(w) > 2]
        return any(w in self.frequency for w in words)

    def _is_modifier(self, segment: str) -> bool:
        """Whether a segment is made of words of occupation labels (a specialty, not a place or a name).

        Its words are taken as written, up to a plural or the other gender's form, never read as typos: a
        place is often one letter from a label word ("Brussel" from the "Brussels" of "lid van het Brussels
        Parlement").
        """
        words = [w for w in normalize_label(segment).split() if w not in _STOP]
        return bool(words) and all(self._label_word(w) for w in words)

    def _label_word(self, word: str) -> bool:
        """Whether a word is one of the occupation labels' words, as written or in another number or gender."""
        return any(form in self.frequency for form in (word, *_other_forms(word)))

    def _repeated_head(self, form: str) -> list[str]:
        """Titles that repeat their head ("médecin prévention médecin du travail") hold several titles."""
        words = form.split()
        head = self.head_of(words)
        if head is None or words.count(head) < 2 or words[0] != head:
            return []
        starts = [i for i, w in enumerate(words) if w == head] + [len(words)]
        return [" ".join(words[a:b]) for a, b in zip(starts, starts[1:], strict=False)]

    @staticmethod
    def _expand(form: str) -> str | None:
        """The form with known abbreviations spelled out, or None when it has none."""
        words = form.split()
        out = [ABBREVIATIONS.get(w, w) for w in words]
        return " ".join(out) if out != words else None


def _label_head(tokens: Sequence[str], lang: str) -> str:
    """The head word of a label's content words in its language."""
    if lang == "en" or (lang == "nl" and len(tokens) == 2 and tokens[0].endswith(_DUTCH_ADJECTIVE)):
        return tokens[-1]
    return tokens[0]


_DUTCH_ADJECTIVE = ("isch", "ief", "ieve", "eel", "ele", "aal", "ale", "ig", "ige", "lijk", "lijke", "iek", "ische")


def _gender_pair(text: str) -> bool:
    """Whether "X ou Y" joins two forms of one title ("Monteur câbleur ou monteuse câbleuse")."""
    match = _PAIR.search(text)
    if match is None:
        return False
    left, right = text[: match.start()].split(), text[match.end() :].split()
    return bool(left and right) and any(
        normalize_label(w)[:4] == normalize_label(right[0])[:4] and normalize_label(w) != normalize_label(right[0])
        for w in left
    )


def _other_forms(word: str) -> list[str]:
    """A word's other number and gender forms (singulars, masculines, feminines), as the labels may write it."""
    return [*_singulars(word), *_masculines(word), *_feminines(word)]


def _masculines(word: str) -> Iterable[str]:
    """Masculine forms of a feminine word ("technicienne" -> "technicien", "vendeuse" -> "vendeur")."""
    for feminine, masculine in _FEMININE:
        if word.endswith(feminine) and len(word) > len(feminine) + 2:
            yield word[: -len(feminine)] + masculine


def _feminines(word: str) -> Iterable[str]:
    """Feminine forms of a masculine word ("gouvernant" -> "gouvernante")."""
    for feminine, masculine in _FEMININE:
        if word.endswith(masculine) and len(word) > len(masculine) + 2:
            yield word[: -len(masculine)] + feminine
    if not word.endswith("e"):
        yield word + "e"


_FEMININE = tuple((strip_accents(f), strip_accents(m)) for m, f in FRENCH_ENDINGS)
"""(feminine, masculine) endings of French person nouns, without accents as normalised words are
(``matching.linking.gender``)."""


def _singulars(word: str) -> Iterable[str]:
    """Singular candidates of a plural (fr "-s", "-x", "-aux"; nl "-en", "-s", "-'s")."""
    if len(word) <= 3:
        return
    if word.endswith("aux"):
        yield word[:-3] + "al"
    if word.endswith(("s", "x")):
        yield word[:-1]
    if word.endswith("en"):
        yield word[:-2]
        yield word[:-1]
    if word.endswith("es"):
        yield word[:-2]


class LabelWords:
    """The content words of every label of an index, as token ids, for comparing titles with labels fast.

    Words are repaired as query words are (singular, masculine form of a role word), so that "technicienne"
    in a label and "techniciens" in a title are one word.
    """

    def __init__(self, texts: Sequence[str], normaliser: TitleNormaliser) -> None:
        """Args:
        texts: the label texts, in the index's row order.
        normaliser: the normaliser whose ``repair`` query words go through.
        """
        self.normaliser = normaliser
        self.ids: dict[str, int] = {}
        indptr = [0]
        tokens: list[int] = []
        for text in texts:
            words = dict.fromkeys(normaliser.repair(w) for w in normalize_label(text).split() if w not in _STOP)
            tokens += [self.ids.setdefault(w, len(self.ids)) for w in words]
            indptr.append(len(tokens))
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.tokens = np.asarray(tokens, dtype=np.int32)

    def head_agreement(self, rows: npt.NDArray[np.int64], query: TitleQuery) -> npt.NDArray[np.float32]:
        """For each label row, how well it agrees with the title's head: 1 when it has the head word, else
        1 minus the head's specificity (a generic head such as "agent" says little, "zorgkundige" a lot).

        Args:
            rows: label rows.
            query: the normalised title.

        Returns:
            Shape (len(rows),); 1 everywhere when the title has no head that any label has.
        """
        n = rows.size
        if query.head is None or query.head not in self.ids or n == 0:
            return np.ones(n, dtype=np.float32)
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        counts = ends - starts
        flat = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        owner = np.repeat(np.arange(n), counts)
        has = np.bincount(owner, weights=self.tokens[flat] == self.ids[query.head], minlength=n)
        return (1.0 - self.specificity(query.head) * (1.0 - np.minimum(has, 1.0))).astype(np.float32)

    def specificity(self, word: str) -> float:
        """How specific a word is among the labels: 0 for the commonest, 1 for a word of one label."""
        frequency = self.normaliser.frequency
        n = max(frequency.get(word, 0), 1)
        top = self.__dict__.get("_top")
        if top is None:  # the commonest word's count, once (not a scan of every word per call)
            top = self.__dict__["_top"] = max(frequency.values(), default=1)
        top = max(top, 2)
        return float(max(0.0, 1.0 - np.log(n) / np.log(top)))


__all__ = ["LabelWords", "Segment", "TitleNormaliser", "TitleQuery", "clean_title"]
