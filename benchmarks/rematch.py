"""Speed of the nightly rematch, as the operator runs it: ``skillmatch rematch`` timed as a subprocess.

Usage:
    python -m benchmarks.rematch [--sizes 10000x2000 100000x20000] [--top 20]
        [--runs first second full1 full2 incremental] [--project 100000x20000 1000000x200000]
        [--database sqlite|postgresql]

For each size J x V: J jobseekers and V vacancies generated from ESCO's occupation-skill relations (the
speed benchmark's generator, seeded) are written to a scratch database (full ESCO, the configured concept
space) and indexed; then, each as one command whose wall time includes Python and Dask start-up:

- ``first full``: ``rematch --all`` on a database that has never been rematched (every profile vector is
  computed);
- ``second full``: ``rematch --all`` again (vectors kept from the last run); it writes every match row once
  more, as the first run did not know any previous score;
- ``full, 1 worker`` and ``full, 2 workers``: ``rematch --all`` again, as a nightly full run over unchanged
  data (a row found as stored is not written again), and the speed-up between them;
- ``incremental``: 1% of the jobseekers and 1% of the vacancies changed (new skills), then ``rematch``: it patches
  the lists the changes reach from their stored state and computes the rest (``lists`` computed, ``patched``).

``--runs`` picks some of them (``first`` always runs: the others need its lists); the speed-up is printed when
both ``full1`` and ``full2`` ran.

``--database postgresql`` runs it all on a throwaway PostgreSQL server started for the benchmark on loopback
(``tests/pg_server.py``: installed with apt when missing, removed afterwards), one scratch database per size.

Each line gives the wall time, the peak memory of the command's process tree (client, scheduler and workers),
the lists computed, the run's own timings (opening, planning, computing, committing) and the per-chunk
throughput (lists per second of one worker, the median over chunks). The last lines project larger sizes from
the measured per-chunk throughput of the largest size: they are projections, not measurements.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from benchmarks.speed import Generator
from esco_data import Taxonomy, load_esco
from matching.profiles import Origin, ProfileConcept, ProfileKind, ProfileStore, Role
from matching.rematch import RematchRepository
from skillmatch.db import make_engine
from skillmatch.rematch import MatchingState
from skillmatch.schema import create_tables
from skillmatch.settings import Settings, get_settings

SKILLMATCH = str(Path(sys.executable).parent / "skillmatch")


def _size(text: str) -> tuple[int, int]:
    jobseekers, vacancies = text.lower().split("x")
    return int(jobseekers), int(vacancies)


def _setup(
    root: Path, jobseekers: int, vacancies: int, database_url: str | None = None
) -> tuple[Settings, dict[str, str]]:
    """A scratch data directory with the profiles stored and their indexes saved (not timed).

    Args:
        root: the scratch folder.
        jobseekers: how many jobseekers.
        vacancies: how many vacancies.
        database_url: an empty database to use (default: a SQLite file in the folder).
    """
    base = get_settings()
    data = root / "data"
    data.mkdir(parents=True)
    (data / "concept_space").symlink_to(base.data_dir / "concept_space", target_is_directory=True)
    url = database_url or f"sqlite:///{root / 'bench.db'}"
    settings = Settings(data_dir=data, database_url=url, index_dir=root / "indexes")
    db = make_engine(settings.database_url)
    load_esco(db, base.esco_dir)
    create_tables(db)
    taxonomy = Taxonomy.load(db)
    generator = Generator(taxonomy, seed=jobseekers)
    store = ProfileStore(db)
    for kind, n, prefix in ((ProfileKind.jobseeker, jobseekers, "J"), (ProfileKind.vacancy, vacancies, "V")):
        for start in range(0, n, 50_000):
            store.upsert([generator.profile(kind, f"{prefix}{i:07d}") for i in range(start, min(n, start + 50_000))])
    state = MatchingState.open(settings, db=db)
    state.save_indexes()
    db.dispose()
    environ = {
        "SKILLMATCH_DATA_DIR": str(data),
        "SKILLMATCH_DATABASE_URL": settings.database_url,
        "SKILLMATCH_INDEX_DIR": str(settings.indexes_dir),
        "SKILLMATCH_MODEL_NAME": base.model_name,
    }
    return settings, environ


def _change_one_percent(settings: Settings, jobseekers: int, vacancies: int) -> int:
    """Give 1% of each kind (evenly spread) the skills of another generated profile."""
    db = make_engine(settings.database_url)
    store = ProfileStore(db)
    generator = Generator(Taxonomy.load(db), seed=12345)
    changed = []
    for kind, n, prefix in ((ProfileKind.jobseeker, jobseekers, "J"), (ProfileKind.vacancy, vacancies, "V")):
        for i in range(0, n, 100):
            profile = store.get(kind, f"{prefix}{i:07d}")
            other = generator.profile(kind, profile.id)
            role = Role.held if kind is ProfileKind.jobseeker else Role.required
            profile.skills = [ProfileConcept(c.uri, role, Origin.confirmed, 1.0) for c in other.skills]
            profile.occupations = other.occupations
            changed.append(profile)
    store.upsert(changed)
    db.dispose()
    return len(changed)


def _timed(command: list[str], environ: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak resident memory of the process tree, and the output of a command."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=os.environ | environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    parent = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    output = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return seconds, peak, output


def _line(label: str, size: tuple[int, int], settings: Settings, seconds: float, peak: int) -> dict[str, Any]:
    db = make_engine(settings.database_url)
    run = RematchRepository(db).latest_run()
    db.dispose()
    assert run is not None
    diff = run.counts.get("diff", {})
    t = run.timings
    return {
        "run": label,
        "database": settings.database_url.split(":", 1)[0].split("+")[0],
        "jobseekers": size[0],
        "vacancies": size[1],
        "top": run.top,
        "workers": t.get("workers", run.params.get("workers")),
        "seconds": round(seconds, 1),
        "peak_memory_mb": round(peak / 2**20),
        "lists": diff.get("lists", 0),
        "patched": diff.get("patched", 0),
        "matches": diff.get("matches", 0),
        "new": diff.get("new", 0),
        "dropped": diff.get("dropped", 0),
        "open_s": run.params.get("open_seconds"),
        "plan_s": t.get("plan_seconds"),
        "compute_s": t.get("compute_seconds"),
        "commit_s": t.get("commit_seconds"),
        "chunks": t.get("chunks"),
        "chunk_lists_per_s": t.get("chunk_lists_per_second"),
    }


RUNS = {
    "first": ("first full", ["--all", "--workers", "2"]),
    "second": ("second full", ["--all", "--workers", "2"]),
    "full1": ("full, 1 worker", ["--all", "--workers", "1"]),
    "full2": ("full, 2 workers", ["--all", "--workers", "2"]),
}


def run_size(
    size: tuple[int, int],
    top: int,
    runs: Sequence[str] = (*RUNS, "incremental"),
    database_url: str | None = None,
) -> list[dict[str, Any]]:
    """The chosen runs of one size (the first full run always); one result line each.

    Args:
        size: jobseekers and vacancies.
        top: the length of every list.
        runs: which runs.
        database_url: an empty database to run on (default: a SQLite file).
    """
    lines = []
    by_label: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="rematch-bench-") as tmp:
        started = time.perf_counter()
        settings, environ = _setup(Path(tmp), *size, database_url)
        print(json.dumps({"run": "setup (not timed as a run)", "seconds": round(time.perf_counter() - started)}))
        command = [SKILLMATCH, "rematch", "--top", str(top), "--no-send"]
        for key, (label, extra) in RUNS.items():
            if key != "first" and key not in runs:
                continue
            seconds, peak, _ = _timed([*command, *extra], environ)
            lines.append(by_label.setdefault(key, _line(label, size, settings, seconds, peak)))
            print(json.dumps(lines[-1]), flush=True)
        if "incremental" in runs:
            changed = _change_one_percent(settings, *size)
            seconds, peak, _ = _timed([*command, "--workers", "2"], environ)
            lines.append(_line("incremental", size, settings, seconds, peak) | {"changed_records": changed})
            print(json.dumps(lines[-1]), flush=True)
        if "full1" in by_label and "full2" in by_label:
            one, two = by_label["full1"], by_label["full2"]
            speedup = {"run": "speed-up 1 -> 2 workers", "jobseekers": size[0], "vacancies": size[1]}
            speedup |= {"wall": round(one["seconds"] / two["seconds"], 2)}
            speedup |= {"compute": round(one["compute_s"] / two["compute_s"], 2)}
            print(json.dumps(speedup), flush=True)
            lines.append(speedup)
        shutil.rmtree(tmp, ignore_errors=True)
    return lines


def project(measured: dict[str, Any], size: tuple[int, int], workers: int) -> dict[str, Any]:
    """Compute time of a full run of another size from the measured per-chunk throughput (a projection)."""
    lists = size[0] + size[1]
    per_worker = float(measured["chunk_lists_per_s"])
    compute = lists / per_worker / workers
    commit_per_list = float(measured["commit_s"]) / max(1, int(measured["lists"]))
    return {
        "run": "projection (not measured)",
        "jobseekers": size[0],
        "vacancies": size[1],
        "workers": workers,
        "from": f"{measured['jobseekers']}x{measured['vacancies']}, {per_worker} lists/s per worker",
        "compute_minutes": round(compute / 60, 1),
        "commit_minutes": round(lists * commit_per_list / 60, 1),
        "compute_minutes_on_16_workers": round(lists / per_worker / 16 / 60, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_size, nargs="+", default=[(10_000, 2_000), (100_000, 20_000)])
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--project", type=_size, nargs="*", default=[], help="Sizes to project from the largest one.")
    parser.add_argument("--runs", nargs="+", choices=[*RUNS, "incremental"], default=[*RUNS, "incremental"])
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="postgresql: on a throwaway server started for the run (tests/pg_server.py).",
    )
    args = parser.parse_args(argv)
    last: list[dict[str, Any]] = []
    with ExitStack() as stack:
        databases = None
        if args.database == "postgresql":
            from tests.databases import PgDatabases
            from tests.pg_server import running_server

            databases = PgDatabases(stack.enter_context(running_server()))
        for size in args.sizes:
            url = databases.create(name=f"rematch_{size[0]}x{size[1]}") if databases is not None else None
            last = run_size(size, args.top, args.runs, url)
            if databases is not None:
                databases.drop(f"rematch_{size[0]}x{size[1]}")
    fulls = [line for line in last if str(line["run"]).startswith(("full", "first")) and line.get("workers") == 2]
    for size in args.project:
        print(json.dumps(project(fulls[-1], size, 2)), flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
