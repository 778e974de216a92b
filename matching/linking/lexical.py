"""Lexical side of the linker: character n-gram TF-IDF over normalised labels, with an inverted index so
that a query only touches the postings of its own n-grams.

The vocabulary and idf come from scikit-learn's ``TfidfVectorizer`` (word-bounded 3-4 grams, sublinear tf);
queries are vectorised here, with the same analyser, because the library's per-call overhead is larger than
the whole search.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from esco_data import normalize_label
from esco_data.strings import SortedStrings, StringColumn
from matching.space import mapped_array

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


_ARRAYS = (
    "idf",
    "f_indptr",
    "f_labels",
    "f_data",
    "l_indptr",
    "l_features",
    "l_data",
    "form_data",
    "form_offsets",
    "form_of_row",
    "text_data",
    "text_offsets",
)


class LexicalIndex:
    """Character n-gram TF-IDF over a list of label texts, searched through an inverted index.

    ``save`` writes it to a folder: the arrays as ``.npy`` files, which ``load`` memory-maps (a query reads
    only the postings of its own n-grams), and the vocabulary and word counts as JSON.
    """

    def __init__(self, texts: Sequence[str], *, ngram_range: tuple[int, int] = (3, 4)) -> None:
        # Only building needs these (a stored index is read without them): imported here, not at start-up.
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True, lowercase=False, dtype=np.float32
        )
        forms = [lexical_form(t) for t in texts]
        matrix = vectorizer.fit_transform(forms)
        by_feature = sparse.csc_matrix(matrix, dtype=np.float32)
        by_label = sparse.csr_matrix(matrix, dtype=np.float32)
        distinct, form_of_row = SortedStrings.numbered(forms)
        arrays = {
            "idf": np.asarray(vectorizer.idf_, dtype=np.float32),
            # Postings (feature -> labels) for candidate search; rows (label -> features) for exact scores.
            "f_indptr": by_feature.indptr.astype(np.int64),
            "f_labels": by_feature.indices.astype(np.int32),
            "f_data": by_feature.data.astype(np.float32),
            "l_indptr": by_label.indptr.astype(np.int64),
            # Feature ids fit 16 bits for ESCO's vocabularies (about 30,000 n-grams): half the bytes to map.
            "l_features": by_label.indices.astype(np.uint16 if matrix.shape[1] <= 1 << 16 else np.int32),
            "l_data": by_label.data.astype(np.float32),
            "form_data": distinct.data,
            "form_offsets": distinct.offsets,
            "form_of_row": form_of_row,
            **_column_arrays("text", StringColumn.of(texts)),
        }
        vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
        token_frequency = Counter(word for form in forms for word in form.split())
        self._setup(ngram_range, vocabulary, token_frequency, arrays)

    def _setup(
        self,
        ngram_range: tuple[int, int],
        vocabulary: dict[str, int],
        token_frequency: Counter[str],
        arrays: dict[str, npt.NDArray[Any]],
    ) -> None:
        self.ngram_range = ngram_range
        self.vocabulary = vocabulary
        self.token_frequency = token_frequency
        """How often each normalised word occurs in the labels (for splitting compounds)."""
        self.idf: Scores = arrays["idf"]
        self._f_indptr = arrays["f_indptr"]
        self._f_labels = arrays["f_labels"]
        self._f_data = arrays["f_data"]
        self._l_indptr = arrays["l_indptr"]
        self._l_features = arrays["l_features"]
        self._l_data = arrays["l_data"]
        self.n_labels = int(self._l_indptr.size - 1)
        self.texts = StringColumn(arrays["text_data"], arrays["text_offsets"])
        """The label texts, in row order."""
        # The distinct normalised forms and the labels of each (for exact-label look-ups), grouped like postings.
        self._forms = SortedStrings(arrays["form_data"], arrays["form_offsets"])
        self._form_of_row = arrays["form_of_row"]
        form_of_row = np.asarray(self._form_of_row, dtype=np.int64)
        self._form_rows = np.argsort(form_of_row, kind="stable").astype(np.int32)
        bounds = np.arange(len(self._forms) + 1)
        self._form_indptr = np.searchsorted(form_of_row[self._form_rows], bounds).astype(np.int64)
        self.max_postings = max(300, self.n_labels // 400)
        """Features in more labels than this (common n-grams) do not propose candidates; they still score.
        (Measured on MELO: from 150 to 1,250 the linking figures do not move; fewer postings are faster.)"""

    def save(self, directory: Path) -> None:
        """Write the index into an (empty) folder.

        Args:
            directory: the folder; ``load`` reads it back.
        """
        arrays = {
            "idf": self.idf,
            "f_indptr": self._f_indptr,
            "f_labels": self._f_labels,
            "f_data": self._f_data,
            "l_indptr": self._l_indptr,
            "l_features": self._l_features,
            "l_data": self._l_data,
            "form_data": self._forms.data,
            "form_offsets": self._forms.offsets,
            "form_of_row": self._form_of_row,
            **_column_arrays("text", self.texts),
        }
        for name in _ARRAYS:
            np.save(directory / f"{name}.npy", arrays[name])
        vocabulary = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        meta = {
            "ngram_range": list(self.ngram_range),
            "vocabulary": vocabulary,
            "token_frequency": dict(self.token_frequency),
        }
        (directory / "lexical.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Read an index written by ``save``, its arrays memory-mapped.

        Args:
            directory: the folder.

        Returns:
            The index.

        Raises:
            FileNotFoundError: a file of the index is missing.
            ValueError: a file is not what ``save`` wrote.
        """
        meta = json.loads((directory / "lexical.json").read_text(encoding="utf-8"))
        arrays = {name: mapped_array(directory / f"{name}.npy") for name in _ARRAYS}
        vocabulary = {gram: i for i, gram in enumerate(meta["vocabulary"])}
        features, rows = arrays["idf"].size, arrays["l_indptr"].size - 1
        sizes = (
            len(vocabulary),
            arrays["f_indptr"].size - 1,
            arrays["text_offsets"].size - 1,
            arrays["form_of_row"].size,
        )
        if sizes != (features, features, rows, rows):
            raise ValueError(f"the lexical index in {directory} is inconsistent")
        index = cls.__new__(cls)
        low, high = meta["ngram_range"]
        index._setup((int(low), int(high)), vocabulary, Counter(meta["token_frequency"]), arrays)
        return index

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
        form = self._forms.find(lexical_form(text))
        if form < 0:
            return []
        rows: list[int] = self._form_rows[self._form_indptr[form] : self._form_indptr[form + 1]].tolist()
        return rows

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
        return self.candidates_many([query], k)[0]

    def candidates_many(self, queries: Sequence[LexicalQuery], k: int) -> list[npt.NDArray[np.int64]]:
        """``candidates`` of many queries, their postings gathered and summed together (the same labels in
        the same order, the scores summed in the same order, as one by one)."""
        out: list[npt.NDArray[np.int64]] = []
        for at in range(0, len(queries), _BATCH):
            chunk = queries[at : at + _BATCH]
            selected = [self._selective(q) for q in chunk]
            starts = np.concatenate([s for s, _, _ in selected])
            counts = np.concatenate([c for _, c, _ in selected])
            weights = np.concatenate([w for _, _, w in selected])
            idx = _ranges(starts, counts)
            per_query = np.asarray([int(c.sum()) for _, c, _ in selected], dtype=np.int64)
            owner = np.repeat(np.arange(len(chunk), dtype=np.int64), per_query)
            # Rank only the labels the postings touched (a few thousand), not every label of the index.
            keys, inverse = np.unique(owner * self.n_labels + self._f_labels[idx], return_inverse=True)
            sums = np.bincount(inverse, weights=self._f_data[idx] * np.repeat(weights, counts))
            bounds = np.searchsorted(keys, np.arange(len(chunk) + 1, dtype=np.int64) * self.n_labels)
            for j in range(len(chunk)):
                a, b = int(bounds[j]), int(bounds[j + 1])
                out.append(_best(keys[a:b] - j * self.n_labels, sums[a:b], k))
        return out

    def _selective(self, query: LexicalQuery) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Scores]:
        """The postings (starts, counts) and weights of a query's selective n-grams (those in at most
        ``max_postings`` labels; the rarest ones when it has none)."""
        indptr = self._f_indptr
        starts, ends = indptr[query.features], indptr[query.features + 1]
        counts = ends - starts
        if counts.size == 0:
            return starts, counts, query.weights
        keep = counts <= self.max_postings
        if not keep.any():
            keep = counts == counts.min()
        return starts[keep], counts[keep], query.weights[keep]

    def scores_for(self, query: LexicalQuery, rows: npt.NDArray[np.int64]) -> Scores:
        """Exact cosine of the query to the given labels."""
        return self.scores_for_many([query], [rows])[0]

    def scores_for_many(self, queries: Sequence[LexicalQuery], rows: Sequence[npt.NDArray[np.int64]]) -> list[Scores]:
        """``scores_for`` of many queries, each with its labels, computed together (the same sums)."""
        out: list[Scores] = []
        for at in range(0, len(queries), _EXACT_BATCH):
            chunk, chunk_rows = queries[at : at + _EXACT_BATCH], rows[at : at + _EXACT_BATCH]
            dense_queries = np.zeros((len(chunk), len(self.idf)), dtype=np.float32)
            for j, query in enumerate(chunk):
                dense_queries[j, query.features] = query.weights
            all_rows = np.concatenate([np.asarray(r, dtype=np.int64) for r in chunk_rows])
            sizes = np.asarray([len(r) for r in chunk_rows], dtype=np.int64)
            starts = self._l_indptr[all_rows]
            counts = self._l_indptr[all_rows + 1] - starts
            idx = _ranges(starts, counts)
            of_query = np.repeat(np.repeat(np.arange(len(chunk), dtype=np.int64), sizes), counts)
            products = self._l_data[idx] * dense_queries[of_query, self._l_features[idx]]
            pair = np.repeat(np.arange(all_rows.size), counts)
            sums = np.bincount(pair, weights=products, minlength=all_rows.size).astype(np.float32)
            ends = np.cumsum(sizes)
            out += [sums[end - size : end] for size, end in zip(sizes.tolist(), ends.tolist(), strict=True)]
        return out

    @staticmethod
    def top(scores: npt.NDArray[Any], k: int) -> npt.NDArray[np.int64]:
        """Rows of the k highest positive scores, best first."""
        if scores.size > k:
            rows = np.argpartition(-scores, k)[:k]
        else:
            rows = np.arange(scores.size)
        rows = rows[np.argsort(-scores[rows], kind="stable")]
        return rows[scores[rows] > 0].astype(np.int64)


_BATCH = 256
"""Queries whose candidate postings are gathered at once (a few megabytes of postings)."""
_EXACT_BATCH = 64
"""Queries scored exactly at once (each a dense vector over the vocabulary while it is scored)."""


def _best(labels: npt.NDArray[np.int64], scores: npt.NDArray[Any], k: int) -> npt.NDArray[np.int64]:
    """The k labels of highest score, best first (labels in ascending order, as the postings touched them)."""
    if labels.size > k:
        best = np.argpartition(-scores, k)[:k]
        labels, scores = labels[best], scores[best]
    return labels[np.argsort(-scores, kind="stable")].astype(np.int64)


def _column_arrays(name: str, column: StringColumn) -> dict[str, npt.NDArray[Any]]:
    return {f"{name}_data": column.data, f"{name}_offsets": column.offsets}


def _ranges(starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Concatenation of ``range(start, start + count)`` for each pair, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    return offsets + np.arange(total, dtype=np.int64)


__all__ = ["LexicalIndex", "LexicalQuery", "char_wb_ngrams", "lexical_form"]
