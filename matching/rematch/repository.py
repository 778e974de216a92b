"""Reading and writing the rematch tables: runs and their plans, chunk commits with their diff, vectors, lists.

Every write that must be all or nothing is one transaction: a run's start (its row, its plan and its staged
vectors), a chunk's commit (its lists, what they dropped, the chunk marked done) and a run's end (the staged
vectors applied, the counts, the status).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from matching.profiles import ProfileKind
from matching.ranking import COMPONENTS
from matching.rematch.compute import ChunkResult
from matching.rematch.tables import (
    RematchChunk,
    RematchDropped,
    RematchList,
    RematchMatch,
    RematchRun,
    RematchStagedVector,
    RematchVector,
    table,
)

UNFINISHED = ("running", "failed")


@dataclass
class RunInfo:
    """A run as recorded."""

    id: int
    mode: str
    status: str
    base_run_id: int | None
    top: int
    params: dict[str, Any]
    versions: dict[str, Any]
    generations: dict[str, int]
    counts: dict[str, Any]
    timings: dict[str, Any]
    error: str | None
    started_at: datetime
    finished_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "id": self.id,
            "mode": self.mode,
            "status": self.status,
            "base_run_id": self.base_run_id,
            "top": self.top,
            "params": self.params,
            "versions": self.versions,
            "generations": self.generations,
            "counts": self.counts,
            "timings": self.timings,
            "error": self.error,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


@dataclass
class PlannedChunk:
    """One chunk of a plan: compute or remove the lists of some query profiles of one kind."""

    seq: int
    query_kind: ProfileKind
    action: str
    query_ids: list[str]


@dataclass
class StoredMatch:
    """One match of a stored list, with its score parts."""

    query_kind: ProfileKind
    query_id: str
    match_id: str
    rank: int
    score: float
    components: dict[str, float]
    previous_score: float | None
    since_run: int
    run_id: int

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "id": self.match_id,
            "rank": self.rank,
            "score": self.score,
            "components": self.components,
            "previous_score": self.previous_score,
            "since_run": self.since_run,
        }


class NewMatch(NamedTuple):
    """A match new in a run: its list and its score."""

    query_kind: ProfileKind
    query_id: str
    match_id: str
    score: float


@dataclass
class ChunkCounts:
    """What committing one chunk changed."""

    lists: int = 0
    """Lists computed (searched and ranked)."""
    patched: int = 0
    """Lists brought up to date from their stored state (their matches changed or not)."""
    removed_lists: int = 0
    matches: int = 0
    new: int = 0
    dropped: int = 0
    changed: int = 0
    missing: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form (without the ids)."""
        return {
            "lists": self.lists,
            "patched": self.patched,
            "removed_lists": self.removed_lists,
            "matches": self.matches,
            "new": self.new,
            "dropped": self.dropped,
            "changed": self.changed,
            "missing": len(self.missing),
        }


def _run_info(row: Any) -> RunInfo:
    m = row._mapping
    return RunInfo(
        id=int(m["id"]),
        mode=m["mode"],
        status=m["status"],
        base_run_id=m["base_run_id"],
        top=int(m["top"]),
        params=dict(m["params"] or {}),
        versions=dict(m["versions"] or {}),
        generations={k: int(v) for k, v in (m["generations"] or {}).items()},
        counts=dict(m["counts"] or {}),
        timings=dict(m["timings"] or {}),
        error=m["error"],
        started_at=m["started_at"],
        finished_at=m["finished_at"],
    )


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _now() -> datetime:
    return datetime.now(UTC)


