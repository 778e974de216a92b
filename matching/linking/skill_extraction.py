"""Skills stated in a longer text (a vacancy description, a CV summary, an experience), with spans.

Precision first: an ad says much that is no requirement, and a skill label shares words with many phrases.

1. The text is cut into units (``sections``); units about the employer, pay, hours, the contract, benefits or
   applying are not read.
2. A unit is cut into clauses (commas, semicolons, brackets, "et"/"en"/"and" ...); each loses its frame
   ("Vous avez une bonne connaissance de ...", ``text.strip_framing``).
3. A clause is encoded only when the character n-gram index finds a skill label close enough to it (the
   lexical gate: most clauses of an ad name no skill, and encoding is the cost of extraction), and ranked
   only when step 4 could keep a skill for it: some label's words are in it (found from its words through
   an index of the labels' words), or, for two words or more, some label is very close in the dense space.
4. The linker ranks skills for each clause; a skill is kept when its fused score is high enough *and* the
   clause holds most of its label's words (idf-weighted, derived forms allowed: "nettoyage" holds
   "nettoyer"), so that one shared word ("horaires" in "gérer les horaires des trains") is not enough; a
   clause whose dense match is very close (another language, a paraphrase) is kept on that alone.

Thresholds are chosen on the dev set skills_en (see benchmarks/README.md).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from esco_data import ConceptKind, normalize_label
from matching.linking.agreement import STOP_WORDS, any_agrees_words, same_word, singular, words_of
from matching.linking.learned import PhraseVerdicts
from matching.linking.linked import LinkedConcept, LinkKind
from matching.linking.names import is_name
from matching.linking.sections import Section, cue_of, split_ad
from matching.linking.text import strip_framing
from matching.space import LANG_CODES

if TYPE_CHECKING:
    from matching.linking.label_index import LabelIndex
    from matching.space import ConceptSpace, Encoder


@dataclass(frozen=True)
class ExtractionConfig:
    """Thresholds of skill extraction (chosen on skills_en; see benchmarks/README.md)."""

    lexical_gate: float = 0.3
    """A clause is encoded only when some skill label reaches this lexical (n-gram cosine) score."""
    min_score: float = 0.45
    """A skill's fused linker score must reach this."""
    min_coverage: float = 0.8
    """Share (idf-weighted) of the skill label's words that the clause must hold."""
    dense_alone: float = 0.85
    """A skill whose best label is this close in the dense space is kept without the word check."""
    min_information: float = 7.5
    """A label must carry this much information (sum of its words' idf) for the word check alone to keep
    it: one common word ("organisation", "transport") names too many things."""
    candidates: int = 5
    """Skills ranked per clause."""
    duplicate_cosine: float = 0.8
    """Two skills from overlapping words whose concept vectors are this close: only the better one is kept."""
    per_clause: int = 1
    """Skills kept per clause at most (the next ones are mostly near-duplicates of the first)."""
    max_clause_words: int = 14
    """Longer clauses are also cut at their conjunctions."""
    head_agreement: bool = True
    """Keep a skill only when a French or Dutch clause agrees in head and complement with one of its labels in
    the text's language (``agreement``; English clauses name skills in any order: "django postgresql redis")."""
    head_cosine: float = 0.6
    """Two head words whose vectors are this close are one head in other forms ("gestion" / "gérer" 0.74,
    "vente" / "vendre" 0.86; "accueil" / "physique" 0.24, "prévention" / "gérer" 0.38)."""


PHRASE_CANDIDATES = 5
"""Skills ranked for a short phrase, of which the best that agrees with it is its skill (``link_phrases``)."""

_HEADED = ("fr", "nl")
"""Languages whose skill phrases put a head and its complement in a fixed order (``agreement``)."""

_MAX_WORD_VECTORS = 50_000
"""Word vectors kept for head agreement (``SkillExtractor._similar_heads``), about 100 MB at most."""

_COVERAGE_BATCH = 512
"""Texts whose label words are looked up together (some megabytes of postings)."""


