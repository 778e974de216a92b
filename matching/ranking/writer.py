"""Writing profiles: the database row and the index change as one unit, one writer at a time.

A write is committed to the profile store first (with whatever the caller writes in the same transaction, such
as the ingested record), then applied to the engine's in-memory state. If applying fails, the kind's state is
rebuilt from the store before the write returns, so an acknowledged write is always both stored and indexed;
if even that fails, the kind is marked damaged (searches on it answer "unavailable", the readiness check says
why) until a later rebuild succeeds. CPU-heavy work (profile features) happens before the writer's turn.

The store's per-kind generation is the change log's sequence (see ``matching.profiles.store``): it tells whether
the engine is in step with the database, and ``catch_up`` applies what other processes (another serving process
on this host or another one, a batch ingestion, the nightly rematch) wrote since. ``poll`` is what a serving
process runs every fraction of a second: one small query, and a catch-up only of the kinds that moved.

Only the commit and the index change are ordered (in this process by the writer's turn, across processes by the
database's lock on the kind's generation row); building features, like linking and encoding before it, runs
before the turn, so that several requests (and several processes) build at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy.engine import Connection

from matching.profiles import Profile, ProfileKind, ProfileStore, StoredChange
from matching.ranking.concurrency import ConcurrencyMode
from matching.ranking.engine import MatchingEngine
from matching.ranking.features import ProfileFeatures

log = logging.getLogger(__name__)

AlsoWrite = Callable[[Connection], None]
"""More work done in the write's transaction (e.g. storing the ingested record)."""


@dataclass(frozen=True)
class IndexCheck:
    """How one kind's index compares with the store."""

    kind: ProfileKind
    index_generation: int
    store_generation: int
    indexed: int
    stored_active: int
    profiles: int
    stored: int
    reasons: list[str] = field(default_factory=list)
    behind_seconds: float | None = 0.0
    """How long ago the oldest write the index has not applied was committed (0: in step; None: not known, the
    change log's entry was compacted away)."""
    damaged: bool = False

    @property
    def ok(self) -> bool:
        """Whether the index answers for exactly what the store holds."""
        return not self.reasons


