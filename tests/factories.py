"""Valid records in the native layout, built from the ESCO slice; a test changes one field to show one behaviour.

Every call returns a new, deep-copied dict, so a test may edit nested fields freely.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, Role
from tests.esco_uris import BAKE_GOODS, KNEAD_FOOD

SOURDOUGH = "faire du pain au levain"
"""The baker's free-text skill; the linker ties it to ESCO "faire du pain" (bake bread)."""

_JOBSEEKER: dict[str, Any] = {
    "id": "J-BAKER-FR",
    "preferred_language": "fr",
    "contact": {"name": "Marie Dubois", "email": "marie.dubois@example.be", "phone": "+32 2 123 45 67"},
    "experiences": [{"title": "Boulanger", "years": 6}],
    "skills": [
        {"uri": BAKE_GOODS, "level": "advanced", "source": "dossier"},
        {"uri": KNEAD_FOOD, "source": "dossier"},
        {"text": SOURDOUGH, "source": "cv"},
    ],
    "education_level": 3,
    "languages": {"fr": "C2", "nl": "B1"},
    "driving_licences": ["B"],
    "postcode": "1000",
    "travel": {"regions": ["brussels"], "max_km": 30},
    "contract_preferences": {"types": ["permanent"], "working_time": "full_time"},
}

_VACANCY: dict[str, Any] = {
    "id": "V-BAKKER-NL",
    "employer_id": "E-0042",
    "language": "nl",
    "title": "Bakker (m/v/x)",
    "required_skills": [{"uri": BAKE_GOODS}],
    "language_requirements": {"nl": "B1"},
    "postcode": "1000",
    "contract": {"type": "permanent", "working_time": "full_time"},
    "hours_per_week": 38,
}


def jobseeker(**overrides: Any) -> dict[str, Any]:
    """A French-speaking baker in Brussels with two ESCO skills, a free-text skill and one experience.

    Args:
        overrides: top-level fields to replace (or add).
    """
    return copy.deepcopy(_JOBSEEKER) | copy.deepcopy(overrides)


def vacancy(**overrides: Any) -> dict[str, Any]:
    """A Dutch vacancy for a baker in Brussels that requires baking and Dutch at B1.

    Args:
        overrides: top-level fields to replace (or add).
    """
    return copy.deepcopy(_VACANCY) | copy.deepcopy(overrides)


def without(record: dict[str, Any], *fields: str) -> dict[str, Any]:
    """A copy of a record without some top-level fields."""
    return {key: value for key, value in copy.deepcopy(record).items() if key not in fields}


def jsonl(records: list[dict[str, Any]]) -> str:
    """Records as JSON Lines text."""
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def concepts(*uris: str, role: Role = Role.held) -> list[ProfileConcept]:
    """Skills stated in a dossier (confirmed), all with the same role."""
    return [ProfileConcept(u, role, Origin.confirmed, 1.0) for u in uris]


def occupation(uri: str) -> list[ProfileConcept]:
    """An occupation linked from a title."""
    return [ProfileConcept(uri, Role.held, Origin.extracted, 0.95, "title")]


def jobseeker_profile(pid: str, occupation_uri: str, *skills: str, **extra: object) -> Profile:
    """A French-speaking jobseeker's profile in Brussels (fr C2, nl B1) with some confirmed skills."""
    profile = Profile(
        ProfileKind.jobseeker, pid, lang="fr", skills=concepts(*skills), occupations=occupation(occupation_uri)
    )
    profile.languages = {"fr": 6, "nl": 3}
    profile.postcode = "1000"
    for key, value in extra.items():
        setattr(profile, key, value)
    return profile


def vacancy_profile(pid: str, occupation_uri: str, *required: str, **extra: object) -> Profile:
    """A Dutch vacancy's profile in Brussels (nl B1 asked) that requires some skills."""
    profile = Profile(
        ProfileKind.vacancy,
        pid,
        lang="nl",
        skills=concepts(*required, role=Role.required),
        occupations=occupation(occupation_uri),
        languages={"nl": 3},
        postcode="1000",
    )
    for key, value in extra.items():
        setattr(profile, key, value)
    return profile


__all__ = [
    "SOURDOUGH",
    "concepts",
    "jobseeker",
    "jobseeker_profile",
    "jsonl",
    "occupation",
    "vacancy",
    "vacancy_profile",
    "without",
]
