"""Candidate lists as people see them: the engine's ranking with the consultants' pins and exclusions laid over it.

The overlay sits on ``MatchingEngine.match`` results, never inside the scorer: the engine ranks, then
excluded candidates are taken out (the list is refilled from further down the ranking, so it keeps its
length) and pinned ones are put on top in the order they were pinned (scored and explained by the engine even
when it did not rank them). Excluded candidates are listed apart with who excluded them and why, so that no
one disappears without a trace.

``lookup`` answers a consultant who asks about one person who is not on the list: their score and explanation
for this vacancy, their place in the ranking, and why they are not shown (excluded, not available for
matching, which hard filter they fail, or ranked below the list), as codes the pages translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching.errors import UnknownProfile
from matching.fairness.oversight import Decision, DecisionAction, OversightStore, apply_decisions
from matching.profiles import ProfileKind
from matching.ranking import Filters, Match, MatchingEngine, apply_filters, score_pairs

LOOKUP_DEPTH = 500
"""How deep ``lookup`` looks for a person's place in the ranking (beyond it: "below the first 500")."""


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
    eligible: int | None = None
    """Active jobseekers who pass the hard filters (the pool the list is ranked from)."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "vacancy_id": self.vacancy_id,
            "candidates": [c.to_json() for c in self.candidates],
            "excluded": [d.to_json() for d in self.excluded],
            "unavailable_pins": [d.to_json() for d in self.unavailable_pins],
            "eligible": self.eligible,
        }


@dataclass
class Lookup:
    """One jobseeker against a vacancy's list as shown.

    ``reasons`` are codes, most decisive first: ``excluded`` (a consultant's exclusion), ``unavailable`` (not
    active for matching: deactivated, opted out or erased), ``filter.min_language.<lang>``, ``filter.licence``,
    ``filter.region``, ``filter.max_km``, ``filter.requirements_met`` (a hard filter they fail), ``below`` (ranked
    below the last candidate shown), or none when they are on the list.
    """

    vacancy_id: str
    jobseeker_id: str
    match: Match | None
    """Their score and explanation for this vacancy (None when they are not available for matching)."""
    listed: bool
    rank: int | None
    """Their place in the engine's ranking under the filters (1 is first); None beyond ``LOOKUP_DEPTH`` or when
    a filter or their availability keeps them out."""
    shown: int
    last_score: float | None
    """The score of the last candidate shown (what they would need to beat)."""
    reasons: list[str] = field(default_factory=list)
    decision: Decision | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "vacancy_id": self.vacancy_id,
            "jobseeker_id": self.jobseeker_id,
            "match": self.match.to_json() if self.match else None,
            "listed": self.listed,
            "rank": self.rank,
            "shown": self.shown,
            "last_score": self.last_score,
            "reasons": self.reasons,
            "decision": self.decision.to_json() if self.decision else None,
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
            eligible=self.eligible(vacancy_id, filters),
        )

    def eligible(self, vacancy_id: str, filters: Filters | None = None) -> int:
        """How many active jobseekers pass a vacancy's hard filters (the pool its list is ranked from).

        Raises:
            UnknownProfile: no vacancy has this id.
        """
        if self.engine.store is None:
            raise UnknownProfile(f"no vacancy with id {vacancy_id!r}")
        query = self.engine.query_features(self.engine.store.get(ProfileKind.vacancy, vacancy_id))
        with self.engine.reading() as states:
            table = states[ProfileKind.jobseeker].table
            rows = np.arange(len(table), dtype=np.int64)
            return int(apply_filters(filters or Filters(), query, table, rows).sum()) if rows.size else 0

    def _failed_filters(self, vacancy_id: str, jobseeker_id: str, filters: Filters) -> list[str] | None:
        """The hard filters one jobseeker fails (codes), or None when they are not available for matching."""
        assert self.engine.store is not None
        query = self.engine.query_features(self.engine.store.get(ProfileKind.vacancy, vacancy_id))
        singles: list[tuple[str, Filters]] = [
            (f"filter.min_language.{lang}", Filters(min_languages={lang: level}))
            for lang, level in sorted(filters.min_languages.items())
        ]
        if filters.driving_licences:
            singles.append(("filter.licence", Filters(driving_licences=filters.driving_licences)))
        if filters.regions:
            singles.append(("filter.region", Filters(regions=filters.regions)))
        if filters.max_km is not None:
            singles.append(("filter.max_km", Filters(max_km=filters.max_km)))
        if filters.requirements_met:
            singles.append(("filter.requirements_met", Filters(requirements_met=True)))
        with self.engine.reading() as states:
            table = states[ProfileKind.jobseeker].table
            row = table.row_of.get(jobseeker_id)
            if row is None:
                return None
            rows = np.asarray([row], dtype=np.int64)
            if not apply_filters(Filters(), query, table, rows)[0]:
                return None
            return [code for code, single in singles if not apply_filters(single, query, table, rows)[0]]

    def lookup(
        self, vacancy_id: str, jobseeker_id: str, k: int = 10, filters: Filters | None = None, lang: str | None = None
    ) -> Lookup:
        """One jobseeker's score and explanation for a vacancy, their place, and why they are not on its list.

        Args:
            vacancy_id: the vacancy.
            jobseeker_id: the person asked about.
            k: the length of the list the consultant sees.
            filters: the list's hard filters.
            lang: the reader's language.

        Raises:
            UnknownProfile: no vacancy, or no jobseeker, has this id.
            IndexNotBuilt: no jobseeker is indexed.
        """
        if self.engine.store is None:
            raise UnknownProfile(f"no vacancy with id {vacancy_id!r}")
        filters = filters or Filters()
        vacancy = self.engine.store.get(ProfileKind.vacancy, vacancy_id)
        self.engine.store.get(ProfileKind.jobseeker, jobseeker_id)  # UnknownProfile when there is no such dossier
        shown = self.candidates(vacancy_id, k, filters, lang)
        listed = any(c.match.id == jobseeker_id for c in shown.candidates)
        decision = self.oversight.current(vacancy_id).get(jobseeker_id)
        found = score_pairs(self.engine, vacancy, [jobseeker_id], lang)
        failed = self._failed_filters(vacancy_id, jobseeker_id, filters)
        reasons: list[str] = []
        if decision is not None and decision.action is DecisionAction.exclude:
            reasons.append("excluded")
        if failed is None or not found:
            reasons.append("unavailable")
        else:
            reasons.extend(failed)
        rank = None
        if not reasons or reasons == ["excluded"]:
            ranked = self.engine.match(ProfileKind.vacancy, vacancy, LOOKUP_DEPTH, filters, lang)
            ids = [m.id for m in ranked]
            rank = ids.index(jobseeker_id) + 1 if jobseeker_id in ids else None
        if not listed and not reasons:
            reasons.append("below")
        scores = [c.match.score for c in shown.candidates if c.pinned is None]
        return Lookup(
            vacancy_id=vacancy_id,
            jobseeker_id=jobseeker_id,
            match=found[0] if found else None,
            listed=listed,
            rank=rank,
            shown=len(shown.candidates),
            last_score=min(scores) if scores else None,
            reasons=reasons,
            decision=decision,
        )


__all__ = ["LOOKUP_DEPTH", "Lookup", "ReviewedCandidates", "ReviewedList", "ReviewedMatch"]
