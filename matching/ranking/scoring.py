"""The explainable score of a (vacancy, jobseeker) pair, vectorised over many candidates.

    score = a·cos(profile vectors) + b·essential-skill coverage + c·optional coverage + d·occupation fit
            + e·language fit + f·location fit            (each term in [0, 1], weights normalised)

A required skill is covered by the same concept stated by the jobseeker (1.0), by a broader or narrower
skill (partial), by a semantically close skill (partial), or, weakest, by a skill inferred from an occupation
the jobseeker held (``inferred_credit``: likely, not stated). It is computed on pairs (``matching.ranking.pairs``)
for one query or many at once: the same function serves online queries in both directions and the nightly batch,
and a pair's score is the same whichever side is the query (only the cosine comes from an index). Nothing here
reads a name, contact or any protected attribute: profiles do not hold them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind
from matching.ranking.features import ProfileFeatures
from matching.ranking.location import pair_location_fits
from matching.ranking.pairs import LANGUAGES, Pairs, Queries, Side, lookup, member, sides
from matching.ranking.ragged import Rows
from matching.ranking.related import RelatedSkills
from matching.ranking.table import FeatureTable
from matching.space import ConceptSpace

Floats = npt.NDArray[np.float32]
COMPONENTS = ("cosine", "essential", "optional", "occupation", "language", "location")


@dataclass(frozen=True)
class ScoreWeights:
    """Weights of the score's terms and of its partial credits (tuned on matching-dev only).

    These defaults are the one home of the values: each is also a setting (``SKILLMATCH_SCORE_<NAME>``), whose
    default is read from here, and the wiring passes the configured weights in.
    """

    cosine: float = 0.4
    essential: float = 0.1
    optional: float = 0.05
    occupation: float = 0.7
    language: float = 0.2
    location: float = 0.05
    group_share: float = 0.5
    """Share of the ISCO unit group in occupation fit (the exact occupation has the rest)."""
    language_gap: float = 0.6
    """Credit lost per CEFR level missing on a required language."""
    no_requirement_coverage: float = 0.5
    """Coverage term of a vacancy that states no requirement (neutral)."""
    inferred_credit: float = 0.35
    """Credit of a requirement that the jobseeker has not stated but that an occupation they held needs
    (likely, not matched)."""

    def normalised(self) -> Floats:
        """The six term weights, summing to 1."""
        w = np.asarray([getattr(self, name) for name in COMPONENTS], dtype=np.float32)
        return w / max(float(w.sum()), 1e-9)


@dataclass
class ScoredCandidates:
    """Scores of candidates (rows of a feature table) for one query profile."""

    rows: Rows
    scores: Floats
    components: npt.NDArray[np.float32]
    """(candidates, 6) in the order of ``COMPONENTS``."""


class Scorer:
    """Scores pairs of a vacancy and a jobseeker, in either direction, one query or many at once."""

    def __init__(self, space: ConceptSpace, related: RelatedSkills, weights: ScoreWeights | None = None) -> None:
        self.space = space
        self.related = related
        self.weights = weights or ScoreWeights()
        self._normalised = self.weights.normalised()

    # -- the score of pairs ---------------------------------------------------------------------------------

    def parts(self, queries: Queries, table: FeatureTable, pairs: Pairs) -> npt.NDArray[np.float32]:
        """The six score parts of every pair.

        Args:
            queries: the pairs' query profiles (vacancies: the candidates are jobseekers, and the reverse).
            table: the candidates' feature table.
            pairs: the pairs (their cosine as the candidates' index computes it).

        Returns:
            (pairs, 6) in the order of ``COMPONENTS``.
        """
        n = len(pairs)
        vac, js = sides(queries, table, pairs)
        comps = np.zeros((n, len(COMPONENTS)), dtype=np.float32)
        comps[:, 0] = np.clip(pairs.cosine, 0.0, 1.0)
        query_is_vacancy = queries.kind is ProfileKind.vacancy
        for col, key in ((1, "required"), (2, "optional")):
            comps[:, col] = self._coverage(vac, js, key, n, query_is_vacancy)
        comps[:, 3] = self._occupation(queries, table, pairs)
        comps[:, 4] = self._language(vac, js, n)
        places = queries.table.places(queries.rows[pairs.query])
        comps[:, 5] = pair_location_fits(places, table.places(pairs.rows)).astype(np.float32)
        return comps

    def totals(self, parts: npt.NDArray[np.float32]) -> Floats:
        """The weighted sum of score parts, term by term in the order of ``COMPONENTS`` (element-wise: a pair's
        score does not depend on where its row sits, as a matrix product's rounding would)."""
        w = self._normalised
        total = parts[:, 0] * w[0]
        for col in range(1, len(COMPONENTS)):
            total = total + parts[:, col] * w[col]
        out: Floats = total.astype(np.float32)
        return out

    def score(self, query: ProfileFeatures, table: FeatureTable, rows: Rows, cosine: Floats) -> ScoredCandidates:
        """Score candidates for one query profile (``parts`` and ``totals`` with one query).

        Args:
            query: the vacancy (candidates are jobseekers) or the jobseeker (candidates are vacancies).
            table: the candidates' feature table.
            rows: candidate rows in the table.
            cosine: cosine of the profile vectors, per candidate (from the index search).

        Returns:
            Scores and their six components per candidate.
        """
        pairs = Pairs(np.zeros(rows.size, dtype=np.int64), rows.astype(np.int64), cosine.astype(np.float32))
        parts = self.parts(Queries.of_features([query], self.space), table, pairs)
        return ScoredCandidates(rows, self.totals(parts), parts)

    # -- the terms ------------------------------------------------------------------------------------------

    def _coverage(self, vac: Side, js: Side, key: str, n: int, query_is_vacancy: bool) -> Floats:
        """How well each pair's jobseeker covers its vacancy's requirements of one kind: the mean credit, weighted."""
        width = len(self.space.concept_uris)
        items, req, req_w = vac.per_pair(key)
        out = np.full(n, self.weights.no_requirement_coverage, dtype=np.float32)
        if req.size == 0:
            return out
        probe = js.owner[items] * width + req.astype(np.int64)
        credit = np.zeros(req.size, dtype=np.float32)
        inferred, _ = js.keyed("inferred", width)
        credit[member(inferred, probe)] = self.weights.inferred_credit
        held, _ = js.keyed("skills", width)
        credit = np.maximum(credit, self._related(vac, js, key, items, probe, held, query_is_vacancy))
        credit[member(held, probe)] = 1.0
        total = np.bincount(items, weights=req_w, minlength=n)
        got = np.bincount(items, weights=req_w * credit, minlength=n)
        has = total > 0
        out[has] = (got[has] / total[has]).astype(np.float32)
        return out

    def _related(
        self,
        vac: Side,
        js: Side,
        key: str,
        items: Rows,
        probe: npt.NDArray[np.int64],
        held: npt.NDArray[np.int64],
        query_is_vacancy: bool,
    ) -> Floats:
        """Per requirement item, the best credit of a related skill the pair's jobseeker states.

        The relation is expanded once per query, on the query's side (its requirements, or its skills), and
        probed with the candidates' entries; both ways give the maximum over the jobseeker's skills h of
        credit(requirement, h), the relation being symmetric.
        """
        width = len(self.space.concept_uris)
        if not query_is_vacancy:
            # The best credit any skill gets from the query's skills, probed with the candidates' requirements.
            owners, ids, _ = js.table.ragged["skills"].gather(js.rows)
            pos, rel_ids, rel_credit = self.related.of(ids)
            keys = owners[pos] * width + rel_ids.astype(np.int64)
            order = np.lexsort((-rel_credit, keys))
            keys, rel_credit = keys[order], rel_credit[order]
            first = np.concatenate([[True], keys[1:] != keys[:-1]]) if keys.size else np.zeros(0, np.bool_)
            return lookup(keys[first], rel_credit[first], probe)
        # The skills related to each of the query's requirements, probed with each candidate's skills.
        credit = np.zeros(probe.size, dtype=np.float32)
        q_owners, q_ids, _ = vac.table.ragged[key].gather(vac.rows)
        pos, rel_ids, rel_credit = self.related.of(q_ids)
        if rel_ids.size == 0 or held.size == 0:
            return credit
        entry = pos - np.searchsorted(q_owners, q_owners[pos])
        keys = q_owners[pos] * width + rel_ids.astype(np.int64)
        order = np.argsort(keys, kind="stable")
        keys, entry, rel_credit = keys[order], entry[order], rel_credit[order]
        pair = held // width
        probe_held = vac.owner[pair] * width + held % width
        left = np.searchsorted(keys, probe_held, "left")
        counts = np.searchsorted(keys, probe_held, "right") - left
        if not counts.any():
            return credit
        take = np.repeat(left - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        item_starts = np.searchsorted(items, np.repeat(pair, counts))
        np.maximum.at(credit, item_starts + entry[take], rel_credit[take])
        return credit

    def _occupation(self, queries: Queries, table: FeatureTable, pairs: Pairs) -> Floats:
        """Histogram intersection of the two occupation distributions, and of their ISCO groups, mixed."""
        n = len(pairs)
        width = len(self.space.concept_uris)
        query = Side(queries.table, queries.rows, pairs.query)
        overlaps = []
        for key in ("occupations", "groups"):
            keys, probs = query.keyed(key, width)
            owners, ids, values = table.ragged[key].gather(pairs.rows)
            mine = lookup(keys, probs, pairs.query[owners] * width + ids.astype(np.int64))
            overlaps.append(np.bincount(owners, weights=np.minimum(mine, values), minlength=n).astype(np.float32))
        share = self.weights.group_share
        fit: Floats = np.clip((1 - share) * overlaps[0] + share * overlaps[1], 0.0, 1.0)
        return fit

    def _language(self, vac: Side, js: Side, n: int) -> Floats:
        """The worst credit over the vacancy's language levels (each level missing costs ``language_gap``)."""
        items, codes, levels = vac.per_pair("languages")
        held, held_levels = js.keyed("languages", LANGUAGES)
        have = lookup(held, held_levels, js.owner[items] * LANGUAGES + codes.astype(np.int64))
        gap = self.weights.language_gap
        credit = np.where(have >= levels, 1.0, np.maximum(0.0, 1.0 - gap * (levels - have)))
        fit = np.ones(n, dtype=np.float32)
        np.minimum.at(fit, items, credit.astype(np.float32))
        return fit


__all__ = ["COMPONENTS", "ScoreWeights", "ScoredCandidates", "Scorer"]
