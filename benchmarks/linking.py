"""Linking benchmark on a MELO-format set: rank ESCO concepts for every query with the engine's own linker.

Usage:
    python -m benchmarks.linking --data DIR [--kind occupation|skill] --run-out FILE [--no-baseline] [--replay]

DIR holds queries.tsv, corpus_elements.tsv, concept_mapping.tsv and annotations.tsv. Each ranked concept is
expanded to its corpus elements (concept_mapping; a concept with no element in the corpus is skipped), and a
TREC run file is written (``qid Q0 element_id rank score tag``, at least 100 elements per query, scores never
increasing down a query's list). Prints one JSON line of metrics (map, mrr, success@1/5/10, queries, seconds,
per-query latency) for the linker and, in the same run, one for the plain encoder alone (cosine to every
label, best label per concept; no lexical part, no fusion, no title variants). Each line counts twice: by
element as MELO does (the top-level figures: the five first elements are mostly labels of one concept), and by
distinct concept (``by_concept``: a query's ranked concepts, each once, against the concepts of its relevant
elements). With ``--kind skill`` the lines also hold concept-level recall@5 and R-precision@5 (sentences with
several skills). A query of the form ``title — text`` (ft_offer_texts) is a title read with its text
(``Linker.link_titles``).

``--replay`` adds a line (``skillmatch_replay``) for a stream of corrections: the queries in file order; each is
ranked, the ranking given at that moment is what the run file holds, then the query's gold concept (its first
in annotations.tsv) is confirmed for its phrase (the title) through ``Linker.learn``, the one path a
consultant's confirmation takes, in a scratch store of learned links in a temporary database that nothing else
reads (the lines without replay are measured before it, with no learned links). It prints success@1 and
success@5 by concept over the stream, and apart on first occurrences and on repeats of a phrase (a repeat: its
``Linker.phrase_key`` was seen earlier in the file).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import percentile, product_linker, read_tsv, write_run
from benchmarks.metrics import average_precision, reciprocal_rank, success
from matching.linking import LearnedLinks, Linker, LinkKind, Verdict
from matching.linking.learned import create_tables as create_learned_tables
from matching.space import Encoder
from skillmatch.db import make_engine

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
        self.first_gold: dict[str, str] = {}
        """The concept of a query's first relevant element in annotations.tsv (what replay confirms)."""
        for qid, _, element, grade in read_tsv(directory / "annotations.tsv"):
            if int(grade) > 0:
                self.relevant[qid].add(element)
                if qid not in self.first_gold and element in self.concept_of:
                    self.first_gold[qid] = self.concept_of[element]

    def relevant_concepts(self, qid: str) -> set[str]:
        """Concepts of a query's relevant elements."""
        return {self.concept_of[e] for e in self.relevant[qid] if e in self.concept_of}


def _expand(melo: MeloSet, ranked: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    out = []
    for uri, score in ranked:
        out.extend((element, score) for element in melo.elements_of.get(uri, ()))
    return out


def by_concept(melo: MeloSet, concept_runs: dict[str, list[str]], qids: Sequence[str] | None = None) -> dict[str, Any]:
    """MAP, MRR and success@1/5/10 counted by distinct concept: each query's ranked concepts (each once) against
    the concepts of its relevant elements.

    Args:
        melo: the set.
        concept_runs: per query, its ranked concepts (those with elements in the corpus).
        qids: the queries to count (default: all).
    """
    qids = [q for q, _ in melo.queries] if qids is None else list(qids)
    ap = rr = 0.0
    hits = {1: 0.0, 5: 0.0, 10: 0.0}
    for qid in qids:
        grades = dict.fromkeys(melo.relevant_concepts(qid), 1)
        ranked = list(dict.fromkeys(concept_runs[qid]))
        ap += average_precision(ranked, grades)
        rr += reciprocal_rank(ranked, grades)
        for k in hits:
            hits[k] += success(ranked, grades, k)
    n = max(len(qids), 1)
    return {
        "map": round(ap / n, 4),
        "mrr": round(rr / n, 4),
        "success@1": round(hits[1] / n, 4),
        "success@5": round(hits[5] / n, 4),
        "success@10": round(hits[10] / n, 4),
    }


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
    return result | {"by_concept": by_concept(melo, concept_runs)}


def _run(
    melo: MeloSet,
    rank: Callable[[str, int], list[tuple[str, float]]],
    after: Callable[[str, str, list[str]], None] | None = None,
) -> tuple[dict[str, list[tuple[str, float]]], dict[str, list[str]], list[float]]:
    """Rank every query in file order; ``after(qid, text, ranked concepts)`` runs once each query is ranked."""
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
        if after is not None:
            after(qid, text, [uri for uri, _ in ranked])
    return runs, concept_runs, latencies


def phrase_of(text: str, kind: LinkKind) -> str:
    """The phrase a query teaches: a title read with its text teaches its title."""
    if kind == "occupation" and CONTEXT_SEPARATOR in text:
        return text.split(CONTEXT_SEPARATOR, 1)[0]
    return text


def replay(
    melo: MeloSet, linker: Linker, kind: LinkKind, folder: Path
) -> tuple[dict[str, list[tuple[str, float]]], dict[str, Any]]:
    """The stream of corrections (see the module's docstring), with a scratch store of learned links in ``folder``.

    Returns:
        The run (the ranking each query got at its moment) and the figures: by concept over the stream, on
        first occurrences and on repeats.
    """
    db = make_engine(f"sqlite:///{folder / 'replay-learned.db'}")
    create_learned_tables(db)
    before = linker.learned
    linker.learned = LearnedLinks(db)
    seen: set[str] = set()
    repeats: list[str] = []
    firsts: list[str] = []

    def confirm(qid: str, text: str, ranked: list[str]) -> None:
        phrase = phrase_of(text, kind)
        key = linker.phrase_key(phrase, kind)
        (repeats if key in seen else firsts).append(qid)
        seen.add(key)
        gold = melo.first_gold.get(qid)
        if gold is not None and key:
            linker.learn(phrase, kind, gold, Verdict.confirmed, proposed=ranked[:5], actor="replay", role="benchmark")

    try:
        started = time.perf_counter()
        runs, concept_runs, _ = _run(melo, product(linker, kind), confirm)
        seconds = time.perf_counter() - started
    finally:
        linker.learned = before
        db.dispose()

    def pick(figures: dict[str, Any]) -> dict[str, Any]:
        return {k: figures[k] for k in ("success@1", "success@5")}

    return runs, {
        "stream": pick(by_concept(melo, concept_runs)),
        "first_occurrences": pick(by_concept(melo, concept_runs, firsts)) | {"queries": len(firsts)},
        "repeats": pick(by_concept(melo, concept_runs, repeats)) | {"queries": len(repeats)},
        "seconds": round(seconds, 1),
    }


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
    parser.add_argument(
        "--replay",
        action="store_true",
        help="also replay the queries as a stream of confirmations (the run file then holds the replay's rankings)",
    )
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
        if tag == "skillmatch" and not args.replay:
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
    if args.replay:
        with tempfile.TemporaryDirectory(prefix="replay-") as folder:
            runs, figures = replay(melo, linker, kind, Path(folder))
        write_run(args.run_out, runs, "skillmatch_replay")
        line = {"system": "skillmatch_replay", "data": args.data.name, "kind": kind, "by_concept": figures}
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
