"""Faults, on SQLite and on PostgreSQL: the database out of reach, a full disk while saving indexes, and the
service killed (``kill -9``) in the middle of writes. Nothing acknowledged is lost and nothing unasked appears."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.database_errors import DATABASE_UNAVAILABLE
from api.main import create_app
from ingestion.models import RecordKind
from matching.profiles import ProfileKind
from matching.ranking import open_indexes
from skillmatch.runtime import Runtime
from tests.auth import bearer, make_tokens
from tests.concurrent_load import SliceProfiles, make_writer
from tests.databases import engine_url
from tests.esco_uris import APPLY_HACCP, BAKE_GOODS, KNEAD_FOOD, ORDER_SUPPLIES, TEND_BAKERY_OVENS
from tests.factories import jobseeker, vacancy
from tests.pg_server import free_port
from tests.servers import serve, wait_ready

SKILLS = [BAKE_GOODS, KNEAD_FOOD, TEND_BAKERY_OVENS, APPLY_HACCP, ORDER_SUPPLIES]


@contextmanager
def database_down(request: pytest.FixtureRequest, db: Engine) -> Iterator[None]:
    """The database out of reach for this service while the block runs, then back.

    PostgreSQL: the database refuses connections and this service's are ended (the server itself stays up for
    the other tests). SQLite: another process holds the write lock (a batch that never ends).
    """
    if db.dialect.name == "postgresql":
        admin = request.getfixturevalue("pg_databases").admin
        name = db.url.database
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        try:
            yield
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    else:
        holder = sqlite3.connect(str(db.url.database), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()


def test_database_down_is_a_503_with_a_clear_message_and_the_service_recovers_by_itself(
    request: pytest.FixtureRequest, fresh_runtime: Runtime
) -> None:
    fresh_runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy())
    consultant = bearer(make_tokens(fresh_runtime.db).consultant)
    with TestClient(create_app(db=fresh_runtime.db, services=fresh_runtime), headers=consultant) as client:
        assert client.post("/jobseekers", json=jobseeker(id="J-BEFORE")).status_code == 201
        with database_down(request, fresh_runtime.db):
            response = client.post("/jobseekers", json=jobseeker(id="J-DURING"))
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "5"
            body = response.json()
            assert (body["code"], body["detail"]) == ("database-unavailable", DATABASE_UNAVAILABLE)
            if fresh_runtime.db.dialect.name == "postgresql":  # SQLite still serves reads while a writer holds it
                assert client.get("/jobseekers/J-BEFORE").status_code == 503
                assert client.get("/health/ready").json()["code"] == "database-unavailable"
        # Back: no restart, the next requests simply work.
        assert client.post("/jobseekers", json=jobseeker(id="J-AFTER")).status_code == 201
        assert client.get("/jobseekers/J-BEFORE").status_code == 200
        assert client.get("/jobseekers/J-DURING").status_code == 404  # the refused write left nothing behind
        assert client.get("/health/ready").status_code == 200
        assert {m["id"] for m in client.get("/vacancies/V-BAKKER-NL/candidates").json()} >= {"J-BEFORE", "J-AFTER"}


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_while_saving_leaves_the_previous_index_usable(
    fresh_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    gen = SliceProfiles(fresh_runtime.taxonomy, seed=22)
    fresh_runtime.writer.write([gen.profile(ProfileKind.jobseeker, f"J{i:03d}") for i in range(40)])
    assert fresh_runtime.save()
    manifest = (fresh_runtime.index_dir / "manifest.json").read_text()
    fresh_runtime.writer.write([gen.profile(ProfileKind.jobseeker, f"J{i:03d}") for i in range(40, 70)])
    # The table is written after the first file of the kind's index: the disk fills up half-way through a save.
    monkeypatch.setattr("matching.ranking.table.FeatureTable.save", _no_space)
    assert not fresh_runtime.save()
    monkeypatch.undo()
    assert (fresh_runtime.index_dir / "manifest.json").read_text() == manifest
    assert [p.name for p in fresh_runtime.index_dir.parent.iterdir() if p.name.startswith(".")] == []
    writer = make_writer(fresh_runtime, fresh_runtime.db, index_type=fresh_runtime.engine.index_type)
    assert open_indexes(writer, fresh_runtime.index_dir) == {
        "jobseeker": "reused, caught up 30 changes",
        "vacancy": "reused",
    }
    assert all(c.ok for c in writer.check())


def _small_tmpfs(path: Path, size: int) -> bool:
    path.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def test_a_really_full_file_system_leaves_the_previous_index_usable(fresh_runtime: Runtime, tmp_path: Path) -> None:
    gen = SliceProfiles(fresh_runtime.taxonomy, seed=23)
    fresh_runtime.writer.write([gen.profile(ProfileKind.jobseeker, f"J{i:04d}") for i in range(50)])
    assert fresh_runtime.save()
    small = sum(p.stat().st_size for p in fresh_runtime.index_dir.rglob("*") if p.is_file())
    mount = tmp_path / "small-disk"
    if not _small_tmpfs(mount, small * 3 + 64 * 1024):  # room for one save of 50 profiles, not for 1,500 beside it
        pytest.skip("mounting a small tmpfs needs root (the simulated full disk is tested above)")
    try:
        runtime = dataclasses.replace(fresh_runtime, index_dir=mount / "indexes")
        assert runtime.save()
        manifest = (runtime.index_dir / "manifest.json").read_text()
        runtime.writer.write([gen.profile(ProfileKind.jobseeker, f"J{i:04d}") for i in range(50, 1500)])
        assert not runtime.save()
        assert (runtime.index_dir / "manifest.json").read_text() == manifest
        assert sorted(p.name for p in mount.iterdir()) == ["indexes"]  # no half-written folder left behind
        writer = make_writer(fresh_runtime, fresh_runtime.db, index_type=fresh_runtime.engine.index_type)
        assert open_indexes(writer, runtime.index_dir) == {
            "jobseeker": "reused, caught up 1450 changes",
            "vacancy": "reused",
        }
        assert all(c.ok for c in writer.check())
    finally:
        subprocess.run(["umount", str(mount)], check=False)


# -- kill -9 ----------------------------------------------------------------------------------------------


def _version(owner: int, n: int) -> dict[str, Any]:
    """Version n of a dossier only client ``owner`` writes; ``travel.max_km`` is the version's mark."""
    rng = random.Random(owner * 1000 + n)
    return jobseeker(
        id=f"J-K{owner}-{n % 4}",
        skills=[{"uri": u} for u in rng.sample(SKILLS, rng.randint(1, 4))],
        travel={"regions": ["brussels"], "max_km": n},
    )


