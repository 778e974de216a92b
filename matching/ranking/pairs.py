"""(Query, candidate) pairs, for one query or thousands at once, and the one order of every list.

The score (``matching.ranking.scoring``) and the hard filters (``matching.ranking.filters``) are defined on pairs:
the online query is one query of them, the nightly rematch ranks a chunk of queries in one pass and patches a list
by scoring only the candidates a change brought into it. A pair joins a vacancy and a jobseeker; each of its
values is computed from that pair's own entries only (element-wise arithmetic, and sums with ``np.bincount``,
which adds in input order, over the pair's entries in their stored order), so it depends neither on the pairs
computed with it (how many, in what order) nor on which side is the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind
from matching.ranking.features import ProfileFeatures
from matching.ranking.table import FeatureTable
from matching.space import ConceptSpace

Rows = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]
LANGUAGES = 26 * 26
"""Language codes (``lang_code``) are below this."""


@dataclass(frozen=True)
class Queries:
    """The query profiles of some pairs: rows of a feature table of their kind (one per query)."""

    kind: ProfileKind
    table: FeatureTable
    rows: Rows

    def __len__(self) -> int:
        return int(self.rows.size)

    @classmethod
    def of_features(cls, features: Sequence[ProfileFeatures], space: ConceptSpace) -> Queries:
        """Query profiles given by their features (an online query, computed now), in a table of their own.

        Args:
            features: the queries' features, all of one kind (at least one).
            space: the concept space the features refer to.
        """
        table = FeatureTable(space)
        rows = table.upsert(features)
        return cls(features[0].profile.kind, table, rows)


@dataclass
class Pairs:
    """Candidate pairs: the query of each (its position in ``Queries``), the candidate's row in the candidates'
    table, and the cosine of the two profile vectors as the candidates' index computes it."""

    query: Rows
    rows: Rows
    cosine: Floats

    def __len__(self) -> int:
        return int(self.rows.size)

    @classmethod
    def of(cls, rows: Sequence[Rows], cosine: Sequence[Floats]) -> Pairs:
        """Pairs from per-query candidate rows and cosines (query i's candidates are ``rows[i]``)."""
        counts = np.asarray([r.size for r in rows], dtype=np.int64)
        return cls(
            np.repeat(np.arange(len(rows), dtype=np.int64), counts),
            np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64),
            np.concatenate(cosine).astype(np.float32) if cosine else np.zeros(0, np.float32),
        )

    def take(self, mask: Mask | Rows) -> Pairs:
        """The pairs a mask (or positions) selects, in order."""
        return Pairs(self.query[mask], self.rows[mask], self.cosine[mask])


@dataclass(frozen=True)
class Side:
    """One kind's profiles in the pairs: their table, one row per owner, and the owner of each pair."""

    table: FeatureTable
    rows: Rows
    owner: Rows
    """Per pair, the position of its profile in ``rows`` (the query's position, or the pair itself)."""

    def keyed(self, key: str, width: int) -> tuple[npt.NDArray[np.int64], Floats]:
        """The entries of one ragged column as sorted (owner, id) keys, with their values."""
        owners, ids, values = self.table.ragged[key].gather(self.rows)
        return owners * width + ids.astype(np.int64), values.astype(np.float32)

    def per_pair(self, key: str) -> tuple[Rows, npt.NDArray[np.int32], Floats]:
        """The entries of one ragged column for each pair: (pair, id, value), pairs in order."""
        return self.table.ragged[key].gather(self.rows[self.owner])

    def scalar(self, name: str) -> npt.NDArray[np.int32]:
        """A scalar column for each pair."""
        return np.asarray(self.table.scalars[name][self.rows[self.owner]])


def sides(queries: Queries, table: FeatureTable, pairs: Pairs) -> tuple[Side, Side]:
    """(vacancy side, jobseeker side) of the pairs."""
    query = Side(queries.table, queries.rows, pairs.query)
    candidate = Side(table, pairs.rows, np.arange(len(pairs), dtype=np.int64))
    return (query, candidate) if queries.kind is ProfileKind.vacancy else (candidate, query)


def lookup(keys: npt.NDArray[np.int64], values: Floats, probe: npt.NDArray[np.int64]) -> Floats:
    """values[keys == probe] for each probe (0 where absent); keys sorted and unique."""
    if keys.size == 0 or probe.size == 0:
        return np.zeros(probe.size, dtype=np.float32)
    pos = np.minimum(np.searchsorted(keys, probe), keys.size - 1)
    return np.where(keys[pos] == probe, values[pos], 0.0).astype(np.float32)


def member(keys: npt.NDArray[np.int64], probe: npt.NDArray[np.int64]) -> Mask:
    """Whether each probe is among the sorted keys."""
    if keys.size == 0 or probe.size == 0:
        return np.zeros(probe.size, dtype=np.bool_)
    pos = np.minimum(np.searchsorted(keys, probe), keys.size - 1)
    found: Mask = keys[pos] == probe
    return found


def order_pairs(query: Rows, scores: Floats, ids: Sequence[str]) -> Rows:
    """Positions of pairs grouped by query (ascending) and, within a query, by score (highest first, at the
    precision results are shown), equal scores by id: the one order of every list."""
    rounded = np.round(scores.astype(np.float64), 6)
    order: Rows = np.lexsort((np.asarray(ids, dtype=object), -rounded, query)).astype(np.int64)
    return order


def order_by_score(scores: Floats, ids: Sequence[str]) -> Rows:
    """Positions by score (highest first, at the precision results are shown), equal scores by id."""
    return order_pairs(np.zeros(scores.size, dtype=np.int64), scores, ids)


__all__ = [
    "LANGUAGES",
    "Mask",
    "Pairs",
    "Queries",
    "Side",
    "lookup",
    "member",
    "order_by_score",
    "order_pairs",
    "sides",
]
