"""Lexical side of the linker: character n-gram TF-IDF over normalised labels, with an inverted index so
that a query only touches the postings of its own n-grams.

The vocabulary and idf come from scikit-learn's ``TfidfVectorizer`` (word-bounded 3-4 grams, sublinear tf);
queries are vectorised here, with the same analyser, because the library's per-call overhead is larger than
the whole search.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from esco_data import normalize_label

Scores = npt.NDArray[np.float32]


def lexical_form(text: str) -> str:
    """The form both labels and queries take before n-grams are counted (case, accents, punctuation)."""
    return normalize_label(text.replace("'", " ").replace("’", " "))


def char_wb_ngrams(text: str, min_n: int = 2, max_n: int = 4) -> list[str]:
    """Character n-grams inside word boundaries, words padded with a space (as scikit-learn's ``char_wb``)."""
    grams: list[str] = []
    for word in text.split():
        w = f" {word} "
        length = len(w)
        for n in range(min_n, max_n + 1):
            offset = 0
            grams.append(w[offset : offset + n])
            while offset + n < length:
                offset += 1
                grams.append(w[offset : offset + n])
            if offset == 0:
                break
    return grams


class LexicalQuery:
    """A query's TF-IDF vector: feature ids and weights (L2-normalised)."""

    __slots__ = ("features", "weights")

    def __init__(self, features: npt.NDArray[np.int64], weights: Scores) -> None:
        self.features = features
        self.weights = weights


class LexicalIndex:
    """Character n-gram TF-IDF over a list of label texts, searched through an inverted index."""

    def __init__(self, texts: Sequence[str], *, ngram_range: tuple[int, int] = (3, 4)) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True, lowercase=False, dtype=np.float32
        )
        forms = [lexical_form(t) for t in texts]
        matrix = vectorizer.fit_transform(forms)
        self.token_frequency: Counter[str] = Counter(word for form in forms for word in form.split())
        self._rows_by_form: dict[str, list[int]] = {}
        for row, form in enumerate(forms):
            self._rows_by_form.setdefault(form, []).append(row)
        """How often each normalised word occurs in the labels (for splitting compounds)."""
        by_feature = sparse.csc_matrix(matrix, dtype=np.float32)
        by_label = sparse.csr_matrix(matrix, dtype=np.float32)
        self.ngram_range = ngram_range
        self.vocabulary: dict[str, int] = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
        self.idf: Scores = np.asarray(vectorizer.idf_, dtype=np.float32)
        self.n_labels = int(matrix.shape[0])
        # Postings (feature -> labels) for candidate search; rows (label -> features) for exact scores.
        self._f_indptr = by_feature.indptr.astype(np.int64)
        self._f_labels = by_feature.indices.astype(np.int32)
        self._f_data = by_feature.data.astype(np.float32)
        self._l_indptr = by_label.indptr.astype(np.int64)
        self._l_features = by_label.indices.astype(np.int32)
        self._l_data = by_label.data.astype(np.float32)
        self.max_postings = max(300, self.n_labels // 400)
        """Features in more labels than this (common n-grams) do not propose candidates; they still score.
        (Measured on MELO: from 150 to 1,250 the linking figures do not move; fewer postings are faster.)"""

    def __len__(self) -> int:
        return self.n_labels

    def query(self, text: str) -> LexicalQuery:
        """The TF-IDF vector of a query (unknown n-grams are ignored)."""
        counts: Counter[int] = Counter()
        for word in lexical_form(text).split():
            counts.update(self._word_features(word))
        if not counts:
            return LexicalQuery(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        features = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        weights = tf * self.idf[features]
        weights /= max(float(np.linalg.norm(weights)), 1e-12)
        return LexicalQuery(features, weights)

    def rows_of_form(self, text: str) -> list[int]:
        """Labels whose normalised form is exactly the text's."""
        return self._rows_by_form.get(lexical_form(text), [])

    def _word_features(self, word: str) -> list[int]:
        """Known n-grams of one word (``char_wb`` n-grams never cross words, so words can be cached)."""
        cache: dict[str, list[int]] = self.__dict__.setdefault("_words", {})
        found = cache.get(word)
        if found is None:
            vocabulary = self.vocabulary
            found = [vocabulary[g] for g in char_wb_ngrams(word, *self.ngram_range) if g in vocabulary]
            if len(cache) < 200_000:
                cache[word] = found
        return found

    def candidates(self, query: LexicalQuery, k: int) -> npt.NDArray[np.int64]:
        """The k labels that score highest on the query's selective n-grams, best first."""
        indptr = self._f_indptr
        starts, ends = indptr[query.features], indptr[query.features + 1]
        counts = ends - starts
        if counts.size == 0:
            return np.zeros(0, dtype=np.int64)
        keep = counts <= self.max_postings
        if not keep.any():
            keep = counts == counts.min()
        starts, counts, weights = starts[keep], counts[keep], query.weights[keep]
        idx = _ranges(starts, counts)
        if idx.size == 0:
            return np.zeros(0, dtype=np.int64)
        labels = self._f_labels[idx]
        scores = np.bincount(labels, weights=self._f_data[idx] * np.repeat(weights, counts))
        # Rank only the labels the postings touched (a few thousand), not every label of the index.
        mask = np.zeros(scores.size, dtype=np.bool_)
        mask[labels] = True
        touched = np.flatnonzero(mask)
        if touched.size > k:
            touched = touched[np.argpartition(-scores[touched], k)[:k]]
        return touched[np.argsort(-scores[touched], kind="stable")].astype(np.int64)

    def scores_for(self, query: LexicalQuery, rows: npt.NDArray[np.int64]) -> Scores:
        """Exact cosine of the query to the given labels."""
        if rows.size == 0 or query.features.size == 0:
            return np.zeros(rows.size, dtype=np.float32)
        dense_query = np.zeros(len(self.idf), dtype=np.float32)
        dense_query[query.features] = query.weights
        starts = self._l_indptr[rows]
        counts = self._l_indptr[rows + 1] - starts
        idx = _ranges(starts, counts)
        products = self._l_data[idx] * dense_query[self._l_features[idx]]
        owner = np.repeat(np.arange(rows.size), counts)
        return np.bincount(owner, weights=products, minlength=rows.size).astype(np.float32)

    @staticmethod
    def top(scores: npt.NDArray[Any], k: int) -> npt.NDArray[np.int64]:
        """Rows of the k highest positive scores, best first."""
        if scores.size > k:
            rows = np.argpartition(-scores, k)[:k]
        else:
            rows = np.arange(scores.size)
        rows = rows[np.argsort(-scores[rows], kind="stable")]
        return rows[scores[rows] > 0].astype(np.int64)


def _ranges(starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Concatenation of ``range(start, start + count)`` for each pair, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    return offsets + np.arange(total, dtype=np.int64)


__all__ = ["LexicalIndex", "LexicalQuery", "char_wb_ngrams", "lexical_form"]
