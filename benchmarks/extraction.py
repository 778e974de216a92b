"""Skill extraction benchmark: precision and recall of the skills the engine finds in text.

Usage:
    python -m benchmarks.extraction [--skills DIR] [--judged FILE] [--offers FILE] [--out FILE]

Two sets, each through the product's extractor (``matching.linking.skill_extraction``, the same as ingestion uses):

- ``skills_en`` (real English ad sentences with the ESCO skills annotators found; MELO format): micro precision
  and recall of the extracted skills against each sentence's skills.
- the 30 real-offers-dev offers judged by hand (``benchmarks/judged/real_offers_skills.jsonl``, written before
  the extractor was run on them; see its README): precision = extracted skills that are one of the judged
  items' skills of their offer; recall = judged items (with an ESCO skill) of which at least one skill is
  extracted; and how many extracted spans overlap the judged evidence of a skill they name.

Prints one JSON line per set. ``--out`` writes every extracted skill (offer, uri, label, span, verdict).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import product_linker
from benchmarks.linking import MeloSet
from matching.linking import ExtractedSkill, SkillExtractor
from skillmatch.settings import REPO_ROOT

EVAL = REPO_ROOT.parent / "shared" / "eval"
DEFAULT_SKILLS = EVAL / "skills_en"
DEFAULT_OFFERS = EVAL / "real-offers-dev" / "ft_offers_vacancies.jsonl"
DEFAULT_JUDGED = Path(__file__).resolve().parent / "judged" / "real_offers_skills.jsonl"


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def skills_en(extractor: SkillExtractor, directory: Path) -> dict[str, Any]:
    """Micro precision and recall on a MELO-format skill set (one text per query)."""
    melo = MeloSet(directory)
    started = time.perf_counter()
    found = extractor.extract_many([text for _, text in melo.queries], lang="en")
    seconds = time.perf_counter() - started
    tp = fp = fn = 0
    for (qid, _), hits in zip(melo.queries, found, strict=True):
        gold = melo.relevant_concepts(qid)
        predicted = {h.uri for h in hits}
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {
        "data": directory.name,
        "precision": precision,
        "recall": recall,
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "extracted": tp + fp,
        "gold": tp + fn,
        "texts": len(melo.queries),
        "seconds": round(seconds, 1),
    }


def judged_offers(
    extractor: SkillExtractor, judged_path: Path, offers_path: Path, out: Path | None = None
) -> dict[str, Any]:
    """Precision and recall against the hand-judged offers."""
    judged = [json.loads(line) for line in judged_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    offers = {
        record["id"]: record
        for record in map(json.loads, offers_path.read_text(encoding="utf-8").splitlines())
        if record.get("id")
    }
    texts = [offers[j["id"]]["description"] for j in judged]
    started = time.perf_counter()
    found = extractor.extract_many(texts, lang="fr")
    seconds = time.perf_counter() - started
    correct = extracted = items = items_found = in_evidence = 0
    rows: list[dict[str, Any]] = []
    for record, hits in zip(judged, found, strict=True):
        accepted = {uri for item in record["skills"] for uri in item["uris"]}
        extracted += len(hits)
        for hit in hits:
            ok = hit.uri in accepted
            correct += ok
            evidence = ok and any(hit.uri in item["uris"] and _overlaps(hit, item) for item in record["skills"])
            in_evidence += evidence
            rows.append(_row(record["id"], hit, ok))
        uris = {h.uri for h in hits}
        for item in record["skills"]:
            if item["uris"]:
                items += 1
                items_found += bool(uris & set(item["uris"]))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return {
        "data": "judged_real_offers",
        "precision": _ratio(correct, extracted),
        "recall": _ratio(items_found, items),
        "extracted": extracted,
        "correct": correct,
        "correct_with_span_on_evidence": in_evidence,
        "judged_items": items,
        "offers": len(judged),
        "seconds": round(seconds, 1),
    }


def _overlaps(hit: ExtractedSkill, item: dict[str, Any]) -> bool:
    return hit.start < int(item["end"]) and int(item["start"]) < hit.end


def _row(offer: str, hit: ExtractedSkill, ok: bool) -> dict[str, Any]:
    return {
        "offer": offer,
        "uri": hit.uri,
        "label": hit.label,
        "span": [hit.start, hit.end],
        "source": hit.source,
        "score": hit.score,
        "correct": ok,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skills", type=Path, default=DEFAULT_SKILLS, help="MELO-format skill set")
    parser.add_argument("--judged", type=Path, default=DEFAULT_JUDGED, help="hand-judged offers (JSONL)")
    parser.add_argument("--offers", type=Path, default=DEFAULT_OFFERS, help="the offers' texts (JSONL)")
    parser.add_argument("--out", type=Path, default=None, help="write every extracted skill of the judged offers")
    args = parser.parse_args(argv)
    _, linker = product_linker()
    extractor = linker.skills
    print(json.dumps(skills_en(extractor, args.skills)), flush=True)
    print(json.dumps(judged_offers(extractor, args.judged, args.offers, args.out)), flush=True)


if __name__ == "__main__":
    main()
