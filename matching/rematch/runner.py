"""One rematch run from start to end: resume or plan, patch and compute the chunks, commit, finish.

The executor (Dask in production, see ``skillmatch.rematch``) computes chunks anywhere; this process patches
lists (``matching.rematch.patch``) while planning, and commits each chunk as it comes, in its own transaction,
so a run stopped at any point (even ``kill -9``) leaves only whole chunks behind and the next run resumes at the
first chunk not committed (the patches of a pending patch chunk are made again from the same stored state and
changes, and come out the same). A run is resumed only when the profiles have not changed since it started;
otherwise it is abandoned and a full run takes over (its partial lists were computed on older data), with the
abandoned run's new matches counted as the new run's so that nobody misses a notification.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind, ProfileStore
from matching.ranking import MatchingEngine, other_kind
from matching.rematch.compute import BatchState, ChunkResult, score_chunk
from matching.rematch.curation import NO_CURATIONS, CuratedList, Curations, curated_lists
from matching.rematch.patch import Changes, Patcher, PatchOutcome
from matching.rematch.planner import Plan, patch_lists, plan_run, snapshot
from matching.rematch.repository import ChunkCounts, PlannedChunk, RematchRepository, RunInfo


@dataclass
class ChunkTask:
    """The inputs of one chunk's computation."""

    seq: int
    query_kind: ProfileKind
    query_ids: list[str]
    vectors: npt.NDArray[np.float32]
    top: int
    curated: dict[str, CuratedList] = field(default_factory=dict)
    """Staff pins and exclusions of the chunk's lists that have any."""


class ChunkExecutor(Protocol):
    """Computes chunks (``matching.rematch.compute.score_chunk``) somewhere, given the state once."""

    def compute(self, state: BatchState, tasks: Iterable[ChunkTask]) -> Iterator[tuple[ChunkTask, ChunkResult]]:
        """Each task with its result, in the order they complete."""
        ...


class LocalExecutor:
    """Computes chunks in this process, one after the other (a run with few lists to compute, and tests)."""

    def compute(self, state: BatchState, tasks: Iterable[ChunkTask]) -> Iterator[tuple[ChunkTask, ChunkResult]]:
        """Each task with its result, in order."""
        for task in tasks:
            yield task, score_chunk(state, task.query_kind, task.query_ids, task.vectors, task.top, task.curated)


@dataclass
class RunOptions:
    """What the operator asked for."""

    top: int = 20
    full: bool = False
    chunk_size: int = 1000
    pause_seconds: float = 0.0
    """Wait after each chunk commit (leaves the database to the service on a busy night)."""
    params: dict[str, Any] = field(default_factory=dict)
    """More parameters to record with the run (workers, scheduler)."""


@dataclass
class RunOutcome:
    """What a call of ``run_rematch`` did."""

    run: RunInfo
    resumed: bool = False
    skipped_chunks: int = 0
    notes: list[str] = field(default_factory=list)


Progress = Callable[[int, int, ChunkCounts], None]
"""Called after each chunk commit with (chunks done, chunks in all, what the chunk changed)."""


def _vectors_for(chunks: list[PlannedChunk], vectors: dict[ProfileKind, dict[str, Any]]) -> dict[int, Any]:
    return {
        c.seq: np.vstack([vectors[c.query_kind][q] for q in c.query_ids]).astype(np.float32)
        for c in chunks
        if c.action == "compute" and c.query_ids
    }


