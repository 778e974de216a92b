"""The work of one chunk, on a Dask worker: the lists of many query profiles, exactly as the online path ranks.

A chunk's lists are ``matching.ranking.rank_lists`` over the chunk's queries, the very function the online
query calls with one: one batched FAISS search over the other kind's index returns every query's candidates at
once, the vacancy's own hard filters (language levels and licences, ``Filters(requirements_met=True)``) and the
scorer run over every (query, candidate) pair of the chunk in one pass, and the queries whose filters leave too
few candidates widen their search as the online path does. A list equals ``MatchingEngine.match(kind, id, top,
Filters(requirements_met=True))`` (ids, scores and score parts); explanations are not computed here, they are
rendered when a list is read. Each list also gets what a later run needs to patch it (``matching.rematch.state``):
the candidates around its search's boundary and ``RESERVE`` ranked candidates past its end.

A query is read from the feature table (the row the engine holds for it) with its exact profile vector, which
the run sends with the chunk.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind
from matching.ranking import (
    COMPONENTS,
    FeatureTable,
    Filters,
    MatchingEngine,
    Pairs,
    ProfileIndex,
    Queries,
    RankedLists,
    Scorer,
    other_kind,
    rank_lists,
)
from matching.rematch.curation import CuratedList
from matching.rematch.state import ListStates, ids_array, offsets_of, owner_of
from matching.space import ConceptSpace
from matching.threads import single_thread

_EMPTY = np.zeros(0, dtype=np.float32)
BATCH_FILTERS = Filters(requirements_met=True)
"""The hard filters of every batch list: the language levels and driving licences the vacancy asks for (and
only active jobseekers and open vacancies)."""
RESERVE = 5
"""Ranked candidates kept past a list's end, from which a later run fills a list some of whose matches left."""


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
    states: ListStates = field(default_factory=ListStates.empty)
    """Per list, what a later run patches it from."""
    stateful: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    """Per list, whether its state is kept (not when its search was widened, nor when staff pinned or excluded
    profiles on it: such a list is computed again when a change reaches it)."""
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


