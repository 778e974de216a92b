"""Open-loop load benchmark of candidate searches on loopback, signed in, with the audit log on.

Usage:
    python -m benchmarks.web_load [--jobseekers 10000] [--rate 50] [--seconds 60] [--steps 50 60 70 80 100 150]
                                  [--workers 1 2] [--mixed 30 10] [--mixed-seconds 30]

A scratch database gets ESCO and the demo set (matching-dev, through the normal ingestion path), then synthetic
jobseeker profiles up to ``--jobseekers`` (seeded, from ESCO occupations and their essential skills, written
through the profile writer); ``skillmatch serve`` starts as a subprocess and a consultant token is issued.
Requests are sent on a fixed schedule (an open loop: request i leaves at i / rate seconds, whether or not the
earlier ones have answered), from 64 users picked at random, each with a connection of its own; each
``GET /vacancies/{id}/candidates?k=10`` for a random demo vacancy with a bearer token; every search writes an
audit log row. Measuring starts once the server's typeahead index (built in the background) is ready. Latency
is measured from the scheduled time, so a server that falls behind shows it. First the fixed rate for the given
time (one JSON line), then each step rate for ``--step-seconds`` (one line each, stopping after the first whose
p99 passes 100 ms), then the highest step rate whose p99 stayed within 100 ms with no error, and the audit rows
written. With ``--workers 1 2`` the same runs are made against ``skillmatch serve --workers 1``, then
``--workers 2``, on the same database in the same run; every line says its number of workers and the CPU
seconds the load generator itself used (on a shared machine it takes cores from the server) and the server's
processes used. The summary gives the server's memory per process (USS: private, PSS: shared pages split).
``--mixed S U`` adds an open-loop mixed run: S searches/s and U upserts/s of real-size dossiers (matching-real-dev's,
new ids, linked cold), with latency per kind and the server CPU per upsert (the run's server CPU less the searches'
at the fixed rate's cost per search). Last, a projection (not a measurement) of a 16-core server from the CPU per
search.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import func, select

from api.audit import AuditRow
from api.auth import Role, TokenStore
from benchmarks.common import anonymous_mb, percentile
from benchmarks.lean_http import Connection, HTTPError
from benchmarks.load import DEMO, _free_port, _wait_ready
from benchmarks.speed import Generator
from esco_data import load_esco
from ingestion.adapters import RecordFormat, adapter
from ingestion.models import RecordKind
from ingestion.readers import read_file
from matching.profiles import ProfileKind
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from skillmatch.settings import Settings, get_settings

P99_TARGET_MS = 100.0
USERS = 64
"""Clients the load comes from, each with a connection of its own: many people at their own screens, not one
program's pool. One pool would send nearly every request over the same few kept-alive connections (it takes the
first idle one), and a connection is served by the one worker that accepted it: with two workers, one of them
served nearly all (measured on 2026-12-07: 7.4 and 0.0 CPU seconds in a step at 45/s)."""
REAL_DOSSIERS = DEMO.parent / "real-offers-dev" / "matching-real-dev" / "jobseekers.jsonl"
"""Real-size dossiers for the mixed run's upserts (not in the demo set, so their texts are linked cold)."""
MB = 1024 * 1024


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def server_cpu(pid: int) -> dict[int, float]:
    """CPU seconds used so far by each of the server's processes (user and system), by process id."""
    used = {}
    for proc in _tree(pid):
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:  # pragma: no cover - a worker restarting
            continue
        used[proc.pid] = times.user + times.system
    return used


def cpu_since(pid: int, before: dict[int, float]) -> dict[str, Any]:
    """The server's CPU seconds since ``before``: in all, and per process that used a tenth of a second or more
    (largest first: how evenly the kernel spread the connections over the workers)."""
    spent = {proc: used - before.get(proc, 0.0) for proc, used in server_cpu(pid).items()}
    busy = sorted((round(s, 1) for s in spent.values() if s >= 0.1), reverse=True)
    return {"server_cpu_s": round(sum(spent.values()), 1), "server_cpu_s_per_process": busy}


