"""The exposure audit on hand-made rankings whose exposure is computed by hand.

Exposure at rank r is 1 / log2(r + 1): rank 1 gives 1, rank 2 gives 1 / log2(3) = 0.63093, rank 3 gives 0.5.
"""

from __future__ import annotations

import math

import pytest

from matching.fairness import exposure_by_group, quality_by_group

R2 = 1 / math.log2(3)

RANKINGS = {"q1": ["a", "b", "c"], "q2": ["b", "a"], "q3": ["c"]}
ATTRIBUTES = {
    "a": {"gender": "F", "age": "young"},
    "b": {"gender": "M", "age": "old"},
    "c": {"gender": "F"},
    "d": {"gender": "M", "age": "old"},
}
# Received: a 1 + R2, b R2 + 1, c 0.5 + 1, d nothing (never ranked, still a member of its groups).


def test_mean_exposure_per_group() -> None:
    out = exposure_by_group(RANKINGS, ATTRIBUTES)
    f, m = (1 + R2 + 1.5) / 2, (R2 + 1) / 2
    assert out["gender"] == {
        "groups": {"F": round(f, 4), "M": round(m, 4)},
        "members": {"F": 2, "M": 2},
        "ratio": round(m / f, 4),
    }
    # c has no age: not a member of any age group.
    young, old = 1 + R2, (R2 + 1) / 2
    assert out["age"] == {
        "groups": {"old": round(old, 4), "young": round(young, 4)},
        "members": {"old": 2, "young": 1},
        "ratio": 0.5,
    }
    assert list(out) == ["age", "gender"]


def test_depth_cuts_the_ranking() -> None:
    out = exposure_by_group(RANKINGS, ATTRIBUTES, depth=1)
    # Only first places count: a once (q1), b once (q2), c once (q3).
    assert out["gender"]["groups"] == {"F": 1.0, "M": 0.5}
    assert out["gender"]["ratio"] == 0.5


def test_parity_and_no_exposure() -> None:
    even = exposure_by_group({"q1": ["a", "b"], "q2": ["b", "a"]}, {"a": {"g": "x"}, "b": {"g": "y"}})
    assert even["g"]["ratio"] == 1.0
    nobody = exposure_by_group({}, {"a": {"g": "x"}, "b": {"g": "y"}})
    assert nobody["g"] == {"groups": {"x": 0.0, "y": 0.0}, "members": {"x": 1, "y": 1}, "ratio": 1.0}
    # People ranked but not in the audit table count for no group.
    assert exposure_by_group({"q": ["z", "a"]}, {"a": {"g": "x"}})["g"]["groups"] == {"x": round(R2, 4)}


def test_ratio_is_taken_before_rounding() -> None:
    # Group x: one of 30,000 members ranked first once (mean 1 / 30000); group y: one of 10,000 (1 / 10000).
    # Both means round to 0.0 or 0.0001 at four decimals; the ratio is still 1/3.
    attributes = {f"x{i}": {"g": "x"} for i in range(30_000)} | {f"y{i}": {"g": "y"} for i in range(10_000)}
    out = exposure_by_group({"q1": ["x0"], "q2": ["y0"]}, attributes)
    assert out["g"]["ratio"] == 0.3333


def test_quality_by_group() -> None:
    per_jobseeker = {"a": 1.0, "b": 0.5, "c": 0.25, "e": 0.9}
    assert quality_by_group(per_jobseeker, ATTRIBUTES) == {
        "age": {"old": 0.5, "young": 1.0},
        "gender": {"F": 0.625, "M": 0.5},
    }
    assert quality_by_group({}, ATTRIBUTES) == {}


@pytest.mark.parametrize("depth", [1, 2, 3, 10])
def test_exposure_sums_to_the_attention_given(depth: int) -> None:
    out = exposure_by_group(RANKINGS, {p: {"all": "one"} for p in "abcd"}, depth=depth)
    given = sum(1 / math.log2(r + 1) for ranked in RANKINGS.values() for r in range(1, min(len(ranked), depth) + 1))
    assert out["all"]["groups"]["one"] == round(given / 4, 4)