@dataclass(frozen=True, slots=True)
class ExtractedSkill:
    """A skill stated in a text: the skill, where (span of the clause that states it), and how sure."""

    uri: str
    kind: ConceptKind
    score: float
    """Confidence in [0, 1]: the fused linker score times the share of the label the clause holds."""
    label: str
    start: int
    end: int
    source: str
    """The clause, without its frame."""
    section: Section
    learned_link: int | None = None
    """The learned link that gave it (a consultant confirmed this skill for the same phrase), if any."""
    confirmed_on: str | None = None


@dataclass(frozen=True, slots=True)
class Clause:
    """A clause of a unit of text, with its span."""

    text: str
    start: int
    end: int
    section: Section
    knowing: bool = False
    """Whether its unit asks for knowledge ("connaissances en", "kennis van", "understanding of")."""


# A unit that asks for knowledge: ESCO's knowledge concepts (a field, a product, a technique) are only read
# from such units or from the profile; elsewhere a noun such as "montage" or "cosmétique" names the
# employer's trade, not a requirement.
_KNOWING = re.compile(
    r"\b(?:connaissances? (?:en|de|du|des|d'|dans|sur|approfondies?|solides?|techniques?)|"
    r"comp[ée]tences? (?:en|de|dans|techniques?)|ma[îi]tris(?:ez|er|ant)|ma[îi]trise (?:de|des|du|d'|l'|la|les)|"
    r"notions? (?:en|de|d')|bases? (?:en|de)|expertise|"
    r"familiaris[ée]e?|[àa] l'aise avec|sp[ée]cialis[ée]e? en|"
    r"kennis|vertrouwd|beheers\w*|noties|ervaring (?:met|in)|"
    r"knowledge|understanding|familiar|proficien\w*|experience (?:with|in)|expertise)\b",
    re.IGNORECASE,
)

_CLAUSE_SPLIT = re.compile(r"\s*(?:[,;:()\[\]/+&]|\s[-–—]\s)\s*")
_CONJUNCTIONS = {
    "fr": re.compile(r"\s+(?:et|ou|ainsi que)\s+", re.IGNORECASE),
    "nl": re.compile(r"\s+(?:en|of|evenals)\s+", re.IGNORECASE),
    "en": re.compile(r"\s+(?:and|or|as well as)\s+", re.IGNORECASE),
}
_ANY_CONJUNCTION = re.compile(r"\s+(?:et|ou|and|or)\s+", re.IGNORECASE)


def clauses(text: str, lang: str | None = None, *, max_words: int = 14) -> list[Clause]:
    """The clauses of the requirement units of a text (``sections.split_ad``), frames removed.

    Args:
        text: the text.
        lang: its language (for the conjunctions that join two skills), or None.
        max_words: a longer clause is also cut at its conjunctions ("et", "en", "and" ...).

    Returns:
        Clauses with their spans in ``text``; ``text[start:end]`` holds the clause's words.
    """
    out: list[Clause] = []
    conjunction = _CONJUNCTIONS.get(lang or "", _ANY_CONJUNCTION)
    for unit in split_ad(text):
        if not unit.section.asks:
            continue
        if len(unit.text.split()) <= 12 and cue_of(unit.text, employer=False) is Section.education:
            continue  # "BAC+2 Commerce international et/ou Transport et Logistique": a diploma
        pieces = _split_spans(unit.text, _CLAUSE_SPLIT)
        spans: list[tuple[int, int]] = []
        for a, b in pieces:
            spans.append((a, b))
            if len(unit.text[a:b].split()) > 3:
                parts = _split_spans(unit.text[a:b], conjunction)
                if len(parts) > 1 and all(len(unit.text[a + x : a + y].split()) >= 1 for x, y in parts):
                    spans += [(a + x, a + y) for x, y in parts]
        if len(unit.text.split()) <= max_words and len(pieces) > 1:
            spans.append((0, len(unit.text)))
        seen: set[tuple[int, int]] = set()
        for a, b in spans:
            raw = unit.text[a:b]
            core = strip_framing(raw)
            offset = a + raw.find(core) if core in raw else a
            key = (offset, offset + len(core))
            if key in seen or not normalize_label(core) or cue_of(raw, employer=False) is not None:
                continue
            seen.add(key)
            knowing = unit.section in (Section.profile, Section.other) or bool(_KNOWING.search(unit.text))
            out.append(Clause(core, unit.start + key[0], unit.start + key[1], unit.section, knowing))
    return out