def server_memory(pid: int) -> dict[str, Any]:
    """The server's memory: per process resident (RSS), proportional (PSS), private (USS) and anonymous MB, and
    totals."""
    rows = []
    for proc in _tree(pid):
        info = proc.memory_full_info()
        rows.append(
            {
                "rss": round(info.rss / MB),
                "pss": round(info.pss / MB),
                "uss": round(info.uss / MB),
                "anon": anonymous_mb(proc.pid),
            }
        )
    return {
        "processes": len(rows),
        "uss_mb_per_process": [r["uss"] for r in rows],
        "anon_mb_per_process": [r["anon"] for r in rows],
        "rss_mb_total": sum(r["rss"] for r in rows),
        "pss_mb_total": sum(r["pss"] for r in rows),
        "uss_mb_total": sum(r["uss"] for r in rows),
    }


def real_dossiers(limit: int, skip: int = 0) -> list[dict[str, Any]]:
    """Real-size dossiers in the API's layout, with ids of their own (``skip``: past those an earlier run sent,
    so that each run's dossiers are new to the service and their texts to the encoder)."""
    native = adapter(RecordKind.jobseeker.value, RecordFormat.matching_dev)
    lines = REAL_DOSSIERS.read_text(encoding="utf-8").splitlines()
    if skip + limit > len(lines):
        raise SystemExit(f"{REAL_DOSSIERS} holds {len(lines)} dossiers: too few for {skip + limit}")
    out = []
    for i, line in enumerate(lines[skip : skip + limit], start=skip):
        record = native(json.loads(line))
        record["id"] = f"MX{i:05d}"
        out.append(record)
    return out


def prepare(settings: Settings, data: Path, jobseekers: int) -> tuple[list[str], str]:
    """The scratch database: ESCO, the demo set, synthetic jobseekers up to the count; vacancy ids and a token."""
    db = make_engine(settings.database_url)
    load_esco(db, settings.esco_dir)
    runtime = Runtime.open(settings, db=db)
    for kind, name in ((RecordKind.jobseeker, "jobseekers.jsonl"), (RecordKind.vacancy, "vacancies.jsonl")):
        runtime.ingestion.ingest(kind, read_file(data / name), source=name, fmt=RecordFormat.matching_dev)
    have = runtime.engine.stats()["jobseeker"]["profiles"]
    generator = Generator(runtime.taxonomy, seed=7)
    batch = [generator.profile(ProfileKind.jobseeker, f"JS{i:06d}") for i in range(max(0, jobseekers - have))]
    for start in range(0, len(batch), 2000):
        runtime.writer.write(batch[start : start + 2000])
    runtime.save()
    tokens = TokenStore(db)
    user = tokens.user_by_name("load-consultant") or tokens.add_user("load-consultant", Role.consultant)
    token = tokens.issue(user.id, days=1, label="benchmark").token
    runtime.close()
    vacancies = [json.loads(line)["id"] for line in (data / "vacancies.jsonl").read_text().splitlines() if line]
    return vacancies, token


