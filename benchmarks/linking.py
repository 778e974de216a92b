"""Linking benchmark on a MELO-format set: rank ESCO concepts for every query with the engine's own linker.

Usage:
    python -m benchmarks.linking --data DIR [--kind occupation|skill] --run-out FILE [--no-baseline]

DIR holds queries.tsv, corpus_elements.tsv, concept_mapping.tsv and annotations.tsv. Each ranked concept is
expanded to its corpus elements (concept_mapping; a concept with no element in the corpus is skipped), and a
TREC run file is written (``qid Q0 element_id rank score tag``, at least 100 elements per query, scores never
increasing down a query's list). Prints one JSON line of metrics (map, mrr, success@1/5/10, queries, seconds,
per-query latency) for the linker and, in the same run, one for the plain encoder alone (cosine to every
label, best label per concept; no lexical part, no fusion, no title variants). With ``--kind skill`` the lines
also hold concept-level recall@5 and R-precision@5 (sentences with several skills). A query of the form
``title — text`` (ft_offer_texts) is a title read with its text (``Linker.link_titles``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import percentile, product_linker, read_tsv, write_run
from benchmarks.metrics import average_precision, reciprocal_rank, success
from matching.linking import Linker, LinkKind
from matching.space import Encoder

MIN_ELEMENTS = 100


class MeloSet:
    """A MELO-format evaluation set."""

    def __init__(self, directory: Path) -> None:
        self.queries = [(row[0], row[1]) for row in read_tsv(directory / "queries.tsv")]
        self.elements_of: dict[str, list[str]] = defaultdict(list)
        self.concept_of: dict[str, str] = {}
        for element, uri in read_tsv(directory / "concept_mapping.tsv"):
            self.elements_of[uri].append(element)
            self.concept_of[element] = uri
        self.relevant: dict[str, set[str]] = defaultdict(set)
        for qid, _, element, grade in read_tsv(directory / "annotations.tsv"):
            if int(grade) > 0:
                self.relevant[qid].add(element)

    def relevant_concepts(self, qid: str) -> set[str]:
        """Concepts of a query's relevant elements."""
        return {self.concept_of[e] for e in self.relevant[qid] if e in self.concept_of}


def _expand(melo: MeloSet, ranked: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    out = []
    for uri, score in ranked:
        out.extend((element, score) for element in melo.elements_of.get(uri, ()))
    return out


def _metrics(
    melo: MeloSet, runs: dict[str, list[tuple[str, float]]], concept_runs: dict[str, list[str]], kind: str
) -> dict[str, Any]:
    ap = rr = 0.0
    hits = {1: 0.0, 5: 0.0, 10: 0.0}
    recall5 = rprec5 = 0.0
    for qid, _ in melo.queries:
        grades = dict.fromkeys(melo.relevant[qid], 1)
        ranked = [e for e, _ in runs[qid]]
        ap += average_precision(ranked, grades)
        rr += reciprocal_rank(ranked, grades)
        for k in hits:
            hits[k] += success(ranked, grades, k)
        if kind == "skill":
            gold = melo.relevant_concepts(qid)
            top5 = concept_runs[qid][:5]
            if gold:
                recall5 += len(gold & set(top5)) / len(gold)
                r = min(len(gold), 5)
                rprec5 += len(gold & set(top5[:r])) / r
    n = len(melo.queries)
    result: dict[str, Any] = {
        "map": round(ap / n, 4),
        "mrr": round(rr / n, 4),
        "success@1": round(hits[1] / n, 4),
        "success@5": round(hits[5] / n, 4),
        "success@10": round(hits[10] / n, 4),
    }
    if kind == "skill":
        result |= {"recall@5": round(recall5 / n, 4), "r-precision@5": round(rprec5 / n, 4)}
    return result


def _run(
    melo: MeloSet, rank: Callable[[str, int], list[tuple[str, float]]]
) -> tuple[dict[str, list[tuple[str, float]]], dict[str, list[str]], list[float]]:
    runs: dict[str, list[tuple[str, float]]] = {}
    concept_runs: dict[str, list[str]] = {}
    latencies = []
    for qid, text in melo.queries:
        k = 100
        started = time.perf_counter()
        while True:
            ranked = rank(text, k)
            elements = _expand(melo, ranked)
            if len(elements) >= MIN_ELEMENTS or len(ranked) < k:
                break
            k *= 2
        latencies.append(time.perf_counter() - started)
        runs[qid] = elements
        concept_runs[qid] = [uri for uri, _ in ranked if uri in melo.elements_of]
    return runs, concept_runs, latencies


CONTEXT_SEPARATOR = " — "
"""Between a title and its text in a query (real-offers-dev/ft_offer_texts: title + " — " + description)."""


def product(linker: Linker, kind: LinkKind) -> Callable[[str, int], list[tuple[str, float]]]:
    """The engine's ranking: a title alone with ``link``; a title with its text with ``link_titles``."""

    def rank(text: str, k: int) -> list[tuple[str, float]]:
        if kind == "occupation" and CONTEXT_SEPARATOR in text:
            title, context = text.split(CONTEXT_SEPARATOR, 1)
            return [(c.uri, c.score) for c in linker.link_titles([title], [context], k=k)[0]]
        return [(c.uri, c.score) for c in linker.link(text, kind, k=k)]

    return rank


def plain_encoder(linker: Linker, kind: LinkKind) -> Callable[[str, int], list[tuple[str, float]]]:
    """Ranking by the encoder alone: exact cosine to every label of the kind, best label per concept."""
    index = linker.indexes[kind]
    # An aligned copy: the index's vectors sit in a memory-mapped file at an offset BLAS does not take.
    vectors = np.require(index.vectors, np.float32, ["C", "A"])

    def rank(text: str, k: int) -> list[tuple[str, float]]:
        vector = linker.encoder.encode([text])[0]
        scores = vectors @ vector
        best = np.full(len(index.concepts), -np.inf, dtype=np.float32)
        np.maximum.at(best, index.label_concepts, scores)
        order = np.argsort(-best)[:k]
        return [(linker.space.concept_uris[index.concepts[i]], float(best[i])) for i in order]

    return rank


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="MELO-format folder")
    parser.add_argument("--kind", choices=["occupation", "skill"], default="occupation")
    parser.add_argument("--run-out", type=Path, required=True, help="TREC run file to write")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain-encoder baseline")
    args = parser.parse_args(argv)
    kind: LinkKind = args.kind
    melo = MeloSet(args.data)
    _, linker = product_linker()
    # Latency is measured with a cold encoder: no query text is in the on-disk cache.
    linker.encoder = Encoder(linker.encoder.model_name, cache_dir=None, threads=linker.encoder.threads)
    linker.link("warm up", kind)
    systems: list[tuple[str, Callable[[str, int], list[tuple[str, float]]]]] = [("skillmatch", product(linker, kind))]
    if not args.no_baseline:
        systems.append(("plain_encoder", plain_encoder(linker, kind)))
    for tag, rank in systems:
        started = time.perf_counter()
        runs, concept_runs, latencies = _run(melo, rank)
        seconds = time.perf_counter() - started
        if tag == "skillmatch":
            write_run(args.run_out, runs, tag)
        line = {
            "system": tag,
            "data": args.data.name,
            "kind": kind,
            **_metrics(melo, runs, concept_runs, kind),
            "queries": len(melo.queries),
            "seconds": round(seconds, 1),
            "p50_ms": round(percentile(latencies, 50) * 1000, 2),
            "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
