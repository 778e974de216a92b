"""The exposure audit: place shares against pool shares, per list; a biased ranking raises the alert."""

from __future__ import annotations

import math
import random

import pytest

from matching.fairness import chance_of_lists, holm
from matching.fairness.exposure import CandidateList, exposure_audit, position_weight

PEOPLE = [f"j{i:03d}" for i in range(200)]
ATTRIBUTES = {
    p: {"gender": "F" if i % 2 else "M", "age_band": "<26" if i % 4 < 2 else "26-45"} for i, p in enumerate(PEOPLE)
}
POOL = frozenset(PEOPLE)


def _lists(ranked: list[list[str]]) -> list[CandidateList]:
    return [CandidateList(f"v{i}", r, POOL) for i, r in enumerate(ranked)]


def _unbiased(seed: int = 0) -> list[list[str]]:
    rng = random.Random(seed)
    return [rng.sample(PEOPLE, 10) for _ in range(300)]


def _biased() -> list[list[str]]:
    """Women pushed down: the top 8 places go to men, women only get places 9 and 10."""
    rng = random.Random(1)
    men = [p for p in PEOPLE if ATTRIBUTES[p]["gender"] == "M"]
    women = [p for p in PEOPLE if ATTRIBUTES[p]["gender"] == "F"]
    return [rng.sample(men, 8) + rng.sample(women, 2) for _ in range(300)]


def test_a_biased_ranking_raises_the_alert() -> None:
    report = exposure_audit(_lists(_biased()), ATTRIBUTES)
    women = report.attributes["gender"]["F"]
    # 2 places of 10 against a pool share of one half: ratio 0.4; weighted lower still (ranks 9 and 10).
    assert women.ratio == pytest.approx(0.4, abs=1e-4)
    assert women.weighted_ratio is not None and women.weighted_ratio < women.ratio
    assert women.mean_rank is not None and women.mean_rank > 8
    alerted = {(a.attribute, a.group, a.metric) for a in report.alerts}
    assert ("gender", "F", "ratio") in alerted and ("gender", "F", "weighted_ratio") in alerted
    assert ("gender", "M", "ratio") in alerted  # 1.6: over-exposed is outside the band too
    # Age was not used by the biased ranking: no alert for it.
    assert not [a for a in report.alerts if a.attribute == "age_band"]


def test_an_unbiased_ranking_raises_none() -> None:
    report = exposure_audit(_lists(_unbiased()), ATTRIBUTES)
    assert report.alerts == []
    for groups in report.attributes.values():
        for exposure in groups.values():
            assert exposure.ratio is not None and 0.9 < exposure.ratio < 1.1


def test_the_band_is_a_setting() -> None:
    lists = _lists(_unbiased())
    report = exposure_audit(lists, ATTRIBUTES, band=(0.999, 1.001))
    assert report.alerts, "a band narrower than sampling noise alerts"
    assert all(a.band == (0.999, 1.001) for a in report.alerts)


def test_ratios_by_hand() -> None:
    # Pool of 4: a, b (F) and c, d (M); two lists of two places.
    attributes = {"a": {"g": "F"}, "b": {"g": "F"}, "c": {"g": "M"}, "d": {"g": "M"}}
    pool = frozenset(attributes)
    lists = [CandidateList("v1", ["a", "c"], pool), CandidateList("v2", ["a", "b"], pool)]
    report = exposure_audit(lists, attributes, depth=2, min_expected=0)
    f, m = report.attributes["g"]["F"], report.attributes["g"]["M"]
    assert (f.places, m.places, f.expected_places, m.expected_places) == (3, 1, 2.0, 2.0)
    assert (f.ratio, m.ratio) == (1.5, 0.5)
    w1, w2 = position_weight(1), position_weight(2)
    assert f.weighted_ratio == round((w1 + w1 + w2) / (2 * (w1 + w2) / 2), 4)
    assert m.weighted_ratio == round(w2 / (2 * (w1 + w2) / 2), 4)
    assert (f.mean_rank, m.mean_rank) == (round(4 / 3, 3), 2.0)
    assert f.pool_share == 0.5 and f.place_share == 0.75


