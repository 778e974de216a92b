"""Profile indexes: every approximate type agrees with brute-force cosine; add, update, remove, persist."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.errors import IndexNotBuilt
from matching.ranking.index import AUTO_APPROXIMATE_FROM, IndexType, ProfileIndex, choose_type

DIM = 64


def _clustered(n: int, seed: int = 0) -> np.ndarray:
    """Unit vectors around a few centres, as profile vectors are (not uniform noise)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, n // 50), DIM))
    x = centres[rng.integers(0, len(centres), n)] + 0.5 * rng.standard_normal((n, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _exact(vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return np.argsort(-(vectors @ query), kind="stable")[:k].tolist()


@pytest.mark.parametrize("n", [1, 7, 513, 3001])
@pytest.mark.parametrize("kind", [IndexType.flat, IndexType.sq8, IndexType.hnsw, IndexType.ivf])
def test_index_agrees_with_brute_force(kind: IndexType, n: int) -> None:
    vectors = _clustered(n)
    rows = np.arange(n, dtype=np.int64) * 3 + 5  # ids are table rows, not positions
    index = ProfileIndex(DIM, kind)
    index.build(rows, vectors)
    queries = _clustered(40, seed=1)
    k = min(10, n)
    recalls = []
    for q in queries:
        found, scores = index.search(q, k)
        expected = rows[_exact(vectors, q, k)].tolist()
        recalls.append(len(set(found.tolist()) & set(expected)) / k)
        assert np.all(np.diff(scores) <= 1e-6), "scores must not increase down the list"
    if kind is IndexType.flat:
        assert min(recalls) == 1.0
    else:
        assert float(np.mean(recalls)) >= 0.9, f"{kind} recall@{k} {np.mean(recalls):.3f}"


@pytest.mark.parametrize("kind", [IndexType.flat, IndexType.hnsw, IndexType.sq8])
def test_update_and_remove_without_rebuild(kind: IndexType) -> None:
    vectors = _clustered(300)
    rows = np.arange(300, dtype=np.int64)
    index = ProfileIndex(DIM, kind)
    index.build(rows, vectors)
    index.remove(np.asarray([17]))
    found, _ = index.search(vectors[17], 10)
    assert 17 not in found.tolist()
    assert len(index) == 299
    # Update row 42 to a new vector: searching for it finds row 42 first, and the old vector no longer does.
    new = _clustered(1, seed=9)[0]
    old = vectors[42].copy()
    index.upsert(np.asarray([42]), new.reshape(1, -1))
    assert index.search(new, 1)[0].tolist() == [42]
    assert 42 not in index.search(old, 3)[0].tolist()
    assert len(index) == 299
    if kind is IndexType.hnsw:
        assert index.tombstones == 2  # a graph keeps removed and replaced vectors until a rebuild


def test_save_and_load_give_the_same_answers(tmp_path: Path) -> None:
    vectors = _clustered(500)
    index = ProfileIndex(DIM, IndexType.hnsw)
    index.build(np.arange(500, dtype=np.int64), vectors)
    index.remove(np.asarray([3]))
    index.save(tmp_path / "idx")
    loaded = ProfileIndex.load(tmp_path / "idx")
    for q in _clustered(10, seed=4):
        a, sa = index.search(q, 10)
        b, sb = loaded.search(q, 10)
        assert a.tolist() == b.tolist()
        np.testing.assert_allclose(sa, sb)
    assert loaded.tombstones == 1 and len(loaded) == 499


def test_empty_index_says_so(tmp_path: Path) -> None:
    with pytest.raises(IndexNotBuilt, match="the profile index is empty"):
        ProfileIndex(DIM).search(_clustered(1)[0], 5)
    with pytest.raises(IndexNotBuilt, match="no profile index in"):
        ProfileIndex.load(tmp_path / "missing")


def test_auto_type_by_size() -> None:
    assert choose_type(IndexType.auto, AUTO_APPROXIMATE_FROM - 1) is IndexType.flat
    assert choose_type(IndexType.auto, AUTO_APPROXIMATE_FROM) is IndexType.hnsw
    assert choose_type(IndexType.ivf, 10) is IndexType.ivf
