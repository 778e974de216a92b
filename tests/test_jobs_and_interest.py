"""Long runs started from the pages (progress in the database, one per kind, a run without heartbeat reads as
interrupted) and jobseekers' interest in vacancies (marked once, followed up, withdrawn), on SQLite and
PostgreSQL; the migration from 0001 adds both tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text, update
from sqlalchemy.engine import Engine

from services.interest import InterestSignals
from services.jobs import STALE_SECONDS, JobRow, JobRunning, JobStore
from skillmatch.schema import create_tables


def test_a_job_keeps_its_progress_and_runs_once_per_kind(engine: Engine) -> None:
    create_tables(engine)
    jobs = JobStore(engine)
    job = jobs.start("exposure_audit", "admin-1")
    with pytest.raises(JobRunning):
        jobs.start("exposure_audit", "admin-2")
    jobs.step(job.id, "ranking", 40, 603)
    seen = JobStore(engine).get(job.id)  # another process reads the same row
    assert seen is not None and (seen.status, seen.stage, seen.done, seen.total) == ("running", "ranking", 40, 603)
    jobs.finish(job.id, {"run_id": 7})
    done = jobs.get(job.id)
    assert done is not None and done.status == "succeeded" and done.result == {"run_id": 7}
    assert jobs.start("exposure_audit", "admin-2").id != job.id


def test_a_job_without_heartbeat_reads_as_interrupted_and_frees_its_kind(engine: Engine) -> None:
    create_tables(engine)
    jobs = JobStore(engine)
    job = jobs.start("exposure_audit", "admin-1")
    table = JobRow.__table__  # type: ignore[attr-defined]
    old = datetime.now(UTC) - timedelta(seconds=STALE_SECONDS + 5)
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == job.id).values(updated_at=old))
    assert jobs.latest("exposure_audit")[0].status == "interrupted"
    assert jobs.start("exposure_audit", "admin-1").running


def test_interest_is_marked_once_followed_up_and_withdrawn(engine: Engine) -> None:
    create_tables(engine)
    signals = InterestSignals(engine)
    assert signals.mark("J1", "V1") and not signals.mark("J1", "V1")
    signals.mark("J2", "V1")
    assert [i.jobseeker_id for i in signals.waiting()] == ["J1", "J2"]
    assert signals.handle("J1", "V1", "consultant-a") and not signals.handle("J1", "V1", "consultant-a")
    assert [i.jobseeker_id for i in signals.waiting()] == ["J2"]
    assert [i.handled_by for i in signals.of_vacancy("V1")] == ["consultant-a", None]
    assert signals.withdraw("J2", "V1") and signals.of_jobseeker("J2") == []


def test_the_migration_adds_the_tables_to_a_database_at_0001(engine: Engine) -> None:
    create_tables(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE vacancy_interest"))
        conn.execute(text("DROP TABLE background_job"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    create_tables(engine)
    assert {"vacancy_interest", "background_job"} <= set(inspect(engine).get_table_names())
