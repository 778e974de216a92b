"""The lists of many jobseekers at once: the hard filters and the score parts of every (jobseeker, vacancy)
pair of a chunk in one pass of array operations, instead of one scorer call per jobseeker.

Every value is computed exactly as ``Scorer.score`` and ``apply_filters`` compute it for one jobseeker: the
same lookups, the same element-wise arithmetic in the same precision, and sums (``bincount``) over each pair's
entries in the same order; a query's concept lookups are keyed by (query, concept) so that the queries of a
chunk never mix. Two steps stay per query because their result would otherwise depend on where a row sits in
a larger array: the location fit (``location_fits``, the one location rule) and the weighted sum of the six
parts (a matrix-vector product, whose rounding depends on the block a row falls in). A test compares every
list with the online path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.ranking import COMPONENTS, FeatureTable, Place, Scorer, location_fits

Rows = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float32]
LANGUAGES = 26 * 26
"""Language codes (``lang_code``) are below this."""


@dataclass
class Pairs:
    """The candidate pairs of a chunk's queries: candidate rows, cosines, and the query of each pair."""

    rows: Rows
    cosine: Floats
    query: Rows
    """Position of each pair's query in the chunk."""

    @classmethod
    def of(cls, rows: Sequence[Rows], cosine: Sequence[Floats]) -> Pairs:
        """Pairs from per-query candidate rows and cosines."""
        counts = np.asarray([r.size for r in rows], dtype=np.int64)
        return cls(
            np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64),
            np.concatenate(cosine).astype(np.float32) if cosine else np.zeros(0, np.float32),
            np.repeat(np.arange(len(rows), dtype=np.int64), counts),
        )

    def take(self, mask: npt.NDArray[np.bool_]) -> Pairs:
        """The pairs a mask keeps (in order)."""
        return Pairs(self.rows[mask], self.cosine[mask], self.query[mask])


def _lookup(keys: npt.NDArray[np.int64], values: Floats, probe: npt.NDArray[np.int64]) -> Floats:
    """values[keys == probe] for each probe (0 where absent); keys sorted and unique."""
    if keys.size == 0 or probe.size == 0:
        return np.zeros(probe.size, dtype=np.float32)
    pos = np.minimum(np.searchsorted(keys, probe), keys.size - 1)
    return np.where(keys[pos] == probe, values[pos], 0.0).astype(np.float32)


def _query_entries(table: FeatureTable, key: str, qrows: Rows, width: int) -> tuple[npt.NDArray[np.int64], Floats]:
    """The (query, id) keys and values of one ragged column of the queries, sorted by key."""
    owners, ids, values = table.ragged[key].gather(qrows)
    return owners * width + ids.astype(np.int64), values.astype(np.float32)


def requirements_met(qtable: FeatureTable, qrows: Rows, table: FeatureTable, pairs: Pairs) -> npt.NDArray[np.bool_]:
    """``apply_filters(Filters(requirements_met=True), ...)`` for jobseeker queries and vacancy candidates.

    Args:
        qtable: the jobseekers' table.
        qrows: the chunk's jobseeker rows.
        table: the vacancies' table.
        pairs: the candidate pairs.

    Returns:
        Which pairs pass: the vacancy is alive and open, and the jobseeker holds every language level and
        licence it asks for.
    """
    s = table.scalars
    keep: npt.NDArray[np.bool_] = s["alive"][pairs.rows] & s["active"][pairs.rows]
    held_keys, held_levels = _query_entries(qtable, "languages", qrows, LANGUAGES)
    owners, codes, levels = table.ragged["languages"].gather(pairs.rows)
    have = _lookup(held_keys, held_levels, pairs.query[owners] * LANGUAGES + codes.astype(np.int64))
    ok = np.ones(pairs.rows.size, dtype=np.bool_)
    np.logical_and.at(ok, owners, have >= levels)
    mine = qtable.scalars["licences"][qrows][pairs.query]
    asked = s["licences"][pairs.rows]
    met: npt.NDArray[np.bool_] = keep & ok & ((asked & mine) == asked)
    return met