def run_rematch(
    engine: MatchingEngine,
    store: ProfileStore,
    repository: RematchRepository,
    executor: ChunkExecutor,
    options: RunOptions,
    *,
    versions: dict[str, Any],
    progress: Progress | None = None,
    say: Callable[[str], None] = lambda _: None,
    curations: Curations = NO_CURATIONS,
    applied: dict[tuple[ProfileKind, str], tuple[int, Any]] | None = None,
    _adopt: int | None = None,
) -> RunOutcome:
    """Resume the unfinished run, or plan and do a new one.

    Args:
        engine: the engine, with indexes in step with the store (or behind it: the snapshot catches up).
        store: the profile store.
        repository: the rematch tables.
        executor: where chunks are computed.
        options: the operator's request.
        versions: ESCO, model and engine versions (an incremental run needs the same as its base run).
        progress: called after each chunk commit.
        say: receives one line per notable decision (resume, fall back to a full run).
        curations: consultants' pins and exclusions (none by default); an incremental run recomputes the lists
            whose decisions changed since the base run started.
        applied: vectors the engine's catch-up already built (``ProfileWriter.applied``), not built again.

    Returns:
        The run as recorded, and whether it was resumed.

    Raises:
        Whatever the executor or the database raises; the run is then recorded as failed (a later run
        resumes it when the data has not changed).
    """
    started = time.perf_counter()
    notes: list[str] = []

    def note(line: str) -> None:
        notes.append(line)
        say(line)

    unfinished = repository.unfinished_run()
    adopt: int | None = _adopt
    full = options.full or _adopt is not None
    if unfinished is not None:
        current = {kind.value: store.generation(kind) for kind in ProfileKind}
        if unfinished.generations == current and unfinished.versions == versions:
            done, total = repository.chunk_count(unfinished.id)
            old = {kind: repository.vectors(kind) for kind in ProfileKind}
            vectors = {kind: dict(found) for kind, found in old.items()}
            staged = repository.staged_vectors(unfinished.id)
            for (kind, pid), vector in staged.items():
                if vector is None:
                    vectors[kind].pop(pid, None)
                else:
                    vectors[kind][pid] = vector
            pending = repository.pending_chunks(unfinished.id)
            patches = _repatch(engine, repository, unfinished.top, pending, old, staged, vectors)
            if patches is None:
                reason = "a list of its plan can no longer be patched"
                repository.abandon_run(unfinished.id, reason)
                note(f"Run {unfinished.id} did not finish and {reason}: computing every list.")
                return run_rematch(
                    engine,
                    store,
                    repository,
                    executor,
                    options,
                    versions=versions,
                    progress=progress,
                    say=say,
                    curations=curations,
                    applied=applied,
                    _adopt=unfinished.id,
                )
            note(f"Resuming run {unfinished.id} ({unfinished.mode}) at chunk {done + 1} of {total}.")
            run = _execute(
                engine,
                repository,
                executor,
                unfinished.id,
                unfinished.top,
                pending,
                vectors,
                progress,
                options,
                timings={"plan_seconds": 0.0},
                started=started,
                counts=unfinished.counts,
                curations=curations,
                patches=patches,
            )
            return RunOutcome(run, resumed=True, skipped_chunks=done, notes=notes)
        reason = "the profiles changed" if unfinished.generations != current else "the model or ESCO changed"
        repository.abandon_run(unfinished.id, f"{reason} since it started")
        note(f"Run {unfinished.id} did not finish and {reason} since it started: computing every list.")
        adopt, full = unfinished.id, True
    base = repository.latest_run(status="succeeded")
    if base is not None and base.versions != versions:
        note(f"The model, ESCO or engine changed since run {base.id}: computing every list.")
        base, full = None, True
    elif base is not None and base.top != options.top and not full:
        note(f"Run {base.id} kept the top {base.top}, not {options.top}: computing every list.")
        full = True
    elif base is None and not full:
        note("No earlier successful run: computing every list.")
        full = True
    snap = snapshot(engine, store, repository, base, applied)
    decided = {kind: curations.changed_since(kind, base.started_at if base else None) for kind in ProfileKind}
    plan: Plan = plan_run(engine, repository, snap, full=full, top=options.top, decided=decided)
    chunks = plan.chunks(options.chunk_size)
    plan_seconds = time.perf_counter() - started
    run_id = repository.start_run(
        mode=plan.mode,
        base_run_id=base.id if base is not None else None,
        top=options.top,
        params={"chunk_size": options.chunk_size, **options.params},
        versions=versions,
        generations=snap.generations,
        chunks=chunks,
        staged=snap.staged,
        counts=plan.counts
        | {
            "lists_to_compute": {k.value: len(v) for k, v in plan.compute.items()},
            "lists_to_patch": {k.value: len(v.lists) for k, v in plan.patches.items()},
            "lists_to_remove": {k.value: len(v) for k, v in plan.remove.items()},
        },
        adopt=adopt,
    )
    run = _execute(
        engine,
        repository,
        executor,
        run_id,
        options.top,
        chunks,
        snap.vectors,
        progress,
        options,
        timings={"plan_seconds": round(plan_seconds, 3)},
        started=started,
        counts=None,
        curations=curations,
        patches=plan.patches,
    )
    return RunOutcome(run, notes=notes)


