"""The matching engine: profile indexes of both kinds, and two-stage ranking in both directions.

Query: ANN top-K by profile vector (K well above k) -> hard filters -> explainable re-ranking of the
candidates -> top-k, each with its score components and an explanation in the reader's language. Equal
scores are ordered by id, so that the same data always gives the same list. The ranking itself is
``matching.ranking.lists.rank_lists`` with one query, the very function the nightly rematch calls for many.

The in-memory state of each kind (feature table, FAISS index, the store generation it reflects) is shared by
concurrent readers and changed by one writer at a time (see ``matching.ranking.concurrency``);
``matching.ranking.writer`` keeps it in step with the profile store.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from esco_data import DEFAULT_LANGUAGE, Taxonomy
from matching.errors import IndexUnavailable, UnknownProfile
from matching.profiles import Profile, ProfileKind, ProfileStore
from matching.ranking.concurrency import ConcurrencyMode, StateGuard, make_guard
from matching.ranking.explain import Band, Explainer, Explanation, band
from matching.ranking.features import FeatureBuilder, FeatureWeights, ProfileFeatures
from matching.ranking.filters import Filters
from matching.ranking.index import IndexType, ProfileIndex
from matching.ranking.lists import MIN_CANDIDATES, rank_lists
from matching.ranking.pairs import Queries, order_by_score
from matching.ranking.related import RelatedSkills
from matching.ranking.scoring import COMPONENTS, Scorer, ScoreWeights
from matching.ranking.table import FeatureTable
from matching.space import ConceptSpace
from matching.threads import single_thread

ENGINE_FORMAT = 3


@dataclass
class Match:
    """One ranked result."""

    id: str
    kind: ProfileKind
    score: float
    components: dict[str, float]
    explanation: Explanation | None = None
    band: Band | None = None
    """What the score means (strong, partial, weak, occupation only; ``explain.band``), with the explanation."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        data = asdict(self)
        data["kind"] = self.kind.value
        data["band"] = self.band.value if self.band is not None else None
        return data


@dataclass
class KindState:
    """What the engine holds for one kind of profile: features, vectors, and the store generation they reflect."""

    table: FeatureTable
    index: ProfileIndex
    generation: int = 0
    damaged: str | None = None
    """Why the state cannot be trusted (a write failed half-way and the repair failed too), or None."""

    def copy(self) -> KindState:
        """An independent copy (what a snapshot writer changes)."""
        return KindState(self.table.copy(), self.index.copy(), self.generation, self.damaged)

    @property
    def indexed(self) -> int:
        """Profiles in the index (the active ones)."""
        return len(self.index)


def other_kind(kind: ProfileKind) -> ProfileKind:
    """Jobseekers for a vacancy, vacancies for a jobseeker."""
    return ProfileKind.jobseeker if kind is ProfileKind.vacancy else ProfileKind.vacancy


