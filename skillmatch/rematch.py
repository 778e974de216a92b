"""The nightly rematch as the operator runs it: a lock, the matching state, a Dask cluster, the run, the outbox.

The matching state is opened without the linker or the encoder (the batch never links text): database,
taxonomy, concept space, related skills, the saved profile indexes (caught up or rebuilt as at start-up). The
work goes to a ``LocalCluster`` sized to the machine, or to any Dask cluster by scheduler address; the
workers need this package installed, nothing else (the state travels from here, once per worker).
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from matching.fairness import ExposureRun, ExposureStore, OversightCurations, OversightStore, run_exposure_audit
from matching.profiles import ProfileStore
from matching.ranking import MatchingEngine, ProfileWriter, open_indexes, save_indexes
from matching.rematch import (
    BatchState,
    ChunkTask,
    Curations,
    LocalExecutor,
    RematchRepository,
    RunOptions,
    RunOutcome,
    close_expired,
    run_rematch,
    score_chunk,
)
from matching.rematch.compute import ChunkResult
from matching.rematch.runner import Progress
from matching.resources import concept_space_dir, load_taxonomy, prepare_related_skills
from matching.space import load_concept_space, model_id
from services.mailer import SmtpConfig
from services.outbox import SendReport, build_outbox, send_pending
from skillmatch.configured import matching_engine
from skillmatch.db import make_engine
from skillmatch.schema import create_exposure_tables, create_tables
from skillmatch.settings import Settings

log = logging.getLogger("skillmatch.rematch")
BATCH_CACHE_MB = 256
"""SQLite's page cache for the run's connections: a patch chunk rewrites thousands of lists' rows and states in one
transaction, and with SQLite's default 2 MB their pages spilled to the log before the commit (at 100k x 20k the
incremental run's commits took 17 s with the default cache, 12 s with this one, measured ad hoc)."""


class RematchBusy(Exception):
    """Another rematch holds the lock."""


class RematchFailed(Exception):
    """The run could not be done; the message says why and what to do."""


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold the rematch lock (a file lock: the system releases it when the process ends, even on kill -9).

    Raises:
        RematchBusy: another process holds it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RematchBusy(f"another rematch is running ({holder}); runs never overlap") from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@dataclass
class MatchingState:
    """The matching engine of one data directory, opened for the batch (no linker, no encoder)."""

    db: Engine
    store: ProfileStore
    engine: MatchingEngine
    writer: ProfileWriter
    index_dir: Path
    report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, *, db: Engine | None = None) -> MatchingState:
        """Open the database, taxonomy, concept space, related skills and profile indexes.

        Raises:
            TaxonomyNotLoaded: ESCO is not loaded.
            ConceptSpaceNotBuilt: the concept space is missing or was built for another release or model.
        """
        started = time.perf_counter()
        db = db if db is not None else make_engine(settings.database_url, cache_mb=BATCH_CACHE_MB)
        create_tables(db)
        taxonomy = load_taxonomy(db, settings.data_dir)
        wanted = {"esco_checksum": taxonomy.release.checksum, "model_id": model_id(settings.model_name)}
        space = load_concept_space(concept_space_dir(settings.data_dir), wanted)
        related = prepare_related_skills(taxonomy, space, settings.data_dir)
        store = ProfileStore(db)
        engine = matching_engine(settings, db, taxonomy, space, related, store)
        writer = ProfileWriter(store, engine)
        writer.applied = {}  # the run reuses the vectors the catch-up builds
        report: dict[str, Any] = {"profile_indexes": open_indexes(writer, settings.indexes_dir)}
        report["open_seconds"] = round(time.perf_counter() - started, 2)
        return cls(db, store, engine, writer, settings.indexes_dir, report)

    def versions(self) -> dict[str, Any]:
        """What the lists depend on besides the profiles: ESCO, model, weights and index type."""
        release = self.engine.taxonomy.release
        return {
            "esco_version": release.version,
            "esco_checksum": release.checksum,
            "model_id": self.engine.space.manifest.get("model_id"),
            "engine": {k: v for k, v in self.engine.fingerprint().items() if k != "source"},
            # A list's stored cosines are those of an index type and its trained codes: a rebuilt index (another
            # type, retrained codes) makes the next run compute every list.
            "indexes": {kind.value: state.index.codec() for kind, state in self.engine.states().items()},
        }

    def save_indexes(self) -> bool:
        """Save the profile indexes when they check out (so that a resumed run reads the same state)."""
        if any(not c.ok for c in self.writer.check()):
            return False
        save_indexes(self.engine, self.index_dir)
        return True


