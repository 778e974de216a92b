"""What ESCO says of each occupation, as a document per language, to read a job ad's description against.

An occupation's document is its labels, its description and the labels of its essential skills (and the
first label of each optional one) in one language. A description's TF-IDF cosine to these documents tells
which of the occupations a title proposes the text is about: "Conseiller (H/F)" with a text about selling
telephone plans is a salesperson, not a financial adviser. Built from ESCO alone; nothing is fitted on job
offers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from esco_data import LANGUAGES, ConceptKind, Taxonomy, normalize_label

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""A term: two or more word characters (scikit-learn's default token pattern, which fitted the terms)."""


@dataclass
class TfidfDocs:
    """One language's documents as TF-IDF rows (sublinear tf, smooth idf, unit length), in plain arrays.

    Fitted with scikit-learn's ``TfidfVectorizer`` at build time; reading a text against it needs numpy alone,
    so that serving never imports scikit-learn (two seconds of start-up).
    """

    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float32]
    indptr: npt.NDArray[np.int64]
    """Row r's terms are ``indices[indptr[r]:indptr[r + 1]]`` with weights ``data[...]``."""
    indices: npt.NDArray[np.int32]
    data: npt.NDArray[np.float32]

    @classmethod
    def fit(cls, docs: Sequence[str], *, min_df: int, max_df: float) -> TfidfDocs:
        """Fit the terms and their idf on the documents and weight each document.

        Raises:
            ValueError: no term is left after the document-frequency bounds.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(
            preprocessor=normalize_label, sublinear_tf=True, min_df=min_df, max_df=max_df, dtype=np.float32
        )
        matrix = vectorizer.fit_transform(docs).tocsr()
        matrix.sort_indices()
        return cls(
            {str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
            np.asarray(vectorizer.idf_, dtype=np.float32),
            matrix.indptr.astype(np.int64),
            matrix.indices.astype(np.int32),
            matrix.data.astype(np.float32),
        )

    def weigh(self, text: str) -> dict[int, float]:
        """A text's TF-IDF weights by term id (unit length), as the documents were weighed."""
        counts = Counter(self.vocabulary[t] for t in _TOKEN.findall(normalize_label(text)) if t in self.vocabulary)
        weights = {term: (1.0 + math.log(n)) * float(self.idf[term]) for term, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {term: w / norm for term, w in weights.items()} if norm > 0 else {}

    def cosine(self, text: str, rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """Cosine of a text to some documents (row numbers)."""
        out = np.zeros(len(rows), dtype=np.float32)
        weights = self.weigh(text)
        if not weights:
            return out
        for i, row in enumerate(rows):
            start, end = int(self.indptr[row]), int(self.indptr[row + 1])
            terms = self.indices[start:end].tolist()
            data = self.data[start:end]
            out[i] = sum(float(data[j]) * weights[t] for j, t in enumerate(terms) if t in weights)
        return out


class OccupationDocs:
    """TF-IDF of every occupation's ESCO document, per language."""

    def __init__(self, uris: Sequence[str], models: dict[str, TfidfDocs]) -> None:
        """Args:
        uris: the occupations, in row order of every language's documents.
        models: per language, the documents' TF-IDF.
        """
        self.uris = list(uris)
        self.row = {u: i for i, u in enumerate(self.uris)}
        self.models = models

    @classmethod
    def build(
        cls, taxonomy: Taxonomy, *, langs: Iterable[str] = LANGUAGES, min_df: int = 2, max_df: float = 0.1
    ) -> OccupationDocs:
        """Build the documents and their TF-IDF from the taxonomy (a few seconds per language).

        Args:
            taxonomy: ESCO.
            langs: languages to build.
            min_df: a term must occur in this many documents.
            max_df: a term in more than this share of the documents says nothing of any of them.
        """
        uris = [c.uri for c in taxonomy.concepts(ConceptKind.occupation)]
        if len(uris) < 50:
            min_df, max_df = 1, 1.0  # a small release (a slice): every term counts
        models: dict[str, TfidfDocs] = {}
        for lang in langs:
            docs = [occupation_document(taxonomy, uri, lang) for uri in uris]
            if not any(d.strip() for d in docs):
                continue
            try:
                models[lang] = TfidfDocs.fit(docs, min_df=min_df, max_df=max_df)
            except ValueError:  # no term left after the document-frequency bounds
                continue
        return cls(uris, models)

    def similarity(self, text: str, lang: str, uris: Sequence[str]) -> npt.NDArray[np.float32]:
        """Cosine of a text to the documents of some occupations (0 for a URI that is no occupation).

        Args:
            text: the text (a title and its description).
            lang: its language; another language's documents are used when this one has none.
            uris: the occupations.
        """
        model = self.models.get(lang) or next(iter(self.models.values()), None)
        out = np.zeros(len(uris), dtype=np.float32)
        if model is None or not text.strip():
            return out
        rows = [self.row.get(u, -1) for u in uris]
        known = [i for i, r in enumerate(rows) if r >= 0]
        if known:
            out[known] = model.cosine(text, [rows[i] for i in known])
        return out


def occupation_document(taxonomy: Taxonomy, uri: str, lang: str) -> str:
    """An occupation's ESCO document in one language: labels, description, its skills' labels."""
    parts = [label.text for label in taxonomy.labels(uri, lang)]
    described = taxonomy.description(uri, lang)
    if described is not None and not described.fallback:
        parts.append(described.text)
    skills = taxonomy.skills_of(uri)
    for skill in skills.essential:
        parts += [label.text for label in taxonomy.labels(skill, lang)]
    for skill in skills.optional:
        parts += [label.text for label in taxonomy.labels(skill, lang)[:1]]
    return " ".join(parts)


__all__ = ["OccupationDocs", "TfidfDocs", "occupation_document"]
