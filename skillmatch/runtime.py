"""Start-up: everything the service, the CLI and the benchmarks need, built or reused from the data directory.

Order: database (tables created here, once) -> taxonomy (must be loaded) -> encoder -> concept space and linker
indexes -> related skills -> profile store, engine and its one writer -> profile indexes (saved ones reused
when they check out against the database, the others rebuilt, and the report says which) -> ingestion.
The settings are read here and only plain values go into the core packages.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from tqdm import tqdm

from esco_data import Taxonomy
from ingestion.build_pool import BuildPool
from ingestion.corrections import CorrectionService
from ingestion.profile_builder import ProfileBuilder
from ingestion.repository import RecordRepository
from ingestion.service import IngestionService
from ingestion.validation import RecordValidator
from matching.errors import IndexFilesInvalid
from matching.fairness import ExposureStore, OversightStore, ReviewedCandidates
from matching.guidance import RecruitingStore, SkillGapConfig
from matching.linking import LearnedLinks, Linker
from matching.profiles import ProfileKind, ProfileStore
from matching.ranking import (
    IndexCheck,
    MatchingEngine,
    ProfileWriter,
    open_indexes,
    read_manifest,
    save_indexes,
)
from matching.resources import (
    load_taxonomy,
    make_encoder,
    prepare_linker,
    prepare_related,
    start_warm_up,
    warm_linker,
)
from services.fairness import FairnessConfig, FairnessServices
from services.rights import RightsService
from skillmatch.configured import linker_config, matching_engine
from skillmatch.db import make_engine
from skillmatch.lease import lease
from skillmatch.schema import create_exposure_tables, create_tables
from skillmatch.settings import Settings

log = logging.getLogger("skillmatch")
INDEX_LEASE = "profile-indexes"
"""The lease one process holds while it saves the profile indexes."""
_STAGES = "{desc}: {n_fmt}/{total_fmt} stages [{elapsed}]{postfix}"


def open_builder(settings: Settings) -> ProfileBuilder:
    """A profile builder over a data directory whose ESCO, concept space and linker indexes are built: what a
    worker process of a batch ingestion (``ingestion.build_pool``) opens, the linker as ``Runtime.open`` sets it
    (its first-use parts read from disk, the links consultants taught it)."""
    db = make_engine(settings.database_url)
    encoder = make_encoder(settings.data_dir, settings.model_name, settings.encode_threads)
    taxonomy = load_taxonomy(db, settings.data_dir)
    linker, _ = prepare_linker(taxonomy, encoder, settings.data_dir, config=linker_config(settings))
    linker.learned = LearnedLinks(db, refresh_seconds=max(settings.sync_seconds, 1.0))
    warm_linker(linker, settings.data_dir, head_words=False)  # (the parent's start-up builds those)
    return ProfileBuilder(taxonomy, linker)


@dataclass
class Runtime:
    """The database, taxonomy, linker, matching engine, its writer and ingestion of one data directory."""

    settings: Settings
    db: Engine
    taxonomy: Taxonomy
    linker: Linker
    store: ProfileStore
    engine: MatchingEngine
    writer: ProfileWriter
    ingestion: IngestionService
    index_dir: Path
    fairness: FairnessServices
    """Oversight, exposure audit, jobseekers' rights, skill gap and recruiting occupations."""
    corrections: CorrectionService
    """People's corrections of records, and the links consultants teach the linker."""
    report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        db: Engine | None = None,
        index_dir: Path | None = None,
        progress: bool = False,
    ) -> Runtime:
        """Build or reuse everything; the taxonomy must already be loaded (``skillmatch esco load``).

        Args:
            settings: the settings.
            db: a database engine to use instead of the settings' URL.
            index_dir: where the profile indexes are saved (default: the settings' index folder).
            progress: show progress bars while building.

        Raises:
            TaxonomyNotLoaded: ESCO is not in the database.
        """
        started = time.perf_counter()
        # The stages after the label embedding (which has its own bar) take tens of seconds on a first start.
        stages = tqdm(total=5, desc="opening", unit="stage", disable=not progress, bar_format=_STAGES)
        stages.set_postfix_str("database and taxonomy")
        db = db if db is not None else make_engine(settings.database_url)
        exposure_db = make_engine(settings.exposure_database_url) if settings.exposure_database_url else db
        create_tables(db, exposure=exposure_db is db)
        if exposure_db is not db:
            create_exposure_tables(exposure_db)
        encoder = make_encoder(settings.data_dir, settings.model_name, settings.encode_threads)
        with ThreadPoolExecutor(1) as pool:
            model = pool.submit(encoder.load_model)  # beside the taxonomy and the indexes, not after them
            taxonomy = load_taxonomy(db, settings.data_dir)
            stages.update()
            stages.set_postfix_str("concept space and linker")
            linker, report = prepare_linker(
                taxonomy,
                encoder,
                settings.data_dir,
                config=linker_config(settings),
                progress=progress,
                build_cache=settings.build_cache_dir,
            )
            stages.set_postfix_str("encoder")
            model.result()
        linker.learned = LearnedLinks(db, refresh_seconds=max(settings.sync_seconds, 1.0))
        stages.update()
        stages.set_postfix_str("related skills")
        related = prepare_related(taxonomy, linker, settings.data_dir)
        stages.update()
        # What the linker builds on first use is built now, beside the rest of start-up: the first requests
        # wait for that one build instead of each building a copy.
        start_warm_up(linker, settings.data_dir, settings.build_cache_dir)
        store = ProfileStore(db)
        engine = matching_engine(settings, db, taxonomy, linker.space, related, store)
        writer = ProfileWriter(store, engine)
        directory = index_dir or settings.indexes_dir
        stages.set_postfix_str("profile indexes")
        report["profile_indexes"] = open_indexes(writer, directory)
        stages.update()
        for kind, outcome in report["profile_indexes"].items():
            log.info("%s index %s", kind, outcome)
        ingestion = IngestionService(
            RecordValidator(taxonomy), RecordRepository(db), ProfileBuilder(taxonomy, linker), writer
        )
        fairness = _fairness(settings, db, exposure_db, taxonomy, linker, engine, writer, ingestion.builder)
        corrections = CorrectionService(ingestion, linker, taxonomy)
        stages.update()
        stages.set_postfix_str("ready")
        stages.close()
        report["seconds"] = round(time.perf_counter() - started, 1)
        return cls(
            settings, db, taxonomy, linker, store, engine, writer, ingestion, directory, fairness, corrections, report
        )

    @contextmanager
    def building_in_processes(self, processes: int) -> Iterator[BuildPool | None]:
        """Within the block, batch ingestion builds profiles in ``processes`` processes: this one and workers
        started on first use (None, and nothing changes, for fewer than 2).

        Every process then encodes with one BLAS thread: two processes of two threads each on two cores made
        each piece three times slower than one process alone (OpenBLAS's threads wait by spinning).

        Args:
            processes: processes that build, this one included.
        """
        url = self.db.url
        if processes < 2 or (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")):
            yield None  # an in-memory database is this process's alone
            return
        # The workers open this runtime's database, which a caller may have given instead of the settings' URL.
        database_url = url.render_as_string(hide_password=False)
        single = self.settings.model_copy(update={"encode_threads": 1, "database_url": database_url})
        encoder = make_encoder(single.data_dir, single.model_name, 1)
        encoder.load_model()
        previous = self.linker.encoder
        pool = BuildPool(functools.partial(open_builder, single), processes)
        self.linker.encoder, self.ingestion.pool = encoder, pool
        try:
            yield pool
        finally:
            pool.close()
            self.linker.encoder, self.ingestion.pool = previous, None

    def check(self) -> list[IndexCheck]:
        """How each index compares with the database (the readiness check)."""
        return self.writer.check()

    def save(self) -> bool:
        """Save the profile indexes atomically, but only when they check out against the database, one process at
        a time, and only when they are newer than what is saved.

        Several processes (workers of one host, or hosts sharing a folder) save into one index folder: the
        database lease ``profile-indexes`` lets one save at a time; a process that does not get it at once leaves
        the saving to the holder. What is saved carries the generation (change log sequence) of each kind, from
        which a process starting up replays the log; the log's entries up to the oldest saved generation are
        then dropped.

        Returns:
            Whether they were saved (an index that fails the check is never saved: start-up rebuilds it; one that
            cannot be written, e.g. on a full disk, leaves the previous saved version in place).
        """
        problems = [reason for check in self.check() for reason in check.reasons]
        if problems:
            log.warning("profile indexes not saved: %s", "; ".join(problems))
            return False
        with lease(self.db, INDEX_LEASE) as holding:
            if not holding:
                log.info("profile indexes not saved: another process is saving them")
                return False
            if self._saved_is_newer():
                log.info("profile indexes not saved: another process saved newer ones")
                return True
            try:
                save_indexes(self.engine, self.index_dir)
            except OSError as exc:
                log.error(
                    "profile indexes not saved (%s); the previous saved version stays in place", exc.strerror or exc
                )
                return False
            for kind in ProfileKind:
                self.store.compact(kind, self.engine.generation(kind))
        return True

    def _saved_is_newer(self) -> bool:
        """Whether the saved indexes are of this build and newer than this process's (none older, one newer)."""
        try:
            saved = read_manifest(self.index_dir) or {}
        except IndexFilesInvalid:
            return False
        fingerprint = self.engine.fingerprint()
        if any(saved.get(key) != value for key, value in fingerprint.items()):
            return False
        kinds = saved.get("kinds", {})
        saved_at = {kind: int(kinds.get(kind.value, {}).get("generation", -1)) for kind in ProfileKind}
        ours = {kind: self.engine.generation(kind) for kind in ProfileKind}
        return all(saved_at[k] >= ours[k] for k in ProfileKind) and any(saved_at[k] > ours[k] for k in ProfileKind)

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()
        self.fairness.exposure.engine.dispose()


def _fairness(
    settings: Settings,
    db: Engine,
    exposure_db: Engine,
    taxonomy: Taxonomy,
    linker: Linker,
    engine: MatchingEngine,
    writer: ProfileWriter,
    builder: ProfileBuilder,
) -> FairnessServices:
    """The fairness and skill-gap services, with plain values from the settings."""
    oversight = OversightStore(db)
    exposure = ExposureStore(exposure_db)
    config = FairnessConfig(
        permutations=settings.exposure_permutations,
        alpha=settings.exposure_alpha,
        min_expected=settings.exposure_min_expected,
        skill_gap=SkillGapConfig(k=settings.skill_gap_k, candidates=settings.skill_gap_candidates),
        recruiting_thresholds={"fr": settings.recruiting_threshold_fr, "nl": settings.recruiting_threshold_nl},
        shortage_list=settings.shortage_list,
        counterfactual=settings.exposure_counterfactual,
    )
    return FairnessServices(
        db=db,
        taxonomy=taxonomy,
        linker=linker,
        engine=engine,
        builder=builder,
        oversight=oversight,
        exposure=exposure,
        reviewed=ReviewedCandidates(engine, oversight),
        rights=RightsService(
            db,
            writer,
            exposure,
            oversight,
            retention_days=settings.retention_days,
            quarantine_retention_days=settings.quarantine_retention_days,
        ),
        recruiting=RecruitingStore(db),
        config=config,
    )


__all__ = ["Runtime", "linker_config", "matching_engine", "open_builder"]
