"""The lexical side of the linker, checked against scikit-learn and brute-force cosine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.linking import Linker
from matching.linking.lexical import LexicalIndex, char_wb_ngrams, lexical_form
from tests.mapping import mapped_files

LABELS = [
    "boulanger/boulangère",
    "bakker",
    "pâtissier/pâtissière",
    "gebakmaker",
    "cuisinier/cuisinière",
    "kok",
    "comptable",
    "kassa's bedienen",
    "utiliser une caisse enregistreuse",
    "pétrir des denrées alimentaires",
    "bakkerswaren bakken",
    "confectionner des produits de boulangerie",
    "Haskell",
]
QUERIES = [
    "bakker",
    "Bakker (m/v/x)",
    "bakker bakker bakker",  # repeated n-grams: sublinear tf
    "BOULANGÈRE",
    "kassa bedienen",
    "pétrir la pâte",
    "caisse",
    "zzqq",  # no known n-gram
    "",
]
WORDS = st.lists(st.sampled_from(["bak", "ker", "kassa", "boulang", "ère", "pât", "kok", "zz", " ", "'", "-"]))


def _vectorizer(texts: list[str], ngram_range: tuple[int, int] = (3, 4)) -> TfidfVectorizer:
    """The vectorizer the index is documented to follow, fitted on the same lexical forms."""
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True, lowercase=False, dtype=np.float32
    )
    vectorizer.fit([lexical_form(t) for t in texts])
    return vectorizer


def _dense(index: LexicalIndex, text: str) -> npt.NDArray[np.float32]:
    query = index.query(text)
    dense = np.zeros(len(index.idf), dtype=np.float32)
    dense[query.features] = query.weights
    return dense


def _brute_force(vectorizer: TfidfVectorizer, labels: list[str], text: str) -> npt.NDArray[np.float32]:
    """Cosine of a query to every label, the sklearn way (rows are L2-normalised)."""
    matrix = vectorizer.transform([lexical_form(t) for t in labels])
    query = vectorizer.transform([lexical_form(text)])
    return np.asarray((matrix @ query.T).toarray()[:, 0], dtype=np.float32)


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex(LABELS)


@pytest.fixture(scope="module")
def vectorizer() -> TfidfVectorizer:
    return _vectorizer(LABELS)


def test_lexical_form() -> None:
    assert lexical_form("Kassa's bedienen") == "kassa s bedienen"
    assert lexical_form("L’Hôtel  (h/f)") == "l hotel h f"


@given(text=st.text(max_size=60), ngram_range=st.sampled_from([(2, 4), (1, 3), (3, 5), (1, 1)]))
def test_char_wb_ngrams_equal_sklearn(text: str, ngram_range: tuple[int, int]) -> None:
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False).build_analyzer()
    assert char_wb_ngrams(text, *ngram_range) == analyzer(text)


def test_char_wb_ngrams_example() -> None:
    assert char_wb_ngrams("kok a") == [" k", "ko", "ok", "k ", " ko", "kok", "ok ", " kok", "kok ", " a", "a ", " a "]


def test_vocabulary_and_idf_are_sklearn_s(index: LexicalIndex, vectorizer: TfidfVectorizer) -> None:
    assert len(index) == len(LABELS)
    assert index.vocabulary == {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    np.testing.assert_allclose(index.idf, vectorizer.idf_, rtol=1e-6)


@pytest.mark.parametrize("text", QUERIES)
def test_query_weights_equal_sklearn_transform(index: LexicalIndex, vectorizer: TfidfVectorizer, text: str) -> None:
    expected = vectorizer.transform([lexical_form(text)]).toarray()[0]
    np.testing.assert_allclose(_dense(index, text), expected, atol=1e-5)
    query = index.query(text)
    assert len(set(query.features.tolist())) == query.features.size
    if query.features.size:
        assert float(np.linalg.norm(query.weights)) == pytest.approx(1.0, abs=1e-5)


def test_unknown_ngrams_give_an_empty_query(index: LexicalIndex) -> None:
    query = index.query("zzqq")
    assert query.features.size == 0 and query.weights.size == 0
    np.testing.assert_array_equal(index.scores_for(query, np.array([0, 1], dtype=np.int64)), [0.0, 0.0])


def test_candidates_of_an_empty_query_are_empty(index: LexicalIndex) -> None:
    assert index.candidates(index.query("zzqq"), 5).size == 0


@given(parts=WORDS)
def test_query_equals_sklearn_for_any_text(index: LexicalIndex, vectorizer: TfidfVectorizer, parts: list[str]) -> None:
    text = "".join(parts)
    expected = vectorizer.transform([lexical_form(text)]).toarray()[0]
    np.testing.assert_allclose(_dense(index, text), expected, atol=1e-5)


@pytest.mark.parametrize("row", range(len(LABELS)))
def test_candidates_put_the_exact_label_first(index: LexicalIndex, row: int) -> None:
    found = index.candidates(index.query(LABELS[row]), 3)
    assert found[0] == row
    assert index.scores_for(index.query(LABELS[row]), found[:1])[0] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("k", [1, 3, len(LABELS), len(LABELS) + 5])
@pytest.mark.parametrize("text", ["bakker", "boulangerie", "kassa bedienen", "pâtissière"])
def test_candidates_are_the_brute_force_top_k(
    index: LexicalIndex, vectorizer: TfidfVectorizer, text: str, k: int
) -> None:
    # The tiny index prunes no n-gram, so candidate scores are exact cosines.
    exact = _brute_force(vectorizer, LABELS, text)
    found = index.candidates(index.query(text), k)
    expected = np.sort(exact[exact > 1e-6])[::-1][:k]
    assert found.size == expected.size
    assert len(set(found.tolist())) == found.size
    np.testing.assert_allclose(exact[found], expected, atol=1e-5)


def test_scores_for_equals_brute_force_cosine(index: LexicalIndex, vectorizer: TfidfVectorizer) -> None:
    rows = np.array([12, 0, 5, 5, 3, 1, 11], dtype=np.int64)  # any order, repeats allowed
    for text in QUERIES:
        exact = _brute_force(vectorizer, LABELS, text)
        np.testing.assert_allclose(index.scores_for(index.query(text), rows), exact[rows], atol=1e-5)
        assert index.scores_for(index.query(text), np.zeros(0, dtype=np.int64)).shape == (0,)


def test_many_queries_at_once_give_what_each_gives_alone(slice_linker: Linker) -> None:
    # More queries than one batch holds, with empty and unknown ones among them; the slice's skill labels.
    lexical = slice_linker.indexes["skill"].lexical
    labels = [lexical.texts[i] for i in range(0, len(lexical), max(1, len(lexical) // 500))]
    texts = QUERIES + labels[:500] + QUERIES
    queries = [lexical.query(t) for t in texts]
    for k in (5, 50):
        together = lexical.candidates_many(queries, k)
        alone = [lexical.candidates(q, k) for q in queries]
        assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(together, alone, strict=True))
        scores = lexical.scores_for_many(queries, together)
        for query, rows, score in zip(queries, together, scores, strict=True):
            np.testing.assert_array_equal(score, lexical.scores_for(query, rows))
            assert score.shape == rows.shape and score.dtype == np.float32
    assert sum(r.size == 0 for r in together) >= 2 and max(r.size for r in together) == 50


def test_common_ngrams_still_find_candidates() -> None:
    # 1,200 labels sharing the n-grams of "ab": every n-gram of the query is in more labels than
    # max_postings, so the least common ones propose candidates; they must still be the exact top k.
    labels = [f"ab{i:04d} x{i % 7}" for i in range(1200)]
    big = LexicalIndex(labels)
    vectorizer = _vectorizer(labels)
    assert big.max_postings == 300
    query = big.query("ab")
    postings = np.asarray((vectorizer.transform([lexical_form(t) for t in labels]) > 0).sum(axis=0))[0]
    assert query.features.size >= 1 and (postings[query.features] > big.max_postings).all()
    found = big.candidates(query, 5)
    exact = _brute_force(vectorizer, labels, "ab")
    np.testing.assert_allclose(exact[found], np.sort(exact)[::-1][:5], atol=1e-5)


def test_top_keeps_positive_scores_best_first() -> None:
    scores = np.array([0.1, 0.0, 0.5, -0.2, 0.3, 0.7], dtype=np.float32)
    assert LexicalIndex.top(scores, 2).tolist() == [5, 2]
    assert LexicalIndex.top(scores, 10).tolist() == [5, 2, 4, 0]
    assert LexicalIndex.top(scores, 0).tolist() == []


def test_slice_label_index_proposes_each_exact_label(slice_linker: Linker) -> None:
    # A real index (thousands of labels, common n-grams pruned): a label's own text proposes, among its
    # candidates, a label with the same n-grams (itself, or the same words in another order), whose exact
    # cosine is 1, the best of all labels; exact re-scoring then puts it first.
    lexical = slice_linker.indexes["skill"].lexical
    texts = slice_linker.indexes["skill"].texts
    assert len(lexical) > 2 * lexical.max_postings  # large enough for common n-grams to be pruned
    everything = np.arange(len(lexical), dtype=np.int64)
    for row in range(0, len(texts), 97):
        query = lexical.query(texts[row])
        proposed = lexical.candidates(query, 10)
        best = int(proposed[np.argmax(lexical.scores_for(query, proposed))])
        assert sorted(char_wb_ngrams(lexical_form(texts[best]))) == sorted(char_wb_ngrams(lexical_form(texts[row])))
        exact = lexical.scores_for(query, everything)
        assert exact[best] == pytest.approx(1.0, abs=1e-5)
        assert exact.max() == pytest.approx(1.0, abs=1e-5)


# -- storage ------------------------------------------------------------------------------------------------


def test_save_and_load_give_the_same_answers_from_memory_mapped_arrays(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert mapped_files(loaded._f_labels) == {"f_labels.npy"} and mapped_files(loaded._l_data) == {"l_data.npy"}
    assert loaded.vocabulary == index.vocabulary
    assert mapped_files(loaded.texts.data) == {"text_data.npy"} and list(loaded.texts) == list(index.texts) == LABELS
    assert loaded.token_frequency == index.token_frequency
    assert (len(loaded), loaded.ngram_range, loaded.max_postings) == (len(index), index.ngram_range, index.max_postings)
    everything = np.arange(len(index), dtype=np.int64)
    for text in [*QUERIES, *LABELS]:
        query, again = index.query(text), loaded.query(text)
        np.testing.assert_array_equal(again.features, query.features)
        np.testing.assert_array_equal(again.weights, query.weights)
        np.testing.assert_array_equal(loaded.candidates(again, 5), index.candidates(query, 5))
        np.testing.assert_array_equal(loaded.scores_for(again, everything), index.scores_for(query, everything))
        assert loaded.rows_of_form(text) == index.rows_of_form(text)


def test_rows_of_form_lists_every_label_of_a_form_in_order() -> None:
    index = LexicalIndex(["Bakker", "kok", "bakker", "BAKKER!", "kassa"])
    assert index.rows_of_form("bakker") == [0, 2, 3]
    assert index.rows_of_form("Kok") == [1]
    assert index.rows_of_form("bakkerij") == []


def test_an_inconsistent_folder_is_refused(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path)
    np.save(tmp_path / "idf.npy", np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError, match="inconsistent"):
        LexicalIndex.load(tmp_path)
    (tmp_path / "lexical.json").unlink()
    with pytest.raises(FileNotFoundError):
        LexicalIndex.load(tmp_path)