class MatchingEngine:
    """Indexes and ranking over profiles of both kinds."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        space: ConceptSpace,
        related: RelatedSkills,
        store: ProfileStore | None = None,
        *,
        index_type: IndexType = IndexType.auto,
        concurrency: ConcurrencyMode = ConcurrencyMode.rwlock,
        feature_weights: FeatureWeights | None = None,
        score_weights: ScoreWeights | None = None,
        default_language: str = DEFAULT_LANGUAGE,
        source: str = "",
    ) -> None:
        """Args:
        taxonomy: ESCO.
        space: the concept space.
        related: related skills (partial coverage).
        store: the profile store, to look up a query profile by id.
        index_type: FAISS index type (``auto`` chooses by size).
        concurrency: how readers and the one writer share the in-memory state.
        feature_weights: profile feature weights.
        score_weights: score weights.
        default_language: the language of explanations when the query names none and the profile has none.
        source: which database the profiles come from (saved indexes of another are never loaded).
        """
        self.source = source
        self.default_language = default_language
        self.taxonomy = taxonomy
        self.space = space
        self.store = store
        self.index_type = index_type
        self.concurrency = concurrency
        self.features = FeatureBuilder(taxonomy, space, feature_weights)
        self.scorer = Scorer(space, related, score_weights)
        self.explainer = Explainer(taxonomy, space, related)
        self._guard: StateGuard[ProfileKind, KindState] = make_guard(
            concurrency, {kind: self.empty_state() for kind in ProfileKind}, KindState.copy
        )

    # -- state ------------------------------------------------------------------------------------------

    def empty_state(self, expected_size: int = 0) -> KindState:
        """A state with no profiles.

        Args:
            expected_size: profiles it will hold (a bulk load then chooses the index type for the final size).
        """
        return KindState(
            FeatureTable(self.space), ProfileIndex(self.space.dim, self.index_type, expected_size=expected_size)
        )

    def reading(self) -> AbstractContextManager[Mapping[ProfileKind, KindState]]:
        """A consistent view of every kind's state for the duration of a block (no writer changes it meanwhile)."""
        return self._guard.reading()

    def states(self) -> Mapping[ProfileKind, KindState]:
        """The current states (for inspection: a writer may replace them at any time)."""
        with self._guard.reading() as states:
            return dict(states)

    @property
    def tables(self) -> Mapping[ProfileKind, FeatureTable]:
        """The current feature table of each kind."""
        return {kind: state.table for kind, state in self.states().items()}

    @property
    def indexes(self) -> Mapping[ProfileKind, ProfileIndex]:
        """The current index of each kind."""
        return {kind: state.index for kind, state in self.states().items()}

    def generation(self, kind: ProfileKind) -> int:
        """The store generation the kind's state reflects."""
        return self.states()[kind].generation

    def build_state(
        self, kind: ProfileKind, profiles: Iterable[Profile], generation: int = 0, *, expected_size: int = 0
    ) -> KindState:
        """A new state holding exactly these profiles (nothing is published; see ``replace``).

        Args:
            kind: the kind of the profiles.
            profiles: every profile of the kind.
            generation: the store generation they make up.
            expected_size: profiles the state will hold, when more come later.
        """
        feats = [self.features.build(p) for p in profiles if p.kind is kind]
        state = self.empty_state(expected_size)
        rows = state.table.upsert(feats)
        active = np.asarray([f.profile.active for f in feats], dtype=np.bool_)
        vectors = (
            np.stack([f.vector for f, a in zip(feats, active, strict=True) if a])
            if active.any()
            else np.zeros((0, self.space.dim), dtype=np.float32)
        )
        state.index.build(rows[active], vectors)
        state.table.shrink()
        state.generation = generation
        return state

    def replace(self, kind: ProfileKind, state: KindState) -> None:
        """Publish a new state for a kind, as the one writer (readers see the old one or this one)."""
        self._guard.replace(kind, state)

    def apply(
        self,
        kind: ProfileKind,
        features: Sequence[ProfileFeatures] = (),
        removed: Sequence[str] = (),
        *,
        generation: int | None = None,
    ) -> None:
        """Add, update or remove profiles of one kind, as the one writer; readers never see half of it.

        Args:
            kind: the kind changed.
            features: features of profiles to add or update (an inactive one leaves the index).
            removed: ids of profiles to remove.
            generation: the store generation the state reflects afterwards.

        Raises:
            Whatever the table or index raises; with the ``rwlock`` design the kind's state may then be
            half-changed and must be rebuilt (``matching.ranking.writer`` does).
        """
        with self._guard.writing((kind,)) as states:
            state = states[kind]
            _apply(state, [f for f in features if f.profile.kind is kind], removed)
            if generation is not None:
                state.generation = generation

    def mark_damaged(self, kind: ProfileKind, reason: str) -> None:
        """Record that a kind's state cannot be trusted until it is rebuilt; searches on it answer unavailable."""
        self.replace(kind, dataclasses.replace(self.states()[kind], damaged=reason))

    def upsert(self, profiles: Sequence[Profile]) -> None:
        """Add or update profiles without storing them (benchmarks and tests; the service uses the writer)."""
        self.upsert_features([self.features.build(p) for p in profiles])

    def upsert_features(self, features: Sequence[ProfileFeatures]) -> None:
        """``upsert`` for profiles whose features are already computed."""
        for kind in ProfileKind:
            feats = [f for f in features if f.profile.kind is kind]
            if feats:
                self.apply(kind, feats)

    def remove(self, kind: ProfileKind, profile_id: str) -> bool:
        """Remove a profile without storing the removal (benchmarks and tests); whether it was there."""
        with self._guard.reading() as states:
            present = profile_id in states[kind].table.row_of and bool(
                states[kind].table.scalars["alive"][states[kind].table.row_of[profile_id]]
            )
        if present:
            self.apply(kind, removed=[profile_id])
        return present

    def reserve(self, kind: ProfileKind, expected_size: int) -> None:
        """Start a kind afresh, sized for a bulk load of ``expected_size`` profiles."""
        self.replace(kind, self.empty_state(expected_size))

    # -- queries ------------------------------------------------------------------------------------------

    def _profile(self, kind: ProfileKind, profile: Profile | str) -> Profile:
        if isinstance(profile, Profile):
            return profile
        if self.store is None:
            raise UnknownProfile(f"no {kind.value} with id {profile!r}")
        return self.store.get(kind, profile)

    def query_features(self, profile: Profile) -> ProfileFeatures:
        """The features of a query profile (computed now, so an edit shows at once)."""
        return self.features.build(profile)

    def match(
        self,
        kind: ProfileKind,
        profile: Profile | str,
        k: int = 20,
        filters: Filters | None = None,
        lang: str | None = None,
    ) -> list[Match]:
        """The best profiles of the other kind for one profile, explained.

        Args:
            kind: the query's kind (a vacancy gets jobseekers, a jobseeker gets vacancies).
            profile: the query profile, or its id.
            k: how many results.
            filters: hard filters (default: active jobseekers / open vacancies only).
            lang: the reader's language (default: the query profile's).

        Raises:
            UnknownProfile: no profile of this kind has this id.
            IndexNotBuilt: no profile of the other kind is indexed.
            IndexUnavailable: the other kind's index is being repaired.
        """
        query = self._profile(kind, profile)
        return self.rank(self.query_features(query), k, filters or Filters(), lang or query.lang)

    def candidates(
        self, vacancy: Profile | str, k: int = 20, filters: Filters | None = None, lang: str | None = None
    ) -> list[Match]:
        """``match`` for a vacancy: the best jobseekers, explained."""
        return self.match(ProfileKind.vacancy, vacancy, k, filters, lang)

    def vacancies_for(
        self, jobseeker: Profile | str, k: int = 20, filters: Filters | None = None, lang: str | None = None
    ) -> list[Match]:
        """``match`` for a jobseeker: the vacancies that suit them best, explained."""
        return self.match(ProfileKind.jobseeker, jobseeker, k, filters, lang)

    def rank(
        self, query: ProfileFeatures, k: int, filters: Filters, lang: str | None, *, explain: bool = True
    ) -> list[Match]:
        """Two-stage ranking of the other kind's profiles for a query's features (one consistent state)."""
        kind = other_kind(query.profile.kind)
        with self._guard.reading() as states:
            state = states[kind]
            if state.damaged:
                raise IndexUnavailable(f"the {kind.value} index is being rebuilt: {state.damaged}")
            return self._rank(state, query, k, filters, lang or self.default_language, explain)

    def _rank(
        self, state: KindState, query: ProfileFeatures, k: int, filters: Filters, lang: str, explain: bool
    ) -> list[Match]:
        kind = other_kind(query.profile.kind)
        table = state.table
        with single_thread():
            queries = Queries.of_features([query], self.space)
            ranked = rank_lists(self.scorer, queries, query.vector.reshape(1, -1), table, state.index, k, filters)
            held = self._candidate_profiles(query, table, ranked.rows) if explain else {}
            matches = []
            for row, score, parts in zip(ranked.rows.tolist(), ranked.scores.tolist(), ranked.parts, strict=True):
                explained = (
                    self.explainer.explain(
                        query,
                        table,
                        row,
                        lang,
                        held.get(table.ids[row]),
                        inferred_credit=self.scorer.weights.inferred_credit,
                    )  # fmt: skip
                    if explain
                    else None
                )
                matches.append(
                    Match(
                        id=table.ids[row],
                        kind=kind,
                        score=round(score, 6),
                        components={n: round(float(v), 4) for n, v in zip(COMPONENTS, parts, strict=True)},
                        explanation=explained,
                        band=band(score, explained) if explained is not None else None,
                    )
                )
        return matches

    def _candidate_profiles(
        self, query: ProfileFeatures, table: FeatureTable, rows: npt.NDArray[np.int64]
    ) -> dict[str, Profile]:
        """The stored profiles of jobseeker candidates, so that explanations say where each skill is stated."""
        if query.profile.kind is not ProfileKind.vacancy or self.store is None:
            return {}
        return self.store.get_many(ProfileKind.jobseeker, [table.ids[int(r)] for r in rows])

    # -- description ------------------------------------------------------------------------------------

    def fingerprint(self) -> dict[str, Any]:
        """What saved indexes must have been built with to be reused: format, concept space, weights, type,
        source database."""
        weights = json.dumps([asdict(self.features.weights), asdict(self.scorer.weights)], sort_keys=True)
        return {
            "format": ENGINE_FORMAT,
            "space": {k: self.space.manifest.get(k) for k in ("esco_checksum", "esco_version", "model_id", "built_at")},
            "weights": hashlib.sha256(weights.encode()).hexdigest()[:16],
            "index_type": self.index_type.value,
            "source": self.source,
        }

    def stats(self) -> dict[str, Any]:
        """Counts, index types, generations and tombstones per kind."""
        return {
            kind.value: {
                "profiles": state.table.alive_count,
                "indexed": state.indexed,
                "index_type": getattr(state.index.kind, "value", None),
                "tombstones": state.index.tombstones,
                "generation": state.generation,
                "damaged": state.damaged,
            }
            for kind, state in self.states().items()
        }


def _apply(state: KindState, features: Sequence[ProfileFeatures], removed: Sequence[str]) -> None:
    """Change one kind's table and index in place."""
    if features:
        rows = state.table.upsert(features)
        active = np.asarray([f.profile.active for f in features], dtype=np.bool_)
        if active.any():
            vectors = np.stack([f.vector for f, a in zip(features, active, strict=True) if a])
            state.index.upsert(rows[active], vectors)
        if (~active).any():
            state.index.remove(rows[~active])
    for profile_id in removed:
        row = state.table.remove(profile_id)
        if row is not None:
            state.index.remove(np.asarray([row], dtype=np.int64))


__all__ = ["ENGINE_FORMAT", "MIN_CANDIDATES", "KindState", "Match", "MatchingEngine", "order_by_score", "other_kind"]
