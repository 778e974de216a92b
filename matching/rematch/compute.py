"""The work of one chunk, on a Dask worker: the lists of many query profiles, exactly as the online path ranks.

For a chunk of query profiles of one kind, one batched FAISS search over the other kind's index returns every
query's candidates at once; then, per query, the vacancy's own hard filters (language levels and licences,
``Filters(requirements_met=True)``) and the vectorised ``Scorer`` re-rank them, and the widening the online
path does when the filters leave too few candidates is done for the queries that need it. The result of a
query equals ``MatchingEngine.match(kind, id, top, Filters(requirements_met=True))`` (ids, scores and score
parts); explanations are not computed here, they are rendered when a list is read.

A query's features are read back from the feature table (the row the engine holds for it) with its exact
profile vector, which the run sends with the chunk: the table holds every value the scorer and the filters
read, at the precision they read it.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matching.profiles import Profile, ProfileKind
from matching.ranking import (
    COMPONENTS,
    LICENCE_BITS,
    MIN_CANDIDATES,
    FeatureTable,
    Filters,
    Mask,
    MatchingEngine,
    ProfileFeatures,
    ProfileIndex,
    Scorer,
    apply_filters,
    lang_name,
    order_by_score,
    other_kind,
    place_of,
)
from matching.rematch.bulk import Pairs, requirements_met, score_parts
from matching.rematch.curation import CuratedList
from matching.space import ConceptSpace
from matching.threads import single_thread

_EMPTY = np.zeros(0, dtype=np.float32)
BATCH_FILTERS = Filters(requirements_met=True)
"""The hard filters of every batch list: the language levels and driving licences the vacancy asks for (and
only active jobseekers and open vacancies)."""


@dataclass
class BatchState:
    """What a worker needs: both kinds' feature tables and indexes, and the scorer (sent once per worker)."""

    tables: dict[ProfileKind, FeatureTable]
    indexes: dict[ProfileKind, ProfileIndex]
    scorer: Scorer

    @classmethod
    def of(cls, engine: MatchingEngine) -> BatchState:
        """The engine's current state, with a concept space reduced to what scoring reads (no label vectors).

        The tables and indexes are the engine's own (not copied): the engine must not change while the state is
        in use or being sent.
        """
        space = engine.space
        lean = ConceptSpace(
            manifest=dict(space.manifest),
            concept_uris=space.concept_uris,
            concept_kinds=space.concept_kinds,
            concept_vectors=space.concept_vectors,
            label_texts=[],
            label_concepts=np.zeros(0, dtype=np.int32),
            label_langs=np.zeros(0, dtype=np.int8),
            label_types=np.zeros(0, dtype=np.int8),
            label_vectors=np.zeros((0, space.dim), dtype=np.float32),
        )
        tables: dict[ProfileKind, FeatureTable] = {}
        indexes: dict[ProfileKind, ProfileIndex] = {}
        with engine.reading() as states:
            for kind, state in states.items():
                table = copy.copy(state.table)
                table.space = lean
                tables[kind] = table
                indexes[kind] = state.index
        scorer = Scorer(lean, engine.scorer.related, engine.scorer.weights)
        return cls(tables, indexes, scorer)


@dataclass
class ChunkResult:
    """The lists of a chunk's queries, as flat arrays (list i is ``offsets[i]:offsets[i + 1]``).

    Scores and score parts are the scorer's own float32 values; they are rounded as the online path shows them
    (6 and 4 decimals) when a list is read, so the batch spends no time on it.
    """

    query_kind: ProfileKind
    query_ids: list[str]
    offsets: npt.NDArray[np.int64]
    match_ids: list[str]
    scores: npt.NDArray[np.float32]
    components: npt.NDArray[np.float32]
    """(matches, 6) in the order of ``COMPONENTS``."""
    fetched: list[int]
    thresholds: list[float | None]
    eligible: list[int]
    seconds: float = 0.0
    missing: list[str] = field(default_factory=list)
    """Query ids the state does not hold (their lists are left out)."""

    def matches(self, i: int) -> Iterator[tuple[int, str, float, tuple[float, ...]]]:
        """(rank, match id, score, score parts) of list i, best first, at float32 precision."""
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        scores = self.scores[start:end].tolist()
        parts = self.components[start:end].tolist()
        for rank, j in enumerate(range(start, end), start=1):
            yield rank, self.match_ids[j], scores[j - start], tuple(parts[j - start])


