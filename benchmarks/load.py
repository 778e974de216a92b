"""Load benchmark of the web service on loopback: concurrent candidate searches and jobseeker upserts.

Usage:
    python -m benchmarks.load [--clients 20] [--seconds 60] [--designs rwlock snapshot] [--data DIR] [--postgres]

With ``--postgres`` the scratch databases live on a throwaway PostgreSQL server on loopback (the system's
PostgreSQL, as for the tests) instead of SQLite files.

For each concurrency design: a scratch database gets ESCO and the demo set (DIR, matching-dev layout) through
the normal ingestion path; ``skillmatch serve`` starts as a subprocess with that design; once ``/health/ready``
answers 200, a fixed number of clients (a closed loop: each waits for its answer before the next request) send
70% ``GET /vacancies/{id}/candidates?k=10`` and 30% ``POST /jobseekers`` (a demo dossier with changed skills,
languages and postcode; each client owns its own dossiers) for the given time. Printed per design, one JSON
line each: throughput, p50/p99 latency per kind and the error count (anything but 2xx); then every
acknowledged write read back (it must be the last version acknowledged); then the candidates of every
vacancy from the running service compared with an engine rebuilt from the database (exact index: the lists
must be equal); then the server's resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import psutil

from benchmarks.common import percentile
from esco_data import load_esco
from ingestion.adapters import RecordFormat, matching_dev_jobseeker
from ingestion.models import RecordKind
from ingestion.readers import read_file
from ingestion.schemas import JobseekerIn
from matching.profiles import ProfileKind
from matching.ranking import Filters, MatchingEngine
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from skillmatch.settings import REPO_ROOT, Settings, get_settings
from tests.pg_server import running_server

DEMO = REPO_ROOT.parent / "shared" / "eval" / "matching-dev"
SEARCH_SHARE = 0.7


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def consultant_token(db: Any) -> str:
    """A consultant's bearer token in the scratch database (every route but health and metrics needs one)."""
    from api.auth import Role, TokenStore

    tokens = TokenStore(db)
    user = tokens.user_by_name("load-consultant") or tokens.add_user("load-consultant", Role.consultant)
    return tokens.issue(user.id, days=1, label="benchmark").token


