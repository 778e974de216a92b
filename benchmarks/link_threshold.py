"""Precision of the linker's best occupation against its score: where to keep a shortage-list link unreviewed.

Usage:
    python -m benchmarks.link_threshold [--target 0.9]

For every title of the occupation dev sets (MELO fra_q_fr_c_fr and nld_q_nl_c_nl, real-offers-dev
ft_offer_titles) the engine's own linker gives its best concept and score. At each threshold t (0.50 to 1.00
by 0.025), precision is the share of titles scoring >= t whose best concept is right (a relevant concept of
the set), and coverage the share of titles scoring >= t. One JSON line per set with the curve, one per
language with the curve of that language's sets pooled (the shortage lists are in French and Dutch), and a
last line with the lowest threshold from which precision stays >= the target, per set and per language: the
threshold of a list's language is the one the service uses (none: no threshold reaches the target, every title
of that language waits for review).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

import numpy as np

from benchmarks.common import product_linker
from benchmarks.linking import MeloSet
from skillmatch.settings import REPO_ROOT

EVAL = REPO_ROOT.parent / "shared" / "eval"
SETS = {
    "fra_q_fr_c_fr": EVAL / "melo" / "fra_q_fr_c_fr",
    "nld_q_nl_c_nl": EVAL / "melo" / "nld_q_nl_c_nl",
    "ft_offer_titles": EVAL / "real-offers-dev" / "ft_offer_titles",
}
LANGS = {"fra_q_fr_c_fr": "fr", "nld_q_nl_c_nl": "nl", "ft_offer_titles": "fr"}
THRESHOLDS = [round(0.5 + 0.025 * i, 3) for i in range(21)]


def lowest_threshold(scores: np.ndarray, right: np.ndarray, target: float) -> float | None:  # type: ignore[type-arg]
    """The lowest threshold of the grid from which precision never drops below the target (None if none)."""
    chosen = None
    for t in reversed(THRESHOLDS):
        kept = scores >= t
        if kept.any() and right[kept].mean() < target:
            break
        chosen = t
    return chosen


def _curve(scores: np.ndarray, right: np.ndarray) -> list[dict[str, float | None]]:  # type: ignore[type-arg]
    out = []
    for t in THRESHOLDS:
        kept = scores >= t
        precision = round(float(right[kept].mean()), 4) if kept.any() else None
        out.append({"t": t, "precision": precision, "coverage": round(float(kept.mean()), 4)})
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=0.9)
    args = parser.parse_args(argv)
    _, linker = product_linker()
    lowest: dict[str, float | None] = {}
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}  # type: ignore[type-arg]
    for name, directory in SETS.items():
        melo = MeloSet(directory)
        texts = [text for _, text in melo.queries]
        best = [found[0] if found else None for found in linker.link_many(texts, "occupation", k=1)]
        scores = np.asarray([b.score if b else 0.0 for b in best])
        right = np.asarray(
            [
                b is not None and b.uri in melo.relevant_concepts(qid)
                for b, (qid, _) in zip(best, melo.queries, strict=True)
            ]
        )
        pooled.setdefault(LANGS[name], []).append((scores, right))
        lowest[name] = lowest_threshold(scores, right, args.target)
        line = {"set": name, "titles": len(texts), "success@1": round(float(right.mean()), 4)}
        print(json.dumps(line | {"curve": _curve(scores, right)}), flush=True)
    by_lang: dict[str, float | None] = {}
    for lang, parts in sorted(pooled.items()):
        scores = np.concatenate([p[0] for p in parts])
        right = np.concatenate([p[1] for p in parts])
        by_lang[lang] = lowest_threshold(scores, right, args.target)
        print(json.dumps({"language": lang, "titles": len(scores), "curve": _curve(scores, right)}), flush=True)
    print(json.dumps({"target_precision": args.target, "lowest_threshold": lowest, "threshold_by_language": by_lang}))


if __name__ == "__main__":
    main()
