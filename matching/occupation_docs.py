"""What ESCO says of each occupation, as a document per language, to read a job ad's description against.

An occupation's document is its labels, its description and the labels of its essential skills (and the
first label of each optional one) in one language. A description's TF-IDF cosine to these documents tells
which of the occupations a title proposes the text is about: "Conseiller (H/F)" with a text about selling
telephone plans is a salesperson, not a financial adviser. Built from ESCO alone; nothing is fitted on job
offers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from esco_data import ConceptKind, Taxonomy, normalize_label

LANGS = ("fr", "nl", "en")


class OccupationDocs:
    """TF-IDF of every occupation's ESCO document, per language."""

    def __init__(self, uris: Sequence[str], models: dict[str, tuple[Any, sparse.csr_matrix]]) -> None:
        """Args:
        uris: the occupations, in row order of every matrix.
        models: per language, the fitted vectoriser and the (occupations x terms) matrix.
        """
        self.uris = list(uris)
        self.row = {u: i for i, u in enumerate(self.uris)}
        self.models = models

    @classmethod
    def build(
        cls, taxonomy: Taxonomy, *, langs: Iterable[str] = LANGS, min_df: int = 2, max_df: float = 0.1
    ) -> OccupationDocs:
        """Build the documents and their TF-IDF from the taxonomy (a few seconds per language).

        Args:
            taxonomy: ESCO.
            langs: languages to build.
            min_df: a term must occur in this many documents.
            max_df: a term in more than this share of the documents says nothing of any of them.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        uris = [c.uri for c in taxonomy.concepts(ConceptKind.occupation)]
        if len(uris) < 50:
            min_df, max_df = 1, 1.0  # a small release (a slice): every term counts
        models: dict[str, tuple[Any, sparse.csr_matrix]] = {}
        for lang in langs:
            docs = [_document(taxonomy, uri, lang) for uri in uris]
            if not any(d.strip() for d in docs):
                continue
            vectorizer = TfidfVectorizer(
                preprocessor=normalize_label, sublinear_tf=True, min_df=min_df, max_df=max_df, dtype=np.float32
            )
            try:
                matrix = vectorizer.fit_transform(docs).tocsr()
            except ValueError:  # no term left after the document-frequency bounds
                continue
            models[lang] = (vectorizer, matrix)
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
        vectorizer, matrix = model
        query = vectorizer.transform([text])
        rows = [self.row.get(u, -1) for u in uris]
        known = [i for i, r in enumerate(rows) if r >= 0]
        if known:
            scores = (matrix[[rows[i] for i in known]] @ query.T).toarray().ravel()
            out[known] = scores
        return out


def _document(taxonomy: Taxonomy, uri: str, lang: str) -> str:
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


__all__ = ["LANGS", "OccupationDocs"]
