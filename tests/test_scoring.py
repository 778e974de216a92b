"""The score of (vacancy, jobseeker) pairs on tiny hand-made profiles whose components are computed by hand.

Concept space: skills s0..s5, occupations o0 o1, ISCO groups g0 g1. Related skills: s1~s4 (hierarchy, 0.5),
s2~s4 (similar, 0.3), s2~s5 (similar, 0.4). Default weights: cosine 0.4, essential 0.1, optional 0.05,
occupation 0.7, language 0.2, location 0.05 (sum 1.5); group share 0.5; a CEFR level missing costs 0.6.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from esco_data import Taxonomy
from matching.profiles import Profile, ProfileKind
from matching.ranking import COMPONENTS, FeatureTable, Filters, ProfileFeatures, Scorer, ScoreWeights, apply_filters
from matching.ranking.explain import Explainer
from matching.ranking.location import COLUMNS, PlaceColumns, distance_km, location_fit, place_of
from matching.ranking.related import RELATION_HIERARCHY, RELATION_SEMANTIC
from tests.handmade import related_skills, tiny_space

SPACE = tiny_space([f"s{i}" for i in range(6)], ["o0", "o1"], ["g0", "g1"])
RELATED = related_skills(
    SPACE,
    {
        ("s1", "s4"): (0.5, RELATION_HIERARCHY),
        ("s2", "s4"): (0.3, RELATION_SEMANTIC),
        ("s2", "s5"): (0.4, RELATION_SEMANTIC),
    },
)
WEIGHTS = np.asarray([0.4, 0.1, 0.05, 0.7, 0.2, 0.05]) / 1.5


def features(
    kind: ProfileKind,
    pid: str,
    *,
    skills: tuple[str, ...] = (),
    required: dict[str, float] | None = None,
    optional: dict[str, float] | None = None,
    occupations: dict[str, float] | None = None,
    groups: dict[str, float] | None = None,
    languages: dict[str, int] | None = None,
    postcode: str | None = None,
) -> ProfileFeatures:
    required, optional = required or {}, optional or {}
    held = dict.fromkeys(skills, 1.0) | required | optional
    return ProfileFeatures(
        profile=Profile(kind, pid, languages=languages or {}, postcode=postcode),
        vector=np.zeros(SPACE.dim, dtype=np.float32),
        skills=held,
        required=required,
        optional=optional,
        occupations=occupations or {},
        groups=groups or {},
        place=place_of(postcode),
        languages=languages or {},
    )


def jobseeker(pid: str, **fields: object) -> ProfileFeatures:
    return features(ProfileKind.jobseeker, pid, **fields)  # type: ignore[arg-type]


def vacancy(pid: str, **fields: object) -> ProfileFeatures:
    return features(ProfileKind.vacancy, pid, **fields)  # type: ignore[arg-type]


VACANCY = vacancy(
    "V",
    required={"s0": 2.0, "s1": 1.0, "s2": 1.0},
    optional={"s3": 1.0},
    occupations={"o0": 0.75, "o1": 0.25},
    groups={"g0": 1.0},
    languages={"nl": 4, "fr": 3},
    postcode="1000",
)
EMPTY_VACANCY = vacancy("V-empty")
"""States nothing: neutral coverage (0.5), languages met, location unknown."""

JOBSEEKERS = [
    jobseeker(
        "A",
        skills=("s0", "s4"),
        occupations={"o0": 0.5, "o1": 0.5},
        groups={"g0": 0.6, "g1": 0.4},
        languages={"nl": 3, "fr": 6},
        postcode="1020",
    ),
    jobseeker("B", skills=("s0", "s1", "s2", "s3", "s5")),
    jobseeker(
        "C",
        skills=("s4", "s5"),
        occupations={"o1": 1.0},
        groups={"g1": 1.0},
        languages={"nl": 5, "fr": 2},
        postcode="2000",
    ),
    jobseeker("D", skills=("s1", "s2", "s4"), languages={"nl": 4}, postcode="1050"),
]
COSINE = np.asarray([0.8, 0.5, -0.2, 0.6], dtype=np.float32)

KM_ANTWERP = distance_km(place_of("1000"), place_of("2000"))  # type: ignore[arg-type]
KM_IXELLES = distance_km(place_of("1000"), place_of("1050"))  # type: ignore[arg-type]
EXPECTED = {
    # cosine, essential, optional, occupation, language, location
    # A: s0 exact (weight 2), s1 through s4 (0.5), s2 through s4 (0.3): (2 + 0.5 + 0.3) / 4. Occupations
    # min(.75, .5) + min(.25, .5) = 0.75, groups min(1, .6) = 0.6, half each. Dutch one level short: 1 - 0.6.
    # Same commune (Bruxelles) under another postcode: 0.9.
    "A": (0.8, 0.7, 0.0, 0.5 * 0.75 + 0.5 * 0.6, 0.4, 0.9),
    # B: every skill exact; no occupation; no language at all (B2 and B1 missing: 0); place unknown.
    "B": (0.5, 1.0, 1.0, 0.0, 0.0, 0.5),
    # C: s1 through s4 (0.5), s2 through the better of s4 (0.3) and s5 (0.4): (0.5 + 0.4) / 4. Occupation o1
    # only: 0.5 * 0.25. French one level short. Antwerp: another region.
    "C": (0.0, 0.225, 0.0, 0.125, 0.4, 0.3 - 0.2 * KM_ANTWERP / 100),
    # D: s1 and s2 exact although s4 relates to both; s0 missing: 2 / 4. French (B1) missing: 1 - 0.6 * 3 < 0.
    "D": (0.6, 0.5, 0.0, 0.0, 0.0, 0.85 - 0.25 * KM_IXELLES / 15),
}
EXPECTED_EMPTY = (0.5, 0.5, 0.0, 1.0, 0.5)
"""Any jobseeker against the vacancy that states nothing (essential .. location)."""


def table_of(profiles: list[ProfileFeatures]) -> FeatureTable:
    table = FeatureTable(SPACE)
    table.upsert(profiles)
    return table


def same_places(a: PlaceColumns, b: PlaceColumns) -> bool:
    return all(
        np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True)
        and getattr(a, name).dtype == getattr(b, name).dtype
        for name in COLUMNS
    )


@pytest.fixture
def scorer() -> Scorer:
    return Scorer(SPACE, RELATED)


def test_weights_are_normalised() -> None:
    w = ScoreWeights().normalised()
    np.testing.assert_allclose(w, WEIGHTS, rtol=1e-6)
    assert w.sum() == pytest.approx(1.0)
    assert ScoreWeights(cosine=0, essential=0, optional=0, occupation=0, language=0, location=0).normalised().sum() == 0


def test_candidates_of_a_vacancy(scorer: Scorer) -> None:
    table = table_of(JOBSEEKERS)
    scored = scorer.score(VACANCY, table, np.arange(4), COSINE)
    assert scored.components.shape == (4, len(COMPONENTS))
    for i, js in enumerate(JOBSEEKERS):
        np.testing.assert_allclose(scored.components[i], EXPECTED[js.profile.id], atol=1e-6, err_msg=js.profile.id)
        assert scored.scores[i] == pytest.approx(float(np.dot(EXPECTED[js.profile.id], WEIGHTS)), abs=1e-6)
    # A by hand: (0.4*0.8 + 0.1*0.7 + 0.7*0.675 + 0.2*0.4 + 0.05*0.9) / 1.5.
    assert scored.scores[0] == pytest.approx(0.9875 / 1.5, abs=1e-6)


def test_vacancies_of_a_jobseeker_score_the_same_pairs(scorer: Scorer) -> None:
    table = table_of([VACANCY, EMPTY_VACANCY])
    for js in JOBSEEKERS:
        expected = EXPECTED[js.profile.id]
        scored = scorer.score(js, table, np.arange(2), np.asarray([expected[0], 0.3], dtype=np.float32))
        np.testing.assert_allclose(scored.components[0], expected, atol=1e-6, err_msg=js.profile.id)
        np.testing.assert_allclose(scored.components[1], (0.3, *EXPECTED_EMPTY), atol=1e-6, err_msg=js.profile.id)


def test_a_vacancy_that_states_nothing(scorer: Scorer) -> None:
    scored = scorer.score(EMPTY_VACANCY, table_of(JOBSEEKERS), np.arange(4), np.full(4, 0.3, dtype=np.float32))
    np.testing.assert_allclose(scored.components, np.tile((0.3, *EXPECTED_EMPTY), (4, 1)), atol=1e-6)


def test_candidate_rows_can_be_any_subset_in_any_order(scorer: Scorer) -> None:
    table = table_of(JOBSEEKERS)
    rows = np.asarray([3, 0, 3], dtype=np.int64)
    scored = scorer.score(VACANCY, table, rows, COSINE[rows])
    for i, row in enumerate(rows.tolist()):
        np.testing.assert_allclose(scored.components[i], EXPECTED[JOBSEEKERS[row].profile.id], atol=1e-6)
    assert scorer.score(VACANCY, table, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)).scores.size == 0


def test_weights_and_partial_credits_are_settings() -> None:
    weights = ScoreWeights(cosine=0, essential=1, optional=0, occupation=0, language=1, location=0, language_gap=0.25)
    scored = Scorer(SPACE, RELATED, weights).score(VACANCY, table_of(JOBSEEKERS), np.arange(4), COSINE)
    # Language with a gap of 0.25 a level: A 0.75 (Dutch one short), B 0 (B2 missing: 1 - 4 * 0.25), C 0.75,
    # D 0.25 (French B1 missing).
    np.testing.assert_allclose(scored.components[:, 4], [0.75, 0.0, 0.75, 0.25], atol=1e-6)
    np.testing.assert_allclose(scored.scores, (np.asarray([0.7, 1.0, 0.225, 0.5]) + [0.75, 0.0, 0.75, 0.25]) / 2)


# -- location in the score, the table and the explanation --------------------------------------------------


def test_location_component_is_the_location_fit(scorer: Scorer) -> None:
    table = table_of(JOBSEEKERS)
    scored = scorer.score(VACANCY, table, np.arange(4), COSINE)
    expected = [location_fit(VACANCY.place, js.place) for js in JOBSEEKERS]
    np.testing.assert_allclose(scored.components[:, 5], expected, atol=1e-7)
    assert same_places(table.places(np.arange(4)), PlaceColumns.of([js.place for js in JOBSEEKERS]))


def test_explanation_shows_the_score_location(slice_taxonomy: Taxonomy, scorer: Scorer) -> None:
    query = vacancy("W", postcode="1000")
    table = table_of(JOBSEEKERS)
    scored = scorer.score(query, table, np.arange(4), COSINE)
    explainer = Explainer(slice_taxonomy, SPACE, RELATED)
    shown = [explainer.explain(query, table, row, "fr").location for row in range(4)]
    assert [s["fit"] for s in shown] == [round(float(v), 4) for v in scored.components[:, 5]]
    assert shown[0] == {
        "query_postcode": "1000",
        "candidate_postcode": "1020",
        "fit": 0.9,
        "same_commune": True,
        "same_region": True,
        "km": 3.8,
    }
    assert shown[1] == {"query_postcode": "1000", "candidate_postcode": None, "fit": 0.5}
    assert (shown[2]["same_commune"], shown[2]["same_region"], shown[2]["km"]) == (False, False, round(KM_ANTWERP, 1))
    assert (shown[3]["same_commune"], shown[3]["same_region"]) == (False, True)


def test_saved_table_keeps_places(tmp_path: Path, scorer: Scorer) -> None:
    table = table_of(JOBSEEKERS)
    table.save(tmp_path / "table.npz")
    loaded = FeatureTable.load(tmp_path / "table.npz", SPACE)
    assert same_places(loaded.places(np.arange(4)), table.places(np.arange(4)))
    np.testing.assert_array_equal(
        scorer.score(VACANCY, loaded, np.arange(4), COSINE).components,
        scorer.score(VACANCY, table, np.arange(4), COSINE).components,
    )


def test_distance_and_region_filters_read_the_same_places() -> None:
    table = table_of(JOBSEEKERS)
    rows = np.arange(4)
    # From 1000: A (1020) 3.78 km, B unknown, C (Antwerp) 41.7 km, D (Ixelles) 2.54 km.
    kept = {km: apply_filters(Filters(max_km=km), VACANCY, table, rows).tolist() for km in (2, 3, 5, 50)}
    assert kept == {
        2: [False, False, False, False],
        3: [False, False, False, True],
        5: [True, False, False, True],
        50: [True, False, True, True],
    }
    assert apply_filters(Filters(regions=("flanders",)), VACANCY, table, rows).tolist() == [False, False, True, False]
    # A query without a place filters on no distance.
    assert apply_filters(Filters(max_km=1), EMPTY_VACANCY, table, rows).all()
