"""Two `skillmatch serve` processes over one database (SQLite file and PostgreSQL), as two workers or two hosts.

Each applies the change log the other writes: a dossier written through one is found through the other within a
second; ten clients writing through both leave every acknowledged write stored once and both processes' candidate
lists equal to an engine rebuilt from the database; ``kill -9`` of one during writes loses no acknowledged write,
the other keeps answering, and the restarted one catches up.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from matching.profiles import ProfileKind, ProfileStore
from skillmatch.runtime import Runtime
from tests.auth import bearer, make_tokens
from tests.concurrent_load import rebuilt, top_k
from tests.databases import engine_url
from tests.esco_uris import APPLY_HACCP, BAKE_GOODS, KNEAD_FOOD, ORDER_SUPPLIES, TEND_BAKERY_OVENS
from tests.factories import jobseeker, vacancy
from tests.pg_server import free_port
from tests.servers import serve, stop, wait_ready

pytestmark = pytest.mark.slow

SKILLS = [BAKE_GOODS, KNEAD_FOOD, TEND_BAKERY_OVENS, APPLY_HACCP, ORDER_SUPPLIES]
VACANCIES = [f"V-P{i}" for i in range(4)]
K = 50


@dataclass
class Pair:
    """The two servers, their bases and how to restart one."""

    bases: list[str]
    processes: list[subprocess.Popen[bytes]]
    start: Any
    log: Path


@contextmanager
def two_servers(runtime: Runtime, db: Engine, tmp_path: Path) -> Iterator[Pair]:
    """Two servers over one database and one index folder (as two workers of one host), polling every 0.25 s."""
    url, log, index_dir = engine_url(db), tmp_path / "servers.log", tmp_path / "indexes"
    ports = [free_port(), free_port()]

    def start(i: int) -> subprocess.Popen[bytes]:
        return serve(runtime.settings.data_dir, url, index_dir, ports[i], log, sync_seconds=0.25)

    pair = Pair([f"http://127.0.0.1:{p}" for p in ports], [start(0), start(1)], start, log)
    try:
        for base, process in zip(pair.bases, pair.processes, strict=True):
            wait_ready(base, process, log)
        yield pair
    finally:
        for process in pair.processes:
            stop(process)


def _dossier(owner: int, n: int, prefix: str = "J-P") -> dict[str, Any]:
    """Version n of a dossier only client ``owner`` writes; ``travel.max_km`` is the version's mark."""
    rng = random.Random(owner * 1000 + n)
    return jobseeker(
        id=f"{prefix}{owner}-{n % 3}",
        skills=[{"uri": u} for u in rng.sample(SKILLS, rng.randint(1, 4))],
        travel={"regions": ["brussels"], "max_km": n},
    )


def _vacancy(i: int) -> dict[str, Any]:
    rng = random.Random(i)
    return vacancy(id=VACANCIES[i], required_skills=[{"uri": u} for u in rng.sample(SKILLS, 2)])


@dataclass
class Writes:
    """What clients sent and what was acknowledged, per dossier id (the ids start with ``prefix``)."""

    prefix: str
    acknowledged: dict[str, int] = field(default_factory=dict)
    attempted: dict[str, set[int]] = field(default_factory=dict)
    acknowledged_by: dict[int, int] = field(default_factory=dict)
    """Acknowledged writes per server."""
    refused: list[str] = field(default_factory=list)
    """Answers other than 200/201 (an error of a live server: none may happen)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _write(
    bases: list[str], auth: dict[str, str], writes: Writes, owner: int, count: int, stop_at: threading.Event
) -> None:
    """One client: ``count`` versions of its dossiers, alternately through each server; a refused connection or
    a cut answer (a killed server) leaves that version unacknowledged, and the client goes on through the other."""
    clients = [httpx.Client(base_url=b, timeout=30, headers=auth) for b in bases]
    try:
        for n in range(count):
            if stop_at.is_set():
                return
            record = _dossier(owner, n, writes.prefix)
            server = (owner + n) % len(bases)
            with writes.lock:
                writes.attempted.setdefault(record["id"], set()).add(n)
            try:
                response = clients[server].post("/jobseekers", json=record)
            except httpx.HTTPError:
                continue
            if response.status_code not in (200, 201):
                with writes.lock:
                    writes.refused.append(f"{response.status_code}: {response.text}")
                continue
            with writes.lock:
                writes.acknowledged[record["id"]] = n
                writes.acknowledged_by[server] = writes.acknowledged_by.get(server, 0) + 1
    finally:
        for client in clients:
            client.close()


def _in_step(bases: list[str], seconds: float = 10) -> None:
    """Wait until every server has applied the whole change log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        states = [httpx.get(f"{b}/health/ready", timeout=10).json() for b in bases]
        if all(s.get("sequence", {}).get("behind") == 0 for s in states):
            return
        time.sleep(0.05)
    raise AssertionError(f"not in step: {states}")


def _candidates(base: str, auth: dict[str, str], vacancy_id: str) -> list[tuple[str, float]]:
    response = httpx.get(f"{base}/vacancies/{vacancy_id}/candidates", params={"k": K}, headers=auth, timeout=30)
    assert response.status_code == 200, response.text
    return [(m["id"], round(m["score"], 4)) for m in response.json()]


