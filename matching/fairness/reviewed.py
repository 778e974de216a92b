"""Candidate lists as people see them: the engine's ranking with the consultants' pins and exclusions laid over it.

The overlay sits on ``MatchingEngine.match`` results, never inside the scorer: the engine ranks, then
excluded candidates are taken out (the list is refilled from further down the ranking, so it keeps its
length) and pinned ones are put on top in the order they were pinned (scored and explained by the engine even
when it did not rank them). Excluded candidates are listed apart with who excluded them and why, so that no
one disappears without a trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matching.errors import UnknownProfile
from matching.fairness.oversight import Decision, DecisionAction, OversightStore, apply_decisions
from matching.profiles import ProfileKind
from matching.ranking import Filters, Match, MatchingEngine, score_pairs


@dataclass
class ReviewedMatch:
    """One candidate shown, with the pin that put them there (if any)."""

    match: Match
    pinned: Decision | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form: the match, plus ``pinned`` (the decision) or null."""
        return {**self.match.to_json(), "pinned": self.pinned.to_json() if self.pinned else None}


@dataclass
class ReviewedList:
    """A vacancy's candidates as shown, and those taken out by a consultant."""

    vacancy_id: str
    candidates: list[ReviewedMatch]
    excluded: list[Decision] = field(default_factory=list)
    unavailable_pins: list[Decision] = field(default_factory=list)
    """Pinned jobseekers who cannot be shown (no longer active, opted out, erased)."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "vacancy_id": self.vacancy_id,
            "candidates": [c.to_json() for c in self.candidates],
            "excluded": [d.to_json() for d in self.excluded],
            "unavailable_pins": [d.to_json() for d in self.unavailable_pins],
        }


class ReviewedCandidates:
    """The online candidate lists of vacancies, with human oversight applied."""

    def __init__(self, engine: MatchingEngine, oversight: OversightStore) -> None:
        """Args:
        engine: the matching engine (its store gives the vacancy).
        oversight: the log of pins and exclusions.
        """
        self.engine = engine
        self.oversight = oversight

    def candidates(
        self, vacancy_id: str, k: int = 10, filters: Filters | None = None, lang: str | None = None
    ) -> ReviewedList:
        """A vacancy's best candidates, pins on top and exclusions out, each explained.

        Args:
            vacancy_id: the vacancy.
            k: how many candidates (pinned ones are always shown, even beyond k).
            filters: hard filters of the engine's ranking (pinned candidates are shown whatever the filters).
            lang: the reader's language.

        Raises:
            UnknownProfile: no vacancy has this id.
            IndexNotBuilt: no jobseeker is indexed.
        """
        if self.engine.store is None:
            raise UnknownProfile(f"no vacancy with id {vacancy_id!r}")
        vacancy = self.engine.store.get(ProfileKind.vacancy, vacancy_id)
        decisions = self.oversight.current(vacancy_id)
        ranked = self.engine.match(ProfileKind.vacancy, vacancy, k + len(decisions), filters, lang)
        ranked_ids = {m.id for m in ranked}
        pins = [d for d in decisions.values() if d.action is DecisionAction.pin]
        missing = [d.jobseeker_id for d in pins if d.jobseeker_id not in ranked_ids]
        extra = score_pairs(self.engine, vacancy, missing, lang) if missing else []
        shown = apply_decisions([*ranked, *extra], decisions, key=lambda m: m.id, k=k)
        found = {m.id for m in shown}
        return ReviewedList(
            vacancy_id=vacancy_id,
            candidates=[ReviewedMatch(m, decisions.get(m.id)) for m in shown],
            excluded=sorted((d for d in decisions.values() if d.action is DecisionAction.exclude), key=lambda d: d.at),
            unavailable_pins=[d for d in pins if d.jobseeker_id not in found],
        )


__all__ = ["ReviewedCandidates", "ReviewedList", "ReviewedMatch"]
