"""The incremental rematch patches lists exactly: after any set of changes, every stored list equals the list that
computing it afresh gives on the same data (ids, scores, score parts), on SQLite and on PostgreSQL.

Random change sets with a fixed seed over the ESCO slice: new skills and occupations, language levels only,
deactivations, deletions, new profiles, vacancies past their closing date, pins and exclusions set and revoked.
Runs go through ``run_rematch`` in this process (``LocalExecutor``); the Dask path is ``tests/test_rematch.py``'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from matching.profiles import Profile, ProfileKind, ProfileStore
from matching.ranking import other_kind
from matching.rematch import (
    BatchState,
    ListCuration,
    ListStates,
    LocalExecutor,
    RematchRepository,
    RunOptions,
    close_expired,
    run_rematch,
    score_chunk,
)
from matching.rematch.curation import curated_lists
from matching.rematch.patch import _Lookup, _ranked_order, _rounded
from matching.rematch.planner import matchable
from matching.rematch.state import ids_array
from skillmatch.rematch import MatchingState
from skillmatch.runtime import Runtime
from skillmatch.settings import Settings
from tests.rematch_data import SliceProfiles, StaffDecisions

TOP = 5
TODAY = date(2026, 6, 1)
Lists = dict[tuple[str, str], list[tuple[str, float, tuple[float, ...]]]]


@pytest.fixture
def state(slice_runtime: Runtime, slice_db: Engine, tmp_path: Path) -> Iterator[MatchingState]:
    """300 jobseekers and 160 vacancies over the slice in a database of their own, opened as the batch opens it."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "concept_space").symlink_to(slice_runtime.settings.data_dir / "concept_space", target_is_directory=True)
    settings = Settings(data_dir=data, database_url="sqlite://", index_dir=tmp_path / "indexes")
    people = SliceProfiles(slice_runtime.taxonomy, seed=11).population(300, 160)
    for vacancy in [p for p in people if p.kind is ProfileKind.vacancy][::5]:
        # Few jobseekers meet these: the first 100 candidates leave too few, and the search widens.
        vacancy.languages, vacancy.driving_licences = {"nl": 5, "fr": 5}, ("C",)
    ProfileStore(slice_db).upsert(people)
    opened = MatchingState.open(settings, db=slice_db)
    yield opened
    opened.db.dispose()


def _run(state: MatchingState, decisions: StaffDecisions, **options: Any) -> Any:
    repository = RematchRepository(state.db)
    return run_rematch(
        state.engine,
        state.store,
        repository,
        LocalExecutor(),
        RunOptions(top=TOP, **options),
        versions=state.versions(),
        curations=decisions,
    )


def computed_afresh(state: MatchingState, decisions: StaffDecisions) -> Lists:
    """Every list as a full run computes it now, rounded as stored lists are read."""
    engine = state.engine
    batch = BatchState.of(engine)
    vectors = {
        kind: {pid: engine.features.build(state.store.get(kind, pid)).vector for pid in matchable(engine, kind)}
        for kind in ProfileKind
    }
    out: Lists = {}
    for kind in ProfileKind:
        ids = sorted(vectors[kind])
        curated = curated_lists(decisions.for_lists(kind, ids), vectors[kind], vectors[other_kind(kind)])
        result = score_chunk(batch, kind, ids, np.stack([vectors[kind][q] for q in ids]), TOP, curated)
        for i, qid in enumerate(result.query_ids):
            items = [(m, round(s, 6), tuple(round(v, 4) for v in p)) for _, m, s, p in result.matches(i)]
            if items:
                out[(kind.value, qid)] = items
    return out


