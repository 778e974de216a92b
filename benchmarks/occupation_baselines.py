"""Occupation-only baselines of the matching benchmark: how far the occupation of a title goes alone.

- ``title_occupation``: each record's title linked alone (``Linker.link``, k=1: the vacancy's title, each
  experience title of a jobseeker); a pair scores 2 when they share an occupation, 1 when they share an ISCO-08
  unit group, one less when the jobseeker lacks a language level the vacancy requires (the relevance of the
  matching sets is built the same way).
- ``gold_occupation_oracle``: the same, with each vacancy's gold occupation (``esco_occupations`` of the
  source offers, when the set comes with them) in place of its linked title: the ceiling that the set's
  noisy gold and the jobseekers' linked titles leave.

Ties keep the documents' file order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from esco_data import Taxonomy
from esco_data.taxonomy import ISCO_URI_PREFIX
from matching.linking import Linker
from matching.ranking import Cefr

Occupations = dict[str, frozenset[str]]


def titles_of(record: dict[str, Any]) -> list[str]:
    """The titles of a matching-dev record: a vacancy's title, a jobseeker's experience titles."""
    if record.get("title"):
        return [str(record["title"])]
    return [str(e["title"]) for e in record.get("experience") or [] if e.get("title")]


def linked_occupations(records: Sequence[dict[str, Any]], linker: Linker) -> Occupations:
    """Each record's occupations: the top concept of each of its titles linked alone."""
    pairs = [(r["id"], t) for r in records for t in titles_of(r)]
    found = linker.link_many([t for _, t in pairs], "occupation", k=1)
    out: dict[str, set[str]] = {r["id"]: set() for r in records}
    for (record_id, _), hits in zip(pairs, found, strict=True):
        out[record_id].update(h.uri for h in hits)
    return {k: frozenset(v) for k, v in out.items()}


def gold_occupations(data: Path, vacancies: Sequence[dict[str, Any]]) -> Occupations | None:
    """The vacancies' gold occupations from the set's source offers (``../ft_offers_vacancies.jsonl``), matched
    by title and description; None when the set has no such file or a vacancy is not found there."""
    source = data.parent / "ft_offers_vacancies.jsonl"
    if not source.exists():
        return None
    offers = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_text = {(o["title"], o["description"]): frozenset(o["esco_occupations"]) for o in offers}
    gold = {v["id"]: by_text.get((v.get("title"), v.get("description"))) for v in vacancies}
    if any(g is None for g in gold.values()):
        return None
    return {k: v for k, v in gold.items() if v is not None}


def _groups(occupations: frozenset[str], taxonomy: Taxonomy) -> frozenset[str]:
    groups = set()
    for uri in occupations:
        if uri in taxonomy and (code := taxonomy.concept(uri).isco_code):
            groups.add(ISCO_URI_PREFIX + code)
    return frozenset(groups)


def _levels(value: Mapping[str, str] | None) -> dict[str, int]:
    out = {}
    for lang, level in (value or {}).items():
        if str(level).upper() in Cefr.__members__:
            out[lang] = Cefr[str(level).upper()].rank
    return out


def scorer(
    queries: Sequence[dict[str, Any]],
    docs: Sequence[dict[str, Any]],
    occupations: Occupations,
    taxonomy: Taxonomy,
) -> Callable[[int], np.ndarray]:  # type: ignore[type-arg]
    """Scores of every document for query i: 2 same occupation, 1 same unit group, minus 1 for a language
    level the jobseeker lacks."""
    groups = {k: _groups(v, taxonomy) for k, v in occupations.items()}
    doc_ids = [d["id"] for d in docs]

    def languages_met(vacancy: dict[str, Any], jobseeker: dict[str, Any]) -> bool:
        held = _levels(jobseeker.get("languages"))
        return all(held.get(lang, 0) >= level for lang, level in _levels(vacancy.get("language_requirements")).items())

    def score(i: int) -> np.ndarray:  # type: ignore[type-arg]
        query = queries[i]
        mine, my_groups = occupations.get(query["id"], frozenset()), groups.get(query["id"], frozenset())
        out = np.zeros(len(docs))
        for j, doc_id in enumerate(doc_ids):
            value = 2.0 if mine & occupations.get(doc_id, frozenset()) else 0.0
            if not value and my_groups & groups.get(doc_id, frozenset()):
                value = 1.0
            if value:
                vacancy, jobseeker = (query, docs[j]) if "title" in query else (docs[j], query)
                value -= 0.0 if languages_met(vacancy, jobseeker) else 1.0
            out[j] = value
        return out

    return score


__all__ = ["gold_occupations", "linked_occupations", "scorer", "titles_of"]
