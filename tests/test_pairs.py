"""One definition of a list: the score, the filters and the order are functions of (query, candidate) pairs, and the
online query and the nightly batch both call ``rank_lists`` (with one query, with many).

Over slice profiles with inferred skills (skills an occupation held needs, never stated): a batch of queries ranks
exactly as each query alone, a pair's parts do not depend on the pairs computed with it nor on which side is the
query, and a query read from the feature table scores as the one built from the profile.
"""

from __future__ import annotations

import numpy as np
import pytest

from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, Role
from matching.ranking import (
    COMPONENTS,
    Filters,
    MatchingEngine,
    Pairs,
    Queries,
    filter_pairs,
    order_pairs,
    other_kind,
    rank_lists,
)
from matching.rematch import BATCH_FILTERS, BatchState
from skillmatch.runtime import Runtime
from tests.rematch_data import SliceProfiles


def _with_inferred(profile: Profile, extra: list[str]) -> Profile:
    """A jobseeker who also holds, as inferred from an occupation, some skills they do not state."""
    held = {c.uri for c in profile.skills}
    inferred = [ProfileConcept(u, Role.held, Origin.inferred, 0.8) for u in extra if u not in held]
    profile.skills = [*profile.skills, *inferred]
    return profile


Population = dict[tuple[ProfileKind, str], Profile]


@pytest.fixture(scope="module")
def population(slice_runtime: Runtime) -> Population:
    """150 jobseekers (a third with inferred skills) and 90 vacancies over the slice, by (kind, id)."""
    gen = SliceProfiles(slice_runtime.taxonomy, seed=5)
    people = gen.population(150, 90)
    for i, profile in enumerate(people):
        if profile.kind is ProfileKind.jobseeker and i % 3 == 0:
            _with_inferred(profile, gen.all_skills[i % 40 : i % 40 + 6])
    return {(p.kind, p.id): p for p in people}


@pytest.fixture(scope="module")
def engine(slice_runtime: Runtime, population: Population) -> MatchingEngine:
    """An engine of its own holding the population."""
    rt = slice_runtime
    engine = MatchingEngine(rt.taxonomy, rt.linker.space, rt.engine.scorer.related)
    engine.upsert(list(population.values()))
    return engine


def _queries(engine: MatchingEngine, population: Population, kind: ProfileKind) -> tuple[Queries, np.ndarray]:
    """Every profile of a kind as queries read from the engine's table, with their vectors."""
    table = engine.states()[kind].table
    rows = np.arange(len(table), dtype=np.int64)
    vectors = np.stack([engine.features.build(population[(kind, table.ids[r])]).vector for r in rows])
    return Queries(kind, table, rows), vectors


@pytest.mark.parametrize("filters", [BATCH_FILTERS, Filters(min_languages={"fr": 3}, max_km=30.0), Filters()])
@pytest.mark.parametrize("kind", list(ProfileKind))
def test_a_batch_of_queries_ranks_as_each_query_alone(
    engine: MatchingEngine, population: Population, kind: ProfileKind, filters: Filters
) -> None:
    queries, vectors = _queries(engine, population, kind)
    state = engine.states()[other_kind(kind)]
    batch = BatchState.of(engine)
    ranked = rank_lists(batch.scorer, queries, vectors, state.table, state.index, 7, filters, extra=3)
    for i, row in enumerate(queries.rows.tolist()):
        alone = engine.match(kind, population[(kind, queries.table.ids[row])], 7, filters)
        sl = ranked.list_of(i)
        got = [
            (state.table.ids[r], round(s, 6), {n: round(float(v), 4) for n, v in zip(COMPONENTS, p, strict=True)})
            for r, s, p in zip(ranked.rows[sl].tolist(), ranked.scores[sl].tolist(), ranked.parts[sl], strict=True)
        ]
        assert got[:7] == [(m.id, m.score, m.components) for m in alone], queries.table.ids[row]
        assert len(got) == min(10, int(ranked.eligible[i]))