@contextlib.contextmanager
def without_gc_pauses() -> Iterator[None]:
    """No collection of the generator's own garbage while it sends: this process also prepared the database
    (the taxonomy, the linker: millions of objects), and a full collection over them stopped its event loop for
    60-100 ms (measured with ``gc.callbacks``), then sent the requests due meanwhile at once: a pause measured
    as the server's. What is loaded is frozen out of the scans, and collection waits for the end of the run."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextlib.asynccontextmanager
async def users(base: str, token: str, timeout: float) -> AsyncIterator[list[Connection]]:
    """``USERS`` clients, each keeping one connection (a user's request waits while their previous one is out:
    it still counts from its due time, and the load generator does not drown in sockets when the server falls
    behind). The connections are ``benchmarks.lean_http``'s: httpx's client took about 1.6 ms of the generator's
    CPU per request, which the server, on the same cores, did not get."""
    url = httpx.URL(base)
    headers = {"Authorization": f"Bearer {token}"}
    clients = [Connection(url.host, url.port or 80, headers, timeout) for _ in range(USERS)]
    try:
        yield clients
    finally:
        for client in clients:
            client.close()


async def open_loop(base: str, token: str, vacancies: list[str], rate: float, seconds: float) -> dict[str, Any]:
    """Send searches on a fixed schedule; latency from the scheduled time."""
    rng = random.Random(int(rate))
    latencies: list[float] = []
    errors: list[str] = []
    count = int(rate * seconds)

    async with users(base, token, timeout=30) as clients:

        async def one(due: float, vacancy: str) -> None:
            try:
                http = rng.choice(clients)
                response = await http.get(f"/vacancies/{vacancy}/candidates?k=10")
                if response.status_code != 200:
                    errors.append(str(response.status_code))
            except HTTPError as exc:
                errors.append(str(exc))
            latencies.append(time.perf_counter() - due)

        start = time.perf_counter() + 0.2
        tasks = []
        for i in range(count):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due, rng.choice(vacancies))))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return {
        "rate_per_s": rate,
        "seconds": round(elapsed, 1),
        "requests": count,
        "achieved_per_s": round(count / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
    }


async def mixed_loop(
    base: str,
    token: str,
    vacancies: list[str],
    dossiers: list[dict[str, Any]],
    searches: float,
    upserts: float,
    seconds: float,
) -> dict[str, Any]:
    """Searches and dossier upserts, each on its own fixed schedule; latency from the scheduled time, per kind."""
    rng = random.Random(int(searches * 100 + upserts))
    latencies: dict[str, list[float]] = {"search": [], "upsert": []}
    errors: list[str] = []
    due_times = [(i / searches, "search") for i in range(int(searches * seconds))]
    due_times += [(i / upserts, "upsert") for i in range(int(upserts * seconds))]
    due_times.sort()
    pending = iter(dossiers)

    async with users(base, token, timeout=60) as clients:

        async def one(due: float, kind: str) -> None:
            try:
                http = rng.choice(clients)
                if kind == "search":
                    response = await http.get(f"/vacancies/{rng.choice(vacancies)}/candidates?k=10")
                else:
                    response = await http.post("/jobseekers", next(pending))
                if response.status_code not in (200, 201):
                    errors.append(f"{kind} {response.status_code}")
            except HTTPError as exc:
                errors.append(f"{kind} {exc}")
            latencies[kind].append(time.perf_counter() - due)

        start = time.perf_counter() + 0.2
        tasks = []
        for offset, kind in due_times:
            due = start + offset
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due, kind)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    line: dict[str, Any] = {"searches_per_s": searches, "upserts_per_s": upserts, "seconds": round(elapsed, 1)}
    for kind, values in latencies.items():
        line[f"{kind}_requests"] = len(values)
        line[f"{kind}_p50_ms"] = round(percentile(values, 50) * 1000, 1)
        line[f"{kind}_p99_ms"] = round(percentile(values, 99) * 1000, 1)
    line["errors"] = len(errors)
    line["error_kinds"] = sorted(set(errors))
    return line


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobseekers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--steps", type=float, nargs="*", default=[50, 60, 70, 80, 90, 100, 125, 150, 200, 300, 400])
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument("--data", type=Path, default=DEMO)
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="server processes, one run each")
    parser.add_argument(
        "--mixed", type=float, nargs=2, metavar=("SEARCHES", "UPSERTS"), default=None,
        help="after the steps, an open-loop mixed run: searches/s and upserts/s of real-size dossiers",
    )  # fmt: skip
    parser.add_argument("--mixed-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    base_settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SKILLMATCH_DATA_DIR": str(base_settings.data_dir),
            "SKILLMATCH_DATABASE_URL": f"sqlite:///{Path(tmp) / 'web_load.db'}",
            "SKILLMATCH_INDEX_DIR": str(Path(tmp) / "indexes"),
        }
        settings = Settings(
            data_dir=base_settings.data_dir,
            database_url=env["SKILLMATCH_DATABASE_URL"],
            index_dir=Path(env["SKILLMATCH_INDEX_DIR"]),
        )
        vacancies, token = prepare(settings, args.data, args.jobseekers)
        for workers in args.workers:
            run(env, settings, vacancies, token, workers, args)


def _measured(pid: int, loop: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run one loop of requests (without the generator's garbage collection pauses); its line gets the CPU
    seconds the generator and the server's processes used meanwhile."""
    with without_gc_pauses():
        cpu, served = time.process_time(), server_cpu(pid)
        line = asyncio.run(loop)
        line["client_cpu_s"] = round(time.process_time() - cpu, 1)
    return line | cpu_since(pid, served)