def _repatch(
    engine: MatchingEngine,
    repository: RematchRepository,
    top: int,
    chunks: list[PlannedChunk],
    old: dict[ProfileKind, dict[str, Any]],
    staged: dict[tuple[ProfileKind, str], Any],
    vectors: dict[ProfileKind, dict[str, Any]],
) -> dict[ProfileKind, PatchOutcome] | None:
    """The patches of a resumed run's pending patch chunks, made again from the same stored state and changes
    (None: some list cannot be patched now, which the same data cannot bring about)."""
    wanted = {
        kind: [q for c in chunks if c.action == "patch" and c.query_kind is kind for q in c.query_ids]
        for kind in ProfileKind
    }
    out: dict[ProfileKind, PatchOutcome] = {}
    if not any(wanted.values()):
        return out
    patcher = Patcher(BatchState.of(engine), top)
    for kind, ids in wanted.items():
        if not ids:
            continue
        other = other_kind(kind)
        changed = sorted(pid for k, pid in staged if k is other)
        changes = Changes(
            changed,
            {c: old[other][c] for c in changed if c in old[other]},
            {c: v for c in changed if (v := staged[(other, c)]) is not None},
        )
        outcome, _ = patch_lists(patcher, repository.stored_lists(kind), kind, ids, vectors[kind], changes)
        if outcome.compute or set(ids) - set(outcome.lists):
            return None
        out[kind] = outcome
    return out


def _execute(
    engine: MatchingEngine,
    repository: RematchRepository,
    executor: ChunkExecutor,
    run_id: int,
    top: int,
    chunks: list[PlannedChunk],
    vectors: dict[ProfileKind, dict[str, Any]],
    progress: Progress | None,
    options: RunOptions,
    *,
    timings: dict[str, Any],
    started: float,
    counts: dict[str, Any] | None,
    curations: Curations,
    patches: dict[ProfileKind, PatchOutcome],
) -> RunInfo:
    total = len(chunks)
    done = 0
    commit_seconds = 0.0
    chunk_seconds: list[tuple[float, int]] = []
    compute_started = time.perf_counter()
    if progress is not None:
        progress(0, total, ChunkCounts())
    try:
        for chunk in (c for c in chunks if c.action != "compute" or not c.query_ids):
            t0 = time.perf_counter()
            if chunk.action == "patch" and chunk.query_ids:
                rows = patches[chunk.query_kind].rows(run_id, chunk.query_ids)
                changed = repository.commit_patch(run_id, chunk, rows)
            else:
                changed = repository.commit_chunk(run_id, chunk, None)
            commit_seconds += time.perf_counter() - t0
            done += 1
            if progress is not None:
                progress(done, total, changed)
        by_seq = {c.seq: c for c in chunks}
        chunk_vectors = _vectors_for(chunks, vectors)
        tasks = [
            ChunkTask(
                c.seq,
                c.query_kind,
                c.query_ids,
                chunk_vectors[c.seq],
                top,
                curated_lists(
                    curations.for_lists(c.query_kind, c.query_ids),
                    vectors[c.query_kind],
                    vectors[other_kind(c.query_kind)],
                ),
            )
            for c in chunks
            if c.action == "compute" and c.query_ids
        ]
        if tasks:
            for task, result in executor.compute(BatchState.of(engine), tasks):
                t0 = time.perf_counter()
                changed = repository.commit_chunk(run_id, by_seq[task.seq], result, round(result.seconds, 4))
                commit_seconds += time.perf_counter() - t0
                chunk_seconds.append((result.seconds, len(task.query_ids)))
                done += 1
                if progress is not None:
                    progress(done, total, changed)
                if options.pause_seconds:
                    time.sleep(options.pause_seconds)
    except BaseException as exc:
        repository.fail_run(run_id, f"{type(exc).__name__}: {exc}", timings)
        raise
    compute_seconds = time.perf_counter() - compute_started
    per_chunk = [n / s for s, n in chunk_seconds if s > 0]
    timings |= {
        "compute_seconds": round(compute_seconds, 3),
        "commit_seconds": round(commit_seconds, 3),
        "chunks": len(chunk_seconds),
        "chunk_seconds_mean": round(float(np.mean([s for s, _ in chunk_seconds])), 4) if chunk_seconds else None,
        "chunk_lists_per_second": round(float(np.median(per_chunk)), 1) if per_chunk else None,
        "run_seconds": round(time.perf_counter() - started, 3),
        "workers": getattr(executor, "workers", None),
    }
    if counts is None:
        recorded = repository.run(run_id)
        counts = recorded.counts if recorded is not None else {}
    return repository.finish_run(run_id, counts, timings)


__all__ = ["ChunkExecutor", "ChunkTask", "LocalExecutor", "Progress", "RunOptions", "RunOutcome", "run_rematch"]