def _change(
    state: MatchingState, gen: SliceProfiles, rng: np.random.Generator, step: int, decisions: StaffDecisions
) -> None:
    """One random set of changes of both kinds (and some staff decisions)."""
    store = state.store
    for kind, prefix, make in (
        (ProfileKind.jobseeker, "J", gen.jobseeker),
        (ProfileKind.vacancy, "V", gen.vacancy),
    ):
        ids = sorted(p.id for p in store.all(kind, active_only=True))
        picked = [ids[int(i)] for i in rng.choice(len(ids), 14, replace=False)]
        changed: list[Profile] = []
        for pid in picked[:6]:  # new skills and occupation
            fresh = make(pid)
            profile = store.get(kind, pid)
            profile.skills, profile.occupations = fresh.skills, fresh.occupations
            changed.append(profile)
        for pid in picked[6:8]:  # language levels only: same vector, other filters and score
            profile = store.get(kind, pid)
            profile.languages = {
                lang: max(1, min(6, level + int(rng.integers(-2, 3)))) for lang, level in profile.languages.items()
            }
            changed.append(profile)
        for pid in picked[8:10]:  # deactivated
            profile = store.get(kind, pid)
            profile.active = False
            changed.append(profile)
        if kind is ProfileKind.vacancy:  # past its closing date: the run closes it
            profile = store.get(kind, picked[10])
            profile.attributes["valid_until"] = (TODAY - timedelta(days=1)).isoformat()
            changed.append(profile)
        changed += [make(f"{prefix}9{step}{i:02d}") for i in range(3)]  # new
        store.upsert(changed)
        store.delete(kind, picked[12:14])
    if step % 2 == 0:
        vacancies = sorted(matchable(state.engine, ProfileKind.vacancy))
        jobseekers = sorted(matchable(state.engine, ProfileKind.jobseeker))
        target = vacancies[int(rng.integers(len(vacancies)))]
        pinned = tuple(jobseekers[int(i)] for i in rng.choice(len(jobseekers), 2, replace=False))
        excluded = frozenset(jobseekers[int(i)] for i in rng.choice(len(jobseekers), 3, replace=False))
        decisions.decide(ProfileKind.vacancy, target, ListCuration(pinned=pinned, excluded=excluded - set(pinned)))
        person = jobseekers[int(rng.integers(len(jobseekers)))]
        decisions.decide(ProfileKind.jobseeker, person, ListCuration(excluded=frozenset(vacancies[:2])))
    elif decisions.lists:
        kind, qid = sorted(decisions.lists)[0]
        decisions.decide(kind, qid, None)  # revoked


def test_incremental_runs_over_random_changes_equal_lists_computed_afresh(
    state: MatchingState, slice_runtime: Runtime
) -> None:
    rng = np.random.default_rng(2026)
    gen = SliceProfiles(slice_runtime.taxonomy, seed=12)
    decisions = StaffDecisions()
    first = _run(state, decisions, full=True).run
    assert first.mode == "full" and first.counts["diff"]["lists"] == 460
    repository = RematchRepository(state.db)
    stored = repository.stored_lists(ProfileKind.vacancy)
    widened = ListStates.decode([blob for blob in stored.states if blob is not None])
    assert (np.diff(widened.bound_offsets) > 1).sum() >= 20  # lists whose search widened keep each boundary
    reasons: Counter[str] = Counter()
    for step in range(4):
        _change(state, gen, rng, step, decisions)
        close_expired(state.writer, TODAY)
        run = _run(state, decisions).run
        assert run.mode == "incremental" and run.status == "succeeded"
        assert repository.all_lists() == computed_afresh(state, decisions), f"step {step}"
        for kind in ProfileKind:
            reasons.update(run.counts.get(f"{kind.value}_lists", {}))
    # The runs patched lists, some of them with new matches, and computed only a part of them again.
    assert reasons["patched, matches changed"] > 20 and reasons["patched"] - reasons["patched, matches changed"] > 20
    assert reasons["own change or new"] > 0 and reasons["pins or exclusions changed"] > 0, reasons
    assert reasons["no state (widened, curated or older)"] <= 8, reasons  # only the lists with staff decisions


def test_a_run_failed_among_its_patch_chunks_resumes_with_the_same_patches(state: MatchingState) -> None:
    decisions = StaffDecisions()
    _run(state, decisions, full=True)
    store = state.store
    vacancies = sorted(matchable(state.engine, ProfileKind.vacancy))
    moved = [store.get(ProfileKind.vacancy, pid) for pid in vacancies[:20]]
    for profile, other in zip(moved, moved[1:] + moved[:1], strict=True):
        profile.skills, profile.occupations = other.skills, other.occupations
    store.upsert(moved)
    committed: list[int] = []

    def stop_after_two(done: int, total: int, counts: object) -> None:
        committed.append(done)
        if done == 2:
            raise KeyboardInterrupt("stopped")

    repository = RematchRepository(state.db)
    with pytest.raises(KeyboardInterrupt):
        run_rematch(
            state.engine,
            store,
            repository,
            LocalExecutor(),
            RunOptions(top=TOP, chunk_size=10),
            versions=state.versions(),
            curations=decisions,
            progress=stop_after_two,
        )
    failed = repository.latest_run()
    assert failed is not None and failed.status == "failed" and failed.counts["lists_to_patch"]["jobseeker"] > 100
    outcome = _run(state, decisions, chunk_size=10)
    assert outcome.resumed and outcome.skipped_chunks == 2
    assert repository.all_lists() == computed_afresh(state, decisions)


