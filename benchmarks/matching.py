"""Matching benchmark on a matching-dev style set, with three baselines measured in the same run.

Usage:
    python -m benchmarks.matching --data DIR --run-out-prefix P [--confirm-occupations]

Both files are ingested through the normal ingestion path into a fresh temporary database (the concept space
of the configured data directory is reused). Jobseekers are ranked for every vacancy and vacancies for every
jobseeker with the engine's soft scoring (no hard filters: relevance already encodes language requirements);
``P.v2j.trec`` and ``P.j2v.trec`` get the top 100 of each. One JSON line per direction and system: ndcg@10, mrr,
recall@10, seconds. Baselines: BM25 over each record's whole text; one sentence embedding of that text
compared by cosine (no ESCO structure; the text shows a structured skill by its ESCO label); overlap
(Jaccard) of the structured ESCO URIs alone; the occupation of each record's title linked alone, with its
ISCO group and the language check (``title_occupation``); and, when the set's source offers give each
vacancy's gold occupation, the same with that gold in place of the vacancy's title
(``gold_occupation_oracle``: the ceiling the noisy gold sets; see ``benchmarks.occupation_baselines``).
When audit_attributes.csv is present, one more line per direction reports the audit: exposure per group of
jobseekers in the vacancy -> jobseekers rankings, and nDCG@10 per group in the other direction (the
attributes are read here, never by the engine); then the
fairness lines of ``benchmarks.fairness`` (exposure among candidates of equal relevance grade, what chance
alone gives, the counterfactual gender check with rank-biased overlap, and the targets).

``--confirm-occupations`` (a set whose source offers give the gold occupations): then each vacancy's gold
occupation is confirmed through the corrections service (``CorrectionService.set_occupation``, as a consultant
does in the pages, for that vacancy only: nothing is taught to the linker) and both directions are ranked again
(``skillmatch_occupations_confirmed``).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import occupation_baselines
from benchmarks.common import read_tsv, write_run
from benchmarks.fairness import fairness_lines
from benchmarks.metrics import ndcg, summarise
from esco_data import Taxonomy, load_esco, normalize_label
from ingestion.adapters import RecordFormat
from ingestion.models import RecordKind
from ingestion.readers import read_file
from matching.fairness import exposure_by_group, quality_by_group
from matching.profiles import ProfileKind
from matching.ranking import Filters, Match
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from skillmatch.settings import get_settings

DEPTH = 100


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for qid, _, doc, grade in read_tsv(path):
        qrels[qid][doc] = int(grade)
    return qrels


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def record_text(record: dict[str, Any], taxonomy: Taxonomy) -> str:
    """A matching-dev record's whole text as a reader sees it: titles, skills (an ESCO skill as its label in
    the record's language), summary or description."""
    lang = record.get("language") or "fr"
    parts: list[str] = [record.get("title") or ""]
    parts += [e.get("title", "") for e in record.get("experience") or []]
    for key in ("skills", "required_skills", "nice_to_have_skills"):
        value = record.get(key) or {}
        if isinstance(value, dict):
            parts += [taxonomy.label(uri, lang).text for uri in value.get("esco") or [] if uri in taxonomy]
            parts += value.get("text") or []
    parts += [record.get("summary") or "", record.get("description") or ""]
    return " . ".join(p for p in parts if p)


def record_uris(record: dict[str, Any]) -> set[str]:
    """The structured ESCO URIs of a matching-dev record."""
    uris: set[str] = set()
    for key in ("skills", "required_skills", "nice_to_have_skills"):
        value = record.get(key) or {}
        if isinstance(value, dict):
            uris.update(value.get("esco") or [])
    return uris