class ProfileWriter:
    """The one writer of profiles: store and index together."""

    def __init__(self, store: ProfileStore, engine: MatchingEngine) -> None:
        """Args:
        store: the profile store (the source of truth).
        engine: the engine whose indexes follow it.
        """
        self.store = store
        self.engine = engine
        self._turn = threading.RLock()
        self.applied: dict[tuple[ProfileKind, str], tuple[int, npt.NDArray[np.float32] | None]] | None = None
        """When set to a dict (the nightly batch does): the vector of every profile a catch-up applied, with its
        change's generation (None: it left matching), so that the batch does not build it a second time."""

    def write(self, profiles: Sequence[Profile], *, also: AlsoWrite | None = None) -> dict[ProfileKind, int]:
        """Store profiles and index them, as one unit.

        Args:
            profiles: profiles to add or update (an inactive one leaves the index but stays stored).
            also: more work for the same transaction; if it raises, nothing is written.

        Returns:
            The new store generation of each kind written.

        Raises:
            Whatever ``also`` or the database raises (then nothing was stored and the index is unchanged).
        """
        # Index exactly what the store will hold (its JSON form rounds confidences), so that the index always
        # equals one rebuilt from the database.
        profiles = [Profile.from_json(p.to_json()) for p in profiles]
        features = [self.engine.features.build(p) for p in profiles]
        with self._turn:
            with self.store.engine.begin() as conn:
                if also is not None:
                    also(conn)
                generations = self.store.upsert(profiles, conn=conn)
            for kind, generation in generations.items():
                self._apply(kind, [f for f in features if f.profile.kind is kind], (), generation)
        # Read-your-writes: the write is in the index when this returns, whichever process wrote in between.
        return generations

    def delete(self, kind: ProfileKind, ids: Sequence[str], *, also: AlsoWrite | None = None) -> int | None:
        """Remove profiles from the store (tombstones) and from the index, as one unit.

        Returns:
            The kind's new generation, or None if none of the ids was stored.
        """
        with self._turn:
            with self.store.engine.begin() as conn:
                if also is not None:
                    also(conn)
                generation = self.store.delete(kind, ids, conn=conn)
            if generation is not None:
                self._apply(kind, (), ids, generation)
        return generation

    def _apply(
        self, kind: ProfileKind, features: Sequence[ProfileFeatures], removed: Sequence[str], generation: int
    ) -> None:
        """Apply a committed write of one kind; repair from the store if that fails."""
        if generation != self.engine.generation(kind) + 1:
            # Another process wrote in between: take its writes and ours from the store, in order (ours with the
            # features already built).
            self._catch_up(kind, {f.profile.id: (generation, f) for f in features})
            return
        try:
            self.engine.apply(kind, features, removed, generation=generation)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the store holds the truth: rebuild from it
            log.error("index update of %s failed (%s); rebuilding it from the store", kind.value, type(exc).__name__)
            if self.engine.concurrency is ConcurrencyMode.rwlock:
                # The state was changed in place and may be half-changed: no search may read it meanwhile.
                self.engine.mark_damaged(kind, "an update failed; rebuilding from the database")
            self.rebuild(kind)

    def rebuild(self, kind: ProfileKind) -> int:
        """Rebuild one kind's index from the store and publish it; on failure mark the kind damaged.

        Returns:
            Profiles indexed.

        Raises:
            Whatever the rebuild raises, after marking the kind damaged.
        """
        with self._turn:
            try:
                generation, profiles = self.store.snapshot(kind)
                state = self.engine.build_state(kind, profiles, generation)
            except Exception as exc:
                self.engine.mark_damaged(kind, f"rebuild failed ({type(exc).__name__})")
                raise
            self.engine.replace(kind, state)
            return len(profiles)

    def catch_up(self) -> int:
        """Apply what was written to the store since the engine's generations (by any process).

        Returns:
            Profiles applied.
        """
        with self._turn:
            return sum(self._catch_up(kind) for kind in ProfileKind)

    def catch_up_kind(self, kind: ProfileKind) -> int:
        """``catch_up`` for one kind."""
        with self._turn:
            return self._catch_up(kind)

    def poll(self) -> int:
        """Catch up the kinds whose generation in the database moved (one small query when none did).

        Returns:
            Profiles applied.
        """
        current = self.store.generations()
        applied = 0
        for kind in ProfileKind:
            behind = self.engine.generation(kind)
            if current[kind] == behind:
                continue
            # The features of what others wrote are built before the writer's turn, so that this process's own
            # writes do not wait for them; under the turn, the catch-up reads the rows again and reuses them.
            _, changes = self.store.changed_after(kind, behind)
            latest = {c.id: c for c in changes}
            built = {
                c.id: (c.generation, self.engine.features.build(c.profile))
                for c in latest.values()
                if c.profile is not None
            }
            with self._turn:
                applied += self._catch_up(kind, built)
        return applied

    def _catch_up(self, kind: ProfileKind, built: dict[str, tuple[int, ProfileFeatures]] | None = None) -> int:
        behind = self.engine.generation(kind)
        generation, changes = self.store.changed_after(kind, behind)
        if generation == behind:
            return 0
        if generation < behind:
            # The store is older than the index (a restored database): only a rebuild is right.
            return self.rebuild(kind)
        try:
            self._apply_changes(kind, changes, generation, built or {})
        except Exception as exc:  # noqa: BLE001 - see _apply
            log.error("catching up %s failed (%s); rebuilding it from the store", kind.value, type(exc).__name__)
            return self.rebuild(kind)
        return len(changes)

    def _apply_changes(
        self,
        kind: ProfileKind,
        changes: Sequence[StoredChange],
        generation: int,
        built: dict[str, tuple[int, ProfileFeatures]],
    ) -> None:
        latest: dict[str, StoredChange] = {}
        for change in changes:
            latest[change.id] = change
        features = [
            ready[1]
            if (ready := built.get(c.id)) is not None and ready[0] == c.generation
            else self.engine.features.build(c.profile)
            for c in latest.values()
            if c.profile is not None
        ]
        removed = [c.id for c in latest.values() if c.profile is None]
        self.engine.apply(kind, features, removed, generation=generation)
        if self.applied is not None:
            by_id = {f.profile.id: f for f in features}
            for change in latest.values():
                f = by_id.get(change.id)
                self.applied[(kind, change.id)] = (change.generation, f.vector if f and f.profile.active else None)

    def check(self) -> list[IndexCheck]:
        """Compare every kind's index with the store: generation, and counts of profiles and active ones."""
        with self._turn:
            return self._check()

    def _check(self) -> list[IndexCheck]:
        out = []
        states = self.engine.states()
        now = datetime.now(UTC)
        for kind in ProfileKind:
            state = states[kind]
            store_generation = self.store.generation(kind)
            behind_seconds: float | None = 0.0
            if state.generation < store_generation:
                since = self.store.behind_since(kind, state.generation)
                behind_seconds = None if since is None else max(0.0, (now - since).total_seconds())
            stored, stored_active = self.store.counts(kind)
            check = IndexCheck(
                kind=kind,
                index_generation=state.generation,
                store_generation=store_generation,
                indexed=state.indexed,
                stored_active=stored_active,
                profiles=state.table.alive_count,
                stored=stored,
                behind_seconds=behind_seconds,
                damaged=bool(state.damaged),
            )
            if state.damaged:
                check.reasons.append(f"{kind.value} index damaged: {state.damaged}")
            if check.index_generation != check.store_generation:
                check.reasons.append(
                    f"{kind.value} index at generation {check.index_generation}, database at {check.store_generation}"
                )
            elif (check.indexed != check.stored_active or check.profiles != check.stored) and self.store.generation(
                kind
            ) == store_generation:
                # (Counts read while another process committed are of a later generation: not comparable.)
                check.reasons.append(
                    f"{kind.value} index holds {check.indexed} active of {check.profiles} profiles, "
                    f"database {check.stored_active} of {check.stored}"
                )
            out.append(check)
        return out


__all__ = ["AlsoWrite", "IndexCheck", "ProfileWriter"]