def _mark(conn: Connection) -> str:
    """The driver's parameter marker."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


@dataclass
class StoredLists:
    """The stored lists of one kind, as planning reads them: per list its id, threshold (NaN: none), lowest cosine
    a change must reach (NaN: any or no state), candidates fetched and eligible, and stored state (None: none)."""

    ids: list[str]
    threshold: npt.NDArray[np.float64]
    edge_low: npt.NDArray[np.float64]
    fetched: npt.NDArray[np.int64]
    eligible: npt.NDArray[np.int64]
    states: list[bytes | None]


@dataclass(frozen=True)
class _StoredRow:
    """What a chunk commit compares of a stored match: its previous score, and its rank, score and parts."""

    previous: float | None
    values: tuple[Any, ...]
    """The ``_COMPARED`` columns as stored."""

    @property
    def score(self) -> float:
        """The stored score."""
        return float(self.values[1])


_COMPARED = ("rank", "score", *COMPONENTS)


def _postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _copy(conn: Connection, target: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """PostgreSQL: rows into a table through one COPY stream, in the connection's transaction (one statement per
    row made most of a full run's commit; the figures are in benchmarks/README.md, rematch on PostgreSQL)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


_scratch_numbers = itertools.count()


def _scratch(conn: Connection, target: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> str:
    """PostgreSQL: a temporary table of some of a table's columns, dropped at commit, filled with rows; its name."""
    name = f"rematch_scratch_{next(_scratch_numbers)}"
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {target.name} WITH NO DATA"
    )
    _copy(conn, name, columns, rows)
    return name


