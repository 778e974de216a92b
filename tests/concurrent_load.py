"""Synthetic profiles over the ESCO slice and a comparison of a live engine with one rebuilt from the store.

Used by the concurrency tests: many threads change and query one engine, then its answers must equal those of
an engine built afresh from what the database holds.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy.engine import Engine

from esco_data import Taxonomy
from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, ProfileStore, Role
from matching.ranking import ConcurrencyMode, Filters, IndexType, MatchingEngine, ProfileWriter
from skillmatch.runtime import Runtime
from tests.esco_uris import SLICE_OCCUPATIONS

POSTCODES = ("1000", "1020", "1030", "1050", "1070", "1080", "1140", "1180", "1200", "1210", "9000", "2000")


class SliceProfiles:
    """Random but valid profiles from the slice's occupations and their skills (seeded)."""

    def __init__(self, taxonomy: Taxonomy, seed: int) -> None:
        self.rng = random.Random(seed)
        self.occupations = list(SLICE_OCCUPATIONS)
        self.skills = {
            o: list(taxonomy.skills_of(o).essential) + list(taxonomy.skills_of(o).optional) for o in self.occupations
        }

    def profile(self, kind: ProfileKind, pid: str, *, active: bool = True) -> Profile:
        """One profile: an occupation, some of its skills, language levels and a postcode."""
        rng = self.rng
        occupation = rng.choice(self.occupations)
        own = self.skills[occupation] or self.skills[self.occupations[0]]
        chosen = rng.sample(own, min(len(own), rng.randint(2, 8)))
        role = Role.held if kind is ProfileKind.jobseeker else Role.required
        languages = (
            {"fr": rng.randint(1, 6), "nl": rng.randint(0, 6)}
            if kind is ProfileKind.jobseeker
            else {rng.choice(["fr", "nl"]): rng.randint(1, 4)}
        )
        return Profile(
            kind=kind,
            id=pid,
            lang=rng.choice(["fr", "nl"]),
            active=active,
            skills=[ProfileConcept(u, role, Origin.confirmed, rng.uniform(0.6, 1.0)) for u in chosen],
            occupations=[ProfileConcept(occupation, Role.held, Origin.extracted, rng.uniform(0.7, 1.0))],
            languages={k: v for k, v in languages.items() if v > 0},
            postcode=rng.choice(POSTCODES),
        )


def make_writer(
    runtime: Runtime,
    db: Engine,
    mode: ConcurrencyMode = ConcurrencyMode.rwlock,
    index_type: IndexType = IndexType.flat,
) -> ProfileWriter:
    """A writer with an engine of its own over a runtime's concept space, on another database."""
    store = ProfileStore(db)
    engine = MatchingEngine(
        runtime.taxonomy,
        runtime.linker.space,
        runtime.engine.scorer.related,
        store,
        index_type=index_type,
        concurrency=mode,
        source=str(db.url),
    )
    return ProfileWriter(store, engine)


def rebuilt(engine: MatchingEngine, store: ProfileStore, index_type: IndexType = IndexType.flat) -> MatchingEngine:
    """An engine whose indexes are built afresh from everything the store holds (exact search by default)."""
    fresh = MatchingEngine(
        engine.taxonomy, engine.space, engine.scorer.related, store, index_type=index_type, source=engine.source
    )
    for kind in ProfileKind:
        generation, profiles = store.snapshot(kind)
        fresh.replace(kind, fresh.build_state(kind, profiles, generation))
    return fresh


def top_k(engine: MatchingEngine, kind: ProfileKind, ids: Sequence[str], k: int) -> dict[str, list[tuple[str, float]]]:
    """(id, score) of the top k results of each query id, without explanations' cost mattering."""
    filters = Filters()
    return {pid: [(m.id, m.score) for m in engine.match(kind, pid, k, filters)] for pid in ids}


QUANTISATION_TOLERANCE = 2e-3
"""A graph index stores 8-bit codes: two profiles whose exact cosines to a query differ by less than this may
swap places, so an answer counts as right when its exact cosine reaches the k-th exact one minus this."""


def index_recall(
    live: MatchingEngine, exact: MatchingEngine, kind: ProfileKind, queries: Sequence[Profile], k: int
) -> float:
    """recall@k of the live engine's index of ``kind`` against the exact search of the rebuilt one, over the
    vectors of some query profiles (what the ANN stage returns, before re-ranking), ties within the codes'
    precision counted as found."""
    hits = total = 0
    live_state, exact_state = live.states()[kind], exact.states()[kind]
    for query in queries:
        vector = live.features.build(query).vector
        rows, _ = live_state.index.search(vector, k)
        truth_rows, truth_scores = exact_state.index.search(vector, 3 * k)
        exact_score = {exact_state.table.ids[int(r)]: float(s) for r, s in zip(truth_rows, truth_scores, strict=True)}
        wanted = min(k, len(truth_rows))
        kth = float(truth_scores[wanted - 1]) if wanted else 0.0
        found = [live_state.table.ids[int(r)] for r in rows]
        hits += sum(1 for pid in found if exact_score.get(pid, -2.0) >= kth - QUANTISATION_TOLERANCE)
        total += wanted
    return hits / total if total else 1.0


__all__ = ["SliceProfiles", "index_recall", "make_writer", "rebuilt", "top_k"]
