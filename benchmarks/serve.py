"""Start-up time and resident memory of `skillmatch serve`, as a subprocess on a free loopback port.

Usage:
    python -m benchmarks.serve [--scenarios demo 100k] [--jobseekers 100000] [--queries 200] [--workers 1] [--keep]

Each scenario gets a scratch data directory (a temporary folder in the configured data directory): the
concept space and linker indexes of the configured data directory are copied in (brought up to date first
with `skillmatch esco load`), then `skillmatch esco load` loads ESCO into the scratch database and
`skillmatch demo load` ingests the demo set (600 jobseekers, 600 vacancies). The `100k` scenario then stores
that many synthetic jobseekers (an occupation and its essential skills from ESCO's relations, as
benchmarks/speed.py generates them) straight into the profile table and removes the saved profile indexes,
so that the first start builds them and its shutdown saves them.

The server is started twice; the second start is the measured one (ESCO, the concept space and the indexes
all reused). For each start, one JSON line: seconds until ready (`GET /health/ready` answers 200, or
`GET /health` where the readiness route does not exist), then the milliseconds of one text link
(`POST /link`) and one candidate search (`GET /vacancies/{id}/candidates`) right after, signed in with a
consultant's token (`skillmatch demo tokens`); for the second
start also 200 mixed queries (skill and title links, candidates for a vacancy, vacancies for a jobseeker:
p50/p99 per kind, errors) and the resident memory of the server process and its children after them
(psutil; `rss_file_mb` is the part backed by memory-mapped files). Targets: ready <= 5 s with the link and
the search each within 1 s; resident memory <= 1.0 GB with the demo set, <= 1.5 GB with 100k jobseekers.

With `--workers N` (default 1) the server runs N worker processes under uvicorn's supervisor; the mixed queries
then come from 2N concurrent clients, so that every worker answers some, and the memory line gives each
process's private memory (`uss_mb_per_process`, the supervisor first, `roles` saying which process is which:
supervisor, resource tracker, the forkserver that forks the workers, worker) and its anonymous memory
(`anon_mb_per_process`: USS also counts the pages of mapped files that only this process has touched so far,
which are the page cache's and become shared when another process reads them). Target (issue 23): a worker
beyond the first adds <= 400 MB of private memory on the demo set (`meets_targets.worker_uss`: every worker's
USS within it; the "memory" target there is the one-worker figure and does not apply).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from benchmarks.common import anonymous_mb, percentile
from benchmarks.speed import Generator
from esco_data import Taxonomy
from matching.profiles import ProfileKind, ProfileStore
from matching.resources import concept_space_dir
from skillmatch.db import make_engine
from skillmatch.settings import REPO_ROOT, get_settings

DEMO_DIR = REPO_ROOT.parent / "shared" / "eval" / "matching-dev"
SKILLMATCH = Path(sys.executable).with_name("skillmatch")
READY_TIMEOUT = 900.0
MB = 1024 * 1024
READY_TARGET_S = 5.0
FIRST_ANSWER_TARGET_MS = 1000.0
RSS_TARGET_MB = {"demo": 1000.0, "100k": 1500.0}
WORKER_USS_TARGET_MB = 400.0
"""Issue 23: the private memory (USS) a worker beyond the first adds on the demo set."""


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "SKILLMATCH_DATA_DIR": str(data_dir)}
    env.pop("SKILLMATCH_DATABASE_URL", None)
    return env


def _run(args: Sequence[str], data_dir: Path, timeout: float = 1800) -> str:
    """Run a `skillmatch` command in a data directory; what it printed."""
    command = [str(SKILLMATCH), *args]
    done = subprocess.run(command, env=_env(data_dir), timeout=timeout, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


Request = tuple[str, dict[str, Any] | None]
"""A query: its path, and the JSON body it posts (None for a GET)."""


def _get(base: str, path: str, timeout: float = 60) -> tuple[int, float]:
    """Status and seconds of one unsigned GET (the body is read in full)."""
    return _send(base, (path, None), None, timeout)


def _send(base: str, query: Request, token: str | None, timeout: float = 60) -> tuple[int, float]:
    """Status and seconds of one GET, or one POST of a JSON body, signed with the token when given."""
    path, body = query
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=data, headers=headers, method="GET" if data is None else "POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        status = int(error.code)
    return status, time.perf_counter() - started


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class Workload:
    """What the queries ask: demo titles and skill phrases to link, demo vacancy and jobseeker ids."""

    def __init__(self, demo: Path) -> None:
        vacancies = _read_jsonl(demo / "vacancies.jsonl")
        jobseekers = _read_jsonl(demo / "jobseekers.jsonl")
        self.vacancy_ids = [str(v["id"]) for v in vacancies]
        self.jobseeker_ids = [str(j["id"]) for j in jobseekers]
        self.titles = [str(v["title"]) for v in vacancies if v.get("title")]
        self.skills = [str(t) for j in jobseekers for t in j.get("skills", {}).get("text", [])]

    def link(self, text: str, kind: str) -> Request:
        return "/link", {"text": text, "kind": kind}

    def queries(self, n: int, seed: int = 0) -> list[tuple[str, Request]]:
        """n (kind, request) pairs, the four kinds in turn, each drawn at random (seeded)."""
        rng = np.random.default_rng(seed)

        def pick(items: list[str]) -> str:
            return items[int(rng.integers(0, len(items)))]

        makers = [
            ("link_skill", lambda: self.link(pick(self.skills), "skill")),
            ("link_occupation", lambda: self.link(pick(self.titles), "occupation")),
            ("candidates", lambda: (f"/vacancies/{pick(self.vacancy_ids)}/candidates?k=10", None)),
            ("vacancies", lambda: (f"/jobseekers/{pick(self.jobseeker_ids)}/vacancies?k=10", None)),
        ]
        return [(makers[i % 4][0], makers[i % 4][1]()) for i in range(n)]


def _memory(pid: int) -> dict[str, float]:
    """Resident memory of a process and its children, in MB: resident (RSS), how much of it maps files, the
    proportional share (PSS: a page shared by n processes counts 1/n) and what is the process's own (USS: freed
    when it exits)."""
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    roles = [_role(p, root) for p in procs]
    rss = sum(p.memory_info().rss for p in procs)
    full = [p.memory_full_info() for p in procs]
    per_process = [round(m.uss / MB) for m in full]
    anonymous = [anonymous_mb(p.pid) for p in procs]
    pss, uss = sum(m.pss for m in full), sum(m.uss for m in full)
    file_backed = 0
    for p in procs:
        try:
            status = Path(f"/proc/{p.pid}/status").read_text()
        except OSError:  # pragma: no cover - not Linux
            continue
        for line in status.splitlines():
            if line.startswith(("RssFile:", "RssShmem:")):
                file_backed += int(line.split()[1]) * 1024
    return {
        "rss_mb": round(rss / MB),
        "rss_file_mb": round(file_backed / MB),
        "pss_mb": round(pss / MB),
        "uss_mb": round(uss / MB),
        "uss_mb_per_process": per_process,
        "anon_mb_per_process": anonymous,
        "roles": roles,
    }


def _role(process: psutil.Process, root: psutil.Process) -> str:
    """What a process of the server is: the supervisor (the command started), multiprocessing's resource
    tracker, the forkserver that forks the workers (it has children), or a worker."""
    if process.pid == root.pid:
        return "supervisor"
    if any("resource_tracker" in part for part in process.cmdline()):
        return "resource_tracker"
    return "forkserver" if process.children() else "worker"


class Server:
    """`skillmatch serve` on a free port, its output in a log file of the data directory."""

    def __init__(self, data_dir: Path, workers: int = 1) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start the server; seconds until the readiness check answers 200."""
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                # One worker unless asked: the figures are then a process's (``serve`` starts one per core by
                # default; their throughput is benchmarks.web_load's --workers).
                [str(SKILLMATCH), "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=_env(self.data_dir),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        route = "/health/ready"
        while time.perf_counter() - started < READY_TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log}")
            try:
                status, _ = _get(self.base, route, timeout=5)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
                continue
            if status == 404 and route == "/health/ready":
                route = "/health"  # no readiness route: the plain health check answers once started
                continue
            if status == 200:
                return time.perf_counter() - started
            time.sleep(0.05)
        raise TimeoutError(f"not ready after {READY_TIMEOUT} s; see {self.log}")

    def memory(self) -> dict[str, float]:
        """Resident memory of the running server and its children."""
        if self.process is None:
            raise RuntimeError("the server is not running")
        return _memory(self.process.pid)

    def stop(self) -> float:
        """Stop the server as Ctrl-C would (a graceful shutdown saves the indexes); seconds it took."""
        if self.process is None:
            return 0.0
        started = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=600)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            self.process = None
        return time.perf_counter() - started


