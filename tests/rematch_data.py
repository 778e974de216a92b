"""Synthetic profiles over the ESCO slice for the rematch tests (seeded: the same every run).

Jobseekers hold some essential skills of an occupation plus a few others, CEFR levels and sometimes a
licence; vacancies require some of an occupation's skills, a language level and sometimes a licence, so that
the hard filters, the widening of the candidate search and the thresholds of the incremental run all matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from esco_data import ConceptKind, Taxonomy
from matching.profiles import Origin, Profile, ProfileConcept, ProfileKind, Role
from matching.rematch import ListCuration

POSTCODES = ("1000", "1020", "1030", "1050", "1060", "1070", "1080", "1180", "1190", "1300", "1500", "2000", "9000")


class SliceProfiles:
    """Profiles from the slice's occupations and their skills."""

    def __init__(self, taxonomy: Taxonomy, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        self.occupations = [c.uri for c in taxonomy.concepts(ConceptKind.occupation)]
        self.skills_of = {
            o: list(taxonomy.skills_of(o).essential) + list(taxonomy.skills_of(o).optional) for o in self.occupations
        }
        self.occupations = [o for o in self.occupations if len(self.skills_of[o]) >= 4]
        self.all_skills = sorted({s for skills in self.skills_of.values() for s in skills})

    def _pick(self, occupation: str, low: int, high: int) -> list[str]:
        own = self.skills_of[occupation]
        n = int(self.rng.integers(low, min(high, len(own)) + 1))
        picked = [own[i] for i in self.rng.choice(len(own), n, replace=False)]
        noise = [self.all_skills[i] for i in self.rng.integers(0, len(self.all_skills), int(self.rng.integers(0, 3)))]
        return list(dict.fromkeys(picked + noise))

    def jobseeker(self, pid: str, occupation: str | None = None) -> Profile:
        """A jobseeker of a random (or given) occupation."""
        occupation = occupation or self.occupations[int(self.rng.integers(0, len(self.occupations)))]
        skills = [ProfileConcept(u, Role.held, Origin.confirmed, 1.0) for u in self._pick(occupation, 3, 9)]
        languages = {"fr": int(self.rng.integers(1, 7)), "nl": int(self.rng.integers(0, 6)), "en": 3}
        licences = ("B",) if self.rng.random() < 0.6 else ()
        return Profile(
            ProfileKind.jobseeker,
            pid,
            lang=str(self.rng.choice(["fr", "nl"])),
            skills=skills,
            occupations=[ProfileConcept(occupation, Role.held, Origin.extracted, 0.9, "title")],
            languages={k: v for k, v in languages.items() if v > 0},
            postcode=POSTCODES[int(self.rng.integers(0, len(POSTCODES)))],
            driving_licences=licences,
        )

    def vacancy(self, pid: str, occupation: str | None = None) -> Profile:
        """An open vacancy of a random (or given) occupation."""
        occupation = occupation or self.occupations[int(self.rng.integers(0, len(self.occupations)))]
        picked = self._pick(occupation, 2, 6)
        skills = [
            ProfileConcept(u, Role.required if i < 3 else Role.optional, Origin.confirmed, 1.0)
            for i, u in enumerate(picked)
        ]
        lang = str(self.rng.choice(["fr", "nl"]))
        return Profile(
            ProfileKind.vacancy,
            pid,
            lang=lang,
            skills=skills,
            occupations=[ProfileConcept(occupation, Role.held, Origin.extracted, 0.9, "title")],
            languages={lang: int(self.rng.integers(1, 5))},
            postcode=POSTCODES[int(self.rng.integers(0, len(POSTCODES)))],
            driving_licences=("B",) if self.rng.random() < 0.2 else (),
        )

    def population(self, jobseekers: int, vacancies: int) -> list[Profile]:
        """Jobseekers J0000.. and vacancies V0000.."""
        return [self.jobseeker(f"J{i:04d}") for i in range(jobseekers)] + [
            self.vacancy(f"V{i:04d}") for i in range(vacancies)
        ]


@dataclass
class StaffDecisions:
    """Pins and exclusions held in memory, with the time each list's decisions last changed."""

    lists: dict[tuple[ProfileKind, str], ListCuration] = field(default_factory=dict)
    changed_at: dict[tuple[ProfileKind, str], datetime] = field(default_factory=dict)

    def decide(self, kind: ProfileKind, query_id: str, curation: ListCuration | None) -> None:
        """Set (or, with None, revoke) the decisions on one list."""
        if curation is None:
            self.lists.pop((kind, query_id), None)
        else:
            self.lists[(kind, query_id)] = curation
        self.changed_at[(kind, query_id)] = datetime.now(UTC).replace(tzinfo=None)

    def for_lists(self, query_kind: ProfileKind, query_ids: Sequence[str]) -> dict[str, ListCuration]:
        return {q: c for q in query_ids if (c := self.lists.get((query_kind, q))) is not None}

    def changed_since(self, query_kind: ProfileKind, since: datetime | None) -> set[str]:
        after = since.replace(tzinfo=None) if since is not None else None
        return {q for (k, q), at in self.changed_at.items() if k == query_kind and (after is None or at > after)}


__all__ = ["SliceProfiles", "StaffDecisions"]