def test_expected_places_follow_each_lists_own_pool() -> None:
    # v1's pool is women only, v2's men only: each list's places are what its pool allows, ratio 1 for both.
    attributes = {"a": {"g": "F"}, "b": {"g": "F"}, "c": {"g": "M"}, "d": {"g": "M"}}
    lists = [CandidateList("v1", ["a", "b"], {"a", "b"}), CandidateList("v2", ["c", "d"], {"c", "d"})]
    report = exposure_audit(lists, attributes, depth=2, min_expected=0)
    assert report.attributes["g"]["F"].ratio == 1.0 and report.attributes["g"]["M"].ratio == 1.0


def test_equal_relevance_separates_what_relevance_explains() -> None:
    # Relevant candidates (grade 2) are all men and rightly on top; among the irrelevant ones (grade 0) women
    # and men get places in proportion. Overall men look favoured; per grade there is parity.
    people = [f"p{i}" for i in range(40)]
    attributes = {p: {"g": "M" if i < 4 or i % 2 else "F"} for i, p in enumerate(people)}
    grades = dict.fromkeys(people[:4], 2)
    rng = random.Random(3)
    lists = []
    for v in range(200):
        rest = rng.sample(people[4:], 6)
        lists.append(CandidateList(f"v{v}", people[:4] + rest, frozenset(people), grades))
    report = exposure_audit(lists, attributes, depth=10)
    assert report.attributes["g"]["F"].ratio is not None and report.attributes["g"]["F"].ratio < 0.9
    assert report.by_grade[2]["g"]["M"].ratio == 1.0
    assert "F" not in report.by_grade[2]["g"] or report.by_grade[2]["g"]["F"].pool == 0
    grade0 = report.by_grade[0]["g"]
    assert grade0["F"].ratio is not None and math.isclose(grade0["F"].ratio, 1.0, abs_tol=0.1)
    assert grade0["M"].ratio is not None and math.isclose(grade0["M"].ratio, 1.0, abs_tol=0.1)


def test_people_without_an_audit_row_count_for_no_group() -> None:
    attributes = {"a": {"g": "F"}, "c": {"g": "M"}}
    lists = [CandidateList("v1", ["x", "a", "c"], frozenset({"x", "a", "c"}))]
    report = exposure_audit(lists, attributes, depth=3, min_expected=0)
    assert report.attributes["g"]["F"].places == 1 and report.attributes["g"]["M"].places == 1
    assert report.places == 3
    assert report.to_json()["attributes"]["g"]["F"]["places"] == 1


# -- the permutation test (matching.fairness.exposure_chance) ------------------------------------------------


def _by_id(ranked: list[list[str]]) -> dict[str, list[str]]:
    return {f"v{i}": r for i, r in enumerate(ranked)}


def test_the_permutation_test_alerts_on_a_biased_ranking_and_states_its_figures() -> None:
    report = chance_of_lists(_by_id(_biased()), ATTRIBUTES, depth=10, shared_pool=PEOPLE, permutations=300)
    women = report.groups["gender"]["F"]
    assert women.observed == pytest.approx(0.4, abs=1e-4)
    assert women.low < 1 < women.high and women.observed < women.low  # far outside what chance gives
    assert women.p == pytest.approx(1 / 301, abs=1e-4) and women.p_corrected < 0.05 and women.alert
    assert ("gender", "F") in report.alerts and ("gender", "M") in report.alerts
    assert not [a for a in report.alerts if a[0] == "age_band"]  # age was not used by the biased ranking
    assert report.to_json()["permutations"] == 300


def test_the_permutation_test_stays_quiet_on_unbiased_rankings() -> None:
    alerts = [
        chance_of_lists(_by_id(_unbiased(seed)), ATTRIBUTES, depth=10, shared_pool=PEOPLE, seed=seed).alerts
        for seed in range(10)
    ]
    assert sum(bool(a) for a in alerts) <= 1  # a family-wise level of 5%: at most one run in ten by chance


def test_per_list_pools_give_what_one_shared_pool_gives() -> None:
    ranked = _by_id(_biased())
    shared = chance_of_lists(ranked, ATTRIBUTES, depth=10, shared_pool=PEOPLE, permutations=100, seed=4)
    apart = chance_of_lists(ranked, ATTRIBUTES, depth=10, pools=dict.fromkeys(ranked, PEOPLE), permutations=100, seed=4)
    assert shared.to_json()["groups"] == apart.to_json()["groups"]


def test_holm_by_hand() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.001]) == pytest.approx([0.5, 0.002])
