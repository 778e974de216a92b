"""Which lists a run computes: every list (full), or every list a change can reach (incremental).

A list is computed the way the online path ranks: the index returns the ``fetched`` candidates with the highest
cosine (widened when the hard filters leave fewer than the list's length), the filters apply, the scorer
re-ranks. So a profile of the other kind can enter or leave a list only by entering or leaving those
candidates: its cosine to the query must reach the cosine of the last candidate returned (the list's
``threshold``). An incremental run therefore computes, for each kind of query:

- the lists of queries that are new or changed since the last successful run (and removes the lists of those
  removed, deactivated or past their closing date);
- the lists whose threshold a changed profile of the other kind reaches, with its vector before or after the
  change (the vectors of the last run are kept for this), with a margin for the index's 8-bit or 16-bit codes;
- the lists that hold a changed profile, and the lists whose search returned every profile (no threshold).

Every other list is what a full run would compute. With a graph index (HNSW) a new profile also changes the
graph other searches walk, which can move an approximate result far from the change: a periodic ``--all``
run covers that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind, ProfileStore, StoredChange
from matching.ranking import MatchingEngine, other_kind
from matching.rematch.repository import PlannedChunk, RematchRepository, RunInfo

Vectors = npt.NDArray[np.float32]
EXACT_MARGIN = 1e-5
"""Cosines the index computes and those planning computes may differ by rounding in the last bits."""
BLOCK = 8192


@dataclass
class Snapshot:
    """The profiles a run matches: the engine brought to the store's generation, and every profile's vector."""

    generations: dict[str, int]
    changes: dict[ProfileKind, list[StoredChange]]
    """What changed since the base run (every profile when there is none)."""
    vectors: dict[ProfileKind, dict[str, Vectors]]
    """The exact vector of every matchable profile (active and in the index)."""
    old_vectors: dict[ProfileKind, dict[str, Vectors]]
    """The vectors as of the base run."""
    staged: dict[tuple[ProfileKind, str], Vectors | None]
    """The new vector of each changed profile (None: it left matching)."""


@dataclass
class Plan:
    """What a run does."""

    mode: str
    compute: dict[ProfileKind, list[str]]
    remove: dict[ProfileKind, list[str]]
    counts: dict[str, Any] = field(default_factory=dict)

    def chunks(self, size: int) -> list[PlannedChunk]:
        """The plan cut in chunks of at most ``size`` queries (removals first, then computations)."""
        out: list[PlannedChunk] = []
        for action, by_kind in (("remove", self.remove), ("compute", self.compute)):
            for kind in ProfileKind:
                ids = by_kind.get(kind, [])
                for start in range(0, len(ids), size):
                    out.append(PlannedChunk(len(out), kind, action, ids[start : start + size]))
        return out


def matchable(engine: MatchingEngine, kind: ProfileKind) -> list[str]:
    """Ids of the profiles of a kind that matching uses (alive and active), sorted."""
    table = engine.states()[kind].table
    alive = table.scalars["alive"] & table.scalars["active"]
    return sorted(table.ids[int(i)] for i in np.flatnonzero(alive))


def snapshot(
    engine: MatchingEngine, store: ProfileStore, repository: RematchRepository, base: RunInfo | None
) -> Snapshot:
    """Bring the engine to the store's current generation and collect every profile's exact vector.

    The changes since the base run are read in one transaction with the generation they bring the store to;
    the engine (whose saved indexes may be older) applies those it has not seen yet, so that the run's lists
    and the vectors describe the same data even while other processes write.

    Args:
        engine: the engine, already caught up with the saved indexes (any generation up to the store's).
        store: the profile store.
        repository: the rematch tables (the vectors of the base run).
        base: the last successful run (None: every profile counts as changed).

    Returns:
        The snapshot.
    """
    generations: dict[str, int] = {}
    changes: dict[ProfileKind, list[StoredChange]] = {}
    vectors: dict[ProfileKind, dict[str, Vectors]] = {}
    old_vectors: dict[ProfileKind, dict[str, Vectors]] = {}
    staged: dict[tuple[ProfileKind, str], Vectors | None] = {}
    for kind in ProfileKind:
        since = base.generations.get(kind.value, 0) if base is not None else 0
        generation, found = store.changed_after(kind, since)
        generations[kind.value] = generation
        changes[kind] = found
        features = {c.id: engine.features.build(c.profile) for c in found if c.profile is not None}
        behind = engine.generation(kind)
        if generation > behind:
            late = [c for c in found if c.generation > behind]
            engine.apply(
                kind,
                [features[c.id] for c in late if c.profile is not None],
                [c.id for c in late if c.profile is None],
                generation=generation,
            )
        old_vectors[kind] = repository.vectors(kind) if base is not None else {}
        current = dict(old_vectors[kind])
        for change in found:
            f = features.get(change.id)
            vector = f.vector if f is not None and f.profile.active else None
            staged[(kind, change.id)] = vector
            if vector is None:
                current.pop(change.id, None)
            else:
                current[change.id] = vector
        wanted = matchable(engine, kind)
        missing = [pid for pid in wanted if pid not in current]
        for pid in missing:  # not expected: a vector store out of step with the profiles
            vector = engine.features.build(store.get(kind, pid)).vector
            current[pid] = staged[(kind, pid)] = vector
        vectors[kind] = {pid: current[pid] for pid in wanted}
    return Snapshot(generations, changes, vectors, old_vectors, staged)


def _reached(
    queries: Sequence[str],
    query_vectors: dict[str, Vectors],
    thresholds: dict[str, float | None],
    others: Vectors,
    margins: npt.NDArray[np.float32],
) -> set[str]:
    """Queries whose threshold some of the other vectors reach (within their margins)."""
    if not len(others):
        return set()
    reached: set[str] = set()
    with_threshold = [q for q in queries if thresholds.get(q) is not None]
    for start in range(0, len(with_threshold), BLOCK):
        block = with_threshold[start : start + BLOCK]
        x = np.stack([query_vectors[q] for q in block])
        best = (x @ others.T + margins[None, :]).max(axis=1)
        limit = np.asarray([thresholds[q] for q in block], dtype=np.float32)
        reached |= {q for q, hit in zip(block, best >= limit, strict=True) if hit}
    return reached


def plan_run(
    engine: MatchingEngine,
    repository: RematchRepository,
    snap: Snapshot,
    *,
    full: bool,
    decided: dict[ProfileKind, set[str]] | None = None,
) -> Plan:
    """Decide which lists to compute and which to remove.

    Args:
        engine: the engine at the snapshot's generation.
        repository: the rematch tables (stored lists and their thresholds).
        snap: the snapshot.
        full: compute every list.
        decided: per kind, the query profiles whose lists' pins or exclusions changed since the base run.

    Returns:
        The plan, with counts of what led to each list being computed.
    """
    compute: dict[ProfileKind, list[str]] = {}
    remove: dict[ProfileKind, list[str]] = {}
    counts: dict[str, Any] = {
        "changed": {kind.value: len(found) for kind, found in snap.changes.items()},
        "matchable": {kind.value: len(v) for kind, v in snap.vectors.items()},
    }
    for kind in ProfileKind:
        active = snap.vectors[kind]
        thresholds = repository.thresholds(kind)
        remove[kind] = sorted(q for q in thresholds if q not in active)
        if full:
            compute[kind] = sorted(active)
            continue
        other = other_kind(kind)
        changed_here = {c.id for c in snap.changes[kind]}
        changed_there = [c.id for c in snap.changes[other]]
        chosen = {q for q in active if q in changed_here or q not in thresholds}
        reasons = {"own change or new": len(chosen)}
        staff = {q for q in (decided or {}).get(kind, set()) if q in active} - chosen
        if staff:
            reasons["pins or exclusions changed"] = len(staff)
            chosen |= staff
        if changed_there:
            unchanged = [q for q in active if q not in chosen]
            everything = {q for q in unchanged if thresholds.get(q) is None}
            before = [snap.old_vectors[other][c] for c in changed_there if c in snap.old_vectors[other]]
            after = [v for c in changed_there if (v := snap.staged.get((other, c))) is not None]
            others = np.stack(before + after) if before or after else np.zeros((0, engine.space.dim), np.float32)
            index = engine.states()[other].index
            margins = (2 * index.reconstruction_error(others) + EXACT_MARGIN).astype(np.float32)
            reached = _reached([q for q in unchanged if q not in everything], active, thresholds, others, margins)
            holding = repository.lists_containing(kind, changed_there) & set(unchanged)
            reasons |= {
                "threshold reached": len(reached - holding),
                "holds a changed profile": len(holding),
                "search returned everything": len(everything),
            }
            chosen |= everything | reached | holding
        compute[kind] = sorted(chosen)
        counts[f"{kind.value}_lists"] = reasons
    return Plan("full" if full else "incremental", compute, remove, counts)


__all__ = ["EXACT_MARGIN", "Plan", "Snapshot", "matchable", "plan_run", "snapshot"]