def _check_stored_once_and_lists_equal(
    pair: Pair, auth: dict[str, str], runtime: Runtime, db: Engine, writes: Writes
) -> None:
    with db.connect() as conn:
        like = {"like": writes.prefix + "%"}
        rows = conn.execute(text("SELECT id, data FROM jobseeker WHERE id LIKE :like"), like).all()
        profiles = conn.execute(
            text("SELECT count(*) FROM profile WHERE kind = 'jobseeker' AND id LIKE :like AND NOT deleted"), like
        ).scalar_one()
    marks: dict[str, int] = {}
    for record_id, data in rows:
        assert record_id not in marks, f"{record_id} stored twice"
        marks[record_id] = (data if isinstance(data, dict) else json.loads(data))["travel"]["max_km"]
    assert profiles == len(marks)
    assert set(marks) <= set(writes.attempted)  # nothing unasked
    for record_id, version in writes.acknowledged.items():
        mark = marks[record_id]
        # The last acknowledged version, or a later one whose answer was cut off.
        assert mark == version or (mark > version and mark in writes.attempted[record_id]), (record_id, mark)
    _in_step(pair.bases)
    exact = rebuilt(runtime.engine, ProfileStore(db))
    exact_lists = top_k(exact, ProfileKind.vacancy, VACANCIES, K)
    expected = {v: [(i, round(s, 4)) for i, s in scores] for v, scores in exact_lists.items()}
    for base in pair.bases:
        assert {v: _candidates(base, auth, v) for v in VACANCIES} == expected, base


def test_two_processes_over_one_database(slice_runtime: Runtime, slice_db: Engine, tmp_path: Path) -> None:
    with two_servers(slice_runtime, slice_db, tmp_path) as pair:
        a, b = pair.bases
        auth = bearer(make_tokens(slice_db).consultant)  # the servers have migrated the database: users go in
        # A dossier written through one is found by a candidate search through the other within a second, and
        # through the one that acknowledged it at once (read-your-writes).
        for i in range(len(VACANCIES)):
            assert httpx.post(f"{a}/vacancies", json=_vacancy(i), headers=auth, timeout=30).status_code == 201
        written = httpx.post(f"{a}/jobseekers", json=_dossier(9, 0), headers=auth, timeout=30)
        acknowledged = time.monotonic()
        assert written.status_code == 201, written.text
        assert "J-P9-0" in {c for c, _ in _candidates(a, auth, VACANCIES[0])}
        while not _found(b, auth, VACANCIES[0], "J-P9-0"):
            assert time.monotonic() - acknowledged < 1.0, "not found through the other process within 1 s"
            time.sleep(0.02)
        seen = time.monotonic() - acknowledged
        assert seen < 1.0
        print(f"found through the other process {seen * 1000:.0f} ms after the write was acknowledged")

        # Ten clients writing through both at once.
        writes = Writes("J-C")
        go = threading.Event()
        clients = [threading.Thread(target=_write, args=(pair.bases, auth, writes, i, 9, go)) for i in range(10)]
        for t in clients:
            t.start()
        for t in clients:
            t.join(120)
        assert writes.refused == []
        assert len(writes.acknowledged) == 30 and sorted(writes.acknowledged_by) == [0, 1]
        _check_stored_once_and_lists_equal(pair, auth, slice_runtime, slice_db, writes)

        # kill -9 of one during writes: the other keeps answering; the restarted one catches up.
        writes, halt = Writes("J-K"), threading.Event()
        clients = [threading.Thread(target=_write, args=(pair.bases, auth, writes, i, 400, halt)) for i in range(4)]
        for t in clients:
            t.start()
        deadline = time.monotonic() + 60
        while sum(writes.acknowledged_by.values()) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
        pair.processes[0].send_signal(signal.SIGKILL)
        pair.processes[0].wait(30)
        through_b = writes.acknowledged_by.get(1, 0)
        time.sleep(1.5)  # writes go on through the other one
        assert _candidates(b, auth, VACANCIES[1])  # it answers searches meanwhile
        halt.set()
        for t in clients:
            t.join(60)
        assert writes.refused == []
        assert writes.acknowledged_by.get(1, 0) > through_b, "the other process stopped answering writes"
        pair.processes[0] = pair.start(0)
        wait_ready(a, pair.processes[0], pair.log)
        _check_stored_once_and_lists_equal(pair, auth, slice_runtime, slice_db, writes)


def _found(base: str, auth: dict[str, str], vacancy_id: str, jobseeker_id: str) -> bool:
    """Whether a server's candidates for a vacancy include a jobseeker (False while it does not know the vacancy
    yet, 404, or no jobseeker at all, 409: those writes reach the server through the change log too)."""
    response = httpx.get(f"{base}/vacancies/{vacancy_id}/candidates", params={"k": K}, headers=auth, timeout=30)
    if response.status_code in (404, 409):
        return False
    assert response.status_code == 200, response.text
    return jobseeker_id in {m["id"] for m in response.json()}
