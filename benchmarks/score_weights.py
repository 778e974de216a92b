"""The score's six term weights chosen 2-fold on matching-dev and matching-real-dev (issue 22).

Usage:
    python -m benchmarks.score_weights [--data DIR --data DIR] [--grid 0,0.1,0.3,1]

Each set is ingested through the normal path (``benchmarks.matching.ingested``). For every query of both
directions the engine's first stage gives its candidates (``rank_lists`` with the benchmark's depth: the nearest
``wanted_for(100)`` by profile vector, no filters) with their six score parts (``Scorer.parts``, in the order of
``COMPONENTS``). The parts do not depend on the term weights, so every weight vector re-orders the same candidates
as the engine would (the weighted sum term by term in float32, at the precision results are shown, equal scores by
id) and gets its nDCG@10 (gain 2^grade - 1, as ``benchmarks.metrics.ndcg``).

The objective is the mean nDCG@10 of the four lists (two sets, two directions). Queries are split in two folds by
the parity of their id's number; on one fold the weights are searched (every combination of the grid's values for
the six terms, then term by term: each weight times 0, 0.5, 0.7, 1.4 or 2 while that helps) and the best is
measured on the other fold. Prints: one line per list with the configured weights' nDCG@10, the held-out figure
(each query ranked with the weights chosen on the other fold) and the figure of the weights chosen on all queries
(in-sample); one line per fold with the weights chosen on it and its objective on both folds; the weights chosen
on all queries and the configured ones (normalised to sum to 1). Only the six term weights are chosen here; the
partial credits (group share, language gap, inferred credit, coverage of a vacancy that states none) stay as
configured.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.matching import DEPTH, _qrels, ingested
from matching.profiles import ProfileKind
from matching.ranking import COMPONENTS, Filters, Queries, ScoreWeights, other_kind, rank_lists
from skillmatch.settings import REPO_ROOT, get_settings

EVAL = REPO_ROOT.parent / "shared" / "eval"
DEFAULT_DATA = [EVAL / "matching-dev", EVAL / "real-offers-dev" / "matching-real-dev"]
STEPS = (0.0, 0.5, 0.7, 1.4, 2.0)
K = 10
Floats = npt.NDArray[np.float64]


@dataclass
class Lists:
    """The candidates of every query of one set and direction, padded to the longest list."""

    name: str
    parts: npt.NDArray[np.float32]
    """(queries, candidates, 6) score parts."""
    valid: npt.NDArray[np.bool_]
    gains: Floats
    """2^grade - 1 of each candidate for its query."""
    id_rank: npt.NDArray[np.int64]
    """Each candidate's place among its query's candidates in id order (equal scores go by id)."""
    idcg: Floats
    folds: npt.NDArray[np.int64]

    def ndcg(self, weights: Sequence[float]) -> Floats:
        """nDCG@10 of every query with the candidates ordered by these term weights (normalised)."""
        w = ScoreWeights(**dict(zip(COMPONENTS, weights, strict=True))).normalised()
        total = self.parts[:, :, 0] * w[0]
        for col in range(1, len(COMPONENTS)):
            total = total + self.parts[:, :, col] * w[col]
        shown = np.round(total.astype(np.float64) * 1e6).astype(np.int64)
        key = np.where(self.valid, shown * 4096 - self.id_rank, np.iinfo(np.int64).min + 1)
        width = min(K, key.shape[1])
        top = np.argpartition(-key, width - 1, axis=1)[:, :width]
        order = np.argsort(-np.take_along_axis(key, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        gains = np.take_along_axis(np.where(self.valid, self.gains, 0.0), top, axis=1)
        dcg = (gains / np.log2(np.arange(width) + 2.0)).sum(axis=1)
        out: Floats = np.divide(dcg, self.idcg, out=np.zeros_like(dcg), where=self.idcg > 0)
        return out


def _fold(qid: str) -> int:
    digits = "".join(ch for ch in qid if ch.isdigit())
    return int(digits) % 2 if digits else 0


def _idcg(grades: Sequence[int]) -> float:
    ideal = sorted(grades, reverse=True)[:K]
    return float(sum((2**g - 1) / np.log2(i + 2) for i, g in enumerate(ideal)))


def collect(data: Path) -> list[Lists]:
    """Ingest a set and gather the candidates and score parts of every query, both directions."""
    qrels = {
        ProfileKind.vacancy: _qrels(data / "qrels_vacancy_to_jobseekers.tsv"),
        ProfileKind.jobseeker: _qrels(data / "qrels_jobseeker_to_vacancies.tsv"),
    }
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        runtime, _ = ingested(data, Path(tmp), echo=False)
        engine = runtime.engine
        assert engine.store is not None
        for kind, direction in ((ProfileKind.vacancy, "v2j"), (ProfileKind.jobseeker, "j2v")):
            qids = list(qrels[kind])
            features = [engine.query_features(engine.store.get(kind, q)) for q in qids]
            table, index = engine.tables[other_kind(kind)], engine.indexes[other_kind(kind)]
            queries = Queries.of_features(features, engine.space)
            vectors = np.stack([f.vector for f in features]).astype(np.float32)
            ranked = rank_lists(
                engine.scorer, queries, vectors, table, index, DEPTH, Filters(active_only=False), extra=10**7
            )
            sizes = np.diff(ranked.offsets)
            width = int(sizes.max())
            lists = Lists(
                name=f"{data.name} {direction}",
                parts=np.zeros((len(qids), width, len(COMPONENTS)), dtype=np.float32),
                valid=np.zeros((len(qids), width), dtype=bool),
                gains=np.zeros((len(qids), width)),
                id_rank=np.zeros((len(qids), width), dtype=np.int64),
                idcg=np.asarray([_idcg(list(qrels[kind][q].values())) for q in qids]),
                folds=np.asarray([_fold(q) for q in qids], dtype=np.int64),
            )
            for i, q in enumerate(qids):
                start, end = int(ranked.offsets[i]), int(ranked.offsets[i + 1])
                ids = [table.ids[int(r)] for r in ranked.rows[start:end]]
                n = end - start
                lists.parts[i, :n] = ranked.parts[start:end]
                lists.valid[i, :n] = True
                lists.gains[i, :n] = [2 ** qrels[kind][q].get(d, 0) - 1 for d in ids]
                lists.id_rank[i, np.argsort(np.asarray(ids, dtype=object), kind="stable")] = np.arange(n)
            out.append(lists)
        runtime.db.dispose()
    return out


def objective(per_list: Sequence[Floats], lists: Sequence[Lists], fold: int | None) -> float:
    """Mean over the lists of their mean nDCG@10 on one fold (None: all queries)."""
    means = []
    for values, one in zip(per_list, lists, strict=True):
        chosen = values if fold is None else values[one.folds == fold]
        means.append(float(chosen.mean()) if chosen.size else 0.0)
    return float(np.mean(means))


class Search:
    """The weight search, each weight vector's per-query figures computed once for every fold."""

    def __init__(self, lists: Sequence[Lists], grid: Sequence[float]) -> None:
        self.lists = lists
        self.grid = grid
        self.seen: dict[tuple[float, ...], list[Floats]] = {}

    def per_query(self, weights: Sequence[float]) -> list[Floats]:
        """nDCG@10 of every query of every list with these weights (normalised, remembered)."""
        key = tuple(np.round(np.asarray(weights) / max(sum(weights), 1e-12), 6).tolist())
        if key not in self.seen:
            self.seen[key] = [one.ndcg(key) for one in self.lists]
        return self.seen[key]

    def best(self, fold: int | None) -> tuple[tuple[float, ...], float]:
        """The best weights on one fold (None: all queries): the grid, then term by term."""

        def value(weights: tuple[float, ...]) -> float:
            return objective(self.per_query(weights), self.lists, fold)

        best, best_value = (1.0,) * len(COMPONENTS), -1.0
        for weights in product(self.grid, repeat=len(COMPONENTS)):
            if sum(weights) > 0 and (v := value(weights)) > best_value:
                best, best_value = weights, v
        improved = True
        while improved:
            improved = False
            for col, step in product(range(len(COMPONENTS)), STEPS):
                trial = tuple(w * step if j == col else w for j, w in enumerate(best))
                if sum(trial) > 0 and (v := value(trial)) > best_value + 1e-9:
                    best, best_value, improved = trial, v, True
        total = sum(best)
        return tuple(round(w / total, 4) for w in best), best_value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", help="a matching-dev style set (repeatable)")
    parser.add_argument("--grid", default="0,0.1,0.3,1")
    args = parser.parse_args(argv)
    grid = [float(v) for v in args.grid.split(",")]
    lists = [one for data in args.data or DEFAULT_DATA for one in collect(data)]
    configured = tuple(float(v) for v in get_settings().score_weights().normalised())
    searched = Search(lists, grid)
    chosen = {f: searched.best(f) for f in (0, 1)}
    overall, _ = searched.best(None)
    for one in lists:
        held_out = np.zeros(one.folds.size)
        for f in (0, 1):
            held_out[one.folds == f] = one.ndcg(chosen[1 - f][0])[one.folds == f]
        line = {
            "lists": one.name,
            "queries": int(one.folds.size),
            "configured_ndcg@10": round(float(one.ndcg(configured).mean()), 4),
            "held_out_ndcg@10": round(float(held_out.mean()), 4),
            "chosen_on_all_ndcg@10": round(float(one.ndcg(overall).mean()), 4),
        }
        print(json.dumps(line), flush=True)
    for f in (0, 1):
        weights, tuned = chosen[f]
        other = objective([one.ndcg(weights) for one in lists], lists, 1 - f)
        line = {"chosen_on_fold": f, "weights": dict(zip(COMPONENTS, weights, strict=True))}
        print(json.dumps(line | {"objective_on_it": round(tuned, 4), "objective_on_other_fold": round(other, 4)}))
    print(json.dumps({"chosen_on_all": dict(zip(COMPONENTS, overall, strict=True))}), flush=True)
    shown = dict(zip(COMPONENTS, (round(w, 4) for w in configured), strict=True))
    print(json.dumps({"configured": shown}), flush=True)


if __name__ == "__main__":
    main()
