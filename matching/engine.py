"""The matching engine: profile indexes of both kinds, and two-stage ranking in both directions.

Query: ANN top-K by profile vector (K well above k) -> hard filters -> explainable re-ranking of the
candidates -> top-k, each with its score components and an explanation in the reader's language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from esco_data import Taxonomy
from matching.atomic import atomic_dir
from matching.concept_space import ConceptSpace
from matching.errors import IndexNotBuilt, UnknownProfile
from matching.explain import Explainer, Explanation
from matching.features import FeatureBuilder, FeatureWeights, ProfileFeatures
from matching.filters import Filters, apply_filters
from matching.index import IndexType, ProfileIndex
from matching.profiles import Profile, ProfileKind
from matching.related import RelatedSkills
from matching.scoring import COMPONENTS, Scorer, ScoreWeights
from matching.store import ProfileStore
from matching.table import FeatureTable
from matching.threads import single_thread

ENGINE_FORMAT = 2
MIN_CANDIDATES = 100
"""ANN candidates fetched before filters and re-ranking: at least this many, and at least 5 x k."""


@dataclass
class Match:
    """One ranked result."""

    id: str
    kind: ProfileKind
    score: float
    components: dict[str, float]
    explanation: Explanation | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        data = asdict(self)
        data["kind"] = self.kind.value
        return data


def _other(kind: ProfileKind) -> ProfileKind:
    return ProfileKind.jobseeker if kind is ProfileKind.vacancy else ProfileKind.vacancy


class MatchingEngine:
    """Indexes and ranking over the profiles of the profile store."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        space: ConceptSpace,
        related: RelatedSkills,
        store: ProfileStore | None = None,
        *,
        index_type: IndexType = IndexType.auto,
        feature_weights: FeatureWeights | None = None,
        score_weights: ScoreWeights | None = None,
        source: str = "",
    ) -> None:
        """Args:
        taxonomy: ESCO.
        space: the concept space.
        related: related skills (partial coverage).
        store: the profile store (``sync`` reads it).
        index_type: FAISS index type (``auto`` chooses by size).
        feature_weights: profile feature weights.
        score_weights: score weights.
        source: which database the profiles come from (saved indexes of another are never loaded).
        """
        self.source = source
        self.taxonomy = taxonomy
        self.space = space
        self.store = store
        self.index_type = index_type
        self.features = FeatureBuilder(taxonomy, space, feature_weights)
        self.scorer = Scorer(space, related, score_weights)
        self.explainer = Explainer(taxonomy, space, related)
        self.tables = {kind: FeatureTable(space) for kind in ProfileKind}
        self.indexes = {kind: ProfileIndex(space.dim, index_type) for kind in ProfileKind}
        self.synced_at: datetime | None = None

    # -- keeping the indexes in step with the profiles --------------------------------------------------------

    def upsert(self, profiles: Sequence[Profile]) -> None:
        """Add or update profiles in the tables and indexes (no rebuild); inactive ones leave the index."""
        self.upsert_features([self.features.build(p) for p in profiles])

    def upsert_features(self, features: Sequence[ProfileFeatures]) -> None:
        """``upsert`` for profiles whose features are already computed."""
        for kind in ProfileKind:
            feats = [f for f in features if f.profile.kind is kind]
            if not feats:
                continue
            batch = [f.profile for f in feats]
            rows = self.tables[kind].upsert(feats)
            active = np.asarray([p.active for p in batch], dtype=np.bool_)
            index = self.indexes[kind]
            if active.any():
                vectors = np.stack([f.vector for f, a in zip(feats, active, strict=True) if a])
                index.upsert(rows[active], vectors)
            if (~active).any():
                index.remove(rows[~active])

    def remove(self, kind: ProfileKind, profile_id: str) -> bool:
        """Remove a profile from its table and index; whether it was there."""
        row = self.tables[kind].remove(profile_id)
        if row is None:
            return False
        self.indexes[kind].remove(np.asarray([row], dtype=np.int64))
        return True

    def rebuild(self, kind: ProfileKind, profiles: Iterable[Profile] | None = None) -> int:
        """Rebuild one kind's table and index from scratch (from the store by default).

        Returns:
            Profiles indexed.
        """
        if profiles is None:
            if self.store is None:
                raise IndexNotBuilt("no profile store to rebuild from")
            profiles = self.store.all(kind)
        feats = [self.features.build(p) for p in profiles]
        table = FeatureTable(self.space)
        rows = table.upsert(feats)
        active = np.asarray([f.profile.active for f in feats], dtype=np.bool_)
        index = ProfileIndex(self.space.dim, self.index_type)
        vectors = (
            np.stack([f.vector for f, a in zip(feats, active, strict=True) if a])
            if active.any()
            else np.zeros((0, self.space.dim), dtype=np.float32)
        )
        index.build(rows[active], vectors)
        table.shrink()
        self.tables[kind], self.indexes[kind] = table, index
        return len(feats)

    def sync(self) -> int:
        """Apply the profiles written to the store since the last sync (or rebuild everything the first time).

        Returns:
            Profiles applied.
        """
        if self.store is None:
            return 0
        started = datetime.now(UTC)
        count = 0
        if self.synced_at is None:
            for kind in ProfileKind:
                count += self.rebuild(kind)
        else:
            for kind in ProfileKind:
                changed = list(self.store.changed_since(kind, self.synced_at))
                self.upsert(changed)
                count += len(changed)
        self.synced_at = started
        return count

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

    def candidates(
        self, vacancy: Profile | str, k: int = 20, filters: Filters | None = None, lang: str | None = None
    ) -> list[Match]:
        """The best jobseekers for a vacancy, explained.

        Args:
            vacancy: the vacancy's profile or id.
            k: how many results.
            filters: hard filters (default: active jobseekers only).
            lang: the reader's language (default: the vacancy's).

        Raises:
            UnknownProfile: no vacancy with this id.
            IndexNotBuilt: no jobseeker is indexed.
        """
        profile = self._profile(ProfileKind.vacancy, vacancy)
        return self.rank(self.query_features(profile), k, filters or Filters(), lang or profile.lang)

    def vacancies_for(
        self, jobseeker: Profile | str, k: int = 20, filters: Filters | None = None, lang: str | None = None
    ) -> list[Match]:
        """The vacancies that suit a jobseeker best, explained (what matches, what is missing).

        Args:
            jobseeker: the jobseeker's profile or id.
            k: how many results.
            filters: hard filters (default: open vacancies only).
            lang: the reader's language (default: the jobseeker's).

        Raises:
            UnknownProfile: no jobseeker with this id.
            IndexNotBuilt: no vacancy is indexed.
        """
        profile = self._profile(ProfileKind.jobseeker, jobseeker)
        return self.rank(self.query_features(profile), k, filters or Filters(), lang or profile.lang)

    def rank(
        self, query: ProfileFeatures, k: int, filters: Filters, lang: str | None, *, explain: bool = True
    ) -> list[Match]:
        """Two-stage ranking of the other kind's profiles for a query's features."""
        kind = _other(query.profile.kind)
        table, index = self.tables[kind], self.indexes[kind]
        wanted = max(MIN_CANDIDATES, 5 * k)
        with single_thread():
            while True:
                rows, cosine = index.search(query.vector, wanted)
                keep = apply_filters(filters, query, table, rows)
                enough = int(keep.sum()) >= k or wanted >= len(index)
                if enough:
                    break
                wanted = min(len(index), wanted * 4)
            rows, cosine = rows[keep], cosine[keep]
            scored = self.scorer.score(query, table, rows, cosine)
            order = np.argsort(-scored.scores, kind="stable")[:k]
            held = self._candidate_profiles(query, table, rows[order]) if explain else {}
            matches = []
            for i in order.tolist():
                row = int(rows[i])
                matches.append(
                    Match(
                        id=table.ids[row],
                        kind=kind,
                        score=round(float(scored.scores[i]), 6),
                        components={
                            n: round(float(v), 4) for n, v in zip(COMPONENTS, scored.components[i], strict=True)
                        },
                        explanation=self.explainer.explain(
                            query,
                            table,
                            row,
                            lang or "fr",
                            held.get(table.ids[row]),
                            inferred_credit=self.scorer.weights.inferred_credit,
                        )
                        if explain
                        else None,
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

    # -- persistence ----------------------------------------------------------------------------------------

    def _manifest(self) -> dict[str, Any]:
        weights = json.dumps([asdict(self.features.weights), asdict(self.scorer.weights)], sort_keys=True)
        return {
            "format": ENGINE_FORMAT,
            "space": {k: self.space.manifest.get(k) for k in ("esco_checksum", "model_id", "built_at")},
            "weights": hashlib.sha256(weights.encode()).hexdigest()[:16],
            "index_type": self.index_type.value,
            "source": self.source,
        }

    def save(self, directory: Path) -> None:
        """Write tables and indexes atomically (a temporary folder renamed over the old one)."""
        with atomic_dir(directory) as tmp:
            for kind in ProfileKind:
                self.tables[kind].save(tmp / f"{kind.value}_table.npz")
                self.indexes[kind].save(tmp / f"{kind.value}_index")
            manifest = self._manifest() | {
                "synced_at": self.synced_at.isoformat() if self.synced_at else None,
                "saved_at": datetime.now(UTC).isoformat(),
                "counts": {kind.value: self.tables[kind].alive_count for kind in ProfileKind},
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))

    def load(self, directory: Path) -> bool:
        """Read saved tables and indexes when they were built for this concept space and these weights.

        Returns:
            Whether they were loaded (False: rebuild with ``sync``).
        """
        path = directory / "manifest.json"
        if not path.exists():
            return False
        manifest = json.loads(path.read_text())
        if {k: manifest.get(k) for k in self._manifest()} != self._manifest():
            return False
        for kind in ProfileKind:
            self.tables[kind] = FeatureTable.load(directory / f"{kind.value}_table.npz", self.space)
            self.indexes[kind] = ProfileIndex.load(directory / f"{kind.value}_index")
        synced = manifest.get("synced_at")
        self.synced_at = datetime.fromisoformat(synced) if synced else None
        return True

    def stats(self) -> dict[str, Any]:
        """Counts, index types and tombstones per kind."""
        return {
            kind.value: {
                "profiles": self.tables[kind].alive_count,
                "indexed": len(self.indexes[kind]),
                "index_type": getattr(self.indexes[kind].kind, "value", None),
                "tombstones": self.indexes[kind].tombstones,
            }
            for kind in ProfileKind
        }


__all__ = ["MIN_CANDIDATES", "Match", "MatchingEngine"]
