"""The basiskit: a jobseeker's language levels and digital skills as one profile, with the gaps against the
vacancies they would otherwise fit.

Digital skills are the skills of ESCO's digital and DigComp collections. The vacancies a jobseeker "would
otherwise fit" are those the engine puts in their top n when every language requirement is taken as met
(their levels raised to what each vacancy asks): for each, the languages whose level falls short and the
digital skills it asks that the jobseeker lacks.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from esco_data import Taxonomy
from matching.profiles import Profile, ProfileKind
from matching.ranking import Filters, MatchingEngine, cefr_name, lang_name

DIGITAL_COLLECTIONS = ("digital", "dig_comp")
"""ESCO collections whose skills count as digital skills."""
TOP_LEVEL = 6  # C2


def digital_skills(taxonomy: Taxonomy) -> frozenset[str]:
    """The skills of ESCO's digital and DigComp collections."""
    return frozenset().union(*(taxonomy.collection_members(c) for c in DIGITAL_COLLECTIONS))


@dataclass
class VacancyGap:
    """What a jobseeker misses of one vacancy they would otherwise fit."""

    vacancy_id: str
    rank: int
    languages: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Language -> {"required": level, "held": level or None}, for each level that falls short."""
    digital: list[dict[str, str]] = field(default_factory=list)
    """Digital skills the vacancy asks (required or wished) that the jobseeker lacks: uri, label, role."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {"vacancy_id": self.vacancy_id, "rank": self.rank, "languages": self.languages, "digital": self.digital}


@dataclass
class Basiskit:
    """A jobseeker's language and digital profile, and its gaps against the vacancies they would otherwise fit."""

    jobseeker_id: str
    languages: dict[str, str]
    """Language -> CEFR level held."""
    digital: list[dict[str, str]]
    """Digital skills held: uri, label."""
    vacancies: list[VacancyGap]
    """The vacancies of the what-if top n that have a gap."""
    considered: int
    needed_languages: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Language -> {"level": the highest level those vacancies ask, "vacancies": how many ask more than held}."""
    needed_digital: list[dict[str, Any]] = field(default_factory=list)
    """Missing digital skills, most asked first: uri, label, vacancies."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "jobseeker_id": self.jobseeker_id,
            "languages": self.languages,
            "digital": self.digital,
            "considered": self.considered,
            "vacancies": [v.to_json() for v in self.vacancies],
            "needed_languages": self.needed_languages,
            "needed_digital": self.needed_digital,
        }


def languages_met(profile: Profile, required: dict[str, int]) -> Profile:
    """A copy of a jobseeker's profile that holds every language a set of requirements asks, at C2."""
    out = copy.deepcopy(profile)
    for lang in required:
        out.languages[lang] = max(out.languages.get(lang, 0), TOP_LEVEL)
    return out


def basiskit(
    engine: MatchingEngine,
    profile: Profile,
    *,
    n: int = 10,
    filters: Filters | None = None,
    lang: str | None = None,
) -> Basiskit:
    """A jobseeker's basiskit and its gaps against the vacancies they would otherwise fit.

    Args:
        engine: the engine.
        profile: the jobseeker's profile.
        n: how many of the what-if ranking's vacancies to consider.
        filters: hard filters of the suggestions (default: open vacancies only).
        lang: the language of the labels (default: the jobseeker's).

    Returns:
        The basiskit.

    Raises:
        IndexNotBuilt: no vacancy is indexed.
    """
    lang = lang or profile.lang
    taxonomy = engine.taxonomy
    digital = digital_skills(taxonomy)
    uris = engine.space.concept_uris
    with engine.reading() as states:
        asked = np.unique(states[ProfileKind.vacancy].table.ragged["languages"].arrays()["ids"])
    what_if = languages_met(profile, {lang_name(int(c)): TOP_LEVEL for c in asked.tolist()})
    ranked = engine.rank(engine.query_features(what_if), n, filters or Filters(), lang, explain=False)
    held = set(profile.skill_uris())
    gaps: list[VacancyGap] = []
    short: Counter[str] = Counter()
    highest: dict[str, int] = {}
    missing_digital: Counter[str] = Counter()
    with engine.reading() as states:
        table = states[ProfileKind.vacancy].table
        for position, match in enumerate(ranked, start=1):
            row = table.row_of[match.id]
            gap = VacancyGap(match.id, position)
            codes, levels = table.ragged["languages"].row(row)
            for code, level in zip(codes.tolist(), levels.tolist(), strict=True):
                name, need = lang_name(int(code)), int(level)
                have = profile.languages.get(name, 0)
                if have < need:
                    gap.languages[name] = {"required": cefr_name(need), "held": cefr_name(have)}
                    short[name] += 1
                    highest[name] = max(highest.get(name, 0), need)
            for key, role in (("required", "required"), ("optional", "wished")):
                ids, _ = table.ragged[key].row(row)
                for uri in (uris[int(i)] for i in ids.tolist()):
                    if uri in digital and uri not in held:
                        gap.digital.append({"uri": uri, "label": taxonomy.label(uri, lang).text, "role": role})
                        missing_digital[uri] += 1
            if gap.languages or gap.digital:
                gaps.append(gap)
    return Basiskit(
        jobseeker_id=profile.id,
        languages={k: cefr_name(v) or "" for k, v in sorted(profile.languages.items())},
        digital=[{"uri": u, "label": taxonomy.label(u, lang).text} for u in sorted(held & digital)],
        vacancies=gaps,
        considered=len(ranked),
        needed_languages={
            name: {"level": cefr_name(highest[name]), "vacancies": count} for name, count in sorted(short.items())
        },
        needed_digital=[
            {"uri": u, "label": taxonomy.label(u, lang).text, "vacancies": c}
            for u, c in sorted(missing_digital.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    )


__all__ = ["DIGITAL_COLLECTIONS", "Basiskit", "VacancyGap", "basiskit", "digital_skills", "languages_met"]
