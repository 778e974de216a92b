"""Linking French, Dutch or English text to ESCO concepts.

Hybrid, at concept level: a dense search over every label's vector (HNSW) and a lexical search over
character n-grams of normalised labels each propose candidate labels; every label of every candidate concept
is then scored exactly by both, aggregated per concept with a soft maximum that favours preferred labels,
and the two scores are fused. Gendered titles ("boulanger/boulangère", "(h/f/x)", "medewerker/-ster") are
expanded into their forms first. Long text is split into candidate phrases, each linked on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from esco_data import ConceptKind
from matching.concept_space import KIND_CODES, ConceptSpace
from matching.encoder import Encoder
from matching.gender_forms import GenderForms
from matching.label_index import LabelIndex
from matching.langdetect import detect_language
from matching.text import Decompounder, gender_variants, split_phrases, strip_framing
from matching.threads import single_thread

LinkKind = Literal["skill", "occupation"]


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


@dataclass(frozen=True, slots=True)
class LinkedConcept:
    """A concept that a text links to."""

    uri: str
    kind: ConceptKind
    score: float
    label: str
    """The concept's label that matched best."""
    label_lang: str


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
    ) -> None:
        self.space = space
        self.encoder = encoder
        self.indexes = indexes
        self.config = config or LinkerConfig()

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
        framing words) links to it at once, with score 1, and is neither encoded nor ranked.
        """
        index = self.indexes[kind]
        if kind == "occupation":
            texts = [self.one_gender(t) for t in texts]
        forms_of = [self._forms(t, kind, index.decompounder) for t in texts]
        results: list[list[LinkedConcept] | None] = [None] * len(texts)
        if k == 1:
            for i, forms in enumerate(forms_of):
                exact = self._exact(index, forms[0]) if forms else None
                if exact is not None:
                    results[i] = [exact]
        todo = [i for i, r in enumerate(results) if r is None and forms_of[i]]
        flat = list(dict.fromkeys(f for i in todo for f in forms_of[i]))
        if flat:
            position = {f: i for i, f in enumerate(flat)}
            vectors = self.encoder.encode(flat)
            # One batched graph search for every form (OpenMP over queries), then each text on one thread.
            hits = index.dense_hits(vectors, self.config.candidates)
            with single_thread():
                for i in todo:
                    rows = [position[f] for f in forms_of[i]]
                    results[i] = self._rank(index, forms_of[i], vectors[rows], hits[rows], k)
        return [r or [] for r in results]

    @cached_property
    def gender_forms(self) -> GenderForms:
        """The gendered forms of title words, learned from the occupation labels (on first use).

        The labels are read from the occupation index (its texts are held beside the lexical index), not from
        the concept space, whose label texts serving never reads.
        """
        index = self.indexes["occupation"]
        return GenderForms.learn_labels(index.texts, index.label_concepts, index.label_langs, index.concept_kinds)

    def one_gender(self, title: str) -> str:
        """A title written in one form for both genders, so that both link alike.

        "Opératrice du son" becomes "Opérateur du son", "Verkoopster" "Verkoper"; "Opérateur / Opératrice"
        becomes "Opérateur / Opérateur" whichever side comes first.
        """
        return self.gender_forms.canonical(title)

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

    @staticmethod
    def _forms(text: str, kind: LinkKind, decompounder: Decompounder | None = None) -> list[str]:
        """What is encoded of a text: a skill without framing words; a title, then its gender forms."""
        if not text.strip():
            return []
        if kind == "skill":
            # Framing words ("goede kennis van", "expérience en") only add noise to a skill phrase.
            return [strip_framing(text)]
        # The title without gender markers ("(h/f/x)"), then its gender forms, then compounds split.
        forms = gender_variants(text)
        if not forms:
            return []
        split = decompounder(forms[0]) if decompounder is not None else None
        return forms + [split] if split and split not in forms else forms

    def _rank(
        self,
        index: LabelIndex,
        forms: list[str],
        vectors: npt.NDArray[np.float32],
        dense_hits: npt.NDArray[np.int64],
        k: int,
    ) -> list[LinkedConcept]:
        cfg = self.config
        dense_weight = cfg.skill_dense_weight if index is self.indexes.get("skill") else cfg.occupation_dense_weight
        queries = [index.lexical.query(f) for f in forms]
        label_hits = [dense_hits[dense_hits >= 0]] + [index.lexical.candidates(q, cfg.candidates) for q in queries]
        if cfg.rescore_all_labels:
            concepts = np.unique(index.label_concepts[np.concatenate(label_hits)])
            if concepts.size == 0:
                return []
            rows, groups = index.labels_of(concepts)
        else:
            # Only the labels that either search proposed are scored exactly (a hub concept with hundreds of
            # labels costs no more than any other).
            rows = np.unique(np.concatenate(label_hits))
            if rows.size == 0:
                return []
            concepts, groups = np.unique(index.label_concepts[rows], return_inverse=True)
        type_weight = np.asarray(cfg.type_weights, dtype=np.float32)[index.label_types[rows]][:, None]
        dense = index.dense_scores(vectors, rows) * type_weight  # (labels, forms)
        lex = np.stack([index.lexical.scores_for(q, rows) for q in queries], axis=1) * type_weight
        n = len(concepts)
        fused = np.stack(
            [
                dense_weight * _lse(dense[:, j], groups, n, cfg.temperature)
                + (1 - dense_weight) * _lse(lex[:, j], groups, n, cfg.temperature)
                for j in range(len(forms))
            ]
        )
        score = fused[0]
        if len(forms) > 1:
            score = (1 - cfg.variant_weight) * score + cfg.variant_weight * fused[1:].max(axis=0)
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

    # -- long text --------------------------------------------------------------------------------------

    def extract(self, text: str, kind: LinkKind = "skill", lang: str | None = None) -> list[ExtractedConcept]:
        """Find the skills (or occupations) in a longer text: a summary, a description, a CV section.

        The text is split into candidate phrases (lines, bullets, sentences, comma lists); framing words
        ("goede kennis van", "expérience en") are removed; each phrase is linked and its best concept kept
        when its score reaches ``LinkerConfig.min_phrase_score``.

        Args:
            text: the text.
            kind: what to extract.
            lang: the text's language, or None to detect it.

        Returns:
            One entry per concept (its best phrase), most confident first.
        """
        return self.extract_many([text], kind, lang)[0]

    def extract_many(
        self, texts: Sequence[str], kind: LinkKind = "skill", lang: str | None = None
    ) -> list[list[ExtractedConcept]]:
        """``extract`` for several texts at once (one encoder call for all phrases)."""
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
