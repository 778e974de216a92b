"""The bulk parts of the rematch against the one-query code they stand for, on hand-checkable inputs."""

from __future__ import annotations

import numpy as np
import pytest

from matching.profiles import Profile, ProfileKind
from matching.ranking import MatchingEngine, apply_filters
from matching.rematch.bulk import Pairs, requirements_met, score_parts
from matching.rematch.compute import BATCH_FILTERS, BatchState, query_features
from matching.rematch.planner import _reached
from skillmatch.runtime import Runtime
from tests.rematch_data import SliceProfiles


@pytest.fixture(scope="module")
def population(slice_runtime: Runtime) -> dict[tuple[ProfileKind, str], Profile]:
    """120 jobseekers and 80 vacancies over the slice, by (kind, id)."""
    return {(p.kind, p.id): p for p in SliceProfiles(slice_runtime.taxonomy, seed=3).population(120, 80)}


@pytest.fixture(scope="module")
def engine(slice_runtime: Runtime, population: dict[tuple[ProfileKind, str], Profile]) -> MatchingEngine:
    """An engine of its own holding the population."""
    rt = slice_runtime
    engine = MatchingEngine(rt.taxonomy, rt.linker.space, rt.engine.scorer.related)
    engine.upsert(list(population.values()))
    return engine


def test_query_features_from_the_table_score_as_the_built_ones(
    engine: MatchingEngine, population: dict[tuple[ProfileKind, str], Profile]
) -> None:
    state = BatchState.of(engine)
    for kind in ProfileKind:
        qtable = state.tables[kind]
        other = state.tables[ProfileKind.vacancy if kind is ProfileKind.jobseeker else ProfileKind.jobseeker]
        rows = np.arange(len(other), dtype=np.int64)
        cosine = np.linspace(0.1, 0.9, rows.size, dtype=np.float32)
        for pid in qtable.ids[:30]:
            built = engine.features.build(population[(kind, pid)])
            again = query_features(qtable, qtable.row_of[pid], built.vector, kind)
            a = engine.scorer.score(built, other, rows, cosine)
            b = state.scorer.score(again, other, rows, cosine)
            assert np.array_equal(a.components, b.components) and np.array_equal(a.scores, b.scores)
            assert np.array_equal(
                apply_filters(BATCH_FILTERS, built, other, rows), apply_filters(BATCH_FILTERS, again, other, rows)
            )


def test_bulk_filters_and_parts_equal_the_scorer_query_by_query(engine: MatchingEngine) -> None:
    state = BatchState.of(engine)
    qtable, table = state.tables[ProfileKind.jobseeker], state.tables[ProfileKind.vacancy]
    rng = np.random.default_rng(0)
    qrows = np.arange(len(qtable), dtype=np.int64)
    per_query = [np.sort(rng.choice(len(table), int(rng.integers(0, 60)), replace=False)) for _ in qrows]
    cosines = [rng.random(r.size).astype(np.float32) for r in per_query]
    features = [
        query_features(qtable, int(q), np.zeros(engine.space.dim, np.float32), ProfileKind.jobseeker) for q in qrows
    ]
    pairs = Pairs.of(per_query, cosines)
    keep = requirements_met(qtable, qrows, table, pairs)
    parts = score_parts(state.scorer, qtable, qrows, [f.place for f in features], table, pairs)
    start = 0
    for feature, rows, cosine in zip(features, per_query, cosines, strict=True):
        end = start + rows.size
        assert np.array_equal(keep[start:end], apply_filters(BATCH_FILTERS, feature, table, rows))
        assert np.array_equal(parts[start:end], state.scorer.score(feature, table, rows, cosine).components)
        start = end
    assert 0 < keep.sum() < keep.size


def test_a_list_is_reached_when_a_changed_vector_meets_its_threshold() -> None:
    queries = {
        "a": np.asarray([1.0, 0.0], np.float32),
        "b": np.asarray([0.0, 1.0], np.float32),
        "c": np.asarray([0.6, 0.8], np.float32),
    }
    thresholds: dict[str, float | None] = {"a": 0.9, "b": 0.9, "c": 0.99}
    changed = np.asarray([[0.95, np.sqrt(1 - 0.95**2)]], np.float32)
    assert _reached(["a", "b", "c"], queries, thresholds, changed, np.zeros(1, np.float32)) == {"a"}
    # The margin of a quantised index widens the reach.
    assert _reached(["a", "b", "c"], queries, thresholds, changed, np.full(1, 0.3, np.float32)) == {"a", "c"}