def test_list_states_read_back_as_written() -> None:
    rng = np.random.default_rng(0)
    n = 40
    bounds = rng.integers(0, 4, n)
    nb = int(bounds.sum())
    edges, prefix = rng.integers(0, 17, nb), rng.integers(0, 26, n)
    edge_offsets, prefix_offsets = np.concatenate([[0], np.cumsum(edges)]), np.concatenate([[0], np.cumsum(prefix)])
    written = ListStates(
        to_end=rng.random(n) < 0.3,
        complete=rng.random(n) < 0.5,
        bound_offsets=np.concatenate([[0], np.cumsum(bounds)]),
        inside=rng.integers(0, 9, nb),
        kept=rng.integers(0, 20, nb),
        edge_offsets=edge_offsets,
        edge_ids=ids_array([f"J{i}" for i in range(edge_offsets[-1])]),
        edge_cosine=rng.random(edge_offsets[-1]).astype(np.float32),
        listed=rng.random(edge_offsets[-1]) < 0.5,
        prefix_offsets=prefix_offsets,
        prefix_ids=ids_array([f"V-é{i}" for i in range(prefix_offsets[-1])]),
        prefix_values=rng.random((prefix_offsets[-1], 7)).astype(np.float32),
    )
    blobs = written.encode()
    names = ("to_end", "complete", "bound_offsets", "inside", "kept", "edge_offsets", "edge_cosine", "listed")
    for read, expected in (
        (ListStates.decode(blobs), written),
        (ListStates.decode(blobs[5:9]), written.take(np.arange(5, 9))),
    ):
        for name in (*names, "prefix_offsets", "prefix_values", "edge_ids", "prefix_ids"):
            assert np.array_equal(getattr(read, name), getattr(expected, name)), name
    low = written.edge_low()
    last = written.last_bound()
    assert np.isnan(low[written.to_end | (last < 0)]).all()
    some = np.flatnonzero(~written.to_end & (last >= 0) & (np.diff(edge_offsets)[np.maximum(last, 0)] > 0))
    assert some.size and all(low[i] == written.edge_cosine[edge_offsets[last[i] + 1] - 1] for i in some)


def test_ids_ranked_in_the_order_of_their_strings() -> None:
    # The patch sorts ties and compares matches by these ranks instead of the ids: equal ids must share a rank
    # and the ranks must order as the strings do (code points: "V10" before "V2", "Z" before "ä").
    ids = ["V10", "V2", "V10", "A", "ä", "V1", "Z", "", "V2"]
    rank = _Lookup(ids).rank
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            assert (rank[i] < rank[j]) == (a < b) and (rank[i] == rank[j]) == (a == b), (a, b)


def test_ids_found_by_their_first_row_and_absent_ones_as_minus_one() -> None:
    lookup = _Lookup(["V2", "V1", "V2", "V3"])
    assert lookup(np.asarray(["V2", "V9", "V3", "V1"], dtype=str)).tolist() == [0, -1, 3, 1]
    assert lookup(["V1", ""]).tolist() == [1, -1]
    assert lookup([]).tolist() == []
    assert _Lookup([])(["V1"]).tolist() == [-1]


def test_lists_ranked_in_one_sort_as_by_list_score_and_key() -> None:
    # The packed sort must give exactly lexsort's order: ties on score broken by key, equal entries stable.
    rng = np.random.default_rng(7)
    for size, lists_n, keys_n in ((0, 1, 1), (1, 1, 1), (500, 7, 12), (20_000, 300, 5_000)):
        lists = np.sort(rng.integers(0, lists_n, size))
        scores = _rounded(rng.choice(rng.random(max(1, size // 3)).astype(np.float32) - 0.2, size))
        keys = rng.integers(0, keys_n, size)
        expected = np.lexsort((keys, -scores, lists))
        assert _ranked_order(lists, scores, keys).tolist() == expected.tolist()
        # keys that are strings, or too wide to pack, take the plain lexsort
        assert (
            _ranked_order(lists, scores, keys.astype(str)).tolist()
            == np.lexsort((keys.astype(str), -scores, lists)).tolist()
        )
        wide = keys.astype(np.int64) << 40
        assert _ranked_order(lists, scores, wide).tolist() == np.lexsort((wide, -scores, lists)).tolist()
