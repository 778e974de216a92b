"""Ingestion speed with free-text linking and a cold encoder cache.

Usage:
    python -m benchmarks.ingestion [--data DIR] [--repeat 3] [--vacancies-only] [--workers 1]

Each run ingests the jobseekers and vacancies of DIR (default ../shared/eval/matching-dev) through the normal
ingestion path (validation, linking of every free text to ESCO, discrimination screen, storage, profile
indexes) into a fresh temporary database, with an empty encoder cache: every record text is encoded during
the run; the concept space of the configured data directory is reused (it holds ESCO's labels, not the
records'). Prints one JSON line per run (records, seconds, records/s) and one with the median.

``--vacancies-only`` ingests DIR's vacancies alone (for real-offers-dev/matching-real-dev: 344 real offers,
title and full description). Each run then also times the raw encoder, in the same run and with a cold
encoder of its own, on exactly the texts the ingestion encoded (``raw_encoder_records_per_s``: records / that
time), and gives the ratio of the two rates.

``--workers N`` builds the profiles in N processes (this one and N - 1 workers, as ``skillmatch ingest
--workers N`` does); the workers start inside the timed run, with a cold encoder cache shared with this process,
and write down the texts they encode so that the raw encoder is timed on all of them.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import cold_runtime
from esco_data import load_esco
from ingestion.adapters import RecordFormat
from ingestion.build_pool import BuildPool
from ingestion.models import RecordKind
from ingestion.profile_builder import ProfileBuilder
from ingestion.readers import read_file
from matching.space import Encoder, Vectors
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime, open_builder
from skillmatch.settings import REPO_ROOT, Settings, get_settings

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


class _WritingEncoder(RecordingEncoder):
    """A worker's recording encoder: it also writes the texts down, one JSON line per text, for the parent."""

    def __init__(self, *args: Any, log: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log = log

    def encode(self, texts: Sequence[str], *, batch_size: int = 256, use_cache: bool = True) -> Vectors:
        """``RecordingEncoder.encode``, the texts appended to the log."""
        with self.log.open("a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(t) + "\n" for t in texts)
        return super().encode(texts, batch_size=batch_size, use_cache=use_cache)


def _worker_builder(settings: Settings, logs: Path) -> ProfileBuilder:
    """A worker's builder whose encoder writes down its texts (``functools.partial`` of this is the factory)."""
    builder = open_builder(settings)
    log = logs / f"texts-{os.getpid()}.jsonl"
    builder.linker.encoder = _WritingEncoder(settings.model_name, cache_dir=settings.data_dir, log=log,
                                             threads=settings.encode_threads)  # fmt: skip
    return builder


def _cold_settings(folder: Path) -> Settings:
    """Settings over a fresh database and a data directory whose encoder cache is empty; the concept space, the
    taxonomy snapshot and the encoder's parsed files are the configured data directory's (linked)."""
    settings = get_settings()
    data = folder / "data"
    data.mkdir()
    for name in ("concept_space", "taxonomy.snapshot", "usem3_weights", "usem3_tokenizer.pickle"):
        if (settings.data_dir / name).exists():
            (data / name).symlink_to((settings.data_dir / name).resolve())
    return settings.model_copy(update={"data_dir": data, "database_url": f"sqlite:///{folder / 'bench.db'}"})


def _pooled_runtime(folder: Path, workers: int) -> tuple[Runtime, BuildPool]:
    """A runtime as ``cold_runtime`` opens one, whose ingestion builds in ``workers`` processes (not started)."""
    settings = _cold_settings(folder)
    db = make_engine(settings.database_url)
    load_esco(db, settings.esco_dir)
    runtime = Runtime.open(settings, db=db, index_dir=folder / "indexes")
    # One BLAS thread per process, as ``Runtime.building_in_processes`` sets it.
    cold = RecordingEncoder(settings.model_name, cache_dir=settings.data_dir, threads=1)
    cold.encode(["warm-up: load the model before the clock starts"])
    runtime.linker.encoder = cold
    single = settings.model_copy(update={"encode_threads": 1})
    pool = BuildPool(functools.partial(_worker_builder, single, folder), workers)
    runtime.ingestion.pool = pool
    return runtime, pool


def run_once(data: Path, vacancies_only: bool = False, workers: int = 1) -> dict[str, float]:
    """One ingestion into a fresh database with a cold encoder cache (both files, or the vacancies alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        pool = None
        if workers > 1:
            runtime, pool = _pooled_runtime(Path(tmp), workers)
        else:
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
        if pool is not None:
            pool.close()
            for log in sorted(Path(tmp).glob("texts-*.jsonl")):
                cold.texts.extend(json.loads(line) for line in log.read_text(encoding="utf-8").splitlines())
        result: dict[str, float] = {
            "workers": workers,
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
    parser.add_argument("--workers", type=int, default=1, help="processes that build the profiles")
    args = parser.parse_args(argv)
    rates = []
    for run in range(1, args.repeat + 1):
        result = run_once(args.data, args.vacancies_only, args.workers)
        rates.append(result["records_per_s"])
        print(json.dumps({"run": run, **result}), flush=True)
    print(json.dumps({"median_records_per_s": statistics.median(rates)}), flush=True)


if __name__ == "__main__":
    main()