def test_a_pair_scores_the_same_whichever_side_asks_and_whatever_else_is_scored(
    engine: MatchingEngine, population: Population
) -> None:
    scorer = engine.scorer
    vacancies, _ = _queries(engine, population, ProfileKind.vacancy)
    jobseekers, _ = _queries(engine, population, ProfileKind.jobseeker)
    rng = np.random.default_rng(4)
    v = rng.integers(0, len(vacancies), 600)
    j = rng.integers(0, len(jobseekers), 600)
    cosine = rng.random(600).astype(np.float32)
    order = np.argsort(v, kind="stable")
    by_vacancy = scorer.parts(vacancies, jobseekers.table, Pairs(v[order], j[order], cosine[order]))
    order_j = np.argsort(j, kind="stable")
    by_jobseeker = scorer.parts(jobseekers, vacancies.table, Pairs(j[order_j], v[order_j], cosine[order_j]))
    back = np.empty_like(by_jobseeker)
    back[order_j] = by_jobseeker
    forth = np.empty_like(by_vacancy)
    forth[order] = by_vacancy
    assert np.array_equal(forth, back)  # both sides, bit for bit
    assert ((forth[:, 1] > 0) & (forth[:, 1] < 1)).sum() >= 5  # partial credits (related, inferred) among them
    # One pair at a time, in reverse: the same values.
    for k in rng.choice(600, 25, replace=False).tolist():
        one = scorer.parts(vacancies, jobseekers.table, Pairs(v[k : k + 1], j[k : k + 1], cosine[k : k + 1]))
        assert np.array_equal(one[0], forth[k])
    scores = scorer.totals(forth)
    assert np.array_equal(scorer.totals(forth[::-1])[::-1], scores)


def test_inferred_skills_give_their_credit_in_both_directions(engine: MatchingEngine, population: Population) -> None:
    """A requirement a jobseeker does not state but an occupation they held needs gets ``inferred_credit``, in the
    batch as online (the batch once left it out for jobseekers' own lists)."""
    scorer = engine.scorer
    jobseekers, _ = _queries(engine, population, ProfileKind.jobseeker)
    holder = next(r for r in jobseekers.rows.tolist() if jobseekers.table.ragged["inferred"].row(r)[0].size)
    skill = int(jobseekers.table.ragged["inferred"].row(holder)[0][0])
    uri = engine.space.concept_uris[skill]
    asking = Profile(ProfileKind.vacancy, "V-asks", skills=[ProfileConcept(uri, Role.required, Origin.confirmed, 1.0)])
    built = engine.features.build(asking)
    one = Queries.of_features([built], engine.space)
    pair = Pairs(np.zeros(1, np.int64), np.asarray([holder], np.int64), np.zeros(1, np.float32))
    credit = scorer.parts(one, jobseekers.table, pair)[0, 1]
    assert credit == pytest.approx(scorer.weights.inferred_credit)
    back = scorer.parts(
        Queries(ProfileKind.jobseeker, jobseekers.table, np.asarray([holder])),
        one.table,
        Pairs(np.zeros(1, np.int64), one.rows, np.zeros(1, np.float32)),
    )[0, 1]
    assert back == credit


@pytest.mark.parametrize("kind", list(ProfileKind))
def test_a_query_read_from_the_table_scores_and_filters_as_the_one_built(
    engine: MatchingEngine, population: Population, kind: ProfileKind
) -> None:
    queries, _ = _queries(engine, population, kind)
    other = engine.states()[other_kind(kind)].table
    rows = np.arange(len(other), dtype=np.int64)
    cosine = np.linspace(0.1, 0.9, rows.size, dtype=np.float32)
    for row in queries.rows[:25].tolist():
        features = engine.features.build(population[(kind, queries.table.ids[row])])
        built = Queries.of_features([features], engine.space)
        stored = Queries(kind, queries.table, np.asarray([row], np.int64))
        pairs = Pairs(np.zeros(rows.size, np.int64), rows, cosine)
        assert np.array_equal(engine.scorer.parts(built, other, pairs), engine.scorer.parts(stored, other, pairs))
        assert np.array_equal(
            filter_pairs(BATCH_FILTERS, built, other, pairs), filter_pairs(BATCH_FILTERS, stored, other, pairs)
        )


def test_the_order_is_by_shown_score_then_id_within_each_query() -> None:
    query = np.asarray([1, 0, 1, 0, 0], np.int64)
    scores = np.asarray([0.5, 0.3000001, 0.7, 0.3000004, 0.9], np.float32)
    ids = ["b", "z", "a", "y", "c"]
    # Query 0: c (0.9), then y and z tie at six decimals (0.3): by id. Query 1: a, b.
    assert order_pairs(query, scores, ids).tolist() == [4, 3, 1, 2, 0]
