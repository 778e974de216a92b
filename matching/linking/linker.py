"""Linking French, Dutch or English text to ESCO concepts.

Hybrid, at concept level: a dense search over every label's vector (HNSW) and a lexical search over
character n-grams of normalised labels each propose candidate labels; every label of every candidate concept
is then scored exactly by both, aggregated per concept with a soft maximum that favours preferred labels,
and the two scores are fused. Gendered titles ("boulanger/boulangère", "(h/f/x)", "medewerker/-ster") are
expanded into their forms first. Long text is split into candidate phrases, each linked on its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.engine import Connection

from esco_data import DEFAULT_LANGUAGE, ConceptKind, normalize_label
from matching.linking.gender_forms import GenderForms
from matching.linking.label_index import LabelIndex
from matching.linking.langdetect import WARM_TEXT, detect_language
from matching.linking.learned import NO_VERDICTS, InvalidLearnedLink, LearnedLink, LearnedLinks, PhraseVerdicts, Verdict
from matching.linking.linked import LinkedConcept, LinkKind
from matching.linking.occupation_docs import OccupationDocs
from matching.linking.skill_extraction import ExtractionConfig, SkillExtractor, SkillLabelWords
from matching.linking.text import split_phrases, strip_framing
from matching.linking.titles import LabelWords, TitleNormaliser, TitleQuery
from matching.space import KIND_CODES, LANG_CODES, ConceptSpace, Encoder
from matching.threads import single_thread


@dataclass(frozen=True)
class LinkerConfig:
    """Weights of the hybrid linker (tuned on the MELO dev sets; see benchmarks/README.md)."""

    occupation_dense_weight: float = 0.4
    """Share of the dense score for titles (the lexical score has the rest; tuned on MELO)."""
    skill_dense_weight: float = 0.5
    """Share of the dense score for skills: a Dutch phrase must still find a skill labelled only in French."""
    temperature: float = 0.05
    """Soft maximum over a concept's labels (log-sum-exp temperature)."""
    type_weights: tuple[float, float, float] = (1.0, 0.98, 0.95)
    """Multiplier of a label's score by type: preferred, alternative, hidden."""
    variant_weight: float = 0.5
    """Share of the best gender variant in a title's score (the whole title has the rest)."""
    candidates: int = 50
    """Labels each search proposes before exact re-scoring."""
    rescore_all_labels: bool = False
    """Re-score every label of every candidate concept (else only the labels the searches proposed)."""
    min_phrase_score: float = 0.55
    """Extraction keeps a phrase's concept only at or above this fused score."""
    other_language_lexical: float = 0.85
    """Multiplier of the lexical score of a label in another language than the text's (false friends)."""
    extra_form_weight: float = 0.9
    """A title's weaker forms (another segment, abbreviations spelled out) count at this share."""
    context_weight: float = 1.5
    """Weight of a title's text (its TF-IDF cosine to each occupation's ESCO document) in choosing among the
    occupations the title proposes (chosen 2-fold on real-offers-dev; see benchmarks/README.md)."""
    context_candidates: int = 20
    """Occupations a title proposes for its text to choose among."""
    confidence_temperature: float = 0.05
    """Softmax temperature that turns the scores of a title's occupations into confidences."""
    head_penalty: float = 0.1
    """Taken off an occupation none of whose labels has the title's head word (times the head's specificity:
    "Zorgkundige woonzorgcentrum" is a care assistant, not a care-home director)."""
    remembered_links: int = 4_096
    """Texts whose links are kept (least recently used out first): a dossier submitted again with one skill
    more links only that one; 0: none kept."""
    group_penalty: float = 1.0
    """Taken off an ISCO-08 group's score for a title: the occupations a title proposes come first (a record states
    an occupation, never a group; measured on MELO and real-offers-dev, see benchmarks/README.md)."""
    learned_margin: float = 0.1
    """How far above the best proposal a concept confirmed for the same phrase is placed (so that a profile
    keeps it alone: ``BuilderConfig.occupation_margin`` is smaller)."""

    default_language: str = DEFAULT_LANGUAGE
    """The language of a text whose language is neither given nor detected (the wiring passes the setting)."""


