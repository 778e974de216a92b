"""Ranking metrics shared by the benchmarks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gain 2^grade - 1."""
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def reciprocal_rank(ranked: Sequence[str], grades: Mapping[str, int]) -> float:
    """1 / rank of the first relevant (grade >= 1) result; 0 when none."""
    for i, d in enumerate(ranked, start=1):
        if grades.get(d, 0) > 0:
            return 1.0 / i
    return 0.0


def average_precision(ranked: Sequence[str], grades: Mapping[str, int]) -> float:
    """Mean, over all relevant (grade >= 1) results, of the precision at the rank where each is found (0 when
    it is not found, or when nothing is relevant)."""
    relevant = {d for d, g in grades.items() if g > 0}
    found = 0
    total = 0.0
    for i, d in enumerate(ranked, start=1):
        if d in relevant:
            found += 1
            total += found / i
    return total / len(relevant) if relevant else 0.0


def success(ranked: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """1 when a relevant (grade >= 1) result is in the top k, else 0."""
    return 1.0 if any(grades.get(d, 0) > 0 for d in ranked[:k]) else 0.0


def recall(ranked: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Share of the relevant (grade >= 1) results found in the top k."""
    relevant = {d for d, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def summarise(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """Mean nDCG@10, MRR and recall@10 over the queries of the qrels."""
    queries = list(qrels)
    n = max(len(queries), 1)
    return {
        "ndcg@10": round(sum(ndcg(runs.get(q, []), qrels[q]) for q in queries) / n, 4),
        "mrr": round(sum(reciprocal_rank(runs.get(q, []), qrels[q]) for q in queries) / n, 4),
        "recall@10": round(sum(recall(runs.get(q, []), qrels[q]) for q in queries) / n, 4),
    }


__all__ = ["average_precision", "ndcg", "recall", "reciprocal_rank", "success", "summarise"]