class DaskExecutor:
    """Computes chunks on a Dask cluster: the state is sent to every worker once, chunks flow as they finish."""

    def __init__(self, client: Any, *, in_flight_per_worker: int = 2) -> None:
        self.client = client
        self.in_flight_per_worker = in_flight_per_worker

    def workers(self) -> int:
        """Workers the cluster has now."""
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    def compute(self, state: BatchState, tasks: Iterable[ChunkTask]) -> Iterator[tuple[ChunkTask, ChunkResult]]:
        """Each task with its result, as they complete (at most a few chunks per worker in flight)."""
        from distributed import as_completed

        shared = self.client.scatter(state, broadcast=True, hash=False)
        pending = list(tasks)[::-1]
        limit = max(1, self.workers()) * self.in_flight_per_worker
        running: dict[Any, ChunkTask] = {}

        def submit() -> None:
            task = pending.pop()
            future = self.client.submit(
                score_chunk,
                shared,
                task.query_kind,
                task.query_ids,
                task.vectors,
                task.top,
                task.curated,
                pure=False,
            )
            running[future] = task
            queue.add(future)  # type: ignore[no-untyped-call]

        queue = as_completed()  # type: ignore[no-untyped-call]
        while pending and len(running) < limit:
            submit()
        for future in queue:
            task = running.pop(future)
            result: ChunkResult = future.result()
            future.release()
            if pending:
                submit()
            yield task, result


