"""The engine's score and explanation of given pairs: one query profile against named profiles of the other kind.

The ranked lists answer "who is best"; this answers "how does this one candidate fit" (a pinned candidate the
engine did not rank, the missing skills of one vacancy), with the same scorer and explainer, so the figures
agree with the lists.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.profiles import Profile
from matching.ranking.engine import Match, MatchingEngine, other_kind
from matching.ranking.explain import band
from matching.ranking.scoring import COMPONENTS


def score_pairs(
    engine: MatchingEngine, query: Profile, ids: Sequence[str], lang: str | None = None, *, explain: bool = True
) -> list[Match]:
    """Score and explain a query profile against some profiles of the other kind, in the order given.

    Profiles that are not indexed (unknown, removed or inactive) are left out.

    Args:
        engine: the engine (its store gives the candidates' vectors).
        query: a vacancy (the ids are jobseekers) or a jobseeker (the ids are vacancies).
        ids: the candidates.
        lang: the reader's language (default: the query's).
        explain: build explanations.

    Returns:
        One match per indexed candidate.
    """
    kind = other_kind(query.kind)
    features = engine.query_features(query)
    lang = lang or query.lang
    with engine.reading() as states:
        table = states[kind].table
        wanted = [
            (i, table.row_of[i])
            for i in dict.fromkeys(ids)
            if i in table.row_of
            and table.scalars["alive"][table.row_of[i]]
            and table.scalars["active"][table.row_of[i]]
        ]
        if not wanted:
            return []
        vectors = []
        for person, _ in wanted:
            stored = engine.store.get(kind, person) if engine.store is not None else None
            vectors.append(engine.features.build(stored).vector if stored is not None else features.vector * 0)
        rows = np.asarray([row for _, row in wanted], dtype=np.int64)
        cosine = (np.stack(vectors) @ features.vector).astype(np.float32)
        scored = engine.scorer.score(features, table, rows, cosine)
        out = []
        for i, (person, row) in enumerate(wanted):
            explained = engine.explainer.explain(features, table, row, lang) if explain else None
            score = float(scored.scores[i])
            out.append(
                Match(
                    id=person,
                    kind=kind,
                    score=round(score, 6),
                    components={n: round(float(v), 4) for n, v in zip(COMPONENTS, scored.components[i], strict=True)},
                    explanation=explained,
                    band=band(score, explained) if explained is not None else None,
                )
            )
        return out


__all__ = ["score_pairs"]