def _bulk_insert(conn: Connection, target: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows given as tuples, straight through the driver (the per-row work of building and binding
    dictionaries costs more than the database itself for the millions of rows of a full run)."""
    if not rows:
        return
    if _postgresql(conn):
        _copy(conn, target.name, columns, rows)
        return
    mark = _mark(conn)
    sql = f"INSERT INTO {target.name} ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)})"
    conn.exec_driver_sql(sql, rows)


def _keyed_update(
    conn: Connection, target: Any, columns: Sequence[str], keys: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Set ``columns`` of the rows named by ``keys``: each row gives the columns' values, then the keys'."""
    if not rows:
        return
    if _postgresql(conn):
        scratch = _scratch(conn, target, (*columns, *keys), rows)
        settings = ", ".join(f"{c} = s.{c}" for c in columns)
        match = " AND ".join(f"t.{k} = s.{k}" for k in keys)
        conn.exec_driver_sql(f"UPDATE {target.name} AS t SET {settings} FROM {scratch} AS s WHERE {match}")
        return
    mark = _mark(conn)
    settings = ", ".join(f"{c} = {mark}" for c in columns)
    match = " AND ".join(f"{k} = {mark}" for k in keys)
    conn.exec_driver_sql(f"UPDATE {target.name} SET {settings} WHERE {match}", rows)


def _keyed_delete(conn: Connection, target: Any, keys: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Delete the rows named by ``keys`` (one tuple of key values per row)."""
    if not rows:
        return
    if _postgresql(conn):
        scratch = _scratch(conn, target, keys, rows)
        match = " AND ".join(f"t.{k} = s.{k}" for k in keys)
        conn.exec_driver_sql(f"DELETE FROM {target.name} AS t USING {scratch} AS s WHERE {match}")
        return
    match = " AND ".join(f"{k} = {_mark(conn)}" for k in keys)
    conn.exec_driver_sql(f"DELETE FROM {target.name} WHERE {match}", rows)


_MATCH_KEY = ("query_kind", "query_id", "match_id")
_LIST_KEY = ("query_kind", "query_id")


LIST_COLUMNS = ("query_kind", "query_id", "run_id", "fetched", "threshold", "eligible", "edge_low", "state")
MATCH_COLUMNS = (
    "query_kind", "query_id", "match_id", "rank", "score", *COMPONENTS, "previous_score", "since_run", "run_id"
)  # fmt: skip


class RematchRepository:
    """The rematch tables of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- runs ---------------------------------------------------------------------------------------------

    def run(self, run_id: int) -> RunInfo | None:
        """One run, or None."""
        runs = table(RematchRun)
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
        return _run_info(row) if row is not None else None

    def latest_run(self, *, status: str | None = None) -> RunInfo | None:
        """The most recent run (of a status, when given), or None."""
        runs = table(RematchRun)
        query = select(runs).order_by(runs.c.id.desc()).limit(1)
        if status is not None:
            query = query.where(runs.c.status == status)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _run_info(row) if row is not None else None

    def runs(self, limit: int = 20) -> list[RunInfo]:
        """The most recent runs, newest first."""
        runs = table(RematchRun)
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
        return [_run_info(r) for r in rows]

    def unfinished_run(self) -> RunInfo | None:
        """The latest run that neither succeeded nor was abandoned, when it is newer than the last success."""
        latest = self.latest_run()
        return latest if latest is not None and latest.status in UNFINISHED else None

    def start_run(
        self,
        *,
        mode: str,
        base_run_id: int | None,
        top: int,
        params: dict[str, Any],
        versions: dict[str, Any],
        generations: dict[str, int],
        chunks: Sequence[PlannedChunk],
        staged: dict[tuple[ProfileKind, str], npt.NDArray[np.float32] | None],
        counts: dict[str, Any],
        adopt: int | None = None,
    ) -> int:
        """Record a run with its plan and the new vectors of changed profiles, in one transaction.

        Args:
            mode: ``full`` or ``incremental``.
            base_run_id: the successful run an incremental run starts from.
            top: the length of every list.
            params: the run's parameters.
            versions: ESCO, model and engine versions.
            generations: the profile store generations the run reflects.
            chunks: the plan (sequence numbers are assigned here, in order).
            staged: new vector (None: the profile left matching) of each changed profile.
            counts: what the plan found.
            adopt: an abandoned run whose new matches become this run's (so that people are still told).

        Returns:
            The run's id.
        """
        with self.engine.begin() as conn:
            inserted = conn.execute(
                insert(table(RematchRun)).values(
                    mode=mode,
                    status="running",
                    base_run_id=base_run_id,
                    top=top,
                    params=params,
                    versions=versions,
                    generations=generations,
                    counts=counts,
                    timings={},
                    started_at=_now(),
                )
            ).inserted_primary_key
            assert inserted is not None
            run_id = int(inserted[0])
            if chunks:
                conn.execute(
                    insert(table(RematchChunk)),
                    [
                        {
                            "run_id": run_id,
                            "seq": seq,
                            "query_kind": c.query_kind.value,
                            "action": c.action,
                            "query_ids": c.query_ids,
                            "committed": False,
                            "counts": {},
                        }
                        for seq, c in enumerate(chunks)
                    ],
                )
            _bulk_insert(
                conn,
                table(RematchStagedVector),
                ("run_id", "kind", "id", "vector"),
                [
                    (run_id, kind.value, pid, None if vec is None else np.asarray(vec, dtype=np.float32).tobytes())
                    for (kind, pid), vec in staged.items()
                ],
            )
            if adopt is not None:
                matches = table(RematchMatch)
                conn.execute(update(matches).where(matches.c.since_run == adopt).values(since_run=run_id))
        return run_id

    def pending_chunks(self, run_id: int) -> list[PlannedChunk]:
        """The chunks of a run not committed yet, in order."""
        chunks = table(RematchChunk)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(chunks.c.seq, chunks.c.query_kind, chunks.c.action, chunks.c.query_ids)
                .where(chunks.c.run_id == run_id, ~chunks.c.committed)
                .order_by(chunks.c.seq)
            ).all()
        return [PlannedChunk(int(s), ProfileKind(k), a, list(ids)) for s, k, a, ids in rows]

    def chunk_count(self, run_id: int) -> tuple[int, int]:
        """(committed, all) chunks of a run."""
        chunks = table(RematchChunk)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(chunks.c.committed, func.count()).where(chunks.c.run_id == run_id).group_by(chunks.c.committed)
            ).all()
        done = sum(int(n) for c, n in rows if c)
        return done, sum(int(n) for _, n in rows)

    def staged_vectors(self, run_id: int) -> dict[tuple[ProfileKind, str], npt.NDArray[np.float32] | None]:
        """The new vectors a run staged."""
        staged = table(RematchStagedVector)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(staged.c.kind, staged.c.id, staged.c.vector).where(staged.c.run_id == run_id)
            ).all()
        return {
            (ProfileKind(k), pid): (np.frombuffer(v, dtype=np.float32) if v is not None else None) for k, pid, v in rows
        }

    def fail_run(self, run_id: int, error: str, timings: dict[str, Any] | None = None) -> None:
        """Mark a run failed (a later run resumes it when the data has not changed)."""
        runs = table(RematchRun)
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status="failed", error=error[:4000], finished_at=_now(), timings=timings or {})
            )

    def abandon_run(self, run_id: int, reason: str) -> None:
        """Mark an unfinished run abandoned (the data changed since it started; a new run takes over)."""
        runs = table(RematchRun)
        staged = table(RematchStagedVector)
        with self.engine.begin() as conn:
            conn.execute(
                update(runs).where(runs.c.id == run_id).values(status="abandoned", error=reason, finished_at=_now())
            )
            conn.execute(delete(staged).where(staged.c.run_id == run_id))

    def finish_run(self, run_id: int, counts: dict[str, Any], timings: dict[str, Any]) -> RunInfo:
        """Apply the run's staged vectors, add up its chunks' counts and mark it succeeded, in one transaction.

        Returns:
            The run as recorded.
        """
        runs, chunks = table(RematchRun), table(RematchChunk)
        staged, vectors = table(RematchStagedVector), table(RematchVector)
        with self.engine.begin() as conn:
            for kind in ProfileKind:
                changed = select(staged.c.id).where(staged.c.run_id == run_id, staged.c.kind == kind.value)
                conn.execute(delete(vectors).where(vectors.c.kind == kind.value, vectors.c.id.in_(changed)))
            conn.execute(
                insert(vectors).from_select(
                    ["kind", "id", "vector"],
                    select(staged.c.kind, staged.c.id, staged.c.vector).where(
                        staged.c.run_id == run_id, staged.c.vector.is_not(None)
                    ),
                )
            )
            conn.execute(delete(staged).where(staged.c.run_id == run_id))
            totals: dict[str, int] = defaultdict(int)
            per_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for kind, chunk_counts in conn.execute(
                select(chunks.c.query_kind, chunks.c.counts).where(chunks.c.run_id == run_id)
            ):
                for key, value in (chunk_counts or {}).items():
                    totals[key] += int(value)
                    per_kind[kind][key] += int(value)
            merged = counts | {"diff": dict(totals), "by_kind": {k: dict(v) for k, v in per_kind.items()}}
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status="succeeded", counts=merged, timings=timings, finished_at=_now(), error=None)
            )
        found = self.run(run_id)
        assert found is not None
        return found

    # -- chunks -------------------------------------------------------------------------------------------

    def commit_chunk(
        self, run_id: int, chunk: PlannedChunk, result: ChunkResult | None, seconds: float | None = None
    ) -> ChunkCounts:
        """Replace the lists of a chunk's queries (or remove them), record what changed, mark the chunk done.

        Only what differs is written: a new match is inserted, a match that left is deleted (and recorded as
        dropped), a match whose rank, score or parts moved is updated, and a match the run finds exactly as
        stored (with its previous score equal to its score) is left as it is, so that a nightly run over mostly
        unchanged lists writes little. One transaction: a chunk is either wholly committed or not at all, and a
        committed chunk is never committed again.

        Args:
            run_id: the run.
            chunk: the chunk.
            result: the computed lists (None for a ``remove`` chunk).
            seconds: the chunk's compute time.

        Returns:
            What the chunk changed.
        """
        chunks = table(RematchChunk)
        matches, lists, dropped = table(RematchMatch), table(RematchList), table(RematchDropped)
        kind = chunk.query_kind.value
        counts = ChunkCounts()
        with self.engine.begin() as conn:
            done = conn.execute(
                select(chunks.c.committed).where(chunks.c.run_id == run_id, chunks.c.seq == chunk.seq)
            ).scalar_one()
            if done:
                return counts
            old: dict[str, dict[str, _StoredRow]] = defaultdict(dict)
            mark = _mark(conn)
            columns = ", ".join(("query_id", "match_id", "previous_score", *_COMPARED))
            for ids in _chunks(chunk.query_ids):
                sql = (
                    f"SELECT {columns} FROM {matches.name} WHERE query_kind = {mark} "
                    f"AND query_id IN ({', '.join(mark for _ in ids)})"
                )
                for qid, mid, previous, *values in conn.exec_driver_sql(sql, (kind, *ids)):
                    old[qid][mid] = _StoredRow(previous, tuple(values))
            _keyed_delete(conn, lists, _LIST_KEY, [(kind, q) for q in chunk.query_ids])
            fresh: list[tuple[Any, ...]] = []
            moved: list[tuple[Any, ...]] = []
            left: list[tuple[Any, ...]] = []
            list_rows: list[tuple[Any, ...]] = []
            gone: list[tuple[Any, ...]] = []
            computed: set[str] = set()

            def drop(qid: str, mid: str, stored: _StoredRow) -> None:
                gone.append((run_id, kind, qid, mid, stored.score))
                left.append((kind, qid, mid))

            if result is not None:
                counts.missing = list(result.missing)
                kept = result.stateful & result.states.storable() if len(result.states) else result.stateful
                blobs = result.states.encode() if kept.any() else []
                lows = result.states.edge_low()
                for i, qid in enumerate(result.query_ids):
                    computed.add(qid)
                    blob, low = (blobs[i], lows[i]) if kept[i] else (None, np.nan)
                    list_rows.append(
                        (
                            kind,
                            qid,
                            run_id,
                            result.fetched[i],
                            result.thresholds[i],
                            result.eligible[i],
                            None if np.isnan(low) else float(low),
                            blob,
                        )
                    )
                    before = old.get(qid, {})
                    now: set[str] = set()
                    for rank, mid, score, parts in result.matches(i):
                        now.add(mid)
                        counts.matches += 1
                        stored = before.get(mid)
                        if stored is None:
                            counts.new += 1
                            fresh.append((kind, qid, mid, rank, score, *parts, None, run_id, run_id))
                            continue
                        last_score = stored.score
                        if round(last_score, 6) != round(score, 6):
                            counts.changed += 1
                        if stored.values == (rank, score, *parts) and stored.previous == last_score:
                            continue  # the row already says what this run would write
                        moved.append((rank, score, *parts, last_score, run_id, kind, qid, mid))
                    for mid, stored in before.items():
                        if mid not in now:
                            drop(qid, mid, stored)
                counts.lists = len(result.query_ids)
            for qid in chunk.query_ids:
                if qid in computed:
                    continue
                for mid, stored in old.get(qid, {}).items():
                    drop(qid, mid, stored)
                counts.removed_lists += 1 if qid in old else 0
            counts.dropped = len(gone)
            _keyed_delete(conn, matches, _MATCH_KEY, left)
            _keyed_update(conn, matches, (*_COMPARED, "previous_score", "run_id"), _MATCH_KEY, moved)
            _bulk_insert(conn, matches, MATCH_COLUMNS, fresh)
            _bulk_insert(conn, lists, LIST_COLUMNS, list_rows)
            _bulk_insert(conn, dropped, ("run_id", "query_kind", "query_id", "match_id", "score"), gone)
            conn.execute(
                update(chunks)
                .where(chunks.c.run_id == run_id, chunks.c.seq == chunk.seq)
                .values(committed=True, counts=counts.to_json(), seconds=seconds, committed_at=_now())
            )
        return counts

    # -- what planning reads ------------------------------------------------------------------------------

    def vectors(self, kind: ProfileKind) -> dict[str, npt.NDArray[np.float32]]:
        """The vectors of every profile of a kind as of the last successful run."""
        vectors = table(RematchVector)
        with self.engine.connect() as conn:
            rows = conn.execute(select(vectors.c.id, vectors.c.vector).where(vectors.c.kind == kind.value)).all()
        return {pid: np.frombuffer(blob, dtype=np.float32) for pid, blob in rows}

    def stored_lists(self, query_kind: ProfileKind) -> StoredLists:
        """Every stored list of a kind, with what planning and patching read of it (one pass over the table)."""
        lists = table(RematchList)
        columns = (
            lists.c.query_id,
            lists.c.threshold,
            lists.c.edge_low,
            lists.c.fetched,
            lists.c.eligible,
            lists.c.state,
        )
        with self.engine.connect() as conn:
            rows = conn.execute(select(*columns).where(lists.c.query_kind == query_kind.value)).all()
        return StoredLists(
            ids=[str(r[0]) for r in rows],
            threshold=np.asarray([np.nan if r[1] is None else r[1] for r in rows], dtype=np.float64),
            edge_low=np.asarray([np.nan if r[2] is None else r[2] for r in rows], dtype=np.float64),
            fetched=np.asarray([r[3] for r in rows], dtype=np.int64),
            eligible=np.asarray([r[4] for r in rows], dtype=np.int64),
            states=[bytes(r[5]) if r[5] is not None else None for r in rows],
        )

    def commit_patch(self, run_id: int, chunk: PlannedChunk, rows: dict[str, Any]) -> ChunkCounts:
        """Write the patches of a chunk's lists (``PatchOutcome.rows``) and mark the chunk done, in one transaction.

        Each list's row is rewritten in place; its matches change only where the patch says: new matches
        inserted, matches that left deleted (and recorded as dropped), matches whose rank, score or parts moved
        updated (their previous score is the score they had); the other rows are left as they are.

        Args:
            run_id: the run.
            chunk: the chunk (its lists are the patched ones).
            rows: what to write.

        Returns:
            What the chunk changed.
        """
        chunks = table(RematchChunk)
        matches, lists, dropped = table(RematchMatch), table(RematchList), table(RematchDropped)
        found = rows["counts"]
        counts = ChunkCounts(
            patched=found["patched"],
            matches=found["matches"],
            new=found["new"],
            dropped=found["dropped"],
            changed=found["changed"],
        )
        with self.engine.begin() as conn:
            done = conn.execute(
                select(chunks.c.committed).where(chunks.c.run_id == run_id, chunks.c.seq == chunk.seq)
            ).scalar_one()
            if done:
                return ChunkCounts()
            _keyed_update(
                conn, lists, LIST_COLUMNS[2:], _LIST_KEY, [(*row[2:], row[0], row[1]) for row in rows["lists"]]
            )
            _keyed_delete(conn, matches, _MATCH_KEY, rows["deleted"])
            _keyed_update(conn, matches, (*_COMPARED, "previous_score", "run_id"), _MATCH_KEY, rows["updated"])
            _bulk_insert(conn, matches, MATCH_COLUMNS, rows["inserted"])
            _bulk_insert(conn, dropped, ("run_id", "query_kind", "query_id", "match_id", "score"), rows["dropped"])
            conn.execute(
                update(chunks)
                .where(chunks.c.run_id == run_id, chunks.c.seq == chunk.seq)
                .values(committed=True, counts=counts.to_json(), committed_at=_now())
            )
        return counts

    # -- reading lists ------------------------------------------------------------------------------------

    def _read(self, conn: Connection, where: Any) -> list[StoredMatch]:
        m = table(RematchMatch)
        columns = [m.c[n] for n in ("query_kind", "query_id", "match_id", "rank", "score", *COMPONENTS)]
        columns += [m.c.previous_score, m.c.since_run, m.c.run_id]
        query = select(*columns).where(where).order_by(m.c.query_kind, m.c.query_id, m.c.rank)
        kinds = {kind.value: kind for kind in ProfileKind}
        out = []
        for kind, qid, mid, rank, score, *rest in conn.execute(query):
            parts, (previous, since, run) = rest[: len(COMPONENTS)], rest[len(COMPONENTS) :]
            out.append(
                StoredMatch(
                    query_kind=kinds[kind],
                    query_id=qid,
                    match_id=mid,
                    rank=int(rank),
                    score=round(float(score), 6),
                    components={name: round(float(v), 4) for name, v in zip(COMPONENTS, parts, strict=True)},
                    previous_score=round(float(previous), 6) if previous is not None else None,
                    since_run=int(since),
                    run_id=int(run),
                )
            )
        return out

    def list_of(self, query_kind: ProfileKind, query_id: str) -> list[StoredMatch]:
        """The stored list of one query profile, best first."""
        m = table(RematchMatch)
        with self.engine.connect() as conn:
            return self._read(conn, and_(m.c.query_kind == query_kind.value, m.c.query_id == query_id))

    def new_since(self, query_kind: ProfileKind, query_id: str, after_run: int) -> list[StoredMatch]:
        """Matches of a stored list that entered it after a run (and are still in it), best first."""
        m = table(RematchMatch)
        with self.engine.connect() as conn:
            return self._read(
                conn, and_(m.c.query_kind == query_kind.value, m.c.query_id == query_id, m.c.since_run > after_run)
            )

    def new_matches(self, run_id: int) -> list[NewMatch]:
        """Every match that entered a list in a run and is still there, best first per list (what the outbox
        tells; read through the ``since_run`` index)."""
        m = table(RematchMatch)
        kinds = {kind.value: kind for kind in ProfileKind}
        query = (
            select(m.c.query_kind, m.c.query_id, m.c.match_id, m.c.score)
            .where(m.c.since_run == run_id)
            .order_by(m.c.query_kind, m.c.query_id, m.c.rank)
        )
        with self.engine.connect() as conn:
            return [NewMatch(kinds[k], q, mid, round(float(s), 6)) for k, q, mid, s in conn.execute(query)]

    def new_in_run(self, run_id: int) -> list[StoredMatch]:
        """Every match that entered a list in a run and is still there."""
        m = table(RematchMatch)
        with self.engine.connect() as conn:
            return self._read(conn, m.c.since_run == run_id)

    def all_lists(self) -> dict[tuple[str, str], list[tuple[str, float, tuple[float, ...]]]]:
        """Every stored list: (query kind, query id) -> [(match id, score, score parts)], best first."""
        m = table(RematchMatch)
        out: dict[tuple[str, str], list[tuple[str, float, tuple[float, ...]]]] = defaultdict(list)
        with self.engine.connect() as conn:
            for r in conn.execute(select(m).order_by(m.c.query_kind, m.c.query_id, m.c.rank)):
                out[(r.query_kind, r.query_id)].append(
                    (r.match_id, round(float(r.score), 6), tuple(round(float(getattr(r, n)), 4) for n in COMPONENTS))
                )
        return dict(out)

    def dropped_in(self, run_id: int) -> list[tuple[str, str, str, float]]:
        """(query kind, query id, match id, last score) of the matches a run dropped."""
        d = table(RematchDropped)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(d.c.query_kind, d.c.query_id, d.c.match_id, d.c.score).where(d.c.run_id == run_id)
            ).all()
        return [(k, q, mid, float(s)) for k, q, mid, s in rows]


__all__ = ["ChunkCounts", "NewMatch", "PlannedChunk", "RematchRepository", "RunInfo", "StoredLists", "StoredMatch"]