@contextmanager
def dask_client(
    *,
    scheduler: str | None,
    workers: int,
    dashboard_address: str,
    memory_limit: str | None = None,
    connect_seconds: float = 30.0,
) -> Iterator[Any]:
    """A Dask client: to an existing scheduler, or to a local cluster of one-thread worker processes.

    Args:
        scheduler: the scheduler's address (``tcp://host:8786``), or None for a local cluster.
        workers: local workers (0: one per core).
        dashboard_address: where the local cluster serves its dashboard.
        memory_limit: per local worker (default: the machine's memory shared out).
        connect_seconds: how long to try the existing scheduler.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RematchFailed("the rematch needs Dask: pip install 'dask[distributed]'") from exc
    if scheduler:
        with Client(scheduler, timeout=f"{connect_seconds}s") as client:  # type: ignore[no-untyped-call]
            yield client
        return
    n = workers or len(os.sched_getaffinity(0))
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=dashboard_address,
            memory_limit=memory_limit or "auto",
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


class ClusterExecutor:
    """Computes a run's chunks on Dask: on an existing cluster (``scheduler``, connected on entering, so that a
    scheduler out of reach fails the run before it starts), else on a local cluster started only when the run has
    more than ``local_lists`` lists to compute (fewer are computed in this process: a cluster's start-up costs
    more than such a run)."""

    def __init__(
        self,
        *,
        scheduler: str | None,
        workers: int,
        dashboard_address: str,
        connect_seconds: float,
        local_lists: int,
        say: Callable[[str], None],
    ) -> None:
        self.scheduler = scheduler
        self.requested = workers
        self.dashboard_address = dashboard_address
        self.connect_seconds = connect_seconds
        self.local_lists = local_lists
        self.say = say
        self.workers = 0
        """Workers the chunks were computed on (0: this process, or nothing to compute)."""
        self.dashboard: str | None = None
        self._stack = ExitStack()
        self._client: Any = None

    def __enter__(self) -> ClusterExecutor:
        if self.scheduler is not None:
            self._connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _connect(self) -> None:
        client = self._stack.enter_context(
            dask_client(
                scheduler=self.scheduler,
                workers=self.requested,
                dashboard_address=self.dashboard_address,
                connect_seconds=self.connect_seconds,
            )
        )
        self._client = client
        self.dashboard = getattr(client, "dashboard_link", None)
        self.workers = DaskExecutor(client).workers()
        self.say(f"Dask dashboard: {self.dashboard} ({self.workers} workers)")

    def compute(self, state: BatchState, tasks: Iterable[ChunkTask]) -> Iterator[tuple[ChunkTask, ChunkResult]]:
        """Each task with its result, as they complete."""
        pending = list(tasks)
        if not pending:
            return
        lists = sum(len(t.query_ids) for t in pending)
        if self._client is None and lists <= self.local_lists:
            self.say(f"Computing {lists:,} lists in this process.")
            yield from LocalExecutor().compute(state, pending)
            return
        if self._client is None:
            self._connect()
        yield from DaskExecutor(self._client).compute(state, pending)


@dataclass
class RematchReport:
    """What the command did."""

    outcome: RunOutcome
    expired: list[str]
    dashboard: str | None
    workers: int
    notifications: int
    sent: SendReport | None
    seconds: float
    exposure: ExposureRun | None = None
    """The exposure audit after the run (None: no group attributes imported, the exposure audit off, or the run
    failed)."""


def exposure_audit_after_run(settings: Settings, state: MatchingState) -> ExposureRun | None:
    """The exposure audit after a succeeded run: every open vacancy's candidates ranked as the run ranked them,
    audited as the engine made them and as people see them (pins and exclusions), kept with source "rematch".

    Nothing is done when no audit attributes were imported (there are no groups to count).
    """
    exposure_db = make_engine(settings.exposure_database_url) if settings.exposure_database_url else state.db
    try:
        if exposure_db is not state.db:
            create_exposure_tables(exposure_db)
        store = ExposureStore(exposure_db)
        if store.count() == 0:
            return None
        return run_exposure_audit(
            state.engine,
            store,
            OversightStore(state.db),
            permutations=settings.exposure_permutations,
            alpha=settings.exposure_alpha,
            min_expected=settings.exposure_min_expected,
            source="rematch",
            counterfactual=(lambda: counterfactual_after_run(settings, state))
            if settings.exposure_counterfactual
            else None,
        )
    finally:
        if exposure_db is not state.db:
            exposure_db.dispose()


def counterfactual_after_run(settings: Settings, state: MatchingState) -> dict[str, Any]:
    """The counterfactual gender check after a run: the swapped records are linked by the service's own linker
    (opened for this, as the run itself needs no linker) and ranked by the run's engine."""
    # Imported here: the profile builder, the linker and the check load what the run itself never needs.
    from ingestion.profile_builder import ProfileBuilder
    from matching.resources import make_encoder, prepare_linker
    from services.counterfactual import counterfactual_check
    from skillmatch.configured import linker_config

    taxonomy = state.engine.taxonomy
    encoder = make_encoder(settings.data_dir, settings.model_name, settings.encode_threads)
    linker, _ = prepare_linker(taxonomy, encoder, settings.data_dir, config=linker_config(settings))
    return counterfactual_check(state.db, state.store, ProfileBuilder(taxonomy, linker), state.engine).to_json()


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """The SMTP server of the notifications, or None when none is configured."""
    if not settings.smtp_host:
        return None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        user=settings.smtp_user,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        security=settings.smtp_security,
        timeout=settings.smtp_timeout,
    )