@dataclass(frozen=True, slots=True)
class ExtractedConcept:
    """A concept found in a longer text, with the span it came from."""

    uri: str
    kind: ConceptKind
    score: float
    label: str
    start: int
    end: int
    source: str
    """The phrase of the text (framing words removed) that gave the concept."""
    section: str | None = None
    """The part of the text it comes from (``sections.Section``: tasks, profile, ...), when known."""
    learned_link: int | None = None
    """The learned link that gave it (a consultant confirmed this skill for the same phrase), if any."""
    confirmed_on: str | None = None


@dataclass(frozen=True, slots=True)
class _Query:
    """The forms searched for one text: the main one, its variants up to ``variants_end``, then weaker ones."""

    forms: list[str]
    variants_end: int
    title: TitleQuery | None
    lang: str | None


def _lse(scores: npt.NDArray[np.float32], groups: npt.NDArray[np.int64], n: int, t: float) -> npt.NDArray[np.float32]:
    """Per-group log-sum-exp soft maximum (groups are 0..n-1)."""
    top = np.full(n, -np.inf, dtype=np.float32)
    np.maximum.at(top, groups, scores)
    acc = np.zeros(n, dtype=np.float32)
    np.add.at(acc, groups, np.exp((scores - top[groups]) / t))
    return (top + t * np.log(acc)).astype(np.float32)