def prepare(scratch: Path, scenario: str, jobseekers: int, workload: Workload) -> tuple[dict[str, Any], str]:
    """Fill a scratch data directory for a scenario; what it holds, and a consultant's token."""
    settings = get_settings()
    _run(["esco", "load"], settings.data_dir)  # brings the configured concept space up to date (or reuses it)
    shutil.copytree(concept_space_dir(settings.data_dir), concept_space_dir(scratch))
    _run(["esco", "load"], scratch)
    _run(["demo", "load"], scratch)
    token = next(
        line.split()[1] for line in _run(["demo", "tokens"], scratch).splitlines() if line.startswith("consultant")
    )
    held: dict[str, Any] = {"jobseekers": len(workload.jobseeker_ids), "vacancies": len(workload.vacancy_ids)}
    if scenario == "100k":
        db = make_engine(f"sqlite:///{scratch / 'skillmatch.db'}")
        generator = Generator(Taxonomy.load(db), seed=jobseekers)
        store = ProfileStore(db)
        batch = 10_000
        for start in range(0, jobseekers, batch):
            ids = range(start, min(jobseekers, start + batch))
            store.upsert(generator.profile(ProfileKind.jobseeker, f"S{i:07d}") for i in ids)
        db.dispose()
        shutil.rmtree(
            scratch / "indexes", ignore_errors=True
        )  # the first start builds the indexes, its shutdown saves them
        held["jobseekers"] += jobseekers
    return held, token