def _prepare(settings: Settings, data: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """ESCO and the demo set into the scratch database, indexes saved; the vacancy ids and native dossiers."""
    db = make_engine(settings.database_url)
    load_esco(db, settings.esco_dir)
    runtime = Runtime.open(settings, db=db)
    for kind, name in ((RecordKind.jobseeker, "jobseekers.jsonl"), (RecordKind.vacancy, "vacancies.jsonl")):
        runtime.ingestion.ingest(kind, read_file(data / name), source=name, fmt=RecordFormat.matching_dev)
    runtime.save()
    os.environ["SKILLMATCH_LOAD_TOKEN"] = consultant_token(db)
    runtime.close()
    vacancies = [json.loads(line)["id"] for line in (data / "vacancies.jsonl").read_text().splitlines() if line]
    dossiers = [
        matching_dev_jobseeker(json.loads(line))
        for line in (data / "jobseekers.jsonl").read_text().splitlines()
        if line
    ]
    return vacancies, dossiers


def _variant(dossier: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A changed version of a dossier: a skill dropped, language levels and postcode changed."""
    out = json.loads(json.dumps(dossier))
    skills = out.get("skills") or []
    if len(skills) > 1:
        skills.pop(rng.randrange(len(skills)))
    out["skills"] = skills
    out["languages"] = {"fr": rng.choice(["A2", "B1", "B2", "C1", "C2"]), "nl": rng.choice(["A1", "A2", "B1", "B2"])}
    out["postcode"] = rng.choice(["1000", "1020", "1030", "1050", "1060", "1070", "1080", "1180", "1210"])
    return out


async def _run_clients(
    base: str, clients: int, seconds: float, vacancies: list[str], dossiers: list[dict[str, Any]]
) -> tuple[dict[str, list[float]], int, dict[str, dict[str, Any]], list[str]]:
    latencies: dict[str, list[float]] = {"search": [], "upsert": []}
    acknowledged: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(owner: int, http: httpx.AsyncClient) -> None:
        rng = random.Random(owner)
        mine = dossiers[owner::clients]
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                if rng.random() < SEARCH_SHARE:
                    kind = "search"
                    response = await http.get(f"/vacancies/{rng.choice(vacancies)}/candidates", params={"k": 10})
                else:
                    kind = "upsert"
                    record = _variant(rng.choice(mine), rng)
                    response = await http.post("/jobseekers", json=record)
                    if response.status_code in (200, 201):
                        acknowledged[record["id"]] = record
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}")
                continue
            latencies[kind].append(time.perf_counter() - started)
            if response.status_code >= 300:
                errors.append(f"{kind} {response.status_code}")

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, headers=_headers()) as http:
        await asyncio.gather(*(client(i, http) for i in range(clients)))
    total = sum(len(v) for v in latencies.values())
    return latencies, total, acknowledged, errors


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {os.environ['SKILLMATCH_LOAD_TOKEN']}"}


def _wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 600) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with code {process.returncode}")
        try:
            if httpx.get(f"{base}/health/ready", timeout=5).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready")


def _read_back(base: str, acknowledged: dict[str, dict[str, Any]]) -> int:
    """How many acknowledged writes are not stored as their last acknowledged version."""
    wrong = 0
    with httpx.Client(base_url=base, timeout=60, headers=_headers()) as http:
        for record_id, record in acknowledged.items():
            stored = http.get(f"/jobseekers/{record_id}").json().get("data")
            if stored != JobseekerIn.model_validate(record).model_dump(mode="json"):
                wrong += 1
    return wrong


def _compare_with_rebuild(base: str, settings: Settings, vacancies: list[str]) -> int:
    """Vacancies whose top 10 from the running service differ from an engine rebuilt from the database."""
    db = make_engine(settings.database_url)
    runtime = Runtime.open(settings, db=db, index_dir=Path(tempfile.mkdtemp()))
    live = runtime.engine
    fresh = MatchingEngine(live.taxonomy, live.space, live.scorer.related, live.store, source=live.source)
    for kind in ProfileKind:
        generation, profiles = runtime.store.snapshot(kind)
        fresh.replace(kind, fresh.build_state(kind, profiles, generation))
    differing = 0
    with httpx.Client(base_url=base, timeout=60, headers=_headers()) as http:
        for vacancy in vacancies:
            served = [
                (m["id"], m["score"]) for m in http.get(f"/vacancies/{vacancy}/candidates", params={"k": 10}).json()
            ]
            exact = [(m.id, m.score) for m in fresh.match(ProfileKind.vacancy, vacancy, 10, Filters())]
            differing += served != exact
    runtime.close()
    return differing


def _new_pg_database(server_url: str, name: str) -> str:
    """A new, empty database on a PostgreSQL server; its URL."""
    import psycopg

    with psycopg.connect(server_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def run_design(
    design: str, clients: int, seconds: float, data: Path, pg_server: str | None = None
) -> list[dict[str, Any]]:
    """One design, from a fresh database to the comparison with a rebuild; its result lines."""
    base_settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        url = _new_pg_database(pg_server, f"load_{design}") if pg_server else f"sqlite:///{Path(tmp) / 'load.db'}"
        env = {
            **os.environ,
            "SKILLMATCH_DATA_DIR": str(base_settings.data_dir),
            "SKILLMATCH_DATABASE_URL": url,
            "SKILLMATCH_INDEX_DIR": str(Path(tmp) / "indexes"),
            "SKILLMATCH_CONCURRENCY": design,
        }
        settings = Settings(
            data_dir=base_settings.data_dir,
            database_url=env["SKILLMATCH_DATABASE_URL"],
            index_dir=Path(env["SKILLMATCH_INDEX_DIR"]),
            concurrency=design,  # type: ignore[arg-type]
        )
        vacancies, dossiers = _prepare(settings, data)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "skillmatch.cli", "serve", "--port", str(port)]
        # The server's log (an access line per request) goes to a file: a pipe nobody reads fills up and
        # stops the server at its next log line.
        server_log = (Path(tmp) / "server.log").open("wb")
        process = subprocess.Popen(command, env=env, stdout=server_log, stderr=subprocess.STDOUT)
        try:
            ready_seconds = _wait_ready(base, process)
            started = time.perf_counter()
            latencies, total, acknowledged, errors = asyncio.run(
                _run_clients(base, clients, seconds, vacancies, dossiers)
            )
            elapsed = time.perf_counter() - started
            rss = psutil.Process(process.pid).memory_info().rss
            lines: list[dict[str, Any]] = [
                {
                    "design": design,
                    "database": "postgresql" if pg_server else "sqlite",
                    "clients": clients,
                    "seconds": round(elapsed, 1),
                    "ready_seconds": round(ready_seconds, 1),
                    "requests": total,
                    "throughput_per_s": round(total / elapsed, 1),
                    **{
                        kind: {
                            "count": len(values),
                            "p50_ms": round(percentile(values, 50) * 1000, 1),
                            "p99_ms": round(percentile(values, 99) * 1000, 1),
                        }
                        for kind, values in latencies.items()
                    },
                    "errors": len(errors),
                    "error_kinds": sorted(set(errors)),
                },
                {
                    "design": design,
                    "acknowledged_writes": len(acknowledged),
                    "not_stored_as_acknowledged": _read_back(base, acknowledged),
                },
                {
                    "design": design,
                    "vacancies_compared": len(vacancies),
                    "differing_from_rebuild": _compare_with_rebuild(base, settings, vacancies),
                    "server_rss_mb": round(rss / 1e6),
                },
            ]
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
            server_log.close()
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--designs", nargs="+", default=["rwlock", "snapshot"], choices=["rwlock", "snapshot"])
    parser.add_argument("--data", type=Path, default=DEMO)
    parser.add_argument("--postgres", action="store_true", help="Run on a throwaway PostgreSQL server.")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(running_server()) if args.postgres else None
        for design in args.designs:
            for line in run_design(design, args.clients, args.seconds, args.data, server):
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