class Linker:
    """Links text to ESCO skills or occupations (occupations include ISCO-08 groups)."""

    def __init__(
        self,
        space: ConceptSpace,
        encoder: Encoder,
        indexes: dict[LinkKind, LabelIndex],
        config: LinkerConfig | None = None,
        *,
        knowledge: frozenset[str] = frozenset(),
        language_skills: frozenset[str] = frozenset(),
        occupation_docs: OccupationDocs | None = None,
    ) -> None:
        """Args:
        space: the concept space.
        encoder: the sentence encoder.
        indexes: the label index of each kind.
        config: weights of the hybrid linker.
        knowledge: URIs of ESCO's knowledge concepts (skill extraction reads them only where a text asks
            for knowledge).
        language_skills: URIs of ESCO's language skills (a language is read as a CEFR level, never a skill:
            ``language_mentions``).
        occupation_docs: ESCO's document of each occupation, to read a title with its text.
        """
        self.space = space
        self.encoder = encoder
        self.indexes = indexes
        self.config = config or LinkerConfig()
        self.knowledge = knowledge
        self.language_skills = language_skills
        self.occupation_docs = occupation_docs
        self._building = threading.RLock()  # the parts built on first use are built once, by one thread
        self._remembered: OrderedDict[tuple[Any, ...], list[LinkedConcept]] = OrderedDict()
        self._remembering = threading.Lock()
        self.learned: LearnedLinks | None = None
        """What consultants confirmed and rejected (set by the wiring; None: nothing is learned)."""
        self.first_use_adopted = False
        """Whether the first-use parts were read from storage (``adopt_first_use_parts``) rather than built."""

    @classmethod
    def build(cls, space: ConceptSpace, encoder: Encoder, config: LinkerConfig | None = None) -> Linker:
        """Build the label indexes of both kinds from a concept space (no I/O)."""
        occupation_kinds = (KIND_CODES[ConceptKind.occupation], KIND_CODES[ConceptKind.isco_group])
        indexes: dict[LinkKind, LabelIndex] = {
            "skill": LabelIndex.build(space, (KIND_CODES[ConceptKind.skill],)),
            "occupation": LabelIndex.build(space, occupation_kinds),
        }
        return cls(space, encoder, indexes, config)

    # -- short text -------------------------------------------------------------------------------------

    def link(self, text: str, kind: LinkKind = "skill", lang: str | None = None, k: int = 10) -> list[LinkedConcept]:
        """Rank the concepts a short text (a title, a skill phrase) stands for.

        Args:
            text: the text.
            kind: ``"skill"`` or ``"occupation"`` (occupations and ISCO-08 groups).
            lang: the text's language (fr, nl, en), or None to detect it.
            k: how many concepts.

        Returns:
            Up to k concepts, best first, scores never increasing.
        """
        return self.link_many([text], kind, lang, k)[0]

    def link_many(
        self, texts: Sequence[str], kind: LinkKind = "skill", lang: str | None = None, k: int = 10
    ) -> list[list[LinkedConcept]]:
        """``link`` for several texts at once (one encoder call for all).

        With ``k=1`` a text that is exactly one concept's label (ignoring case, accents, punctuation and
        framing words) links to it at once, with score 1, and is neither encoded nor ranked. The links of the
        last ``remembered_links`` texts are kept (they depend on nothing else), so a text seen again is
        neither encoded nor ranked either. What consultants confirmed or rejected for a text's phrase
        (``learned``) is laid over the ranking last (``with_learned``).
        """
        return self.with_learned(texts, self._proposed_many(texts, kind, lang, k), kind, lang, k)

    def _proposed_many(
        self, texts: Sequence[str], kind: LinkKind, lang: str | None, k: int
    ) -> list[list[LinkedConcept]]:
        """The linker's own ranking of each text, before learned links (remembered for the last texts)."""
        keys = [(kind, lang, k, self.config, text) for text in texts]
        with self._remembering:
            known = [self._remembered.get(key) for key in keys]
            for key, found in zip(keys, known, strict=True):
                if found is not None:
                    self._remembered.move_to_end(key)
        todo = [i for i, found in enumerate(known) if found is None]
        if todo:
            linked = self._link_many([texts[i] for i in todo], kind, lang, k)
            keep = self.config.remembered_links
            with self._remembering:
                for i, found in zip(todo, linked, strict=True):
                    known[i] = found
                    if keep > 0:
                        self._remembered[keys[i]] = found
                while len(self._remembered) > keep:
                    self._remembered.popitem(last=False)
        return [list(found or []) for found in known]

    def _link_many(self, texts: Sequence[str], kind: LinkKind, lang: str | None, k: int) -> list[list[LinkedConcept]]:
        index = self.indexes[kind]
        if kind == "occupation":
            texts = [self.one_gender(t, lang) for t in texts]
        queries = [self._query(t, kind, lang) for t in texts]
        results: list[list[LinkedConcept] | None] = [None] * len(texts)
        if k == 1:
            for i, query in enumerate(queries):
                exact = self._exact(index, query.forms[0]) if query.forms else None
                if exact is not None:
                    results[i] = [exact]
        todo = [i for i, r in enumerate(results) if r is None and queries[i].forms]
        flat = list(dict.fromkeys(f for i in todo for f in queries[i].forms))
        if flat:
            position = {f: i for i, f in enumerate(flat)}
            vectors = self.encoder.encode(flat)
            # One batched graph search for every form (OpenMP over queries), then the texts on one thread.
            hits = index.dense_hits(vectors, self.config.candidates)
            with single_thread():
                ranked = self._rank_many(index, [queries[i] for i in todo], vectors, hits, position, k)
            for i, found in zip(todo, ranked, strict=True):
                results[i] = found
        return [r or [] for r in results]

    @cached_property
    def gender_forms(self) -> GenderForms:
        """The gendered forms of title words, learned from the occupation labels (on first use).

        The labels are read from the occupation index (its texts are held beside the lexical index), not from
        the concept space, whose label texts serving never reads.
        """
        index = self.indexes["occupation"]
        return GenderForms.learn_labels(index.texts, index.label_concepts, index.label_langs, index.concept_kinds)

    def one_gender(self, title: str, lang: str | None = None) -> str:
        """A title written in one form for both genders, so that both link alike.

        "Opératrice du son" becomes "Opérateur du son", "Verkoopster" "Verkoper"; "Opérateur / Opératrice"
        becomes "Opérateur / Opérateur" whichever side comes first. With the title's language, an ending
        that two languages change differently is changed as that language does.
        """
        return self.gender_forms.canonical(title, lang)

    def link_titles(
        self,
        titles: Sequence[str],
        texts: Sequence[str | None],
        lang: str | None = None,
        k: int = 10,
    ) -> list[list[LinkedConcept]]:
        """The occupations of job titles, each read with its text (a vacancy's description, an experience's).

        The title proposes occupations (``link``); the text's likeness to each one's ESCO document
        (``occupation_docs``) chooses among them. Each result carries a confidence: the softmax of the
        scores over the title's candidates.

        Args:
            titles: the titles.
            texts: for each title, its text, or None.
            lang: the texts' language, or None to detect it per text.
            k: occupations per title.

        Returns:
            Up to k occupations per title, best first.
        """
        cfg = self.config
        proposed = self._proposed_many(titles, "occupation", lang, k=max(k, cfg.context_candidates))
        out: list[list[LinkedConcept]] = []
        for title, text, found in zip(titles, texts, proposed, strict=True):
            if not found:
                out.append([])
                continue
            scores = np.asarray([c.score for c in found], dtype=np.float32)
            if text and text.strip() and self.occupation_docs is not None:
                text_lang = lang or self.detect_language(text) or self.config.default_language
                # The title in one gender's form, as ``link`` read it: its words weigh alike whichever form.
                canonical = self.one_gender(title, lang)
                likeness = self.occupation_docs.similarity(f"{canonical}\n{text}", text_lang, [c.uri for c in found])
                scores = scores + cfg.context_weight * likeness
                exact = self.exact_title(title, lang)
                if exact is not None and exact.uri == found[0].uri:
                    # The title is one occupation's own label: the text orders the others, never that one.
                    scores[0] = scores.max() + cfg.confidence_temperature
            order = np.argsort(-scores, kind="stable")[:k]
            shifted = np.exp((scores - scores.max()) / cfg.confidence_temperature)
            confidence = shifted / shifted.sum()
            out.append(
                [
                    LinkedConcept(
                        found[i].uri,
                        found[i].kind,
                        float(scores[i]),
                        found[i].label,
                        found[i].label_lang,
                        round(float(confidence[i]), 4),
                    )
                    for i in order.tolist()
                ]
            )
        return self.with_learned(titles, out, "occupation", lang, k)

    # -- learned links ----------------------------------------------------------------------------------

    def phrase_key(self, text: str, kind: LinkKind, lang: str | None = None) -> str:
        """A phrase as the linker reads it: what learned links are remembered by, and what makes two phrases
        "the same" for them.

        A title: in one gender's form, without markers, codes, contract words or a place segment, words in
        the singular and repaired against the occupation labels (its main searched form), so that
        "Magazijnier (m/v/x) - Brussel", "MAGAZIJNIERS" and "magazijnier" are one phrase, and "infirmier de
        bloc" and "infirmier" two. A skill phrase: without its frame ("bonne connaissance de"), lower case,
        without accents or punctuation.

        Args:
            text: the phrase (for a title with its text, the title alone).
            kind: ``occupation`` or ``skill``.
            lang: its language, when known.

        Returns:
            The key ("" when nothing of the phrase is left).
        """
        if kind == "occupation":
            query = self._query(self.one_gender(text, lang), "occupation", lang)
            return query.forms[0] if query.forms else ""
        return normalize_label(strip_framing(text))

    def learn(
        self,
        text: str,
        kind: LinkKind,
        uri: str,
        verdict: Verdict,
        *,
        proposed: Sequence[str],
        actor: str,
        role: str,
        lang: str | None = None,
        record: tuple[str, str] | None = None,
        conn: Connection | None = None,
    ) -> LearnedLink:
        """Remember a consultant's verdict on a link from a phrase to a concept: the one way anything is taught
        (a consultant's correction of a record, and the replay benchmark, both come here).

        Args:
            text: the phrase as written (a title, a skill phrase).
            kind: ``occupation`` or ``skill``.
            uri: the concept confirmed or rejected.
            verdict: confirmed or rejected.
            proposed: what the engine proposed for the phrase then, best first.
            actor: who.
            role: their role.
            lang: the phrase's language, when known.
            record: (kind, id) of the record being corrected, if any.
            conn: a connection whose transaction the row joins (then call ``learned.changed()`` once it commits).

        Returns:
            The stored verdict.

        Raises:
            InvalidLearnedLink: no learned links are set, the phrase is empty once normalised, or the concept is
                not one of this kind.
        """
        if self.learned is None:
            raise InvalidLearnedLink("this linker has no store of learned links")
        if self._concept_of(kind, uri, lang) is None:
            raise InvalidLearnedLink(f"{uri} is not an ESCO {kind} of the loaded release")
        return self.learned.learn(
            kind=kind,
            phrase=text,
            phrase_key=self.phrase_key(text, kind, lang),
            uri=uri,
            verdict=verdict,
            proposed=proposed,
            actor=actor,
            role=role,
            lang=lang,
            record_kind=record[0] if record else None,
            record_id=record[1] if record else None,
            conn=conn,
        )

    def verdicts_for(self, text: str, kind: LinkKind, lang: str | None = None) -> PhraseVerdicts:
        """What consultants confirmed and rejected for a phrase (nothing when no learned links are set)."""
        learned = self.learned
        if learned is None or learned.empty():
            return NO_VERDICTS
        key = self.phrase_key(text, kind, lang)
        return learned.verdicts(kind, key) if key else NO_VERDICTS

    def with_learned(
        self,
        texts: Sequence[str],
        ranked: Sequence[list[LinkedConcept]],
        kind: LinkKind,
        lang: str | None = None,
        k: int = 10,
    ) -> list[list[LinkedConcept]]:
        """Rankings with what consultants taught laid over them: for each text, the concepts confirmed for its
        phrase first (with the learned link and its date), the ones rejected for it taken out.

        Args:
            texts: the phrases that were ranked.
            ranked: their rankings, in order.
            kind: ``occupation`` or ``skill``.
            lang: their language, when known.
            k: the length of each ranking.

        Returns:
            New rankings (the same lists when nothing was learned for a phrase), scores never increasing.
        """
        learned = self.learned
        if learned is None or learned.empty():
            return [list(r) for r in ranked]
        out: list[list[LinkedConcept]] = []
        for text, found in zip(texts, ranked, strict=True):
            verdicts = self.verdicts_for(text, kind, lang)
            if verdicts is NO_VERDICTS:
                out.append(list(found))
                continue
            confirmed = [c for c in verdicts.confirmed if c.uri in self.space]
            taken = {c.uri for c in confirmed} | verdicts.rejected
            rest = [c for c in found if c.uri not in taken]
            top = max([1.0, *(c.score for c in found)])
            first = []
            for place, confirmation in enumerate(confirmed):
                concept = self._concept_of(kind, confirmation.uri, lang)
                if concept is None:
                    continue
                score = top + self.config.learned_margin * (len(confirmed) - place)
                first.append(
                    LinkedConcept(
                        confirmation.uri,
                        concept[0],
                        score,
                        concept[1],
                        concept[2],
                        1.0 if kind == "occupation" else None,
                        confirmation.link_id,
                        confirmation.at.date().isoformat(),
                    )
                )
            out.append((first + rest)[:k])
        return out

    def _concept_of(self, kind: LinkKind, uri: str, lang: str | None) -> tuple[ConceptKind, str, str] | None:
        """A concept's kind and its label to show (preferred in the language, else any preferred, else any)."""
        index = self.indexes[kind]
        try:
            local = index.local_of(self.space.index_of(uri))
        except KeyError:
            return None  # not a concept of this kind (or not in this release)
        rows = range(int(index.offsets[local]), int(index.offsets[local + 1]))
        if not rows:
            return None
        code = LANG_CODES.get(lang or "", -1)
        hidden = len(self.config.type_weights) - 1
        best = min(
            rows,
            key=lambda r: (
                int(index.label_types[r]) == hidden,
                int(index.label_langs[r]) != code,
                int(index.label_types[r]),
            ),
        )
        return index.kind_of(local), index.texts[best], index.lang_of(best)

    def exact_title(self, title: str, lang: str | None = None) -> LinkedConcept | None:
        """The occupation whose label a title is (ignoring gender, case, accents and framing), if exactly one."""
        query = self._query(self.one_gender(title, lang), "occupation", lang)
        return self._exact(self.indexes["occupation"], query.forms[0]) if query.forms else None

    def _exact(self, index: LabelIndex, form: str) -> LinkedConcept | None:
        """The concept whose label a form is, when exactly one concept has that label."""
        rows = index.lexical.rows_of_form(form)
        if not rows:
            return None
        concepts = {int(index.label_concepts[r]) for r in rows}
        if len(concepts) != 1:
            return None
        row = rows[0]
        concept = concepts.pop()
        return LinkedConcept(
            uri=self.space.concept_uris[index.concepts[concept]],
            kind=index.kind_of(concept),
            score=1.0,
            label=index.texts[row],
            label_lang=index.lang_of(row),
        )

    def _title_tools(self) -> tuple[TitleNormaliser, LabelWords]:
        """The title normaliser and the occupation labels' words (built on first use, in about a second)."""
        tools: tuple[TitleNormaliser, LabelWords] | None = self.__dict__.get("_titles")
        if tools is not None:
            return tools
        with self._building:
            built: tuple[TitleNormaliser, LabelWords] | None = self.__dict__.get("_titles")
            if built is not None:
                return built
            index = self.indexes["occupation"]
            skills = self.indexes.get("skill")
            normaliser = TitleNormaliser(
                [(text, index.lang_of(row)) for row, text in enumerate(index.texts)],
                skills.lexical.token_frequency if skills is not None else None,
            )
            tools = (normaliser, LabelWords(index.texts, normaliser))
            self.__dict__["_titles"] = tools
        return tools

    @property
    def titles(self) -> TitleNormaliser:
        """The normaliser of job titles over the occupation labels."""
        return self._title_tools()[0]

    def _query(self, text: str, kind: LinkKind, lang: str | None) -> _Query:
        """What is searched for a text: a skill without framing words; a title's forms (see ``titles``)."""
        if not text.strip():
            return _Query([], 0, None, lang)
        if kind == "skill":
            # Framing words ("goede kennis van", "expérience en") only add noise to a skill phrase.
            return _Query([strip_framing(text)], 1, None, lang)
        title = self._title_tools()[0].normalise(text)
        if not title.forms:
            return _Query([], 0, None, lang)
        forms = list(title.forms)
        decompounder = self.indexes[kind].decompounder
        split = decompounder(forms[0]) if decompounder is not None else None
        if split and split not in forms:
            forms.append(split)
        variants_end = len(forms)
        forms += [f for f in title.extra_forms if f not in forms]
        return _Query(forms, variants_end, title, lang or detect_language(text))

    def _rank_many(
        self,
        index: LabelIndex,
        queries: Sequence[_Query],
        vectors: npt.NDArray[np.float32],
        hits: npt.NDArray[np.int64],
        position: dict[str, int],
        k: int,
    ) -> list[list[LinkedConcept]]:
        """Rank the concepts of each query (``_rank``), the lexical part of all queries in batches.

        Args:
            index: the label index of the kind linked.
            queries: the queries (each with forms).
            vectors: the encoded forms, one row per distinct form.
            hits: the dense search's label rows for each form (-1 past the last).
            position: each form's row in ``vectors`` and ``hits``.
            k: concepts per query.

        Returns:
            Up to k concepts per query, best first: the same as ranking one query at a time, as the batched
            lexical search and exact scores sum the same postings in the same order.
        """
        cfg = self.config
        lexical = index.lexical
        forms = list(dict.fromkeys(f for query in queries for f in query.forms))
        weighted = {f: lexical.query(f) for f in forms}
        proposed = dict(zip(forms, lexical.candidates_many([weighted[f] for f in forms], cfg.candidates), strict=True))
        scored = []
        for query in queries:
            at = [position[f] for f in query.forms]
            dense_hits = hits[at]
            label_hits = [dense_hits[dense_hits >= 0]] + [proposed[f] for f in query.forms]
            scored.append((query, at, *self._candidate_rows(index, np.concatenate(label_hits))))
        pairs = [(weighted[f], rows) for query, _, rows, _, _ in scored if rows.size for f in query.forms]
        exact = iter(lexical.scores_for_many([q for q, _ in pairs], [rows for _, rows in pairs]))
        out: list[list[LinkedConcept]] = []
        for query, at, rows, concepts, groups in scored:
            if rows.size == 0:
                out.append([])
                continue
            lex = np.stack([next(exact) for _ in query.forms], axis=1)
            out.append(self._rank(index, query, vectors[at], rows, concepts, groups, lex, k))
        return out

    def _candidate_rows(
        self, index: LabelIndex, label_hits: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The labels a query scores exactly, given the label rows either search proposed: the rows, their
        concepts, and each row's concept as an index into them (all empty when nothing was proposed)."""
        if self.config.rescore_all_labels:
            concepts = np.unique(index.label_concepts[label_hits])
            if concepts.size == 0:
                return concepts, concepts, concepts
            rows, groups = index.labels_of(concepts)
            return rows, concepts, groups
        # Only the labels that either search proposed are scored exactly (a hub concept with hundreds of labels
        # costs no more than any other).
        rows = np.unique(label_hits)
        concepts, groups = np.unique(index.label_concepts[rows], return_inverse=True)
        return rows, concepts, groups

    def _rank(
        self,
        index: LabelIndex,
        query: _Query,
        vectors: npt.NDArray[np.float32],
        rows: npt.NDArray[np.int64],
        concepts: npt.NDArray[np.int64],
        groups: npt.NDArray[np.int64],
        lex: npt.NDArray[np.float32],
        k: int,
    ) -> list[LinkedConcept]:
        """Fuse the dense and lexical scores of a query's candidate labels (``rows``, of ``concepts``; ``groups``
        gives each row's concept) into a score per concept; ``lex`` holds the exact lexical score of each row
        (rows) for each form (columns)."""
        cfg = self.config
        forms = query.forms
        dense_weight = cfg.skill_dense_weight if index is self.indexes.get("skill") else cfg.occupation_dense_weight
        type_weight = np.asarray(cfg.type_weights, dtype=np.float32)[index.label_types[rows]][:, None]
        dense = index.dense_scores(vectors, rows) * type_weight  # (labels, forms)
        lex = lex * type_weight
        if query.lang in LANG_CODES:
            same = index.label_langs[rows] == LANG_CODES[query.lang]
            lex *= np.where(same, 1.0, cfg.other_language_lexical).astype(np.float32)[:, None]
        n = len(concepts)
        fused = np.stack(
            [
                dense_weight * _lse(dense[:, j], groups, n, cfg.temperature)
                + (1 - dense_weight) * _lse(lex[:, j], groups, n, cfg.temperature)
                for j in range(len(forms))
            ]
        )
        score = fused[0]
        if query.variants_end > 1:
            score = (1 - cfg.variant_weight) * score + cfg.variant_weight * fused[: query.variants_end].max(axis=0)
        if len(forms) > query.variants_end:
            score = np.maximum(score, cfg.extra_form_weight * fused[query.variants_end :].max(axis=0))
        if query.title is not None:
            score = score - self._title_penalty(index, concepts, query.title)
            # A title names an occupation: an ISCO-08 group (a category) comes after the occupations it proposes.
            groups_ = index.concept_kinds[concepts] == KIND_CODES[ConceptKind.isco_group]
            score = score - cfg.group_penalty * groups_.astype(np.float32)
        order = np.argsort(-score, kind="stable")[:k]
        # The label shown is the one that fits best under any form.
        fit = (dense + lex).max(axis=1)
        by_group = np.lexsort((-fit, groups))
        first = by_group[np.searchsorted(groups[by_group], np.arange(n))]
        return [
            LinkedConcept(
                uri=self.space.concept_uris[index.concepts[concepts[i]]],
                kind=index.kind_of(int(concepts[i])),
                score=float(score[i]),
                label=index.texts[rows[first[i]]],
                label_lang=index.lang_of(int(rows[first[i]])),
            )
            for i in order
        ]

    def _title_penalty(
        self, index: LabelIndex, concepts: npt.NDArray[np.int64], title: TitleQuery
    ) -> npt.NDArray[np.float32]:
        """What an occupation loses for a title: none of its labels has the title's head word."""
        rows, groups = index.labels_of(concepts)
        agreement = self._title_tools()[1].head_agreement(rows, title)
        best = np.zeros(len(concepts), dtype=np.float32)
        np.maximum.at(best, groups, agreement)
        return (self.config.head_penalty * (1 - best)).astype(np.float32)

    # -- long text --------------------------------------------------------------------------------------

    def extract(self, text: str, kind: LinkKind = "skill", lang: str | None = None) -> list[ExtractedConcept]:
        """Find the skills (or occupations) in a longer text: a summary, a description, a CV section.

        Skills: the text's requirement parts are cut into clauses, each linked and kept only when the clause
        holds its skill's label (see ``skill_extraction``). Occupations: each phrase (lines, bullets,
        sentences, comma lists) is linked and its best concept kept when its score reaches
        ``LinkerConfig.min_phrase_score``.

        Args:
            text: the text.
            kind: what to extract.
            lang: the text's language, or None to detect it.

        Returns:
            One entry per concept (its best phrase), most confident first.
        """
        return self.extract_many([text], kind, lang)[0]

    @property
    def skills(self) -> SkillExtractor:
        """The extractor of the skills a longer text states (``skill_extraction``)."""
        extractor: SkillExtractor | None = self.__dict__.get("_skills")
        if extractor is None:
            with self._building:
                extractor = self.__dict__.get("_skills")
                if extractor is None:
                    extractor = SkillExtractor(
                        self, ExtractionConfig(), self.knowledge, self.language_skills, lock=self._building
                    )
                    self.__dict__["_skills"] = extractor
        return extractor

    def first_use_parts(self) -> dict[str, Any]:
        """What ``warm`` builds from the indexes alone, built if need be: stored beside the indexes, so that a
        later start reads them (``adopt_first_use_parts``) instead of building them again."""
        with self._building:
            return {"titles": self._title_tools(), "skill_words": self.skills.words, "gender_forms": self.gender_forms}

    def adopt_first_use_parts(self, parts: dict[str, Any]) -> None:
        """Take stored first-use parts (as ``first_use_parts`` gave them for the same indexes)."""
        titles, words, forms = parts["titles"], parts["skill_words"], parts["gender_forms"]
        if not (
            isinstance(titles, tuple)
            and isinstance(titles[0], TitleNormaliser)
            and isinstance(titles[1], LabelWords)
            and isinstance(words, SkillLabelWords)
            and isinstance(forms, GenderForms)
        ):
            raise ValueError("not the first-use parts of a linker")
        with self._building:
            self.__dict__["_titles"] = titles
            self.skills.adopt_words(words)
            self.__dict__["gender_forms"] = forms
            self.first_use_adopted = True

    def warm(self) -> None:
        """Build now what is otherwise built on first use (the title normaliser, the skill extractor's label
        words, the gendered title forms, the language detector), so that no request waits for it.

        Start-up calls this in a background thread; a request that needs a part meanwhile waits for it to be
        built once instead of building its own copy.
        """
        with self._building:
            self._title_tools()
            _ = self.skills.words
            _ = self.gender_forms
        self.detect_language(WARM_TEXT)

    def extract_many(
        self, texts: Sequence[str], kind: LinkKind = "skill", lang: str | None = None
    ) -> list[list[ExtractedConcept]]:
        """``extract`` for several texts at once (one encoder call for all phrases)."""
        if kind == "skill":
            return [
                [
                    ExtractedConcept(
                        h.uri,
                        h.kind,
                        h.score,
                        h.label,
                        h.start,
                        h.end,
                        h.source,
                        h.section.value,
                        h.learned_link,
                        h.confirmed_on,
                    )
                    for h in found
                ]
                for found in self.skills.extract_many(texts, lang)
            ]
        phrases = [[(p, strip_framing(p.text)) for p in split_phrases(text)] for text in texts]
        flat = [body for group in phrases for _, body in group]
        linked = iter(self.link_many(flat, kind, lang, k=1))
        results: list[list[ExtractedConcept]] = []
        for group in phrases:
            best: dict[str, ExtractedConcept] = {}
            for phrase, body in group:
                top = next(linked)
                if not top or top[0].score < self.config.min_phrase_score:
                    continue
                hit = top[0]
                if hit.uri not in best or hit.score > best[hit.uri].score:
                    best[hit.uri] = ExtractedConcept(
                        hit.uri, hit.kind, hit.score, hit.label, phrase.start, phrase.end, body
                    )
            results.append(sorted(best.values(), key=lambda c: -c.score))
        return results

    def detect_language(self, text: str) -> str | None:
        """The language of a text among fr, nl, en, or None when unsure."""
        return detect_language(text)


__all__ = ["ExtractedConcept", "LinkKind", "LinkedConcept", "Linker", "LinkerConfig"]