def query_features(
    table: FeatureTable, row: int, vector: npt.NDArray[np.float32], kind: ProfileKind
) -> ProfileFeatures:
    """The features of a query profile read back from its feature table row and its exact vector.

    Args:
        table: the feature table of the query's kind.
        row: the query's row.
        vector: the query's profile vector, exactly as ``FeatureBuilder.build`` made it.
        kind: the query's kind.

    Returns:
        Features that score and filter exactly as the ones built from the profile.
    """
    uris = table.space.concept_uris

    def weights(key: str) -> dict[str, float]:
        ids, values = table.ragged[key].row(row)
        return {uris[i]: float(v) for i, v in zip(ids.tolist(), values.tolist(), strict=True)}

    scalars = table.scalars
    code = int(scalars["postcode"][row])
    postcode = f"{code:04d}" if code else None
    lang_ids, levels = table.ragged["languages"].row(row)
    languages = {lang_name(int(c)): int(v) for c, v in zip(lang_ids.tolist(), levels.tolist(), strict=True)}
    mask = int(scalars["licences"][row])
    profile = Profile(
        kind,
        table.ids[row],
        active=bool(scalars["active"][row]),
        languages=languages,
        postcode=postcode,
        driving_licences=tuple(name for name, bit in LICENCE_BITS.items() if mask & bit),
    )
    return ProfileFeatures(
        profile=profile,
        vector=vector,
        skills=weights("skills"),
        required=weights("required"),
        optional=weights("optional"),
        occupations=weights("occupations"),
        groups=weights("groups"),
        place=place_of(postcode),
        languages=languages,
    )


@contextmanager
def exact_batch_search() -> Iterator[None]:
    """FAISS's exact search computes a batch of queries with the same kernel as a single query.

    By default a batch of 20 or more queries goes through a matrix product whose sums round differently in the
    last bit; the online path searches one query at a time, and the batch must give the same cosines. The
    setting is process-wide: a worker runs one chunk at a time.
    """
    import faiss

    before = faiss.cvar.distance_compute_blas_threshold
    faiss.cvar.distance_compute_blas_threshold = 1 << 30
    try:
        yield
    finally:
        faiss.cvar.distance_compute_blas_threshold = before


def _bulk_jobseekers(
    state: BatchState,
    qtable: FeatureTable,
    qrows: list[int],
    queries: list[ProfileFeatures],
    found_rows: list[npt.NDArray[np.int64]],
    found_cosine: list[npt.NDArray[np.float32]],
    top: int,
    live: int,
) -> dict[int, tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]]:
    """Score parts and kept rows of the jobseeker queries whose first search leaves enough candidates.

    The others (the filters left fewer than ``top``) widen their search one by one, as the online path does.
    """
    table = state.tables[ProfileKind.vacancy]
    rows_q = np.asarray(qrows, dtype=np.int64)
    pairs = Pairs.of(found_rows, found_cosine)
    keep = requirements_met(qtable, rows_q, table, pairs)
    bounds = np.searchsorted(pairs.query, np.arange(len(queries) + 1))
    kept_per_query = np.bincount(pairs.query[keep], minlength=len(queries))
    enough = (kept_per_query >= top) | (max(MIN_CANDIDATES, 5 * top) >= live)
    enough &= np.diff(bounds) > 0
    if not enough.any():
        return {}
    chosen = keep & enough[pairs.query]
    kept = pairs.take(chosen)
    parts = score_parts(state.scorer, qtable, rows_q, [q.place for q in queries], table, kept)
    starts = np.searchsorted(kept.query, np.arange(len(queries) + 1))
    return {
        q: (np.ascontiguousarray(parts[starts[q] : starts[q + 1]]), kept.rows[starts[q] : starts[q + 1]])
        for q in np.flatnonzero(enough).tolist()
    }


def _excluded(table: FeatureTable, rows: npt.NDArray[np.int64], curated: CuratedList | None) -> Mask:
    """Which rows the list's staff decisions leave in (all when there are none)."""
    if curated is None or not curated.excluded:
        return np.ones(rows.size, dtype=np.bool_)
    return np.fromiter((table.ids[int(r)] not in curated.excluded for r in rows), dtype=np.bool_, count=rows.size)


