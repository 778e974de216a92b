"""What ranking needs of a profile, computed once: its vector, weighted skills, requirements and the
distribution over occupations that its titles and skills point to.

Weights say what matters: a requirement more than a nice-to-have; a skill confirmed in the dossier more than
one extracted from text, and that more than one inferred from an occupation; a specific skill more than one
that half of all occupations need (inverse occupation frequency); plus an occupation component from titles.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from esco_data import ConceptKind, Relation, Taxonomy
from esco_data.taxonomy import ISCO_URI_PREFIX
from matching.profiles import Origin, Profile, ProfileKind, Role
from matching.ranking.location import Place, place_of
from matching.space import ConceptSpace, Vectors


@dataclass(frozen=True)
class FeatureWeights:
    """Weights of profile features (tuned on matching-dev only)."""

    confirmed: float = 1.0
    extracted: float = 0.8
    inferred: float = 0.25
    optional: float = 0.5
    """A nice-to-have skill, relative to a requirement."""
    occupation_share: float = 0.45
    """Share of the occupation component in the profile vector (skills have the rest)."""
    title_share: float = 0.4
    """Share of titles in the occupation distribution when the skills that vote are coded in the record (the
    skills vote for the rest; tuned on matching-dev)."""
    title_share_text: float = 0.8
    """Share of titles when the voting skills were found in free text, a noisier vote (tuned on
    matching-real-dev, whose vacancies are title and description only); a mix of both takes the weighted
    mean."""
    skill_votes: int = 5
    """Occupations kept from the skills' vote."""


@dataclass
class ProfileFeatures:
    """Ranking view of one profile."""

    profile: Profile
    vector: Vectors
    skills: dict[str, float]
    """Skill -> weight of the skills the record states: for a jobseeker what they hold (coded or in their
    text), for a vacancy what it asks (any role)."""
    required: dict[str, float]
    """A vacancy's explicit requirements (confirmed or extracted) -> weight."""
    optional: dict[str, float]
    """A vacancy's nice-to-have skills -> weight."""
    occupations: dict[str, float]
    """Occupation -> probability (sums to 1 when not empty)."""
    groups: dict[str, float]
    """ISCO-08 unit group -> probability."""
    place: Place | None
    languages: dict[str, int] = field(default_factory=dict)
    inferred: dict[str, float] = field(default_factory=dict)
    """Skills inferred from the record's occupations and never stated -> weight (weaker evidence, shown as
    likely, never as held)."""

    @cached_property
    def skill_set(self) -> frozenset[str]:
        """The profile's skills, as a set."""
        return frozenset(self.skills)


