"""The score's six term weights chosen 2-fold on matching-dev and matching-real-dev (issue 22).

Usage:
    python -m benchmarks.score_weights [--data DIR --data DIR] [--grid 0,0.2,1]
        [--essential-at-least 0,0.2,0.35,0.5] [--parts-cache FILE]

Each set is ingested through the normal path (``benchmarks.matching.ingested``). For every query of both
directions the engine's first stage gives its candidates (``rank_lists`` with the benchmark's depth: the nearest
``wanted_for(100)`` by profile vector, no filters) with their six score parts (``Scorer.parts``, in the order of
``COMPONENTS``). The parts do not depend on the term weights, so every weight vector re-orders the same candidates
as the engine would (the weighted sum term by term in float32, at the precision results are shown, equal scores by
id; the search itself sums in float64) and gets its nDCG@10 (gain 2^grade - 1, as ``benchmarks.metrics.ndcg``).

The objective is the mean nDCG@10 of the four lists (two sets, two directions). Queries are split in two folds by
the parity of their id's number; on one fold the weights are searched (every combination of the grid's values for
the six terms, then term by term: each weight times 0, 0.5, 0.7, 1.4 or 2 while that helps) and the best is
measured on the other fold. The relevance of both sets is graded by occupation (same occupation, same ISCO group),
so a search left free may drop the skill terms: it is run again with the essential-skill term held at least at a
share of the weights (``--essential-at-least``), which shows what a score that says how well a candidate meets the
stated requirements costs on these sets. Prints the configured weights with their nDCG@10 per list, then per
share: the held-out nDCG@10 per list (each query ranked with the weights chosen on the other fold), their mean,
the weights chosen on each fold and on all queries, and the latter's (in-sample) nDCG@10. Only the six term weights
are chosen here; the partial credits (group share, language gap, inferred credit, coverage of a vacancy that states
none) stay as configured.
"""

from __future__ import annotations

import argparse
import json
import pickle
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
    _parts64: Floats | None = None

    def ndcg(self, weights: Sequence[float], *, exact: bool = False) -> Floats:
        """nDCG@10 of every query with the candidates ordered by these term weights (normalised).

        Args:
            weights: the six term weights.
            exact: order as the engine does (the sum term by term in float32, at the precision results are
                shown, equal scores by id); otherwise the float64 sum, equal scores by id (the search: faster).
        """
        w = ScoreWeights(**dict(zip(COMPONENTS, weights, strict=True))).normalised()
        if exact:
            total = self.parts[:, :, 0] * w[0]
            for col in range(1, len(COMPONENTS)):
                total = total + self.parts[:, :, col] * w[col]
            shown = np.round(total.astype(np.float64) * 1e6)
            key = np.where(self.valid, shown - self.id_rank / 4096, -np.inf)
        else:
            key = np.where(self.valid, self.parts64 @ w.astype(np.float64) - self.id_rank * 1e-9, -np.inf)
        width = min(K, key.shape[1])
        top = np.argpartition(-key, width - 1, axis=1)[:, :width]
        order = np.argsort(-np.take_along_axis(key, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        gains = np.take_along_axis(np.where(self.valid, self.gains, 0.0), top, axis=1)
        dcg = (gains / np.log2(np.arange(width) + 2.0)).sum(axis=1)
        out: Floats = np.divide(dcg, self.idcg, out=np.zeros_like(dcg), where=self.idcg > 0)
        return out

    @property
    def parts64(self) -> Floats:
        """The score parts in float64 (made once)."""
        if self._parts64 is None:
            self._parts64 = self.parts.astype(np.float64)
        return self._parts64


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

    def best(self, fold: int | None, essential_at_least: float = 0.0) -> tuple[tuple[float, ...], float]:
        """The best weights on one fold (None: all queries): the grid, then term by term; only weights whose
        essential-skill term holds at least ``essential_at_least`` of the total are considered."""
        essential = COMPONENTS.index("essential")

        def allowed(weights: tuple[float, ...]) -> bool:
            return sum(weights) > 0 and weights[essential] >= essential_at_least * sum(weights) - 1e-12

        def value(weights: tuple[float, ...]) -> float:
            return objective(self.per_query(weights), self.lists, fold)

        best, best_value = (1.0,) * len(COMPONENTS), -1.0
        for weights in product(self.grid, repeat=len(COMPONENTS)):
            if allowed(weights) and (v := value(weights)) > best_value:
                best, best_value = weights, v
        improved = True
        while improved:
            improved = False
            for col, step in product(range(len(COMPONENTS)), STEPS):
                trial = tuple(w * step if j == col else w for j, w in enumerate(best))
                if allowed(trial) and (v := value(trial)) > best_value + 1e-9:
                    best, best_value, improved = trial, v, True
        total = sum(best)
        return tuple(round(w / total, 4) for w in best), best_value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", help="a matching-dev style set (repeatable)")
    parser.add_argument("--grid", default="0,0.2,1")
    parser.add_argument(
        "--essential-at-least",
        default="0,0.2,0.35,0.5",
        help="searches in which the essential-skill term holds at least this share of the weights",
    )
    parser.add_argument("--parts-cache", type=Path, help="keep the gathered score parts in this file (and reuse them)")
    args = parser.parse_args(argv)
    grid = [float(v) for v in args.grid.split(",")]
    floors = [float(v) for v in args.essential_at_least.split(",")]
    if args.parts_cache is not None and args.parts_cache.exists():
        lists = pickle.loads(args.parts_cache.read_bytes())
    else:
        lists = [one for data in args.data or DEFAULT_DATA for one in collect(data)]
        if args.parts_cache is not None:
            args.parts_cache.write_bytes(pickle.dumps(lists))
    configured = tuple(float(v) for v in get_settings().score_weights().normalised())
    searched = Search(lists, grid)
    shown = dict(zip(COMPONENTS, (round(w, 4) for w in configured), strict=True))
    figures = {one.name: round(float(one.ndcg(configured, exact=True).mean()), 4) for one in lists}
    mean = round(float(np.mean(list(figures.values()))), 4)
    print(json.dumps({"configured": shown, "ndcg@10": figures, "mean": mean}), flush=True)
    for floor in floors:
        chosen = {f: searched.best(f, floor)[0] for f in (0, 1)}
        overall, _ = searched.best(None, floor)
        held_out, in_sample = {}, {}
        for one in lists:
            values = np.zeros(one.folds.size)
            for f in (0, 1):
                values[one.folds == f] = one.ndcg(chosen[1 - f], exact=True)[one.folds == f]
            held_out[one.name] = round(float(values.mean()), 4)
            in_sample[one.name] = round(float(one.ndcg(overall, exact=True).mean()), 4)
        line = {
            "essential_at_least": floor,
            "held_out_ndcg@10": held_out,
            "held_out_mean": round(float(np.mean(list(held_out.values()))), 4),
            "chosen_on_fold_0": dict(zip(COMPONENTS, chosen[0], strict=True)),
            "chosen_on_fold_1": dict(zip(COMPONENTS, chosen[1], strict=True)),
            "chosen_on_all": dict(zip(COMPONENTS, overall, strict=True)),
            "chosen_on_all_ndcg@10": in_sample,
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
