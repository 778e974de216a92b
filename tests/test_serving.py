"""The pieces that let several processes serve over one database: the lease that lets one process at a time save
the indexes, the failed sign-in limit shared by every process, readiness with the applied sequence and its lag,
and how many workers ``skillmatch serve`` starts."""

from __future__ import annotations

import gc
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.auth.config import AuthConfig
from api.auth.guard import Authenticator, NotAuthenticated, TooManyAttempts
from api.auth.tokens import TokenStore
from api.config import ApiConfig
from api.main import create_app
from matching import resources
from matching.profiles import ProfileKind, ProfileStore
from skillmatch.lease import give_back, holder_name, lease, take
from skillmatch.runtime import Runtime
from skillmatch.schema import create_tables
from skillmatch.serving import default_workers, freeze_when_warm
from tests.concurrent_load import SliceProfiles


@pytest.fixture
def db(engine: Engine) -> Engine:
    create_tables(engine)
    return engine


def test_a_lease_is_held_by_one_process_at_a_time_and_freed_when_its_holder_dies(db: Engine) -> None:
    first, second = holder_name(), holder_name()
    assert first != second
    assert take(db, "indexes", first, 60)
    assert not take(db, "indexes", second, 60)
    assert take(db, "indexes", first, 60)  # renewed by its holder
    give_back(db, "indexes", first)
    assert take(db, "indexes", second, 60)
    assert not take(db, "indexes", first, 60)
    give_back(db, "indexes", second)
    # A holder killed while it held it: the lease runs out and another process takes it.
    assert take(db, "indexes", first, 0.2)
    time.sleep(0.4)
    assert take(db, "indexes", second, 60)
    with lease(db, "other") as held:
        assert held
        with lease(db, "other") as again:
            assert not again


def test_failed_sign_ins_are_counted_for_every_process(db: Engine) -> None:
    tokens = TokenStore(db)
    config = AuthConfig(failures_per_minute=3)
    one, two = Authenticator(tokens, config), Authenticator(TokenStore(db), config)  # two processes' guards
    outcomes = []
    for guard in (one, two, one, two, one):
        try:
            guard.authenticate("smt_wrong", "203.0.113.7")
        except TooManyAttempts:
            outcomes.append(429)
        except NotAuthenticated:
            outcomes.append(401)
    assert outcomes == [401, 401, 401, 429, 429]
    with pytest.raises(NotAuthenticated):  # another address is not limited (a 401, not a 429)
        two.authenticate("smt_wrong", "198.51.100.1")


def test_readiness_reports_the_applied_sequence_and_tolerates_a_moment_behind(fresh_runtime: Runtime) -> None:
    gen = SliceProfiles(fresh_runtime.taxonomy, seed=3)
    fresh_runtime.writer.write([gen.profile(ProfileKind.jobseeker, "J-HERE")])
    strict = create_app(db=fresh_runtime.db, services=fresh_runtime)
    tolerant = create_app(db=fresh_runtime.db, services=fresh_runtime, config=ApiConfig(ready_lag_seconds=2))
    with TestClient(strict) as s, TestClient(tolerant) as t:
        body = s.get("/health/ready").json()
        assert body["sequence"]["applied"] == body["sequence"]["database"] == 1
        assert body["sequence"]["behind"] == 0
        ProfileStore(fresh_runtime.db).upsert([gen.profile(ProfileKind.jobseeker, "J-ELSEWHERE")])  # another process
        assert s.get("/health/ready").status_code == 503
        moment = t.get("/health/ready")
        assert moment.status_code == 200
        assert moment.json()["sequence"] | {"process": 0, "behind_seconds": 0} == {
            "process": 0,
            "applied": 1,
            "database": 2,
            "behind": 1,
            "behind_seconds": 0,
        }
        assert 0 <= moment.json()["sequence"]["behind_seconds"] < 2
        time.sleep(2.1)
        assert t.get("/health/ready").status_code == 503  # behind for longer than a moment
        assert fresh_runtime.writer.poll() == 1
        assert t.get("/health/ready").json()["sequence"]["behind"] == 0


def test_one_worker_per_core_capped_by_memory() -> None:
    assert default_workers(1500, cpus=8, memory_mb=64_000) == 8
    assert default_workers(1500, cpus=8, memory_mb=4_000) == 2
    assert default_workers(1500, cpus=8, memory_mb=500) == 1
    assert default_workers(1500, cpus=2, memory_mb=None) == 2


