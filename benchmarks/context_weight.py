"""How much a title's text should weigh in choosing its occupation: 2-fold by offer id on ft_offer_texts.

Usage:
    python -m benchmarks.context_weight [--data DIR] [--weights 0,0.5,1,1.5,2,3,4]

For every query (title + " — " + the start of the description) the title proposes its candidates once
(``Linker.link_many``) and the text's likeness to each candidate's ESCO document is computed once
(``OccupationDocs.similarity``); then for each weight w the candidates are ranked by title score + w x likeness,
as ``Linker.link_titles`` does (a title that is exactly one occupation's label keeps it). The queries are split
in two folds by the parity of their offer id: the weight with the best success@1 on one fold is measured on the
other. Prints one JSON line per weight (success@1 per
fold and overall) and one per fold (weight chosen on the other fold, its held-out success@1). Only this weight
is chosen here; the configured ``LinkerConfig.context_weight`` is printed beside.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.common import product_linker
from benchmarks.linking import CONTEXT_SEPARATOR, MeloSet
from skillmatch.settings import REPO_ROOT

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "real-offers-dev" / "ft_offer_texts"


def _fold(qid: str) -> int:
    digits = "".join(ch for ch in qid if ch.isdigit())
    return int(digits) % 2 if digits else 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--weights", default="0,0.25,0.5,1,1.5,2,3,4")
    args = parser.parse_args(argv)
    weights = [float(w) for w in args.weights.split(",")]
    melo = MeloSet(args.data)
    _, linker = product_linker()
    assert linker.occupation_docs is not None
    titles, texts = [], []
    for _, query in melo.queries:
        title, _, text = query.partition(CONTEXT_SEPARATOR)
        titles.append(title)
        texts.append(text)
    proposed = linker.link_many(titles, "occupation", k=linker.config.context_candidates)
    # hit[q][w]: whether weight w puts a relevant concept first for query q.
    hit = np.zeros((len(titles), len(weights)), dtype=bool)
    for q, ((qid, _), title, text, found) in enumerate(zip(melo.queries, titles, texts, proposed, strict=True)):
        if not found:
            continue
        gold = melo.relevant_concepts(qid)
        scores = np.asarray([c.score for c in found], dtype=np.float32)
        lang = linker.detect_language(text) or "fr"
        likeness = linker.occupation_docs.similarity(
            f"{linker.one_gender(title, None)}\n{text}", lang, [c.uri for c in found]
        )
        exact = linker.exact_title(title)
        kept = exact is not None and exact.uri == found[0].uri  # an occupation's own label keeps it, as there
        for j, w in enumerate(weights):
            best = 0 if kept else int(np.argmax(scores + w * likeness))
            hit[q, j] = found[best].uri in gold
    folds = np.asarray([_fold(qid) for qid, _ in melo.queries])
    for j, w in enumerate(weights):
        line = {"weight": w, "success@1": round(float(hit[:, j].mean()), 4)}
        line |= {f"fold{f}": round(float(hit[folds == f, j].mean()), 4) for f in (0, 1)}
        print(json.dumps(line), flush=True)
    for f in (0, 1):
        tune, test = folds != f, folds == f
        j = int(np.argmax(hit[tune].mean(axis=0)))
        held_out = round(float(hit[test, j].mean()), 4)
        print(json.dumps({"held_out_fold": f, "weight_chosen_on_other_fold": weights[j], "success@1": held_out}))
    print(json.dumps({"configured_context_weight": linker.config.context_weight}), flush=True)


if __name__ == "__main__":
    main()