def rematch(
    settings: Settings,
    *,
    full: bool = False,
    top: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    send: bool = True,
    today: date | None = None,
    progress: Progress | None = None,
    say: Callable[[str], None] = lambda _: None,
    db: Engine | None = None,
    curations: Curations | None = None,
    local_lists: int | None = None,
    freeze_opened: bool = False,
) -> RematchReport:
    """Run the rematch under the lock: close expired vacancies, resume or plan a run, build and send the outbox.

    Args:
        settings: the settings (SMTP and rematch defaults).
        full: compute every list.
        top: length of each list (default: the setting).
        scheduler: an existing Dask scheduler (default: the setting, else a local cluster).
        workers: local workers (default: the setting; 0 one per core).
        chunk_size: lists per chunk (default: the setting).
        send: send the pending notifications when SMTP is configured.
        today: the date vacancies' closing dates are compared with (default: today).
        progress: called with (chunks done, chunks in all, what the chunk changed), first with 0 done.
        say: receives notable lines (dashboard, resume, fall-backs).
        db: a database engine to use instead of the settings' URL.
        curations: consultants' pins and exclusions (default: the oversight log in the database).
        local_lists: compute in this process when at most this many lists are to be computed (default: the
            setting; 0: always on a cluster).
        freeze_opened: open the matching state with the cyclic garbage collector paused, then leave what it
            loaded out of the collector's scans (``gc.freeze``, no collection first): for a process that ends
            with the run, as the command's does. The collections that opening triggered scanned the taxonomy's
            million objects on their way to the oldest generation, and the run's reading of the stored lists then
            made full collections that scanned them and the modules again and again.

    Raises:
        RematchBusy: another rematch is running.
    """
    started = time.perf_counter()
    with run_lock(settings.data_dir / "rematch.lock"):
        collecting = freeze_opened and gc.isenabled()
        if collecting:
            gc.disable()
        try:
            state = MatchingState.open(settings, db=db)
            if freeze_opened:
                gc.freeze()
        finally:
            if collecting:
                gc.enable()
        if curations is None:
            curations = OversightCurations(OversightStore(state.db))
        try:
            expired = close_expired(state.writer, today or date.today())
            if expired:
                say(f"Closed {len(expired):,} vacancies past their closing date.")
            if any(not o.startswith("reused") or "caught up" in o for o in state.report["profile_indexes"].values()):
                state.save_indexes()
            repository = RematchRepository(state.db)
            scheduler = scheduler or settings.rematch_scheduler
            workers = settings.rematch_workers if workers is None else workers
            options = RunOptions(
                top=top or settings.rematch_top,
                full=full,
                chunk_size=chunk_size or settings.rematch_chunk_size,
                pause_seconds=settings.rematch_pause_seconds,
                params={"scheduler": scheduler, "open_seconds": state.report["open_seconds"]},
            )
            with ClusterExecutor(
                scheduler=scheduler,
                workers=workers,
                dashboard_address=settings.rematch_dashboard_address,
                connect_seconds=settings.rematch_connect_seconds,
                local_lists=settings.rematch_local_lists if local_lists is None else local_lists,
                say=say,
            ) as executor:
                outcome = run_rematch(
                    state.engine,
                    state.store,
                    repository,
                    executor,
                    options,
                    versions=state.versions(),
                    progress=progress,
                    say=say,
                    curations=curations,
                    applied=state.writer.applied,
                )
            dashboard, n_workers = executor.dashboard, executor.workers
            notifications = 0
            for run in reversed(repository.runs(limit=50)):
                if run.status == "succeeded":
                    notifications += build_outbox(
                        state.db, repository, run, default_language=settings.default_language.value
                    )
            config = smtp_config(settings)
            sent = send_pending(state.db, config) if send and config is not None else None
            exposure = None
            if settings.rematch_exposure_audit and outcome.run.status == "succeeded":
                exposure = exposure_audit_after_run(settings, state)
                if exposure is not None:
                    say(f"Exposure audit {exposure.run_id}: {exposure.alerts} alerts over {exposure.lists:,} lists.")
        finally:
            state.db.dispose()
    return RematchReport(
        outcome, expired, dashboard, n_workers, notifications, sent, round(time.perf_counter() - started, 2), exposure
    )


__all__ = [
    "ClusterExecutor",
    "DaskExecutor",
    "MatchingState",
    "RematchBusy",
    "RematchFailed",
    "RematchReport",
    "exposure_audit_after_run",
    "dask_client",
    "rematch",
    "run_lock",
    "smtp_config",
]