@pytest.mark.slow
def test_kill_9_during_writes_loses_no_acknowledged_write_and_adds_no_phantom(
    slice_runtime: Runtime, slice_db: Engine, tmp_path: Path
) -> None:
    slice_settings = slice_runtime.settings  # its data folder holds the slice's concept space and encoder cache
    url, log, index_dir = engine_url(slice_db), tmp_path / "server.log", tmp_path / "indexes"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve(slice_settings.data_dir, url, index_dir, port, log)
    wait_ready(base, process, log)
    auth = bearer(make_tokens(slice_db).consultant)  # the server has migrated the database: users go in
    acknowledged: dict[str, int] = {}  # id -> last acknowledged version
    attempted: dict[str, set[int]] = {}  # id -> every version sent (acknowledged or not)
    lock = threading.Lock()
    stop = threading.Event()

    def client(owner: int) -> None:
        with httpx.Client(base_url=base, timeout=30, headers=auth) as http:
            for n in range(400):
                if stop.is_set():
                    return
                record = _version(owner, n)
                with lock:
                    attempted.setdefault(record["id"], set()).add(n)
                try:
                    response = http.post("/jobseekers", json=record)
                except httpx.HTTPError:
                    return  # killed mid-request: this version may or may not have been stored
                if response.status_code in (200, 201):
                    with lock:
                        acknowledged[record["id"]] = n
                else:
                    raise AssertionError(f"{response.status_code}: {response.text}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 8 and time.monotonic() < deadline:  # writes well under way
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    stop.set()
    for t in threads:
        t.join(30)
    assert len(acknowledged) >= 8

    process = serve(slice_settings.data_dir, url, index_dir, port, log)
    try:
        wait_ready(base, process, log)  # the index checks out against the database after the restart
        with httpx.Client(base_url=base, timeout=30, headers=auth) as http:
            for record_id, version in acknowledged.items():
                stored = http.get(f"/jobseekers/{record_id}")
                assert stored.status_code == 200, record_id
                mark = stored.json()["data"]["travel"]["max_km"]
                # The last acknowledged version, or a later one whose answer the kill cut off.
                assert mark == version or (mark > version and mark in attempted[record_id]), (record_id, mark)
            vacancy_id = "V-KILL"
            assert http.post("/vacancies", json=vacancy(id=vacancy_id)).status_code == 201
            candidates = {m["id"] for m in http.get(f"/vacancies/{vacancy_id}/candidates", params={"k": 200}).json()}
        with slice_db.connect() as conn:
            stored_ids = {row[0] for row in conn.execute(text("SELECT id FROM jobseeker"))}
            marks = {row[0]: row[1] for row in conn.execute(text("SELECT id, data FROM jobseeker"))}
        assert stored_ids <= set(attempted)  # no phantom: only ids that were sent
        for record_id, data in marks.items():
            data = data if isinstance(data, dict) else json.loads(data)
            assert data["travel"]["max_km"] in attempted[record_id]  # and only versions that were sent
        assert set(acknowledged) <= candidates  # every acknowledged write is in the index too
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
