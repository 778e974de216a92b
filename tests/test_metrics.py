"""Ranking metrics of the benchmarks on hand-made runs whose values are computed by hand."""

from __future__ import annotations

import math

import pytest

from benchmarks.metrics import average_precision, ndcg, recall, reciprocal_rank, success, summarise

# d2 is very relevant (2), d3 relevant (1), d4 highly relevant (3) but never retrieved; d1 and d5 are not.
GRADES = {"d1": 0, "d2": 2, "d3": 1, "d4": 3}
RANKED = ["d1", "d2", "d5", "d3"]
# DCG = (2^2 - 1) / log2(3) + (2^1 - 1) / log2(5); ideal order d4, d2, d3: 7 + 3 / log2(3) + 1 / log2(4).
NDCG = (3 / math.log2(3) + 1 / math.log2(5)) / (7 + 3 / math.log2(3) + 0.5)


def test_ndcg() -> None:
    assert ndcg(RANKED, GRADES) == pytest.approx(NDCG)
    assert ndcg(RANKED, GRADES) == pytest.approx(0.24737, abs=1e-5)
    # At k = 2 only d2 counts, against an ideal of d4, d2.
    assert ndcg(RANKED, GRADES, k=2) == pytest.approx((3 / math.log2(3)) / (7 + 3 / math.log2(3)))
    assert ndcg(["d4", "d2", "d3"], GRADES) == pytest.approx(1.0)
    assert ndcg(RANKED, {"d1": 0}) == 0.0
    assert ndcg([], GRADES) == 0.0


def test_average_precision() -> None:
    # Relevant: d2, d3, d4. d2 at rank 2 (precision 1/2), d3 at rank 4 (2/4), d4 not found: (0.5 + 0.5) / 3.
    assert average_precision(RANKED, GRADES) == pytest.approx(1 / 3)
    assert average_precision(["d2", "d3", "d4"], GRADES) == pytest.approx(1.0)
    # d4 at rank 1 (1/1), d1 at rank 2 not relevant, d3 at rank 3 (2/3): (1 + 2/3) / 3.
    assert average_precision(["d4", "d1", "d3"], GRADES) == pytest.approx(5 / 9)
    assert average_precision(RANKED, {"d1": 0}) == 0.0


def test_reciprocal_rank_and_success() -> None:
    assert reciprocal_rank(RANKED, GRADES) == 0.5
    assert reciprocal_rank(["d1", "d5"], GRADES) == 0.0
    assert reciprocal_rank(["d3"], GRADES) == 1.0
    assert [success(RANKED, GRADES, k) for k in (1, 2, 10)] == [0.0, 1.0, 1.0]


def test_recall() -> None:
    # Two of the three relevant results are retrieved; in the top 2, one.
    assert recall(RANKED, GRADES) == pytest.approx(2 / 3)
    assert recall(RANKED, GRADES, k=2) == pytest.approx(1 / 3)
    assert recall(RANKED, {"d1": 0}) == 0.0


def test_summarise_averages_over_the_queries_of_the_qrels() -> None:
    runs = {"q1": RANKED, "q2": ["x", "y"], "extra": ["d2"]}
    qrels = {"q1": GRADES, "q2": {"y": 1}, "q3": {"z": 2}}
    # q1 as above; q2: y at rank 2 (nDCG 1 / log2(3), RR 1/2, recall 1); q3 has no run: all 0.
    assert summarise(runs, qrels) == {
        "ndcg@10": round((NDCG + 1 / math.log2(3)) / 3, 4),
        "mrr": round((0.5 + 0.5) / 3, 4),
        "recall@10": round((2 / 3 + 1) / 3, 4),
    }
    assert summarise({}, {}) == {"ndcg@10": 0.0, "mrr": 0.0, "recall@10": 0.0}