def _meets_targets(line: dict[str, Any], rss_target_mb: float) -> dict[str, bool]:
    targets = {
        "ready": line["ready_seconds"] <= READY_TARGET_S
        and max(line["first_link_ms"], line["first_candidates_ms"]) <= FIRST_ANSWER_TARGET_MS
        and line["first_statuses"] == [200, 200],
        "memory": line["rss_mb"] <= rss_target_mb,
    }
    if line["workers"] > 1:  # issue 23: each worker beyond the first adds at most this much of its own
        workers = [uss for uss, role in zip(line["uss_mb_per_process"], line["roles"], strict=True) if role == "worker"]
        targets["worker_uss"] = bool(workers) and max(workers) <= WORKER_USS_TARGET_MB
    return targets


def measure_start(server: Server, workload: Workload, token: str) -> dict[str, Any]:
    """Start the server and time the readiness check, then one text link and one candidate search."""
    ready = server.start()
    link_status, link_seconds = _send(server.base, workload.link(workload.titles[0], "occupation"), token)
    search = (f"/vacancies/{workload.vacancy_ids[0]}/candidates?k=10", None)
    search_status, search_seconds = _send(server.base, search, token)
    return {
        "ready_seconds": round(ready, 2),
        "first_link_ms": round(link_seconds * 1000, 1),
        "first_candidates_ms": round(search_seconds * 1000, 1),
        "first_statuses": [link_status, search_status],
    }


def run_queries(server: Server, workload: Workload, n: int, token: str) -> dict[str, Any]:
    """n mixed queries, one at a time per worker (2 clients per worker beyond one): p50/p99 per kind and the
    number of answers other than 200."""
    from concurrent.futures import ThreadPoolExecutor

    clients = 1 if server.workers == 1 else 2 * server.workers
    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(lambda item: (item[0], *_send(server.base, item[1], token)), workload.queries(n)))
    times: dict[str, list[float]] = {}
    errors = 0
    for kind, status, seconds in answers:
        times.setdefault(kind, []).append(seconds)
        errors += status != 200
    line: dict[str, Any] = {"queries": n, "clients": clients, "errors": errors}
    for kind, values in times.items():
        line[f"{kind}_p50_ms"] = round(percentile(values, 50) * 1000, 1)
        line[f"{kind}_p99_ms"] = round(percentile(values, 99) * 1000, 1)
    return line


def run_scenario(scenario: str, jobseekers: int, queries: int, keep: bool, workers: int = 1) -> None:
    """Prepare a scenario, start the server twice, print one JSON line per start."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # a fresh clone has none yet
    scratch = Path(tempfile.mkdtemp(prefix=f"serve-bench-{scenario}-", dir=settings.data_dir))
    workload = Workload(DEMO_DIR)
    try:
        started = time.perf_counter()
        held, token = prepare(scratch, scenario, jobseekers, workload)
        prepared = round(time.perf_counter() - started, 1)
        server = Server(scratch, workers)
        for start in ("first", "second"):
            line: dict[str, Any] = {"scenario": scenario, **held, "workers": workers, "start": start}
            if start == "first":
                line["prepare_seconds"] = prepared
            try:
                line |= measure_start(server, workload, token)
                line["rss_ready_mb"] = server.memory()["rss_mb"]
                if start == "second":
                    line |= run_queries(server, workload, queries, token)
                    line |= server.memory()
                    line["meets_targets"] = _meets_targets(line, RSS_TARGET_MB[scenario])
            finally:
                line["shutdown_seconds"] = round(server.stop(), 1)
            print(json.dumps(line), flush=True)
    finally:
        if keep:
            print(json.dumps({"scenario": scenario, "kept": str(scratch)}), file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", choices=["demo", "100k"], default=["demo", "100k"])
    parser.add_argument("--jobseekers", type=int, default=100_000, help="synthetic jobseekers of the 100k scenario")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1, help="server processes (`serve --workers`)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch data directories")
    args = parser.parse_args(argv)
    for scenario in args.scenarios:
        run_scenario(scenario, args.jobseekers, args.queries, args.keep, args.workers)


if __name__ == "__main__":
    main()
