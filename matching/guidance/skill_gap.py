"""Skill gap: the missing skills that would bring the most open vacancies into a jobseeker's top k.

Computed, not guessed: for each candidate skill the jobseeker's profile is ranked again with that skill added
(as a skill of the dossier), and the vacancies that enter the top k are counted. The candidates are the
skills that the vacancies of the top k and just below it ask for (required or wished; a skill asked by a
vacancy already in the top k can still bring another one in, through the ESCO hierarchy or a close skill): a
vacancy far down the ranking does not move into the top k for one skill, and trying only those keeps the
computation within an API call.
Per vacancy, the required skills the jobseeker misses are the engine's own explanation of the pair.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, Role
from matching.ranking import Filters, MatchingEngine, SkillExplanation, score_pairs


@dataclass(frozen=True)
class SkillGapConfig:
    """How far the search for missing skills looks."""

    k: int = 10
    """The top k of the jobseeker's suggestions that a skill should bring vacancies into."""
    candidates: int = 50
    """Vacancies below the top k whose skills are tried (with those of the top k)."""
    max_skills: int = 120
    """At most this many skills are tried (the ones most of those vacancies ask for)."""


@dataclass
class SkillGain:
    """One missing skill and the vacancies it would bring into the top k."""

    uri: str
    label: str
    vacancies: list[str]
    """The vacancies that enter the top k when the skill is held."""
    asked_by: int
    """How many of the vacancies tried ask for it."""

    @property
    def gain(self) -> int:
        """How many vacancies enter the top k."""
        return len(self.vacancies)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "uri": self.uri,
            "label": self.label,
            "gain": self.gain,
            "vacancies": self.vacancies,
            "asked_by": self.asked_by,
        }


@dataclass
class SkillGapReport:
    """The jobseeker's top k now and the skills that would change it most."""

    jobseeker_id: str
    k: int
    top: list[str]
    skills: list[SkillGain] = field(default_factory=list)
    tried: int = 0

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "jobseeker_id": self.jobseeker_id,
            "k": self.k,
            "top": self.top,
            "tried": self.tried,
            "skills": [s.to_json() for s in self.skills],
        }


def with_skill(profile: Profile, uri: str) -> Profile:
    """A copy of a jobseeker's profile that holds one more skill (as if the dossier stated it)."""
    out = copy.deepcopy(profile)
    out.skills.append(ProfileConcept(uri, Role.held, Origin.confirmed, 1.0, "skill gap"))
    return out


def top_vacancies(engine: MatchingEngine, profile: Profile, k: int, filters: Filters | None = None) -> list[str]:
    """The ids of a jobseeker profile's top k open vacancies, as the engine ranks them."""
    matches = engine.rank(engine.query_features(profile), k, filters or Filters(), profile.lang, explain=False)
    return [m.id for m in matches]


def requested_skills(engine: MatchingEngine, vacancy_ids: Sequence[str]) -> Counter[str]:
    """skill URI -> how many of these vacancies ask for it (required or wished)."""
    counts: Counter[str] = Counter()
    uris = engine.space.concept_uris
    with engine.reading() as states:
        table = states[ProfileKind.vacancy].table
        for vacancy_id in vacancy_ids:
            row = table.row_of.get(vacancy_id)
            if row is None:
                continue
            asked: set[int] = set()
            for key in ("required", "optional"):
                ids, _ = table.ragged[key].row(row)
                asked.update(int(i) for i in ids.tolist())
            counts.update(uris[i] for i in asked)
    return counts


def skill_gaps(
    engine: MatchingEngine,
    profile: Profile,
    *,
    config: SkillGapConfig | None = None,
    filters: Filters | None = None,
    lang: str | None = None,
    limit: int = 10,
) -> SkillGapReport:
    """The missing skills that would bring the most open vacancies into a jobseeker's top k.

    Args:
        engine: the engine.
        profile: the jobseeker's profile.
        config: how far to look.
        filters: hard filters of the jobseeker's suggestions (default: open vacancies only).
        lang: the language of the skill labels (default: the jobseeker's).
        limit: how many skills to return.

    Returns:
        The top k now and the skills, most vacancies gained first (then the most asked for, then by URI);
        only skills that bring at least one vacancy in.

    Raises:
        IndexNotBuilt: no vacancy is indexed.
    """
    cfg = config or SkillGapConfig()
    filters = filters or Filters()
    wide = top_vacancies(engine, profile, cfg.k + cfg.candidates, filters)
    top = wide[: cfg.k]
    held = set(profile.skill_uris())
    asked = requested_skills(engine, wide)
    tried = [u for u, _ in sorted(asked.items(), key=lambda kv: (-kv[1], kv[0])) if u not in held][: cfg.max_skills]
    current = set(top)
    gains = []
    for uri in tried:
        new = top_vacancies(engine, with_skill(profile, uri), cfg.k, filters)
        entering = [v for v in new if v not in current]
        if entering:
            label = engine.taxonomy.label(uri, lang or profile.lang).text
            gains.append(SkillGain(uri, label, entering, asked[uri]))
    gains.sort(key=lambda g: (-g.gain, -g.asked_by, g.uri))
    return SkillGapReport(profile.id, cfg.k, top, gains[:limit], len(tried))


def missing_required(
    engine: MatchingEngine, profile: Profile, vacancy_id: str, lang: str | None = None
) -> dict[str, list[SkillExplanation]]:
    """A vacancy's required skills that a jobseeker misses, and those only partly covered (the engine's own
    explanation of the pair).

    Args:
        engine: the engine.
        profile: the jobseeker's profile.
        vacancy_id: the vacancy.
        lang: the language of the labels.

    Returns:
        ``{"missing": [...], "partial": [...], "nice_to_have_missing": [...]}`` (empty when the vacancy is not
        open or not indexed).
    """
    found = score_pairs(engine, profile, [vacancy_id], lang)
    if not found or found[0].explanation is None:
        return {"missing": [], "partial": [], "nice_to_have_missing": []}
    explanation = found[0].explanation
    return {
        "missing": explanation.missing,
        "partial": explanation.partial,
        "nice_to_have_missing": [s for s in explanation.nice_to_have if s.status == "missing"],
    }


__all__ = [
    "SkillGain",
    "SkillGapConfig",
    "SkillGapReport",
    "missing_required",
    "requested_skills",
    "skill_gaps",
    "top_vacancies",
    "with_skill",
]
