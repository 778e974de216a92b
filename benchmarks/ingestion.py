"""Ingestion speed with free-text linking and a cold encoder cache.

Usage:
    python -m benchmarks.ingestion [--data DIR] [--repeat 3]

Each run ingests the jobseekers and vacancies of DIR (default ../shared/eval/matching-dev) through the normal
ingestion path (validation, linking of every free text to ESCO, discrimination screen, storage, profile
indexes) into a fresh temporary database, with an empty encoder cache: every record text is encoded during
the run; the concept space of the configured data directory is reused (it holds ESCO's labels, not the
records'). Prints one JSON line per run (records, seconds, records/s) and one with the median.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from esco_data import load_esco
from ingestion.adapters import RecordFormat
from ingestion.models import RecordKind
from ingestion.readers import read_file
from matching.encoder import Encoder
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from skillmatch.settings import REPO_ROOT, get_settings

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "matching-dev"


def run_once(data: Path) -> dict[str, float]:
    """One ingestion of both files into a fresh database with a cold encoder cache."""
    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        db = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        load_esco(db, settings.esco_dir)
        runtime = Runtime.open(settings, db=db, index_dir=Path(tmp) / "indexes")
        cold = Encoder(settings.model_name, cache_dir=Path(tmp) / "cache", threads=settings.encode_threads)
        cold.encode(["warm-up: load the model before the clock starts"])
        runtime.linker.encoder = cold
        service = runtime.ingestion
        files = [(RecordKind.jobseeker, "jobseekers.jsonl"), (RecordKind.vacancy, "vacancies.jsonl")]
        batches = [(kind, list(read_file(data / name))) for kind, name in files]
        records = sum(len(batch) for _, batch in batches)
        started = time.perf_counter()
        accepted = 0
        for kind, batch in batches:
            summary = service.ingest(kind, batch, fmt=RecordFormat.matching_dev)
            accepted += summary.accepted
        seconds = time.perf_counter() - started
        db.dispose()
    return {
        "records": records,
        "accepted": accepted,
        "seconds": round(seconds, 2),
        "records_per_s": round(records / seconds, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rates = []
    for run in range(1, args.repeat + 1):
        result = run_once(args.data)
        rates.append(result["records_per_s"])
        print(json.dumps({"run": run, **result}), flush=True)
    print(json.dumps({"median_records_per_s": statistics.median(rates)}), flush=True)


if __name__ == "__main__":
    main()
