"""Ingestion speed with free-text linking and a cold encoder cache.

Usage:
    python -m benchmarks.ingestion [--data DIR] [--repeat 3] [--vacancies-only]

Each run ingests the jobseekers and vacancies of DIR (default ../shared/eval/matching-dev) through the normal
ingestion path (validation, linking of every free text to ESCO, discrimination screen, storage, profile
indexes) into a fresh temporary database, with an empty encoder cache: every record text is encoded during
the run; the concept space of the configured data directory is reused (it holds ESCO's labels, not the
records'). Prints one JSON line per run (records, seconds, records/s) and one with the median.

``--vacancies-only`` ingests DIR's vacancies alone (for real-offers-dev/matching-real-dev: 344 real offers,
title and full description). Each run then also times the raw encoder, in the same run and with a cold
encoder of its own, on exactly the texts the ingestion encoded (``raw_encoder_records_per_s``: records / that
time), and gives the ratio of the two rates.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import cold_runtime
from ingestion.adapters import RecordFormat
from ingestion.models import RecordKind
from ingestion.readers import read_file
from matching.space import Encoder, Vectors
from skillmatch.settings import REPO_ROOT, get_settings

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "matching-dev"


class RecordingEncoder(Encoder):
    """An encoder that keeps every text it was asked to encode (to time the raw encoder on the same texts)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str], *, batch_size: int = 256, use_cache: bool = True) -> Vectors:
        """``Encoder.encode``, remembering the texts."""
        self.texts.extend(texts)
        return super().encode(texts, batch_size=batch_size, use_cache=use_cache)


def run_once(data: Path, vacancies_only: bool = False) -> dict[str, float]:
    """One ingestion into a fresh database with a cold encoder cache (both files, or the vacancies alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        runtime = cold_runtime(Path(tmp), RecordingEncoder)
        cold = runtime.linker.encoder
        assert isinstance(cold, RecordingEncoder)
        db = runtime.db
        service = runtime.ingestion
        files = [(RecordKind.jobseeker, "jobseekers.jsonl"), (RecordKind.vacancy, "vacancies.jsonl")]
        if vacancies_only:
            files = files[1:]
        batches = [(kind, list(read_file(data / name))) for kind, name in files]
        records = sum(len(batch) for _, batch in batches)
        started = time.perf_counter()
        accepted = 0
        for kind, batch in batches:
            summary = service.ingest(kind, batch, fmt=RecordFormat.matching_dev)
            accepted += summary.accepted
        seconds = time.perf_counter() - started
        db.dispose()
        result: dict[str, float] = {
            "records": records,
            "accepted": accepted,
            "seconds": round(seconds, 2),
            "records_per_s": round(records / seconds, 1),
        }
        if vacancies_only:
            # The raw encoder on the same unique texts, cold (no cache), one batched call.
            texts = [t for t in dict.fromkeys(cold.texts) if t != "warm-up: load the model before the clock starts"]
            settings = get_settings()
            raw = Encoder(settings.model_name, cache_dir=None, threads=settings.encode_threads)
            raw.encode(["warm-up: load the model before the clock starts"], use_cache=False)
            started = time.perf_counter()
            raw.encode(texts, use_cache=False)
            raw_seconds = time.perf_counter() - started
            result |= {
                "encoded_texts": len(texts),
                "raw_encoder_seconds": round(raw_seconds, 2),
                "raw_encoder_records_per_s": round(records / raw_seconds, 1),
                "ratio_to_raw_encoder": round(raw_seconds / seconds, 3),
            }
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--vacancies-only", action="store_true", help="ingest the vacancies alone")
    args = parser.parse_args(argv)
    rates = []
    for run in range(1, args.repeat + 1):
        result = run_once(args.data, args.vacancies_only)
        rates.append(result["records_per_s"])
        print(json.dumps({"run": run, **result}), flush=True)
    print(json.dumps({"median_records_per_s": statistics.median(rates)}), flush=True)


if __name__ == "__main__":
    main()