def _pinned(
    state: BatchState, query: ProfileFeatures, table: FeatureTable, curated: CuratedList | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Rows and score parts of the list's pinned profiles that are still matchable, in the order pinned."""
    if curated is None or not curated.pinned:
        return np.zeros(0, np.int64), np.zeros((0, len(COMPONENTS)), np.float32)
    s = table.scalars
    found = [(table.row_of.get(pid), cos) for pid, cos in curated.pinned]
    live = [(row, cos) for row, cos in found if row is not None and s["alive"][row] and s["active"][row]]
    rows = np.asarray([row for row, _ in live], dtype=np.int64)
    cosine = np.asarray([cos for _, cos in live], dtype=np.float32)
    if not rows.size:
        return rows, np.zeros((0, len(COMPONENTS)), np.float32)
    return rows, state.scorer.score(query, table, rows, cosine).components


def score_chunk(
    state: BatchState,
    query_kind: ProfileKind,
    query_ids: Sequence[str],
    vectors: npt.NDArray[np.float32],
    top: int,
    curated: dict[str, CuratedList] | None = None,
) -> ChunkResult:
    """The lists of a chunk of query profiles.

    Args:
        state: the feature tables, indexes and scorer.
        query_kind: the queries' kind (vacancies get jobseekers, jobseekers get vacancies).
        query_ids: the query profiles (each must be in the state's table of its kind).
        vectors: their exact profile vectors, one row each.
        top: the length of each list.
        curated: staff pins and exclusions per query (``matching.rematch.curation``); lists without any are
            exactly the online lists.

    Returns:
        Every list, with the score parts of each match and what the index returned.
    """
    started = time.perf_counter()
    qtable = state.tables[query_kind]
    kind = other_kind(query_kind)
    table, index = state.tables[kind], state.indexes[kind]
    known = [(i, qtable.row_of.get(pid)) for i, pid in enumerate(query_ids)]
    missing = [query_ids[i] for i, row in known if row is None]
    present = [(i, row) for i, row in known if row is not None]
    queries = [query_features(qtable, row, vectors[i], query_kind) for i, row in present]
    result = ChunkResult(
        query_kind, [q.profile.id for q in queries], np.zeros(1, np.int64), [], _EMPTY, _EMPTY, [], [], []
    )
    result.missing = missing
    live = len(index)
    offsets = [0]
    wanted = max(MIN_CANDIDATES, 5 * top)
    scores: list[npt.NDArray[np.float32]] = []
    components: list[npt.NDArray[np.float32]] = []
    weights = state.scorer.weights.normalised()
    curated = curated or {}
    with single_thread(), exact_batch_search():
        if queries and live:
            found_rows, found_cosine = index.search_many(np.stack([q.vector for q in queries]), wanted)
        else:
            found_rows = [np.zeros(0, np.int64) for _ in queries]
            found_cosine = [np.zeros(0, np.float32) for _ in queries]
        bulk: dict[int, tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]] = {}
        if query_kind is ProfileKind.jobseeker and queries and live:
            bulk = _bulk_jobseekers(
                state, qtable, [row for _, row in present], queries, found_rows, found_cosine, top, live
            )
            bulk = {i: v for i, v in bulk.items() if queries[i].profile.id not in curated}
        for i, query in enumerate(queries):
            if not live:
                result.fetched.append(0)
                result.thresholds.append(None)
                result.eligible.append(0)
                offsets.append(offsets[-1])
                continue
            fetch, rows, cosine = wanted, found_rows[i], found_cosine[i]
            decisions = curated.get(query.profile.id)
            if i in bulk:
                parts, kept = bulk[i]
            else:
                while True:  # the online path's widening, as in MatchingEngine._rank
                    keep = apply_filters(BATCH_FILTERS, query, table, rows) & _excluded(table, rows, decisions)
                    if int(keep.sum()) >= top or fetch >= live:
                        break
                    fetch = min(live, fetch * 4)
                    rows, cosine = index.search(query.vector, fetch)
                kept = rows[keep]
                parts = state.scorer.score(query, table, kept, cosine[keep]).components
            result.fetched.append(int(rows.size))
            result.thresholds.append(None if rows.size >= live or rows.size == 0 else float(cosine[-1]))
            result.eligible.append(int(kept.size))
            total = (parts @ weights).astype(np.float32)
            order = order_by_score(total, [table.ids[int(r)] for r in kept])
            pin_rows, pin_parts = _pinned(state, query, table, decisions)
            if pin_rows.size:
                pin_rows, pin_parts = pin_rows[:top], pin_parts[:top]
                order = order[~np.isin(kept[order], pin_rows)]
                result.match_ids += [table.ids[int(r)] for r in pin_rows]
                scores.append((pin_parts @ weights).astype(np.float32))
                components.append(pin_parts.astype(np.float32))
            order = order[: top - pin_rows.size]
            result.match_ids += [table.ids[int(r)] for r in kept[order]]
            scores.append(total[order])
            components.append(parts[order])
            offsets.append(len(result.match_ids))
    result.offsets = np.asarray(offsets, dtype=np.int64)
    if scores:
        result.scores = np.concatenate(scores).astype(np.float32)
        result.components = np.concatenate(components).astype(np.float32).reshape(-1, len(COMPONENTS))
    result.seconds = time.perf_counter() - started
    return result


__all__ = [
    "BATCH_FILTERS",
    "BatchState",
    "ChunkResult",
    "exact_batch_search",
    "query_features",
    "score_chunk",
]