class FeatureBuilder:
    """Computes ``ProfileFeatures`` from profiles with the taxonomy and the concept space."""

    def __init__(self, taxonomy: Taxonomy, space: ConceptSpace, weights: FeatureWeights | None = None) -> None:
        self.taxonomy = taxonomy
        self.space = space
        self.weights = weights or FeatureWeights()
        occupations = list(taxonomy.concepts(ConceptKind.occupation))
        self._n_occupations = max(1, len(occupations))
        self._idf: dict[str, float] = {}
        self._voter_cache: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}
        self._slot_uris: list[str] = [c.uri for c in occupations]
        self._slots: dict[str, int] = {uri: i for i, uri in enumerate(self._slot_uris)}
        """Occupation -> its position in a vote count (every occupation has one from the start, so that builds on
        several threads never number one twice)."""
        self._slot_lock = threading.Lock()

    def warm(self) -> None:
        """Fill the per-skill caches (specificity, occupation votes) for every skill at once.

        They are a fixed cost of the engine (bounded by the number of ESCO skills), not of the profiles.
        """
        for concept in self.taxonomy.concepts(ConceptKind.skill):
            self.idf(concept.uri)
            self._voters(concept.uri)

    def idf(self, skill: str) -> float:
        """Specificity of a skill: log of (occupations / occupations that list it), at least 0.5."""
        value = self._idf.get(skill)
        if value is None:
            n = len(self.taxonomy.occupations_of(skill))
            value = max(0.5, math.log((1 + self._n_occupations) / (1 + n)))
            self._idf[skill] = value
        return value

    def _voters(self, skill: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The occupations that list a skill (their slots), with the share of a vote (essential 1, optional 0.5);
        cached."""
        found = self._voter_cache.get(skill)
        if found is None:
            relations = self.taxonomy.occupations_of(skill)
            slots = np.fromiter((self._slot(o) for o, _ in relations), dtype=np.int64, count=len(relations))
            shares = np.fromiter(
                (1.0 if r is Relation.essential else 0.5 for _, r in relations), dtype=np.float64, count=len(relations)
            )
            found = self._voter_cache[skill] = (slots, shares)
        return found

    def _slot(self, occupation: str) -> int:
        slot = self._slots.get(occupation)
        if slot is None:  # a relation to a concept the taxonomy does not list as an occupation
            with self._slot_lock:
                slot = self._slots.get(occupation)
                if slot is None:
                    slot = self._slots[occupation] = len(self._slot_uris)
                    self._slot_uris.append(occupation)
        return slot

    def _top_votes(self, slots: list[npt.NDArray[np.int64]], votes: list[npt.NDArray[np.float64]]) -> dict[str, float]:
        """The occupations with the most votes, most first, ties in the order of their first vote.

        Each occupation's votes are added one by one in the order they come (``np.bincount`` adds its weights in
        order), so the sums are those of adding them in a loop.
        """
        if not slots:
            return {}
        every = np.concatenate(slots)
        totals = np.bincount(every, weights=np.concatenate(votes))
        voted, first = np.unique(every, return_index=True)
        sums = totals[voted]
        order = np.lexsort((first, -sums))[: self.weights.skill_votes]
        return {self._slot_uris[int(voted[i])]: float(sums[i]) for i in order}

    def _origin_weight(self, origin: Origin) -> float:
        w = self.weights
        return {Origin.confirmed: w.confirmed, Origin.extracted: w.extracted, Origin.inferred: w.inferred}[origin]

    def build(self, profile: Profile) -> ProfileFeatures:
        """Features of one profile."""
        w = self.weights
        skills: dict[str, float] = {}
        inferred: dict[str, float] = {}
        required: dict[str, float] = {}
        optional: dict[str, float] = {}
        for concept in profile.skills:
            if concept.uri not in self.space:
                continue
            weight = self._origin_weight(concept.origin) * concept.confidence * self.idf(concept.uri)
            if concept.role is Role.optional:
                weight *= w.optional
            target = skills if concept.origin.stated else inferred
            target[concept.uri] = max(target.get(concept.uri, 0.0), weight)
            if profile.kind is ProfileKind.vacancy and concept.origin.stated:
                asked = required if concept.role is Role.required else optional
                asked[concept.uri] = max(asked.get(concept.uri, 0.0), weight)
        for uri in list(inferred):
            if uri in skills:
                del inferred[uri]
        occupations, groups = self._occupation_distribution(profile, skills)
        vector = self._vector({**inferred, **skills}, occupations, groups)
        return ProfileFeatures(
            profile=profile,
            vector=vector,
            skills=skills,
            required=required,
            optional=optional,
            occupations=occupations,
            groups=groups,
            place=place_of(profile.postcode),
            languages=dict(profile.languages),
            inferred=inferred,
        )

    def _occupation_distribution(
        self, profile: Profile, skills: dict[str, float]
    ) -> tuple[dict[str, float], dict[str, float]]:
        w = self.weights
        titles: dict[str, float] = defaultdict(float)
        for concept in profile.occupations:
            titles[concept.uri] += self._origin_weight(concept.origin) * max(concept.confidence, 1e-3)
        # Skills vote for the occupations that list them (inferred skills would only echo the titles).
        slots: list[npt.NDArray[np.int64]] = []
        votes: list[npt.NDArray[np.float64]] = []
        coded = text = 0.0
        for concept in profile.skills:
            if not concept.origin.stated or concept.uri not in skills:
                continue
            weight = skills[concept.uri]
            if concept.origin is Origin.confirmed:
                coded += weight
            else:
                text += weight
            voters, shares = self._voters(concept.uri)
            if len(voters):
                slots.append(voters)
                votes.append(weight * shares)
        top_votes = self._top_votes(slots, votes)
        title_share = (w.title_share * coded + w.title_share_text * text) / max(coded + text, 1e-9)
        dist: dict[str, float] = defaultdict(float)
        for share, part in ((title_share, titles), (1 - title_share, top_votes)):
            total = sum(part.values())
            if total <= 0:
                continue
            if not titles or not top_votes:
                share = 1.0
            for uri, value in part.items():
                dist[uri] += share * value / total
        occupations: dict[str, float] = {}
        groups: dict[str, float] = defaultdict(float)
        for uri, p in dist.items():
            found = self.taxonomy.concept(uri)
            if found.kind is ConceptKind.isco_group:
                groups[uri] += p
                continue
            occupations[uri] = p
            if found.isco_code:
                groups[ISCO_URI_PREFIX + found.isco_code] += p
        return occupations, dict(groups)

    def _vector(self, skills: dict[str, float], occupations: dict[str, float], groups: dict[str, float]) -> Vectors:
        dim = self.space.dim
        parts: list[tuple[float, Vectors]] = []
        if skills:
            uris = list(skills)
            weights = np.asarray([skills[u] for u in uris], dtype=np.float32)
            parts.append((1 - self.weights.occupation_share, weights @ self.space.vectors(uris)))
        occ = {u: p for u, p in {**groups, **occupations}.items() if u in self.space}
        if occ:
            uris = list(occ)
            weights = np.asarray([occ[u] for u in uris], dtype=np.float32)
            parts.append((self.weights.occupation_share, weights @ self.space.vectors(uris)))
        vector = np.zeros(dim, dtype=np.float32)
        for share, part in parts:
            norm = float(np.linalg.norm(part))
            if norm > 0:
                vector += (share if len(parts) > 1 else 1.0) * part / norm
        norm = float(np.linalg.norm(vector))
        return (vector / norm).astype(np.float32) if norm > 0 else vector


__all__ = ["FeatureBuilder", "FeatureWeights", "ProfileFeatures"]
