"""Shared set-up of the benchmarks: settings, database, taxonomy and linker, as the product builds them."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from esco_data import Taxonomy, load_esco
from matching.linking import Linker
from matching.resources import make_encoder, prepare_linker
from matching.space import Encoder
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from skillmatch.settings import Settings, get_settings


def product_linker(settings: Settings | None = None) -> tuple[Taxonomy, Linker]:
    """The taxonomy and linker of the configured data directory (ESCO loaded, concept space reused or built)."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    load_esco(engine, settings.esco_dir)
    taxonomy = Taxonomy.load(engine)
    encoder = make_encoder(settings.data_dir, settings.model_name, settings.encode_threads)
    linker, _ = prepare_linker(taxonomy, encoder, settings.data_dir)
    return taxonomy, linker


def cold_runtime(folder: Path, encoder_class: type[Encoder] = Encoder) -> Runtime:
    """A runtime over a fresh SQLite database in ``folder`` with full ESCO and the configured data directory's
    concept space, whose linker encodes with an empty cache (every record text is new to it); the model is
    loaded before this returns, so that no clock started after it counts loading."""
    settings = get_settings()
    db = make_engine(f"sqlite:///{folder / 'bench.db'}")
    load_esco(db, settings.esco_dir)
    runtime = Runtime.open(settings, db=db, index_dir=folder / "indexes")
    cold = encoder_class(settings.model_name, cache_dir=folder / "cache", threads=settings.encode_threads)
    cold.encode(["warm-up: load the model before the clock starts"])
    runtime.linker.encoder = cold
    return runtime


def read_tsv(path: Path) -> list[list[str]]:
    """Rows of a tab-separated file without a header."""
    with path.open(encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip()]


def write_run(path: Path, runs: Mapping[str, Sequence[tuple[str, float]]], tag: str) -> None:
    """Write a TREC run file: ``qid Q0 doc rank score tag`` per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for qid, ranked in runs.items():
            for rank, (doc, score) in enumerate(ranked, start=1):
                fh.write(f"{qid} Q0 {doc} {rank} {score:.6f} {tag}\n")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


__all__ = ["percentile", "product_linker", "read_tsv", "write_run"]


def anonymous_mb(pid: int) -> int | None:
    """A process's anonymous memory in MB (``Anonymous`` of /proc/PID/smaps_rollup): its heap and arrays, never
    shared with a process it did not fork. Its USS also counts the pages of mapped files that no other process
    has touched yet, which are the page cache's and become shared as soon as another process reads them; None
    where the file cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Anonymous:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
