"""`skillmatch serve` processes for the tests: started over a test's database, waited for, stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx


def serve(
    data_dir: Path, url: str, index_dir: Path, port: int, log: Path, *, sync_seconds: float = 0, workers: int = 1
) -> subprocess.Popen[bytes]:
    """Start ``skillmatch serve`` on a port over a database (its output appended to ``log``).

    Args:
        data_dir: the data folder (the concept space and encoder cache of the session's runtime).
        url: the database.
        index_dir: where it saves its profile indexes.
        port: the port.
        log: the file its output goes to.
        sync_seconds: how often it polls the change log (0: never).
        workers: its processes.
    """
    env = os.environ | {
        "SKILLMATCH_DATA_DIR": str(data_dir),
        "SKILLMATCH_DATABASE_URL": url,
        "SKILLMATCH_INDEX_DIR": str(index_dir),
        "SKILLMATCH_SYNC_SECONDS": str(sync_seconds),
        "SKILLMATCH_ENCODE_THREADS": "1",
    }
    command = [sys.executable, "-m", "skillmatch.cli", "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out)


def wait_ready(base: str, process: subprocess.Popen[bytes], log: Path, *, seconds: float = 180) -> None:
    """Wait until the service answers ready (fails with the end of its log when it exits or never does)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("the service did not become ready: " + log.read_text()[-3000:])


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a service as an operator does (SIGTERM: it saves its indexes), and wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def report_worker(out: str, sockets: object = None) -> None:
    """Stand in for a worker's server (``serve --workers N`` calls it in each worker with its sockets): write to
    ``out`` what the worker inherited, as JSON: whether the language detector is already loaded, the memory it
    shares with other processes (Shared_Dirty: pages written before a fork, never since), its parent's command."""
    import json

    from matching.linking.langdetect import _detector

    rollup = Path("/proc/self/smaps_rollup").read_text().splitlines()
    shared_kb = sum(int(line.split()[1]) for line in rollup if line.startswith("Shared_Dirty:"))
    parent = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    report = {"detector_loaded": _detector.cache_info().currsize == 1, "shared_dirty_mb": shared_kb // 1024}
    Path(out).write_text(json.dumps(report | {"parent": parent}))


__all__ = ["report_worker", "serve", "stop", "wait_ready"]