_ARENAS_SCRIPT = """
import ctypes, sys, threading
from skillmatch.serving import limit_malloc_arenas

print(limit_malloc_arenas(2) if sys.argv[1] == "capped" else False)
barrier = threading.Barrier(8)
kept = []

def work():
    barrier.wait()
    kept.append([bytearray(50_000) for _ in range(20)])  # malloc'd (below glibc's mmap threshold)
    barrier.wait()

threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
libc = ctypes.CDLL(None)
libc.open_memstream.restype = ctypes.c_void_p
libc.malloc_info.argtypes, libc.fclose.argtypes = [ctypes.c_int, ctypes.c_void_p], [ctypes.c_void_p]
buf, size = ctypes.c_char_p(), ctypes.c_size_t()
stream = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
libc.malloc_info(0, stream)
libc.fclose(stream)
print(ctypes.string_at(buf, size.value).decode().count("<heap nr="))
"""


@pytest.mark.skipif(not Path("/proc/self/maps").exists() or platform.libc_ver()[0] != "glibc", reason="glibc")
def test_a_serving_process_caps_its_malloc_arenas() -> None:
    # Eight threads that allocate get an arena each (up to eight per core); a serving process keeps two, which
    # took about 40 MB of private memory off each worker. An operator's MALLOC_ARENA_MAX is left as set.
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}

    def run(mode: str, **extra: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _ARENAS_SCRIPT, mode], env={**env, **extra}, capture_output=True, text=True,
            check=True, timeout=60,
        )  # fmt: skip
        return done.stdout.split()

    set_, heaps = run("capped")
    assert set_ == "True" and int(heaps) <= 2
    set_, heaps = run("free")
    assert set_ == "False" and int(heaps) > 2
    set_, _ = run("capped", MALLOC_ARENA_MAX="4")
    assert set_ == "False"


_WORKERS_SCRIPT = """
import sys
from functools import partial

import uvicorn
import uvicorn._subprocess as uvicorn_subprocess

from skillmatch.serving import fork_workers_from_preloaded_server
from tests.servers import report_worker

assert fork_workers_from_preloaded_server()
config = uvicorn.Config("skillmatch.server:create_app", factory=True, log_config=None)
targets = [partial(report_worker, f"{sys.argv[1]}/{i}.json") for i in range(2)]
workers = [uvicorn_subprocess.get_subprocess(config, target, []) for target in targets]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join(120)
    assert worker.exitcode == 0, worker.exitcode
"""


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux")
def test_workers_are_forked_from_a_server_that_loaded_the_language_detector_once(tmp_path: Path) -> None:
    # serve --workers N: uvicorn starts each worker through the hook the script sets; the detector's models
    # (about 120 MB) are loaded once, before the fork, and stay shared: without the hook each worker is spawned
    # and holds none of it yet.
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", _WORKERS_SCRIPT, str(tmp_path)], cwd=root, check=True, timeout=180)
    reports = [json.loads((tmp_path / f"{i}.json").read_text()) for i in range(2)]
    for report in reports:
        assert report["detector_loaded"], report
        assert report["shared_dirty_mb"] >= 100, report
        assert "forkserver" in report["parent"], report


def test_start_up_objects_are_frozen_once_the_warm_up_is_done() -> None:
    # The service freezes what start-up loaded out of the garbage collector's scans (a full collection over the
    # taxonomy took 0.2 s inside a request), after the linker's warm-up, so that its parts are frozen too.
    release = threading.Event()
    warm_up = threading.Thread(target=release.wait, daemon=True)
    resources._WARM_UPS.add(warm_up)
    warm_up.start()
    gc.unfreeze()
    freezing = freeze_when_warm()
    time.sleep(0.2)
    assert freezing.is_alive() and gc.get_freeze_count() == 0  # the warm-up is still running
    release.set()
    freezing.join(60)
    assert gc.get_freeze_count() > 0


_SEMAPHORES_SCRIPT = """
import sys
import multiprocessing.synchronize as synchronize

made = []
original = synchronize.SemLock.__init__
synchronize.SemLock.__init__ = lambda self, *a, **k: (made.append(1), original(self, *a, **k))[1]

from tqdm import tqdm

from skillmatch.serving import thread_locked_progress_bars

if sys.argv[1] == "serving":
    thread_locked_progress_bars()
for _ in tqdm(range(3), desc="start-up", disable=False):
    pass
print(len(made))
"""


def test_a_serving_process_makes_no_semaphore_for_its_progress_bars() -> None:
    # tqdm's default lock is a named semaphore; a worker that uvicorn terminates leaves it to the resource
    # tracker, which warned of leaked semaphores at every `serve --workers 2` shutdown.
    def made(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", _SEMAPHORES_SCRIPT, mode], capture_output=True, text=True, check=True, timeout=60
        )
        return int(done.stdout.split()[-1])

    assert made("serving") == 0
    assert made("plain") > 0
