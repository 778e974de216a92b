"""Rank-biased overlap (persistence 0.9, depth 10) on lists whose value is computed by hand."""

from __future__ import annotations

import pytest

from matching.fairness.counterfactual import OverlapSummary, rbo

P = 0.9


def test_equal_and_disjoint() -> None:
    ranked = [f"j{i}" for i in range(10)]
    assert rbo(ranked, ranked) == pytest.approx(1.0)
    assert rbo(ranked, [f"x{i}" for i in range(10)]) == 0.0
    assert rbo([], []) == 1.0
    assert rbo(ranked, []) == 0.0


def test_two_places_swapped_at_the_top_by_hand() -> None:
    # [a, b] against [b, a] at depth 2: X1 = 0, X2 = 2.
    expected = (2 / 2) * P**2 + (1 - P) / P * (0 / 1 * P + 2 / 2 * P**2)
    assert rbo(["a", "b"], ["b", "a"], depth=2) == pytest.approx(expected)


def test_the_top_weighs_most() -> None:
    base = [f"j{i}" for i in range(10)]
    top_swapped = [base[1], base[0], *base[2:]]
    bottom_swapped = [*base[:8], base[9], base[8]]
    assert rbo(base, bottom_swapped) > rbo(base, top_swapped)
    assert rbo(base, top_swapped) == pytest.approx(0.9)
    assert rbo(base, base[:9] + ["new"]) > rbo(base, ["new"] + base[:9])


def test_symmetric_and_depth_cut() -> None:
    a, b = list("abcdefghijkl"), list("bacdxfghijkl")
    assert rbo(a, b) == pytest.approx(rbo(b, a))
    assert rbo(a[:10] + ["z"], a) == pytest.approx(1.0), "ranks beyond the depth do not count"


def test_summary() -> None:
    summary = OverlapSummary.of({"v1": 1.0, "v2": 0.7, "v3": 0.9}, floor=0.8)
    assert (summary.lists, summary.below, summary.minimum) == (3, 1, 0.7)
    assert summary.mean == pytest.approx(0.8667, abs=1e-4)
    assert summary.worst[0] == ("v2", 0.7)