def _pinned(
    state: BatchState, queries: Queries, i: int, table: FeatureTable, curated: CuratedList
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Rows and score parts of a list's pinned profiles that are still matchable, in the order pinned."""
    s = table.scalars
    found = [(table.row_of.get(pid), cos) for pid, cos in curated.pinned]
    live = [(row, cos) for row, cos in found if row is not None and s["alive"][row] and s["active"][row]]
    rows = np.asarray([row for row, _ in live], dtype=np.int64)
    if not rows.size:
        return rows, np.zeros((0, len(COMPONENTS)), np.float32)
    cosine = np.asarray([cos for _, cos in live], dtype=np.float32)
    one = Queries(queries.kind, queries.table, queries.rows[i : i + 1])
    return rows, state.scorer.parts(one, table, Pairs(np.zeros(rows.size, np.int64), rows, cosine))


def list_states(
    ranked: RankedLists, table: FeatureTable, live: int, keep: npt.NDArray[np.bool_]
) -> tuple[ListStates, npt.NDArray[np.bool_]]:
    """The states a later run patches the lists from: each list's boundaries (one per search, with its edge) and
    its ranked prefix (the list and its reserve), for the lists to keep a state of (the others get an empty one).

    Args:
        ranked: the ranked lists (with ``RESERVE`` entries past each list's end).
        table: the candidates' table.
        live: profiles in the candidates' index.
        keep: per list, whether to keep its state.

    Returns:
        The states, and per list whether it keeps one.
    """
    n = keep.size
    levels = [ranked.edges[i] if keep[i] else [] for i in range(n)]
    bounds = [edge for level in levels for edge in level]
    edge_rows = np.concatenate([e[0] for e in bounds]) if bounds else np.zeros(0, np.int64)
    edge_counts = np.asarray([e[0].size for e in bounds], dtype=np.int64)
    counts = np.where(keep, np.diff(ranked.offsets), 0)
    pick = (
        np.repeat(ranked.offsets[:-1], counts)
        + np.arange(int(counts.sum()))
        - np.repeat(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    )
    prefix_rows = ranked.rows[pick]
    bound_offsets = offsets_of(np.asarray([len(level) for level in levels], dtype=np.int64))
    last = [level[-1] for level in levels if level]
    past = np.zeros(n, np.int64)
    past[keep] = [e[0].size - e[2] for e in last]
    width = len(table) + 1
    e_list = owner_of(bound_offsets)[owner_of(offsets_of(edge_counts))]
    ids = table.ids
    return ListStates(
        to_end=ranked.fetched + past >= live,
        complete=ranked.eligible <= counts,
        bound_offsets=bound_offsets,
        inside=np.asarray([e[2] for e in bounds], dtype=np.int64),
        kept=np.asarray(
            [0 if j == len(level) - 1 else e[3] for level in levels for j, e in enumerate(level)], np.int64
        ),
        edge_offsets=offsets_of(edge_counts),
        edge_ids=ids_array([ids[int(r)] for r in edge_rows]),
        edge_cosine=np.concatenate([e[1] for e in bounds]).astype(np.float32) if bounds else np.zeros(0, np.float32),
        listed=np.isin(e_list * width + edge_rows, np.repeat(np.arange(n), counts) * width + prefix_rows),
        prefix_offsets=offsets_of(counts),
        prefix_ids=ids_array([ids[int(r)] for r in prefix_rows]),
        prefix_values=np.concatenate([ranked.scores[pick, None], ranked.parts[pick]], axis=1).astype(np.float32),
    ), keep


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
        Every list, with the score parts of each match, what the index returned and each list's state.
    """
    started = time.perf_counter()
    qtable = state.tables[query_kind]
    table, index = state.tables[other_kind(query_kind)], state.indexes[other_kind(query_kind)]
    known = [(i, qtable.row_of.get(pid)) for i, pid in enumerate(query_ids)]
    present = [(i, row) for i, row in known if row is not None]
    queries = Queries(query_kind, qtable, np.asarray([row for _, row in present], dtype=np.int64))
    ids = [qtable.ids[row] for _, row in present]
    result = ChunkResult(query_kind, ids, np.zeros(1, np.int64), [], _EMPTY, _EMPTY, [], [], [])
    result.missing = [query_ids[i] for i, row in known if row is None]
    live = len(index)
    curated = curated or {}
    if not ids or not live:
        n = len(ids)
        result.offsets = np.zeros(n + 1, np.int64)
        result.fetched, result.thresholds, result.eligible = [0] * n, [None] * n, [0] * n
        result.components = np.zeros((0, len(COMPONENTS)), np.float32)
        result.states = ListStates.empty().take(np.zeros(0, np.int64))
        result.stateful = np.zeros(n, np.bool_)
        result.seconds = time.perf_counter() - started
        return result
    excluded = [curated[q].excluded if q in curated else frozenset() for q in ids] if curated else None
    with single_thread(), exact_batch_search():
        ranked = rank_lists(
            state.scorer,
            queries,
            np.ascontiguousarray(vectors[[i for i, _ in present]], dtype=np.float32),
            table,
            index,
            top,
            BATCH_FILTERS,
            extra=RESERVE,
            excluded=excluded,
        )
        offsets = [0]
        scores: list[npt.NDArray[np.float32]] = []
        components: list[npt.NDArray[np.float32]] = []
        for i, qid in enumerate(ids):
            sl = ranked.list_of(i)
            rows, total, parts = ranked.rows[sl], ranked.scores[sl], ranked.parts[sl]
            decisions = curated.get(qid)
            result.fetched.append(int(ranked.fetched[i]))
            threshold = float(ranked.threshold[i])
            result.thresholds.append(None if np.isnan(threshold) else threshold)
            result.eligible.append(int(ranked.eligible[i]))
            pin_rows = np.zeros(0, np.int64)
            if decisions is not None and decisions.pinned:
                pin_rows, pin_parts = _pinned(state, queries, i, table, decisions)
                pin_rows, pin_parts = pin_rows[:top], pin_parts[:top]
                result.match_ids += [table.ids[int(r)] for r in pin_rows]
                scores.append(state.scorer.totals(pin_parts))
                components.append(pin_parts)
                rest = ~np.isin(rows, pin_rows)
                rows, total, parts = rows[rest], total[rest], parts[rest]
            keep = top - pin_rows.size
            result.match_ids += [table.ids[int(r)] for r in rows[:keep]]
            scores.append(total[:keep])
            components.append(parts[:keep])
            offsets.append(len(result.match_ids))
    result.offsets = np.asarray(offsets, dtype=np.int64)
    undecided = np.asarray([q not in curated for q in ids], dtype=np.bool_)
    result.states, result.stateful = list_states(ranked, table, live, undecided)
    result.scores = np.concatenate(scores).astype(np.float32)
    result.components = np.concatenate(components).astype(np.float32).reshape(-1, len(COMPONENTS))
    result.seconds = time.perf_counter() - started
    return result


__all__ = ["BATCH_FILTERS", "RESERVE", "BatchState", "ChunkResult", "exact_batch_search", "list_states", "score_chunk"]