class BM25:
    """Okapi BM25 over normalised word tokens."""

    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.tokens = [normalize_label(d).split() for d in docs]
        self.k1, self.b = k1, b
        self.avg = sum(map(len, self.tokens)) / max(len(self.tokens), 1)
        df: Counter[str] = Counter()
        for toks in self.tokens:
            df.update(set(toks))
        n = len(self.tokens)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.tf = [Counter(toks) for toks in self.tokens]

    def scores(self, query: str) -> np.ndarray:  # type: ignore[type-arg]
        terms = normalize_label(query).split()
        out = np.zeros(len(self.tokens))
        for i, (tf, toks) in enumerate(zip(self.tf, self.tokens, strict=True)):
            norm = self.k1 * (1 - self.b + self.b * len(toks) / self.avg)
            out[i] = sum(self.idf.get(t, 0.0) * tf[t] * (self.k1 + 1) / (tf[t] + norm) for t in terms if t in tf)
        return out


def _baseline_runs(
    queries: list[dict[str, Any]],
    docs: list[dict[str, Any]],
    score: Callable[[int], np.ndarray],  # type: ignore[type-arg]
) -> dict[str, list[str]]:
    runs = {}
    for i, query in enumerate(queries):
        s = score(i)
        order = np.argsort(-s, kind="stable")[:DEPTH]
        runs[query["id"]] = [docs[j]["id"] for j in order]
    return runs


