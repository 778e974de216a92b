"""Speed benchmark of matching at scale, on synthetic profiles generated from ESCO's occupation-skill relations.

Usage:
    python -m benchmarks.speed [--sizes 10000 100000 1000000] [--queries 200] [--k 20]

For each size N: N jobseekers are generated (an occupation, 6-10 of its essential skills, 0-3 unrelated
skills, CEFR levels and a Brussels postcode) and indexed (``auto`` index type: exact below 20,000 profiles,
HNSW over 8-bit quantised vectors above, over 16-bit vectors from 500,000); then vacancies generated the
same way query the index for their top-k jobseekers with re-ranking and explanations (the full online path).
Printed per size, one JSON line: build seconds, memory per profile (growth of resident memory while
indexing, divided by N), query latency p50/p99, the raw FAISS search of the same index and K in the same run
(the floor) and the ratio, and for approximate indexes recall@k of the index against an exact search over
the original (unquantised) vectors.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import tempfile
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import psutil

from benchmarks.common import percentile
from esco_data import ConceptKind, Taxonomy, load_esco
from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, Role
from matching.ranking import MIN_CANDIDATES, Filters, MatchingEngine, RelatedSkills
from matching.resources import make_encoder, prepare_linker, prepare_related
from matching.threads import single_thread
from skillmatch.db import make_engine
from skillmatch.settings import get_settings

BRUSSELS = ["1000", "1020", "1030", "1040", "1050", "1060", "1070", "1080", "1090", "1140", "1150", "1180", "1190"]


class Generator:
    """Synthetic profiles from ESCO occupations and their essential skills (seeded: the same every run)."""

    def __init__(self, taxonomy: Taxonomy, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.occupations = [
            c.uri for c in taxonomy.concepts(ConceptKind.occupation) if len(taxonomy.skills_of(c.uri).essential) >= 6
        ]
        self.essential = {o: list(taxonomy.skills_of(o).essential) for o in self.occupations}
        self.skills = [c.uri for c in taxonomy.concepts(ConceptKind.skill)]

    def _skills(self, occupation: str) -> list[str]:
        own = self.essential[occupation]
        n = int(self.rng.integers(6, min(10, len(own)) + 1))
        picked = [own[i] for i in self.rng.choice(len(own), n, replace=False)]
        noise = [self.skills[i] for i in self.rng.integers(0, len(self.skills), int(self.rng.integers(0, 4)))]
        return list(dict.fromkeys(picked + noise))

    def profile(self, kind: ProfileKind, pid: str) -> Profile:
        occupation = self.occupations[int(self.rng.integers(0, len(self.occupations)))]
        role = Role.held if kind is ProfileKind.jobseeker else Role.required
        skills = [ProfileConcept(u, role, Origin.confirmed, 1.0) for u in self._skills(occupation)]
        if kind is ProfileKind.jobseeker:
            languages = {"fr": int(self.rng.integers(2, 7)), "nl": int(self.rng.integers(0, 6)), "en": 3}
        else:
            languages = {self.rng.choice(["fr", "nl"]): int(self.rng.integers(2, 5))}
        return Profile(
            kind=kind,
            id=pid,
            lang=str(self.rng.choice(["fr", "nl"])),
            skills=skills,
            occupations=[ProfileConcept(occupation, Role.held, Origin.extracted, 0.9, "title")],
            languages={k: v for k, v in languages.items() if v > 0},
            postcode=BRUSSELS[int(self.rng.integers(0, len(BRUSSELS)))],
        )


def _rss() -> int:
    gc.collect()
    try:  # give freed heap memory back to the system, so that resident memory counts what is kept
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # pragma: no cover - not glibc
        pass
    return int(psutil.Process(os.getpid()).memory_info().rss)


def run_size(
    taxonomy: Taxonomy, space: object, related: RelatedSkills, n: int, queries: int, k: int
) -> dict[str, object]:
    """Index n synthetic jobseekers and time queries; one result line."""
    generator = Generator(taxonomy, seed=n)
    batch = 50_000
    engine = MatchingEngine(taxonomy, space, related)  # type: ignore[arg-type]
    engine.features.warm()  # per-skill caches: a fixed cost of the engine, not of the profiles
    engine.reserve(ProfileKind.jobseeker, n)
    with tempfile.TemporaryFile() as vectors_file:
        # The original vectors go to a file (not counted as memory) for the exact search of the recall check.
        before = _rss()
        started = time.perf_counter()
        for start in range(0, n, batch):
            profiles = [
                generator.profile(ProfileKind.jobseeker, f"J{i:07d}") for i in range(start, min(n, start + batch))
            ]
            features = [engine.features.build(p) for p in profiles]
            engine.upsert_features(features)
            vectors_file.write(np.stack([f.vector for f in features]).astype(np.float32).tobytes())
            del profiles, features
        engine.tables[ProfileKind.jobseeker].shrink()
        build_seconds = time.perf_counter() - started
        after = _rss()
        table, index = engine.tables[ProfileKind.jobseeker], engine.indexes[ProfileKind.jobseeker]
        query_profiles = [generator.profile(ProfileKind.vacancy, f"V{i:05d}") for i in range(queries)]
        filters = Filters(active_only=True)
        engine.candidates(query_profiles[0], k, filters)  # warm up
        latencies, raw = [], []
        fetch = max(MIN_CANDIDATES, 5 * k)
        for profile in query_profiles:
            t0 = time.perf_counter()
            engine.candidates(profile, k, filters, lang="fr")
            latencies.append(time.perf_counter() - t0)
        vectors = np.stack([engine.query_features(p).vector for p in query_profiles])
        with single_thread():
            for vector in vectors:
                t0 = time.perf_counter()
                index.search(vector, fetch)
                raw.append(time.perf_counter() - t0)
        line: dict[str, object] = {
            "profiles": n,
            "index_type": index.kind.value if index.kind else None,
            "build_seconds": round(build_seconds, 1),
            "memory_bytes_per_profile": round((after - before) / n),
            "table_bytes_per_profile": round(table.nbytes / n),
            "query_p50_ms": round(percentile(latencies, 50) * 1000, 2),
            "query_p99_ms": round(percentile(latencies, 99) * 1000, 2),
            "faiss_p50_ms": round(percentile(raw, 50) * 1000, 3),
            "faiss_p99_ms": round(percentile(raw, 99) * 1000, 3),
            "ratio_p50": round(percentile(latencies, 50) / max(percentile(raw, 50), 1e-9), 2),
            "k": k,
            "candidates": fetch,
            "queries": queries,
        }
        if index.kind is not None and index.kind.value != "flat":
            originals = _read_vectors(vectors_file, n)
            line[f"ann_recall@{k}"] = round(_recall(index, originals, vectors, k), 4)
    return line


def _read_vectors(fh: Any, n: int) -> np.ndarray:  # type: ignore[type-arg]
    fh.seek(0)
    return np.frombuffer(fh.read(), dtype=np.float32).reshape(n, -1)


def _recall(index: Any, originals: np.ndarray, queries: np.ndarray, k: int) -> float:  # type: ignore[type-arg]
    """recall@k of the index's ANN search against an exact search over the original float vectors (rows are
    positions: the benchmark indexes rows 0..n-1 in order)."""
    exact_top = np.zeros((len(queries), k), dtype=np.int64)
    best = np.full((len(queries), k), -np.inf, dtype=np.float32)
    chunk = 100_000
    for start in range(0, len(originals), chunk):
        scores = queries @ originals[start : start + chunk].T
        merged = np.concatenate([best, scores], axis=1)
        ids = np.concatenate(
            [exact_top, np.arange(start, start + scores.shape[1])[None, :].repeat(len(queries), 0)], axis=1
        )
        top = np.argpartition(-merged, k, axis=1)[:, :k]
        best = np.take_along_axis(merged, top, axis=1)
        exact_top = np.take_along_axis(ids, top, axis=1)
    hits = 0
    for q, exact in zip(queries, exact_top, strict=True):
        found, _ = index.search(q, k)
        hits += len(set(found.tolist()) & set(exact.tolist()))
    return hits / (k * len(queries))


def resources() -> tuple[Taxonomy, Any, RelatedSkills]:
    """The full ESCO taxonomy, concept space and related skills of the configured data directory."""
    settings = get_settings()
    db = make_engine(settings.database_url)
    load_esco(db, settings.esco_dir)
    taxonomy = Taxonomy.load(db)
    encoder = make_encoder(settings.data_dir, settings.model_name, settings.encode_threads)
    linker, _ = prepare_linker(taxonomy, encoder, settings.data_dir)
    return taxonomy, linker.space, prepare_related(taxonomy, linker, settings.data_dir)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=20)
    args = parser.parse_args(argv)
    taxonomy, space, related = resources()
    for n in args.sizes:
        print(json.dumps(run_size(taxonomy, space, related, n, args.queries, args.k)), flush=True)


if __name__ == "__main__":
    main()
