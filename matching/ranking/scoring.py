"""The explainable score of a (vacancy, jobseeker) pair, vectorised over many candidates.

    score = a·cos(profile vectors) + b·essential-skill coverage + c·optional coverage + d·occupation fit
            + e·language fit + f·location fit            (each term in [0, 1], weights normalised)

A required skill is covered by the same concept stated by the jobseeker (1.0), by a broader or narrower
skill (partial), by a semantically close skill (partial), or, weakest, by a skill inferred from an occupation
the jobseeker held (``inferred_credit``: likely, not stated). The same function serves online queries in both
directions and the nightly batch. Nothing here reads a name, contact or any protected attribute: profiles do
not hold them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind
from matching.ranking.features import ProfileFeatures
from matching.ranking.location import location_fits
from matching.ranking.ragged import Rows
from matching.ranking.related import RelatedSkills
from matching.ranking.table import FeatureTable, lang_code
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


def _sorted_lookup(keys: npt.NDArray[np.int32], values: Floats, probe: npt.NDArray[np.int32]) -> Floats:
    """values[keys == probe] for each probe (0 where absent); keys sorted."""
    if keys.size == 0 or probe.size == 0:
        return np.zeros(probe.size, dtype=np.float32)
    pos = np.minimum(np.searchsorted(keys, probe), keys.size - 1)
    return np.where(keys[pos] == probe, values[pos], 0.0).astype(np.float32)


def _dict_arrays(weights: dict[str, float], space: ConceptSpace) -> tuple[npt.NDArray[np.int32], Floats]:
    pairs = sorted((space.index_of(u), w) for u, w in weights.items() if u in space)
    return (
        np.asarray([p[0] for p in pairs], dtype=np.int32),
        np.asarray([p[1] for p in pairs], dtype=np.float32),
    )


class Scorer:
    """Scores candidates from a feature table against one query profile, in either direction."""

    def __init__(self, space: ConceptSpace, related: RelatedSkills, weights: ScoreWeights | None = None) -> None:
        self.space = space
        self.related = related
        self.weights = weights or ScoreWeights()

    # -- coverage -----------------------------------------------------------------------------------------

    def _coverage_fixed_requirements(
        self,
        req_ids: npt.NDArray[np.int32],
        req_w: Floats,
        owners: Rows,
        held: npt.NDArray[np.int32],
        n: int,
        inferred: tuple[Rows, npt.NDArray[np.int32]] | None = None,
    ) -> Floats:
        """One vacancy's requirements against many jobseekers' skills (owners index the candidates).

        ``inferred``: (owner, skill) of the skills inferred from each candidate's occupations; they give
        ``inferred_credit`` to a requirement the candidate has not stated.
        """
        if req_ids.size == 0:
            return np.full(n, self.weights.no_requirement_coverage, dtype=np.float32)
        credit = np.zeros((n, req_ids.size), dtype=np.float32)
        if inferred is not None and inferred[1].size:
            i_owners, i_ids = inferred
            pos = np.minimum(np.searchsorted(req_ids, i_ids), req_ids.size - 1)
            hit = req_ids[pos] == i_ids
            credit[i_owners[hit], pos[hit]] = self.weights.inferred_credit
        # Partial credit from related skills first; exact matches overwrite with 1.
        rel_pos, rel_ids, rel_credit = self.related.of(req_ids)
        if rel_ids.size and held.size:
            order = np.argsort(rel_ids, kind="stable")
            sorted_ids = rel_ids[order]
            left = np.searchsorted(sorted_ids, held, "left")
            right = np.searchsorted(sorted_ids, held, "right")
            counts = right - left
            if counts.any():
                take = np.repeat(left - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
                cand = np.repeat(owners, counts)
                np.maximum.at(credit, (cand, rel_pos[order][take]), rel_credit[order][take])
        pos = np.minimum(np.searchsorted(req_ids, held), req_ids.size - 1)
        hit = req_ids[pos] == held
        credit[owners[hit], pos[hit]] = 1.0
        return (credit @ req_w) / max(float(req_w.sum()), 1e-9)

    def _coverage_fixed_skills(
        self,
        held: npt.NDArray[np.int32],
        owners: Rows,
        req_ids: npt.NDArray[np.int32],
        req_w: Floats,
        n: int,
        inferred: npt.NDArray[np.int32] | None = None,
    ) -> Floats:
        """Many vacancies' requirements (owners index the candidates) against one jobseeker's skills
        (``inferred``: the jobseeker's inferred skills, which give ``inferred_credit``)."""
        out = np.full(n, self.weights.no_requirement_coverage, dtype=np.float32)
        if req_ids.size == 0:
            return out
        credit = np.zeros(req_ids.size, dtype=np.float32)
        if inferred is not None and inferred.size:
            credit[np.isin(req_ids, inferred)] = self.weights.inferred_credit
        if held.size:
            # The credit any skill gets from the jobseeker's skills (the relation is symmetric).
            _, rel_ids, rel_credit = self.related.of(held)
            if rel_ids.size:
                order = np.lexsort((-rel_credit, rel_ids))
                rel_ids, rel_credit = rel_ids[order], rel_credit[order]
                first = np.concatenate([[True], rel_ids[1:] != rel_ids[:-1]])
                credit = np.maximum(credit, _sorted_lookup(rel_ids[first], rel_credit[first], req_ids))
            exact = np.isin(req_ids, held)
            credit[exact] = 1.0
        total = np.bincount(owners, weights=req_w, minlength=n)
        got = np.bincount(owners, weights=req_w * credit, minlength=n)
        has = total > 0
        out[has] = (got[has] / total[has]).astype(np.float32)
        return out

    # -- other terms --------------------------------------------------------------------------------------

    @staticmethod
    def _overlap(
        query: dict[str, float], space: ConceptSpace, owners: Rows, ids: npt.NDArray[np.int32], values: Floats, n: int
    ) -> Floats:
        """Histogram intersection of the query's distribution with each candidate's."""
        keys, probs = _dict_arrays(query, space)
        mine = _sorted_lookup(keys, probs, ids)
        return np.bincount(owners, weights=np.minimum(mine, values), minlength=n).astype(np.float32)

    def _language_fixed_requirements(
        self, required: dict[int, float], owners: Rows, codes: npt.NDArray[np.int32], levels: Floats, n: int
    ) -> Floats:
        if not required:
            return np.ones(n, dtype=np.float32)
        fit = np.ones(n, dtype=np.float32)
        gap = self.weights.language_gap
        for code, level in required.items():
            have = np.zeros(n, dtype=np.float32)
            mask = codes == code
            np.maximum.at(have, owners[mask], levels[mask])
            credit = np.where(have >= level, 1.0, np.maximum(0.0, 1.0 - gap * (level - have)))
            fit = np.minimum(fit, credit)
        return fit

    def _language_fixed_levels(
        self, held: dict[int, float], owners: Rows, codes: npt.NDArray[np.int32], levels: Floats, n: int
    ) -> Floats:
        have = np.asarray([held.get(int(c), 0.0) for c in codes.tolist()], dtype=np.float32)
        credit = np.where(have >= levels, 1.0, np.maximum(0.0, 1.0 - self.weights.language_gap * (levels - have)))
        fit = np.ones(n, dtype=np.float32)
        np.minimum.at(fit, owners, credit.astype(np.float32))
        return fit

    @staticmethod
    def _location(query: ProfileFeatures, table: FeatureTable, rows: Rows) -> Floats:
        return location_fits(query.place, table.places(rows)).astype(np.float32)

    # -- the score ------------------------------------------------------------------------------------------

    def score(self, query: ProfileFeatures, table: FeatureTable, rows: Rows, cosine: Floats) -> ScoredCandidates:
        """Score candidates for a query profile.

        Args:
            query: the vacancy (candidates are jobseekers) or the jobseeker (candidates are vacancies).
            table: the candidates' feature table.
            rows: candidate rows in the table.
            cosine: cosine of the profile vectors, per candidate (from the index search).

        Returns:
            Scores and their six components per candidate.
        """
        n = rows.size
        space = self.space
        r = table.ragged
        comps = np.zeros((n, len(COMPONENTS)), dtype=np.float32)
        comps[:, 0] = np.clip(cosine, 0.0, 1.0)
        if query.profile.kind is ProfileKind.vacancy:
            owners, held, _ = r["skills"].gather(rows)
            i_owners, i_ids, _ = r["inferred"].gather(rows)
            for col, req in ((1, query.required), (2, query.optional)):
                ids, w = _dict_arrays(req, space)
                comps[:, col] = self._coverage_fixed_requirements(ids, w, owners, held, n, (i_owners, i_ids))
            required = {lang_code(k): float(v) for k, v in query.languages.items()}
            l_owners, codes, levels = r["languages"].gather(rows)
            comps[:, 4] = self._language_fixed_requirements(required, l_owners, codes, levels, n)
        else:
            held, _ = _dict_arrays(query.skills, space)
            inferred, _ = _dict_arrays(query.inferred, space)
            for col, key in ((1, "required"), (2, "optional")):
                owners, ids, w = r[key].gather(rows)
                comps[:, col] = self._coverage_fixed_skills(held, owners, ids, w, n, inferred)
            levels_held = {lang_code(k): float(v) for k, v in query.languages.items()}
            l_owners, codes, levels = r["languages"].gather(rows)
            comps[:, 4] = self._language_fixed_levels(levels_held, l_owners, codes, levels, n)
        occ = self._overlap(query.occupations, space, *r["occupations"].gather(rows), n)
        grp = self._overlap(query.groups, space, *r["groups"].gather(rows), n)
        share = self.weights.group_share
        comps[:, 3] = np.clip((1 - share) * occ + share * grp, 0.0, 1.0)
        comps[:, 5] = self._location(query, table, rows)
        scores = comps @ self.weights.normalised()
        return ScoredCandidates(rows, scores.astype(np.float32), comps)


__all__ = ["COMPONENTS", "ScoreWeights", "ScoredCandidates", "Scorer"]