def _split_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            spans.append((position, match.start()))
        position = match.end()
    if position < len(text):
        spans.append((position, len(text)))
    return [(a, b) for a, b in spans if normalize_label(text[a:b])]


class SkillLabelWords:
    """The content words of every label of the skill index, with their specificity (idf), as token ids."""

    def __init__(self, texts: Sequence[str]) -> None:
        """Args:
        texts: the label texts of the skill index, in row order.
        """
        self.ids: dict[str, int] = {}
        indptr = [0]
        tokens: list[int] = []
        for text in texts:
            words = dict.fromkeys(singular(w) for w in normalize_label(text).split() if w not in STOP_WORDS)
            tokens += [self.ids.setdefault(w, len(self.ids)) for w in words]
            indptr.append(len(tokens))
        self.words = list(self.ids)
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.tokens = np.asarray(tokens, dtype=np.int32)
        df = np.bincount(self.tokens, minlength=len(self.ids)).astype(np.float32)
        self.idf = np.log((1.0 + len(texts)) / (1.0 + df)).astype(np.float32) + 1.0
        counts = self.indptr[1:] - self.indptr[:-1]
        owner = np.repeat(np.arange(len(texts)), counts)
        self.label_information = np.bincount(owner, weights=self.idf[self.tokens], minlength=len(texts)).astype(
            np.float32
        )
        """How much a label says: the sum of its words' idf."""
        # The labels of each word (word -> label rows), and the words by the form ``same_word`` compares and
        # by its first six letters: to find at once every label whose words a text could hold.
        by_word = np.argsort(self.tokens, kind="stable")
        self.word_labels = owner[by_word].astype(np.int32)
        self.word_indptr = np.searchsorted(self.tokens[by_word], np.arange(len(self.ids) + 1)).astype(np.int64)
        self._by_form: dict[str, list[int]] = {}
        self._by_start: dict[str, list[tuple[int, int]]] = {}
        for i, word in enumerate(self.words):
            form = singular(word)
            self._by_form.setdefault(form, []).append(i)
            if len(form) >= 6:
                self._by_start.setdefault(form[:6], []).append((i, len(form)))

    def content_words(self, text: str) -> list[str]:
        """A text's content words, as labels' words are kept."""
        return list(dict.fromkeys(singular(w) for w in normalize_label(text).split() if w not in STOP_WORDS))

    def information(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """For each label row: the sum of its words' idf (how much a match on all its words says)."""
        return self.label_information[rows]

    def held(self, text: str) -> list[int]:
        """The label words (token ids) that one of a text's content words is (``same_word``)."""
        found: dict[int, None] = {}
        for word in self.content_words(text):
            form = singular(word)
            found.update(dict.fromkeys(self._by_form.get(form, ())))
            if len(form) >= 6:
                size = len(form)
                found.update((i, None) for i, other in self._by_start.get(form[:6], ()) if abs(other - size) <= 4)
        return list(found)

    def best_coverage(self, text: str, langs: npt.NDArray[np.int8] | None, lang: int | None, least: float) -> float:
        """The highest ``coverage`` of the text over every label that carries at least ``least`` information
        (and is in language ``lang`` of ``langs``, the labels' languages, when given); 0 when none."""
        return float(self.best_coverage_many([text], langs, [lang], least)[0])

    def best_coverage_many(
        self, texts: Sequence[str], langs: npt.NDArray[np.int8] | None, codes: Sequence[int | None], least: float
    ) -> npt.NDArray[np.float64]:
        """``best_coverage`` of many texts, each with its language code (or None: any language), computed
        together (the same sums in the same order as one by one)."""
        out = np.zeros(len(texts), dtype=np.float64)
        n_rows = self.indptr.size - 1
        for at in range(0, len(texts), _COVERAGE_BATCH):
            chunk = texts[at : at + _COVERAGE_BATCH]
            helds = [np.asarray(self.held(text), dtype=np.int64) for text in chunk]
            held = np.concatenate(helds)
            starts = self.word_indptr[held]
            counts = self.word_indptr[held + 1] - starts
            total_postings = int(counts.sum())
            if total_postings == 0:
                continue
            flat = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total_postings)
            sizes = np.asarray([h.size for h in helds], dtype=np.int64)
            of_text = np.repeat(np.repeat(np.arange(len(chunk), dtype=np.int64), sizes), counts)
            keys, owner = np.unique(of_text * n_rows + self.word_labels[flat], return_inverse=True)
            got = np.bincount(owner, weights=np.repeat(self.idf[held], counts), minlength=keys.size)
            text_of, rows = keys // n_rows, keys % n_rows
            total = self.label_information[rows]
            eligible = total >= least
            if langs is not None:
                code = np.asarray([-1 if c is None else c for c in codes[at : at + _COVERAGE_BATCH]])[text_of]
                eligible &= (code < 0) | (langs[rows] == code)
            share = np.where(eligible, got / np.maximum(total, 1e-9), 0.0)
            bounds = np.searchsorted(text_of, np.arange(len(chunk) + 1))
            some = np.flatnonzero(bounds[1:] > bounds[:-1])
            out[at + some] = np.maximum.reduceat(share, bounds[some])
        return out

    def coverage(self, rows: npt.NDArray[np.int64], text: str) -> npt.NDArray[np.float32]:
        """For each label row: the idf-weighted share of its words that the text has (``same_word``)."""
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        counts = ends - starts
        n = rows.size
        if n == 0 or int(counts.sum()) == 0:
            return np.zeros(n, dtype=np.float32)
        flat = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        owner = np.repeat(np.arange(n), counts)
        words = self.tokens[flat]
        mine = self.content_words(text)
        held = [int(i) for i in np.unique(words) if any(same_word(self.words[int(i)], w) for w in mine)]
        has = np.isin(words, np.asarray(held, dtype=np.int32))
        weight = self.idf[words]
        total = np.bincount(owner, weights=weight, minlength=n)
        got = np.bincount(owner, weights=weight * has, minlength=n)
        return np.where(total > 0, got / np.maximum(total, 1e-9), 0.0).astype(np.float32)


