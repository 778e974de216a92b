"""The web service under concurrent clients, its readiness check, and errors nobody expected."""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.main import create_app
from ingestion.models import RecordKind
from matching.profiles import ProfileKind, ProfileStore
from skillmatch.runtime import Runtime
from tests.auth import bearer, make_tokens
from tests.concurrent_load import SliceProfiles, rebuilt, top_k
from tests.esco_uris import APPLY_HACCP, BAKE_GOODS, KNEAD_FOOD, ORDER_SUPPLIES, TEND_BAKERY_OVENS
from tests.factories import jobseeker, vacancy

CLIENTS = 8
SECONDS = 4.0
DEADLINE = 60.0
"""How much longer a client goes on when none of its writes went through in SECONDS."""
SKILL_CHOICES = [BAKE_GOODS, KNEAD_FOOD, TEND_BAKERY_OVENS, APPLY_HACCP, ORDER_SUPPLIES]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(fresh_runtime: Runtime) -> Iterator[str]:
    """The app over a fresh runtime, served by uvicorn on loopback in a thread."""
    service = fresh_runtime.ingestion
    for i in range(40):
        service.ingest_one(
            RecordKind.jobseeker, jobseeker(id=f"J{i:03d}", postcode=random.Random(i).choice(["1000", "1030", "1180"]))
        )
    for i in range(8):
        service.ingest_one(
            RecordKind.vacancy, vacancy(id=f"V{i:03d}", title="Bakker (m/v/x)" if i % 2 else "Boulanger (h/f/x)")
        )
    port = _free_port()
    config = uvicorn.Config(
        create_app(db=fresh_runtime.db, services=fresh_runtime), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _dossier(owner: int, n: int) -> dict[str, Any]:
    """The n-th version of a dossier that only client ``owner`` writes (so its last acknowledged version is
    the one that must be stored)."""
    rng = random.Random(owner * 1000 + n)
    skills = [{"uri": u} for u in rng.sample(SKILL_CHOICES, rng.randint(1, 4))]
    return jobseeker(
        id=f"J-C{owner}-{n % 3}",
        skills=skills,
        languages={"fr": rng.choice(["B1", "B2", "C1"]), "nl": rng.choice(["A2", "B1", "B2"])},
        postcode=rng.choice(["1000", "1020", "1050", "1210"]),
        active=rng.random() > 0.15,
    )


def test_eight_concurrent_clients_get_no_error_and_lose_no_write(server: str, fresh_runtime: Runtime) -> None:
    tokens = make_tokens(fresh_runtime.db)
    failures: list[str] = []
    acknowledged: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def client(owner: int) -> None:
        rng = random.Random(owner)
        n = written = 0
        with httpx.Client(base_url=server, timeout=30, headers=bearer(tokens.consultant)) as http:
            # For the time given, and on a slow machine until this client's first write went through.
            while time.monotonic() < stop or (not written and time.monotonic() < stop + DEADLINE):
                if rng.random() < 0.7:
                    response = http.get(f"/vacancies/V{rng.randrange(8):03d}/candidates", params={"k": 10})
                else:
                    record = _dossier(owner, n)
                    n += 1
                    response = http.post("/jobseekers", json=record)
                    if response.status_code in (200, 201):
                        written += 1
                        with lock:
                            acknowledged[record["id"]] = record
                if response.status_code >= 400:
                    failures.append(f"{response.request.method} {response.request.url.path}: {response.status_code}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert failures == []
    assert len(acknowledged) >= CLIENTS  # every client got writes through
    with httpx.Client(base_url=server, headers=bearer(tokens.consultant)) as http:
        for record_id, record in acknowledged.items():
            stored = http.get(f"/jobseekers/{record_id}").json()["data"]
            assert stored["skills"] == [
                {"uri": s["uri"], "text": None, "level": None, "source": None} for s in record["skills"]
            ]
            assert stored["active"] == record["active"]
        assert http.get("/health/ready").status_code == 200
    exact = rebuilt(fresh_runtime.engine, fresh_runtime.store)
    vacancies = [f"V{i:03d}" for i in range(8)]
    assert top_k(fresh_runtime.engine, ProfileKind.vacancy, vacancies, 10) == top_k(
        exact, ProfileKind.vacancy, vacancies, 10
    )


def test_readiness_says_why_an_index_is_behind(fresh_runtime: Runtime) -> None:
    with TestClient(create_app(db=fresh_runtime.db, services=fresh_runtime)) as client:
        ready = client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
        gen = SliceProfiles(fresh_runtime.taxonomy, seed=1)
        ProfileStore(fresh_runtime.db).upsert([gen.profile(ProfileKind.jobseeker, "J-ELSEWHERE")])  # another process
        behind = client.get("/health/ready")
        assert behind.status_code == 503
        assert behind.headers["content-type"] == "application/problem+json"
        body = behind.json()
        assert body["readiness"] == "degraded"
        assert body["detail"] == "degraded: jobseeker index at generation 0, database at 1"
        fresh_runtime.writer.catch_up()
        assert client.get("/health/ready").status_code == 200


def test_an_unexpected_error_is_a_500_problem_logged_once_without_personal_data(
    fresh_runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fresh_runtime.ingestion.ingest_one(RecordKind.vacancy, vacancy())

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Marie Dubois, marie.dubois@example.be")

    monkeypatch.setattr(fresh_runtime.engine, "match", broken)
    caplog.set_level(logging.DEBUG)
    app = create_app(db=fresh_runtime.db, services=fresh_runtime)
    headers = bearer(make_tokens(fresh_runtime.db).consultant)
    with TestClient(app, raise_server_exceptions=False, headers=headers) as client:
        response = client.get("/vacancies/V-BAKKER-NL/candidates", params={"k": 3, "region": "brussels"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["status"], body["instance"]) == (
        "internal-error",
        500,
        "/vacancies/V-BAKKER-NL/candidates",
    )
    assert "Marie" not in response.text
    records = [
        r for r in caplog.records if "RuntimeError" in r.getMessage() or (r.exc_info and r.exc_info[0] is RuntimeError)
    ]
    assert len(records) == 1
    line = records[0].getMessage()
    assert "/vacancies/{vacancy_id}/candidates" in line
    assert "Marie" not in line and "example.be" not in line and "brussels" not in line and "V-BAKKER-NL" not in line
    assert records[0].exc_info is None  # no traceback text with the message in it


def test_method_not_allowed_is_a_problem_with_allow(fresh_runtime: Runtime) -> None:
    with TestClient(create_app(db=fresh_runtime.db, services=fresh_runtime)) as client:
        response = client.delete("/health")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "method-not-allowed"
