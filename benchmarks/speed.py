"""Speed benchmark of matching at scale, on synthetic profiles generated from ESCO's occupation-skill relations.

Usage:
    python -m benchmarks.speed [--sizes 10000 100000 1000000] [--queries 200] [--k 20]

For each size N: N jobseekers are generated (an occupation, 6-10 of its essential skills, 0-3 unrelated
skills, CEFR levels and a Brussels postcode) and indexed (``auto`` index type: exact below 20,000 profiles,
HNSW over 8-bit quantised vectors above); then vacancies generated the same way query the index for their
top-k jobseekers with re-ranking and explanations (the full online path). Printed per size, one JSON line:
build seconds, memory per profile (growth of resident memory while indexing, divided by N), query latency
p50/p99, the raw FAISS search of the same index type and K in the same run (the floor) and its ratio, and
for approximate indexes recall@k of the ANN stage against an exact search over the same vectors.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections.abc import Sequence

import numpy as np
import psutil

from benchmarks.common import percentile
from esco_data import ConceptKind, Taxonomy, load_esco
from matching.engine import MIN_CANDIDATES, MatchingEngine
from matching.filters import Filters
from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, Role
from matching.related import RelatedSkills
from matching.resources import make_encoder, prepare_linker
from matching.runtime import prepare_related
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
    return int(psutil.Process(os.getpid()).memory_info().rss)


def run_size(
    taxonomy: Taxonomy, space: object, related: RelatedSkills, n: int, queries: int, k: int
) -> dict[str, object]:
    """Index n synthetic jobseekers and time queries; one result line."""
    generator = Generator(taxonomy, seed=n)
    batch = 50_000
    engine = MatchingEngine(taxonomy, space, related)  # type: ignore[arg-type]
    before = _rss()
    started = time.perf_counter()
    for start in range(0, n, batch):
        profiles = [generator.profile(ProfileKind.jobseeker, f"J{i:07d}") for i in range(start, min(n, start + batch))]
        engine.upsert(profiles)
        del profiles
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
    vectors = [engine.query_features(p).vector for p in query_profiles]
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
        "k": k,
        "candidates": fetch,
        "queries": queries,
    }
    line["ratio_p50"] = round(float(line["query_p50_ms"]) / max(float(line["faiss_p50_ms"]), 1e-9), 2)  # type: ignore[arg-type]
    if index.kind is not None and index.kind.value != "flat":
        line[f"ann_recall@{k}"] = round(_recall(engine, vectors, k), 4)
    return line


def _recall(engine: MatchingEngine, vectors: Sequence[np.ndarray], k: int) -> float:  # type: ignore[type-arg]
    """recall@k of the ANN stage against an exact inner-product search over the same (re-encoded) vectors."""
    import faiss

    index = engine.indexes[ProfileKind.jobseeker]
    base = index._index  # the IndexIDMap2
    n = base.ntotal
    exact = faiss.IndexFlatIP(base.d)
    ids = faiss.vector_to_array(base.id_map)
    chunk = 100_000
    for start in range(0, n, chunk):
        exact.add(np.vstack([base.reconstruct(int(i)) for i in ids[start : start + chunk]]).astype(np.float32))
    queries = np.stack(vectors).astype(np.float32)
    _, exact_pos = exact.search(queries, k)
    _, approx_ids = base.search(queries, k)
    hits = sum(len(set(ids[e].tolist()) & set(a.tolist())) for e, a in zip(exact_pos, approx_ids, strict=True))
    return hits / (k * len(vectors))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=20)
    args = parser.parse_args(argv)
    settings = get_settings()
    db = make_engine(settings.database_url)
    load_esco(db, settings.esco_dir)
    taxonomy = Taxonomy.load(db)
    encoder = make_encoder(settings.data_dir, settings.model_name, settings.encode_threads)
    linker, _ = prepare_linker(taxonomy, encoder, settings.data_dir)
    related = prepare_related(taxonomy, linker, settings.data_dir)
    for n in args.sizes:
        print(json.dumps(run_size(taxonomy, linker.space, related, n, args.queries, args.k)), flush=True)


if __name__ == "__main__":
    main()