def ingested(data: Path, folder: Path, *, echo: bool = True) -> tuple[Runtime, float]:
    """A runtime over a fresh database in ``folder`` (the configured concept space reused) with the set's
    jobseekers, then its vacancies, ingested through the normal path.

    Args:
        data: the set's folder (jobseekers.jsonl, vacancies.jsonl, matching-dev layout).
        folder: a scratch folder for the database and the profile indexes.
        echo: print one JSON line per file ingested.

    Returns:
        The runtime and the seconds the ingestion took.
    """
    settings = get_settings()
    db = make_engine(f"sqlite:///{folder / 'bench.db'}")
    load_esco(db, settings.esco_dir)
    runtime = Runtime.open(settings, db=db, index_dir=folder / "indexes")
    started = time.perf_counter()
    for kind, name in ((RecordKind.jobseeker, "jobseekers.jsonl"), (RecordKind.vacancy, "vacancies.jsonl")):
        summary = runtime.ingestion.ingest(kind, read_file(data / name), source=name, fmt=RecordFormat.matching_dev)
        if echo:
            print(json.dumps({"ingested": name, **summary.as_dict(), "warnings": len(summary.warnings)}), flush=True)
    return runtime, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--run-out-prefix", type=Path, required=True)
    parser.add_argument(
        "--confirm-occupations",
        action="store_true",
        help="then confirm each vacancy's gold occupation through the corrections service and rank again",
    )
    args = parser.parse_args(argv)
    jobseekers = _records(args.data / "jobseekers.jsonl")
    vacancies = _records(args.data / "vacancies.jsonl")
    qrels = {
        "v2j": _qrels(args.data / "qrels_vacancy_to_jobseekers.tsv"),
        "j2v": _qrels(args.data / "qrels_jobseeker_to_vacancies.tsv"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        runtime, ingest_seconds = ingested(args.data, Path(tmp))
        engine = runtime.engine
        directions = {
            "v2j": (ProfileKind.vacancy, vacancies, jobseekers, engine.candidates),
            "j2v": (ProfileKind.jobseeker, jobseekers, vacancies, engine.vacancies_for),
        }
        encoder = runtime.linker.encoder
        texts = {r["id"]: record_text(r, runtime.taxonomy) for r in jobseekers + vacancies}
        vectors = dict(zip(texts, encoder.encode(list(texts.values())), strict=True))
        linked = occupation_baselines.linked_occupations(jobseekers + vacancies, runtime.linker)
        gold = occupation_baselines.gold_occupations(args.data, vacancies)
        occupation_sets = {"title_occupation": linked}
        if gold is not None:
            occupation_sets["gold_occupation_oracle"] = {**linked, **gold}
        for direction, (_, queries, docs, rank) in directions.items():
            started = time.perf_counter()
            runs = _ranked(queries, rank)
            seconds = time.perf_counter() - started
            write_run(Path(f"{args.run_out_prefix}.{direction}.trec"), runs, "skillmatch")
            ids = {q: [d for d, _ in r] for q, r in runs.items()}
            print(
                json.dumps(
                    {
                        "direction": direction,
                        "system": "skillmatch",
                        **summarise(ids, qrels[direction]),
                        "seconds": round(seconds, 2),
                        "ingest_seconds": round(ingest_seconds, 1),
                    }
                ),
                flush=True,
            )
            baselines = _baselines(queries, docs, texts, vectors)
            for name, occupations in occupation_sets.items():
                baselines[name] = occupation_baselines.scorer(queries, docs, occupations, runtime.taxonomy)
            for name, score in baselines.items():
                started = time.perf_counter()
                base_runs = _baseline_runs(queries, docs, score)
                seconds = time.perf_counter() - started
                print(
                    json.dumps(
                        {
                            "direction": direction,
                            "system": name,
                            **summarise(base_runs, qrels[direction]),
                            "seconds": round(seconds, 2),
                        }
                    ),
                    flush=True,
                )
            audit = args.data / "audit_attributes.csv"
            if audit.exists():
                with audit.open(encoding="utf-8") as fh:
                    attributes = {row.pop("id"): row for row in csv.DictReader(fh)}
                if direction == "v2j":
                    audit_line = {"exposure": exposure_by_group(ids, attributes)}
                else:
                    per_query = {q: ndcg(ids.get(q, []), grades) for q, grades in qrels[direction].items()}
                    audit_line = {"ndcg@10_by_group": quality_by_group(per_query, attributes)}
                print(json.dumps({"direction": direction, **audit_line}), flush=True)
        for line in fairness_lines(runtime, args.data):
            print(json.dumps(line, ensure_ascii=False), flush=True)
        if args.confirm_occupations:
            if gold is None:
                raise SystemExit("--confirm-occupations needs the set's source offers (the gold occupations)")
            for vacancy_id, uris in gold.items():
                runtime.corrections.set_occupation(
                    RecordKind.vacancy, vacancy_id, sorted(uris)[0], actor="benchmark", role="consultant", teach=False
                )
            for direction, (_, queries, _, rank) in directions.items():
                ids = {q: [d for d, _ in r] for q, r in _ranked(queries, rank).items()}
                line = {"direction": direction, "system": "skillmatch_occupations_confirmed"}
                print(json.dumps(line | summarise(ids, qrels[direction])), flush=True)


def _ranked(
    queries: list[dict[str, Any]], rank: Callable[[str, int, Filters], list[Match]]
) -> dict[str, list[tuple[str, float]]]:
    """The engine's list (top ``DEPTH``, soft scoring only) for every query record."""
    no_filters = Filters(active_only=False)
    return {record["id"]: [(m.id, m.score) for m in rank(record["id"], DEPTH, no_filters)] for record in queries}


def _baselines(
    queries: list[dict[str, Any]],
    docs: list[dict[str, Any]],
    texts: dict[str, str],
    vectors: dict[str, np.ndarray],  # type: ignore[type-arg]
) -> dict[str, Callable[[int], np.ndarray]]:  # type: ignore[type-arg]
    bm25 = BM25([texts[d["id"]] for d in docs])
    doc_matrix = np.stack([vectors[d["id"]] for d in docs])
    doc_uris = [record_uris(d) for d in docs]

    def jaccard(i: int) -> np.ndarray:  # type: ignore[type-arg]
        mine = record_uris(queries[i])
        return np.asarray([len(mine & u) / len(mine | u) if mine | u else 0.0 for u in doc_uris])

    return {
        "bm25": lambda i: bm25.scores(texts[queries[i]["id"]]),
        "whole_text_embedding": lambda i: doc_matrix @ vectors[queries[i]["id"]],
        "uri_overlap": jaccard,
    }


if __name__ == "__main__":
    main()