def score_parts(
    scorer: Scorer, qtable: FeatureTable, qrows: Rows, places: Sequence[Place | None], table: FeatureTable, pairs: Pairs
) -> npt.NDArray[np.float32]:
    """The six score parts of every pair, for jobseeker queries and vacancy candidates.

    Args:
        scorer: the scorer (its weights and related skills).
        qtable: the jobseekers' table.
        qrows: the chunk's jobseeker rows.
        places: each query's place.
        table: the vacancies' table.
        pairs: the candidate pairs.

    Returns:
        (pairs, 6) in the order of ``COMPONENTS``.
    """
    n = pairs.rows.size
    width = len(scorer.space.concept_uris)
    weights = scorer.weights
    r = table.ragged
    comps = np.zeros((n, len(COMPONENTS)), dtype=np.float32)
    comps[:, 0] = np.clip(pairs.cosine, 0.0, 1.0)
    held_owners, held, _ = qtable.ragged["skills"].gather(qrows)
    held_keys = held_owners * width + held.astype(np.int64)
    pos, rel_ids, rel_credit = scorer.related.of(held)
    rel_keys = held_owners[pos] * width + rel_ids.astype(np.int64)
    order = np.lexsort((-rel_credit, rel_keys))
    rel_keys, rel_credit = rel_keys[order], rel_credit[order]
    first = np.concatenate([[True], rel_keys[1:] != rel_keys[:-1]]) if rel_keys.size else np.zeros(0, np.bool_)
    best_keys, best_credit = rel_keys[first], rel_credit[first]
    for col, key in ((1, "required"), (2, "optional")):
        owners, ids, w = r[key].gather(pairs.rows)
        probe = pairs.query[owners] * width + ids.astype(np.int64)
        credit = _lookup(best_keys, best_credit, probe)
        credit[np.isin(probe, held_keys)] = 1.0
        total = np.bincount(owners, weights=w, minlength=n)
        got = np.bincount(owners, weights=w * credit, minlength=n)
        out = np.full(n, weights.no_requirement_coverage, dtype=np.float32)
        has = total > 0
        out[has] = (got[has] / total[has]).astype(np.float32)
        comps[:, col] = out
    lang_keys, lang_levels = _query_entries(qtable, "languages", qrows, LANGUAGES)
    owners, codes, levels = r["languages"].gather(pairs.rows)
    have = _lookup(lang_keys, lang_levels, pairs.query[owners] * LANGUAGES + codes.astype(np.int64))
    gap = weights.language_gap
    credit = np.where(have >= levels, 1.0, np.maximum(0.0, 1.0 - gap * (levels - have)))
    fit = np.ones(n, dtype=np.float32)
    np.minimum.at(fit, owners, credit.astype(np.float32))
    comps[:, 4] = fit
    overlaps = []
    for key in ("occupations", "groups"):
        keys, probs = _query_entries(qtable, key, qrows, width)
        owners, ids, values = r[key].gather(pairs.rows)
        mine = _lookup(keys, probs, pairs.query[owners] * width + ids.astype(np.int64))
        overlaps.append(np.bincount(owners, weights=np.minimum(mine, values), minlength=n).astype(np.float32))
    share = weights.group_share
    comps[:, 3] = np.clip((1 - share) * overlaps[0] + share * overlaps[1], 0.0, 1.0)
    bounds = np.searchsorted(pairs.query, np.arange(len(qrows) + 1))
    for q, place in enumerate(places):
        start, end = int(bounds[q]), int(bounds[q + 1])
        if end > start:
            comps[start:end, 5] = location_fits(place, table.places(pairs.rows[start:end])).astype(np.float32)
    return comps


__all__ = ["Pairs", "requirements_met", "score_parts"]
