"""Reading stored lists for people: the matches new since a run, each explained now, in the reader's language.

The batch stores score parts only; the explanation of a match is built when it is read, from the profiles as
the engine holds them now (a match whose profile has left matching since is shown without one).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from matching.profiles import ProfileKind
from matching.ranking import Explanation, MatchingEngine, other_kind
from matching.rematch.repository import RematchRepository, RunInfo, StoredMatch


@dataclass
class ExplainedMatch:
    """A stored match with its explanation (None when the profile is no longer matchable)."""

    match: StoredMatch
    explanation: Explanation | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return self.match.to_json() | {"explanation": asdict(self.explanation) if self.explanation else None}


def previous_success(repository: RematchRepository, run: RunInfo) -> int:
    """The id of the successful run before a run (0 when there is none)."""
    earlier = [r.id for r in repository.runs(limit=1000) if r.status == "succeeded" and r.id < run.id]
    return max(earlier, default=0)


def explain_matches(
    engine: MatchingEngine, query_kind: ProfileKind, query_id: str, matches: list[StoredMatch], lang: str | None
) -> list[ExplainedMatch]:
    """Explain stored matches of one query profile.

    Args:
        engine: the engine (the query's profile is read from its store).
        query_kind: the query's kind.
        query_id: the query's id.
        matches: stored matches of the query's list.
        lang: the reader's language (default: the query profile's).

    Raises:
        UnknownProfile: the query profile is not stored.
    """
    profile = engine.store.get(query_kind, query_id) if engine.store is not None else None
    if profile is None:
        return [ExplainedMatch(m, None) for m in matches]
    query = engine.query_features(profile)
    out = []
    with engine.reading() as states:
        table = states[other_kind(query_kind)].table
        for match in matches:
            row = table.row_of.get(match.match_id)
            alive = row is not None and bool(table.scalars["alive"][row]) and bool(table.scalars["active"][row])
            explanation = (
                engine.explainer.explain(query, table, row, lang or profile.lang) if row is not None and alive else None
            )
            out.append(ExplainedMatch(match, explanation))
    return out


__all__ = ["ExplainedMatch", "explain_matches", "previous_success"]