def run(
    env: dict[str, str], settings: Settings, vacancies: list[str], token: str, workers: int, args: argparse.Namespace
) -> None:
    """Start the server with some workers, measure the fixed rate and the steps, print one line each."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "skillmatch.cli", "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(base, process)
        indexed = httpx.get(f"{base}/metrics").text
        profiles = next(
            float(line.split()[-1]) for line in indexed.splitlines()
            if line.startswith('skillmatch_index_profiles{kind="jobseeker"}')
        )  # fmt: skip
        # The typeahead index is built in the background at start-up: the first keystroke waits for it, so that
        # the measurement does not share the cores with the build (asked several times: the kernel spreads the
        # connections over the workers). Then a warm-up, not reported.
        for _ in range(4 * workers):
            with httpx.Client(base_url=base) as fresh:  # a new connection, which may reach another worker
                fresh.get("/esco/skills", params={"q": "bak"}, headers={"Authorization": f"Bearer {token}"},
                          timeout=900).raise_for_status()  # fmt: skip
        _measured(process.pid, open_loop(base, token, vacancies, 10, 3))
        fixed = _measured(process.pid, open_loop(base, token, vacancies, args.rate, args.seconds))
        per_search_ms = 1000 * fixed["server_cpu_s"] / max(fixed["requests"], 1)
        fixed["server_cpu_ms_per_search"] = round(per_search_ms, 2)
        print(
            json.dumps({"phase": "fixed", "workers": workers, "jobseekers_indexed": int(profiles), **fixed}),
            flush=True,
        )
        best = None
        for rate in args.steps:
            step = _measured(process.pid, open_loop(base, token, vacancies, rate, args.step_seconds))
            print(json.dumps({"phase": "step", "workers": workers, **step}), flush=True)
            if step["p99_ms"] > P99_TARGET_MS or step["errors"]:
                break
            best = rate
        db = make_engine(settings.database_url)
        with db.connect() as conn:
            audited = conn.execute(select(func.count()).select_from(AuditRow.__table__)).scalar_one()  # type: ignore[attr-defined]
        db.dispose()
        summary = {"phase": "summary", "workers": workers, "highest_rate_p99_within_100ms": best}
        print(json.dumps(summary | {"audit_rows": audited} | server_memory(process.pid)), flush=True)
        if args.mixed is not None:
            searches, upserts = args.mixed
            count = int(upserts * args.mixed_seconds) + 1
            dossiers = real_dossiers(count, skip=count * args.workers.index(workers))
            line = _measured(
                process.pid, mixed_loop(base, token, vacancies, dossiers, searches, upserts, args.mixed_seconds)
            )
            # The upserts' share of the server's CPU: what the searches did not take at the fixed rate's cost.
            upsert_cpu = line["server_cpu_s"] - line["search_requests"] * per_search_ms / 1000
            line["server_cpu_ms_per_upsert"] = round(1000 * upsert_cpu / max(line["upsert_requests"], 1), 1)
            print(json.dumps({"phase": "mixed", "workers": workers, **line}), flush=True)
        cores = 16
        print(
            json.dumps(
                {
                    "phase": "projection (not measured)",
                    "workers": workers,
                    "cores": cores,
                    "from": f"{per_search_ms:.2f} server CPU ms per signed-in, audited search",
                    "searches_per_s_if_cpu_bound": round(cores * 1000 / per_search_ms),
                    "database_writes_per_s": "one audit row per search, plus each upsert's record, profile and "
                    "change-log rows",
                }
            ),
            flush=True,
        )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
