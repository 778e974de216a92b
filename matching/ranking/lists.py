"""The two-stage ranking of one query or many at once: the one definition of a list, which the online query
(``MatchingEngine.match``) and the nightly rematch both call.

For each query: the index returns the ``wanted`` candidates with the highest cosine (``max(MIN_CANDIDATES,
5 k)``, and ``EDGE`` more that only the rematch reads); the hard filters apply; when they leave fewer than k and
the index holds more, the search is widened (4 times as many, as often as needed); the scorer scores what passed,
and the list is ordered by score (at the precision results are shown), equal scores by id.

The rematch keeps what it needs to bring a list up to date later without searching or scoring it again: the
``EDGE`` candidates on each side of the search's boundary (the last ones returned, and the first ones past them,
with their cosines) and a few ranked candidates past the list's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.ranking.filters import Filters, filter_pairs
from matching.ranking.index import ProfileIndex
from matching.ranking.pairs import Mask, Pairs, Queries, order_pairs
from matching.ranking.scoring import Scorer
from matching.ranking.table import FeatureTable

Rows = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float32]
MIN_CANDIDATES = 100
"""ANN candidates fetched before filters and re-ranking: at least this many, and at least 5 x k."""
EDGE = 8
"""Candidates kept on each side of a search's boundary (read by the rematch only)."""


def wanted_for(k: int) -> int:
    """Candidates the first search fetches for a list of length k (``EDGE`` more are returned past them)."""
    return max(MIN_CANDIDATES, 5 * k)


@dataclass
class RankedLists:
    """The ranked lists of some queries, flat: list i is ``offsets[i]:offsets[i + 1]`` of the per-match arrays,
    best first (at most k plus the extra asked for)."""

    offsets: Rows
    rows: Rows
    scores: Floats
    parts: npt.NDArray[np.float32]
    """(matches, 6) in the order of ``COMPONENTS``."""
    fetched: Rows
    """Per query, the candidates the search returned (after widening)."""
    threshold: Floats
    """Per query, the cosine of the last candidate returned (NaN when the search returned every profile)."""
    eligible: Rows
    """Per query, the candidates that passed the filters."""
    widened: Mask
    """Per query, whether the search was widened."""
    edges: list[list[tuple[Rows, Floats, int, int]]]
    """Per query, per search (the first, then each widening): the rows and cosines around its boundary in
    search order, how many of them are inside the candidates it returned (the last ``EDGE`` it returned, then up
    to ``EDGE`` past them), and how many of its candidates passed the filters."""

    def list_of(self, i: int) -> slice:
        """The positions of list i in the per-match arrays."""
        return slice(int(self.offsets[i]), int(self.offsets[i + 1]))


def _excluded(table: FeatureTable, rows: Rows, excluded: frozenset[str]) -> Mask:
    """Which rows a list's exclusions leave in."""
    if not excluded:
        return np.ones(rows.size, dtype=np.bool_)
    return np.fromiter((table.ids[int(r)] not in excluded for r in rows), dtype=np.bool_, count=rows.size)


def _edge(rows: Rows, cosine: Floats, returned: int, kept: int) -> tuple[Rows, Floats, int, int]:
    """A search's boundary: the last ``EDGE`` of the ``returned`` candidates and what it found past them."""
    inside = min(EDGE, returned)
    return rows[returned - inside :], cosine[returned - inside :], inside, kept


def rank_lists(
    scorer: Scorer,
    queries: Queries,
    vectors: npt.NDArray[np.float32],
    table: FeatureTable,
    index: ProfileIndex,
    k: int,
    filters: Filters,
    *,
    extra: int = 0,
    excluded: Sequence[frozenset[str]] | None = None,
) -> RankedLists:
    """Rank the other kind's profiles for each query: search, filter (widening), score, order.

    Args:
        scorer: the scorer.
        queries: the query profiles.
        vectors: their profile vectors, one row each.
        table: the candidates' feature table.
        index: the candidates' index (not empty).
        k: the length of each list.
        filters: the hard filters (the same for every query).
        extra: ranked candidates kept past the k-th.
        excluded: per query, profiles that never enter its list (staff decisions; they count as filtered).

    Returns:
        The lists, with what the search returned.

    Raises:
        IndexNotBuilt: the index is empty.
    """
    n = len(queries)
    live = len(index)
    wanted = wanted_for(k)
    found_rows, found_cosine = index.search_many(vectors, wanted + EDGE)
    rows = [r[:wanted] for r in found_rows]
    cosine = [c[:wanted] for c in found_cosine]
    pairs = Pairs.of(rows, cosine)
    keep = filter_pairs(filters, queries, table, pairs)
    if excluded is not None:
        keep &= np.concatenate([_excluded(table, r, excluded[i]) for i, r in enumerate(rows)]) if n else keep
    kept = np.bincount(pairs.query[keep], minlength=n)
    widened = (kept < k) & (wanted < live)
    chosen = [pairs.take(keep & ~widened[pairs.query])]
    fetched = np.asarray([r.size for r in rows], dtype=np.int64)
    edges = [[_edge(found_rows[i], found_cosine[i], rows[i].size, int(kept[i]))] for i in range(n)]
    threshold = np.asarray([c[-1] if c.size else np.nan for c in cosine], dtype=np.float32)
    for i in np.flatnonzero(widened).tolist():
        fetch = wanted
        single = Queries(queries.kind, queries.table, queries.rows[i : i + 1])
        while True:  # the widening: four times as many candidates, until enough pass or the index is exhausted
            fetch = min(live, fetch * 4)
            found, found_cos = index.search(vectors[i], fetch + EDGE)
            rows[i], cosine[i] = found[:fetch], found_cos[:fetch]
            one = Pairs(np.zeros(rows[i].size, dtype=np.int64), rows[i], cosine[i])
            passes = filter_pairs(filters, single, table, one)
            if excluded is not None:
                passes &= _excluded(table, rows[i], excluded[i])
            edges[i].append(_edge(found, found_cos, rows[i].size, int(passes.sum())))
            if int(passes.sum()) >= k or fetch >= live:
                break
        fetched[i] = rows[i].size
        threshold[i] = cosine[i][-1] if cosine[i].size else np.nan
        chosen.append(Pairs(np.full(int(passes.sum()), i, dtype=np.int64), rows[i][passes], cosine[i][passes]))
    everything = fetched >= live
    threshold[everything] = np.nan
    scored = Pairs(*(np.concatenate([getattr(p, f) for p in chosen]) for f in ("query", "rows", "cosine")))
    parts = scorer.parts(queries, table, scored)
    scores = scorer.totals(parts)
    order = order_pairs(scored.query, scores, [table.ids[int(r)] for r in scored.rows])
    eligible = np.bincount(scored.query, minlength=n).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(eligible)])
    within = np.arange(order.size) - np.repeat(starts[:-1], eligible)
    top = order[within < k + extra]
    return RankedLists(
        offsets=np.concatenate([[0], np.cumsum(np.minimum(eligible, k + extra))]).astype(np.int64),
        rows=scored.rows[top],
        scores=scores[top],
        parts=parts[top],
        fetched=fetched,
        threshold=threshold,
        eligible=eligible,
        widened=widened,
        edges=edges,
    )


__all__ = ["EDGE", "MIN_CANDIDATES", "RankedLists", "rank_lists", "wanted_for"]