class SkillLinker(Protocol):
    """What the extractor reads of a linker (``matching.linking.Linker`` is one)."""

    space: ConceptSpace
    encoder: Encoder
    indexes: dict[LinkKind, LabelIndex]

    def detect_language(self, text: str) -> str | None:
        """The text's language, or None."""
        ...

    def link_many(
        self, texts: Sequence[str], kind: LinkKind = "skill", lang: str | None = None, k: int = 10
    ) -> list[list[LinkedConcept]]:
        """The concepts each text links to, best first."""
        ...

    def verdicts_for(self, text: str, kind: LinkKind, lang: str | None = None) -> PhraseVerdicts:
        """What consultants confirmed and rejected for a phrase."""
        ...


class SkillExtractor:
    """Finds the skills a text states, with the linker's skill index."""

    def __init__(
        self,
        linker: SkillLinker,
        config: ExtractionConfig | None = None,
        knowledge: frozenset[str] = frozenset(),
        languages: frozenset[str] = frozenset(),
        *,
        lock: AbstractContextManager[Any] | None = None,
    ) -> None:
        """Args:
        linker: the linker (its skill index, encoder and ranking are used).
        config: thresholds.
        knowledge: URIs of ESCO's knowledge concepts (skill type "knowledge"), read only where a unit asks
            for knowledge.
        languages: URIs of ESCO's language skills: never extracted (``language_mentions`` reads languages as
            CEFR levels).
        lock: held while the label words are built on first use (the linker passes the lock of all its
            first-use parts, so that one thread builds them once); default: a lock of the extractor's own.
        """
        self.linker = linker
        self.config = config or ExtractionConfig()
        self.knowledge = knowledge
        self.languages = languages
        self._words: SkillLabelWords | None = None
        self._head_words: tuple[dict[str, int], npt.NDArray[np.float32]] | None = None
        self._building = lock if lock is not None else threading.RLock()

    @property
    def index(self) -> LabelIndex:
        """The skill label index."""
        return self.linker.indexes["skill"]

    @property
    def words(self) -> SkillLabelWords:
        """Content words of the skill labels (built on first use)."""
        if self._words is None:
            with self._building:  # one build, however many requests ask at once
                if self._words is None:
                    self._words = SkillLabelWords(self.index.texts)
        return self._words

    def adopt_words(self, words: SkillLabelWords) -> None:
        """Take the content words of the skill labels built earlier (stored beside the linker indexes)."""
        if words.indptr.size != len(self.index.texts) + 1:
            raise ValueError("these label words are of another skill index")
        self._words = words

    def head_word_list(self) -> list[str]:
        """The words of every skill label as head agreement compares them (``agreement.words_of``), once each,
        in the order of the label rows: what ``adopt_head_words`` takes vectors of."""
        words: dict[str, None] = {}
        for text in self.index.texts:
            words.update(dict.fromkeys(w.raw for w in words_of(text)))
        return list(words)

    def adopt_head_words(self, words: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        """Take the vectors of the skill labels' words (``head_word_list``), computed once per concept space and
        mapped read-only from a file (``matching.resources``): head agreement then encodes only the words of a
        phrase that no skill label has, instead of every word new to the process.

        Args:
            words: the words, in the order of the vectors' rows.
            vectors: one unit vector per word, from this linker's encoder.
        """
        if vectors.ndim != 2 or vectors.shape[0] != len(words) or vectors.dtype != np.float32:
            raise ValueError("these are not the vectors of these words")
        self._head_words = ({w: i for i, w in enumerate(words)}, vectors)

    @property
    def head_words_adopted(self) -> bool:
        """Whether the vectors of the skill labels' words are held (``adopt_head_words``)."""
        return self._head_words is not None

    def extract_many(self, texts: Sequence[str], lang: str | None = None) -> list[list[ExtractedSkill]]:
        """The skills each text states, one entry per skill (its best clause), most confident first.

        Args:
            texts: the texts.
            lang: their language, or None to detect it per text.

        Returns:
            One list per text.
        """
        cfg = self.config
        per_text: list[list[Clause]] = []
        langs: list[str | None] = []
        for text in texts:
            text_lang = lang or (self.linker.detect_language(text) if text.strip() else None)
            langs.append(text_lang)
            # A name (an organisation, a ministry, a place) is no skill: "SPF Santé publique".
            per_text.append(
                [
                    c
                    for c in clauses(text, text_lang, max_words=cfg.max_clause_words)
                    if not is_name(c.text, self._known)
                ]
            )
        # A clause is ranked only when ``_accepted`` could keep a skill for it: some label (of the text's
        # language) whose words it holds, or, for a clause of two words or more, some label this close in the
        # dense space. Most clauses of an ad have neither, and are left before the linker ranks them.
        pairs = list(
            dict.fromkeys((c.text, text_lang) for group, text_lang in zip(per_text, langs, strict=True) for c in group)
        )
        covered: dict[str, bool] = {}
        for (text, _), cover in zip(pairs, self._coverable(pairs), strict=True):
            covered[text] = covered.get(text, False) or cover
        asked = [text for text, cover in covered.items() if cover or len(self.words.content_words(text)) >= 2]
        gated = [text for text, passes in zip(asked, self._pass_gate(asked), strict=True) if passes]
        dense_only = [text for text in gated if not covered[text]]
        close: set[str] = set()
        if dense_only:
            nearest = self.index.dense_best(self.linker.encoder.encode(dense_only))
            close = {
                text for text, best in zip(dense_only, nearest.tolist(), strict=True) if best >= cfg.dense_alone - 1e-3
            }
        phrases = [text for text in gated if covered[text] or text in close]
        # A clause a consultant taught a skill for is ranked whatever the gates say.
        taught = [text for text in covered if text not in phrases and self.linker.verdicts_for(text, "skill").confirmed]
        phrases += taught
        linked = dict(zip(phrases, self.linker.link_many(phrases, "skill", lang, k=cfg.candidates), strict=True))
        results: list[list[ExtractedSkill]] = []
        for group, text_lang in zip(per_text, langs, strict=True):
            best: dict[str, ExtractedSkill] = {}
            for clause in group:
                for hit in self._accepted(clause, linked.get(clause.text, []), text_lang):
                    old = best.get(hit.uri)
                    if old is None or hit.score > old.score:
                        best[hit.uri] = hit
            results.append(self._without_near_duplicates(sorted(best.values(), key=lambda h: -h.score)))
        return results

    def _without_near_duplicates(self, hits: list[ExtractedSkill]) -> list[ExtractedSkill]:
        """Drop a skill found in the same words as a more confident one that means nearly the same."""
        space = self.linker.space
        kept: list[ExtractedSkill] = []
        for hit in hits:
            vector = space.vector(hit.uri) if hit.uri in space else None
            duplicate = vector is not None and any(
                other.start < hit.end
                and hit.start < other.end
                and other.uri in space
                and float(space.vector(other.uri) @ vector) >= self.config.duplicate_cosine
                for other in kept
            )
            if not duplicate:
                kept.append(hit)
        return kept

    def _coverable(self, pairs: Sequence[tuple[str, str | None]]) -> list[bool]:
        """For each (text, language), whether the text holds enough of some informative skill label's words
        (of its language, if known) for ``_accepted`` to keep that skill on its words."""
        cfg = self.config
        codes = [LANG_CODES.get(lang) if lang is not None else None for _, lang in pairs]
        best = self.words.best_coverage_many([t for t, _ in pairs], self.index.label_langs, codes, cfg.min_information)
        return [bool(b >= cfg.min_coverage - 1e-4) for b in best.tolist()]

    def _pass_gate(self, texts: Sequence[str]) -> list[bool]:
        """For each text, whether one of the 5 labels its selective n-grams find reaches the lexical gate."""
        lexical = self.index.lexical
        queries = [lexical.query(text) for text in texts]
        rows = lexical.candidates_many(queries, 5)
        scores = lexical.scores_for_many(queries, rows)
        return [bool(s.size) and float(s.max()) >= self.config.lexical_gate for s in scores]

    def _accepted(self, clause: Clause, found: Sequence[LinkedConcept], lang: str | None) -> list[ExtractedSkill]:
        cfg = self.config
        index = self.index
        out: list[ExtractedSkill] = []
        for hit in found:
            if hit.learned_link is not None:
                # A consultant confirmed this skill for this phrase: kept as taught, with its provenance.
                out.append(
                    ExtractedSkill(
                        hit.uri, ConceptKind.skill, 1.0, hit.label, clause.start, clause.end, clause.text,
                        clause.section, hit.learned_link, hit.confirmed_on,
                    )
                )  # fmt: skip
                continue
            score = hit.score
            if score < cfg.min_score:
                break
            uri = hit.uri
            if uri in self.languages or (uri in self.knowledge and not clause.knowing):
                continue
            rows = self._rows(uri)
            # Words are compared with the labels of the text's language only: "accompagnement" is no
            # "accompany", "espace" no "space".
            own = self._in_lang(rows, lang)
            if lang == "fr" and cfg.head_agreement and not own.size:
                continue  # every French skill has a French label: an English one reached from French is a false friend
            coverage = 0.0
            if own.size:
                per_label = self.words.coverage(own, clause.text)
                informative = self.words.information(own) >= cfg.min_information
                per_label = np.where(informative, per_label, 0.0)
                coverage = float(per_label.max())
            if coverage < cfg.min_coverage:
                # One word alone is never enough for the dense path ("empathique" is no "empathise").
                if len(self.words.content_words(clause.text)) < 2:
                    continue
                dense = float(index.dense_scores(self._vector(clause.text)[None, :], rows).max()) if rows.size else 0.0
                if dense < cfg.dense_alone:
                    continue
                coverage = max(coverage, dense)
            if cfg.head_agreement and lang in _HEADED and own.size and not self._agrees(clause.text, own):
                continue  # "prévention d'escarres" is no "gérer la prévention des vols"
            if len(out) >= cfg.per_clause:
                break
            out.append(
                ExtractedSkill(
                    uri=uri,
                    kind=ConceptKind.skill,
                    score=round(min(1.0, score) * math.sqrt(min(1.0, coverage)), 4),
                    label=hit.label,
                    start=clause.start,
                    end=clause.end,
                    source=clause.text,
                    section=clause.section,
                )
            )
        return out

    def _known(self, word: str) -> bool:
        """Whether a normalised word is a word of some skill label."""
        return singular(word) in self.words.ids

    def link_phrases(self, texts: Sequence[str], lang: str | None = None) -> list[LinkedConcept | None]:
        """The skill each short phrase (a skill a person typed: "pétrir la pâte") names: the best of its
        ``PHRASE_CANDIDATES`` linked skills that agrees with it in head and complement (``agrees``), or one a
        consultant confirmed for the phrase; None when none does.

        Args:
            texts: the phrases.
            lang: their language, or None.

        Returns:
            One concept (or None) per phrase, in order.
        """
        linked = self.linker.link_many(texts, "skill", lang, k=PHRASE_CANDIDATES)
        self._prime_heads(
            (phrase, self._label_rows(c.uri, lang))
            for phrase, found in zip(map(strip_framing, texts), linked, strict=True)
            for c in found
            if c.learned_link is None
        )
        out: list[LinkedConcept | None] = []
        for text, found in zip(texts, linked, strict=True):
            agreeing = (c for c in found if c.learned_link is not None or self.agrees(text, c.uri, lang))
            out.append(next(agreeing, None))
        return out

    def agrees(self, text: str, uri: str, lang: str | None) -> bool:
        """Whether a skill phrase agrees in head and complement with one of a skill's labels (in the phrase's
        language when it is known; ``agreement``).

        Args:
            text: the phrase (its frame is removed here).
            uri: an ESCO skill of the index.
            lang: the phrase's language, or None (then any label may agree).
        """
        return self._agrees(strip_framing(text), self._label_rows(uri, lang))

    def _label_rows(self, uri: str, lang: str | None) -> npt.NDArray[np.int64]:
        """The rows of a skill's labels in a language (all of them when it has none in that language)."""
        rows = self._rows(uri)
        own = self._in_lang(rows, lang)
        return own if own.size else rows

    def _rows(self, uri: str) -> npt.NDArray[np.int64]:
        """The rows of all of a skill's labels in the index."""
        index = self.index
        local = index.local_of(self.linker.space.index_of(uri))
        return np.arange(index.offsets[local], index.offsets[local + 1], dtype=np.int64)

    def _in_lang(self, rows: npt.NDArray[np.int64], lang: str | None) -> npt.NDArray[np.int64]:
        """Those of some label rows in a language (possibly none), or all of them when the language is unknown."""
        return rows[self.index.label_langs[rows] == LANG_CODES[lang]] if lang in LANG_CODES else rows

    def _agrees(self, text: str, rows: npt.NDArray[np.int64]) -> bool:
        """Whether a phrase agrees in head and complement with one of some labels (``agreement``)."""
        index = self.index
        labels = ((words_of(index.texts[r]), index.lang_of(r)) for r in rows.tolist())
        return any_agrees_words(words_of(text), labels, self._similar_heads)

    def _similar_heads(self, a: str, b: str) -> bool:
        """Whether two words are one head in other forms: their vectors are close ("gestion" / "gérer")."""
        va, vb = self._head_vector(a), self._head_vector(b)
        if va is None or vb is None:
            self._encode_words([w for w, v in ((a, va), (b, vb)) if v is None])
            cache = self._word_vectors()
            va = cache[a] if va is None else va
            vb = cache[b] if vb is None else vb
        return float(va @ vb) >= self.config.head_cosine

    def _head_vector(self, word: str) -> npt.NDArray[np.float32] | None:
        """A word's vector: a skill label's word from the mapped table, else one encoded by this process."""
        held = self._head_words
        if held is not None and (row := held[0].get(word)) is not None:
            vector: npt.NDArray[np.float32] = held[1][row]
            return vector
        return self._word_vectors().get(word)

    def _word_vectors(self) -> dict[str, npt.NDArray[np.float32]]:
        """The vectors of the words ``_similar_heads`` compared, by word (at most ``_MAX_WORD_VECTORS``)."""
        cache: dict[str, npt.NDArray[np.float32]] = self.__dict__.setdefault("_head_word_vectors", {})
        return cache

    def _encode_words(self, words: Sequence[str]) -> None:
        cache = self._word_vectors()
        if len(cache) + len(words) > _MAX_WORD_VECTORS:
            cache.clear()
        cache.update(zip(words, self.linker.encoder.encode(words), strict=True))

    def _prime_heads(self, pairs: Iterable[tuple[str, npt.NDArray[np.int64]]]) -> None:
        """Encode in one call every word ``_similar_heads`` may compare for these (phrase, label rows) pairs.

        Agreement compares a phrase's words with its candidate labels' words a pair at a time, and a word new to
        the process cost a model call of its own there (most of a cold jobseeker ingestion's time, where each
        stated skill has ``PHRASE_CANDIDATES`` candidates). Words held already are not encoded again; a word
        primed but never compared costs a row of one batched call. Measured on matching-dev, cold: 600 jobseekers
        in 18 s instead of 26 s, profiles identical. For an ad's clauses (``extract_many``) priming every
        candidate's labels encoded as much as it saved (real-offers-dev: 19.2 s against 19.6 s), so it is not
        done there.
        """
        cache = self._word_vectors()
        held = self._head_words[0] if self._head_words is not None else {}
        words: dict[str, None] = {}
        for text, rows in pairs:
            words.update(dict.fromkeys(w.raw for w in words_of(text)))
            if not held:  # (with the mapped table, every label's word is in it: only the phrases' are looked up)
                for row in rows.tolist():
                    words.update(dict.fromkeys(self._label_words(row)))
        wanted = [w for w in words if w not in held]
        missing = [w for w in wanted if w not in cache]
        if len(cache) + len(missing) > _MAX_WORD_VECTORS:
            cache.clear()  # full: emptied first, so every word of this batch is encoded
            missing = wanted
        if missing:
            self._encode_words(missing)

    def _label_words(self, row: int) -> tuple[str, ...]:
        """The words of a skill label as agreement compares them (``words_of``), kept per label row."""
        held: dict[int, tuple[str, ...]] = self.__dict__.setdefault("_label_word_rows", {})
        found = held.get(row)
        if found is None:
            found = held[row] = tuple(w.raw for w in words_of(self.index.texts[row]))
        return found

    def _vector(self, text: str) -> npt.NDArray[np.float32]:
        vector: npt.NDArray[np.float32] = self.linker.encoder.encode([text])[0]
        return vector


__all__ = [
    "PHRASE_CANDIDATES",
    "Clause",
    "ExtractedSkill",
    "ExtractionConfig",
    "SkillExtractor",
    "SkillLabelWords",
    "clauses",
    "same_word",
]
