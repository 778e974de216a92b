"""Counterfactual check: do rankings change when only the gendered forms of people's words change?

Each jobseeker's profile is rebuilt from their dossier with its gendered forms swapped (``ingestion`` does the
swap and the linking); the vacancy -> jobseekers lists are ranked again over the swapped jobseekers (a shadow
index, the service's own is never touched), and each jobseeker's own list of vacancies is ranked again for the
swapped profile. Each list is compared with its counterfactual by rank-biased overlap (RBO, persistence 0.9,
depth 10): 1 when the lists are equal, 0 when they share nothing, top places weighing most.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from matching.profiles import Profile, ProfileKind
from matching.ranking import Filters, MatchingEngine

PERSISTENCE = 0.9
DEPTH = 10


def rbo(left: Sequence[str], right: Sequence[str], *, p: float = PERSISTENCE, depth: int = DEPTH) -> float:
    """Rank-biased overlap of two rankings cut at a depth, extrapolated (Webber, Moffat and Zobel, 2010, eq. 32).

    Args:
        left: one ranking, best first.
        right: the other.
        p: persistence: the weight of rank d is proportional to p^(d-1).
        depth: ranks compared.

    Returns:
        A value in [0, 1]: 1 for equal rankings (two empty ones included), 0 for disjoint ones.
    """
    k = min(depth, len(left), len(right))
    if k == 0:
        return 1.0 if not left and not right else 0.0
    seen_left: set[str] = set()
    seen_right: set[str] = set()
    overlap = 0
    total = 0.0
    for d in range(1, k + 1):
        a, b = left[d - 1], right[d - 1]
        if a == b:
            overlap += 1
        else:
            overlap += (a in seen_right) + (b in seen_left)
        seen_left.add(a)
        seen_right.add(b)
        total += overlap / d * p**d
    return (overlap / k) * p**k + (1 - p) / p * total


@dataclass
class OverlapSummary:
    """RBO of many lists against their counterfactuals."""

    lists: int = 0
    mean: float = 1.0
    minimum: float = 1.0
    below: int = 0
    """Lists below the per-list floor."""
    floor: float = 0.8
    worst: list[tuple[str, float]] = field(default_factory=list)
    """The lowest lists (query id, RBO), at most ten."""

    @classmethod
    def of(cls, values: Mapping[str, float], floor: float = 0.8) -> OverlapSummary:
        """Summarise per-list RBO values."""
        if not values:
            return cls(floor=floor)
        ordered = sorted(values.items(), key=lambda kv: (kv[1], kv[0]))
        return cls(
            lists=len(values),
            mean=round(statistics.fmean(values.values()), 4),
            minimum=round(ordered[0][1], 4),
            below=sum(1 for v in values.values() if v < floor),
            floor=floor,
            worst=[(q, round(v, 4)) for q, v in ordered[:10]],
        )


@dataclass
class SideReport:
    """One side of the check (the jobseekers' dossiers swapped, or the vacancies' texts)."""

    records: int = 0
    changed: int = 0
    """Records the swap changed (a swap that changes nothing proves nothing)."""
    fields: dict[str, int] = field(default_factory=dict)
    """How many titles, skill texts, summaries ... the swap changed."""
    examples: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "records": self.records,
            "changed": self.changed,
            "fields": dict(sorted(self.fields.items())),
            "examples": self.examples,
        }


@dataclass
class CounterfactualReport:
    """What the swap changed, and how much the rankings moved."""

    records: int
    changed: int
    """Jobseeker dossiers the swap changed."""
    fields: dict[str, int]
    """How many titles, skill texts, summaries ... of the dossiers the swap changed."""
    vacancy_lists: OverlapSummary
    """Vacancy -> jobseekers lists over the swapped jobseekers."""
    jobseeker_lists: OverlapSummary
    """Each changed jobseeker's own vacancies, ranked for their swapped profile."""
    examples: list[dict[str, Any]] = field(default_factory=list)
    vacancies: SideReport = field(default_factory=SideReport)
    """The vacancies' side: titles, skill texts and descriptions swapped."""
    swapped_vacancy_lists: OverlapSummary = field(default_factory=OverlapSummary)
    """Each changed vacancy's candidates, ranked for its swapped text."""
    lists_over_swapped_vacancies: OverlapSummary = field(default_factory=OverlapSummary)
    """Jobseeker -> vacancies lists over the swapped vacancies."""

    @property
    def lists(self) -> list[OverlapSummary]:
        """Every comparison of lists, both sides."""
        return [
            self.vacancy_lists,
            self.jobseeker_lists,
            self.swapped_vacancy_lists,
            self.lists_over_swapped_vacancies,
        ]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        compared = [s for s in self.lists if s.lists]
        return {
            "records": self.records,
            "changed": self.changed,
            "fields": dict(sorted(self.fields.items())),
            "v2j_rbo": _summary_json(self.vacancy_lists),
            "j2v_rbo": _summary_json(self.jobseeker_lists),
            "examples": self.examples,
            "vacancies": self.vacancies.to_json(),
            "swapped_vacancy_v2j_rbo": _summary_json(self.swapped_vacancy_lists),
            "j2v_over_swapped_vacancies_rbo": _summary_json(self.lists_over_swapped_vacancies),
            "mean_min": min((s.mean for s in compared), default=1.0),
            "lowest": min((s.minimum for s in compared), default=1.0),
        }


def _summary_json(summary: OverlapSummary) -> dict[str, Any]:
    return {
        "lists": summary.lists,
        "mean": summary.mean,
        "min": summary.minimum,
        f"below_{summary.floor}": summary.below,
        "worst": [list(w) for w in summary.worst],
    }


def compare_side(
    engine: MatchingEngine,
    kind: ProfileKind,
    stored: Sequence[Profile],
    swapped: Mapping[str, Profile],
    askers: Iterable[Profile],
    *,
    k: int = DEPTH,
    filters: Filters | None = None,
    floor: float = 0.8,
) -> tuple[OverlapSummary, OverlapSummary]:
    """RBO of every list against its counterfactual when the records of one kind have their words swapped.

    Args:
        engine: the service's engine (its indexes are read, never changed).
        kind: the kind whose records were swapped.
        stored: every stored profile of that kind (the counterfactual pool is these, swapped ones replaced).
        swapped: profile id -> the profile built from the swapped record.
        askers: the profiles of the other kind whose lists are ranked over the counterfactual pool.
        k: list length.
        filters: hard filters of the lists (default: active profiles only).
        floor: a list below this RBO is counted.

    Returns:
        The askers' lists over the swapped pool (a shadow index holds it), and each swapped profile's own
        list ranked for it before and after the swap.

    Raises:
        IndexNotBuilt: no jobseeker or vacancy is indexed.
    """
    filters = filters or Filters()
    shadow = _shadow(engine, kind, [swapped.get(p.id, p) for p in stored])
    over: dict[str, float] = {}
    for asker in askers:
        query = engine.query_features(asker)
        before = [m.id for m in engine.rank(query, k, filters, None, explain=False)]
        after = [m.id for m in shadow.rank(query, k, filters, None, explain=False)]
        over[asker.id] = rbo(before, after, depth=k)
    originals = {p.id: p for p in stored}
    own: dict[str, float] = {}
    for profile_id, profile in swapped.items():
        original = originals.get(profile_id)
        if original is None or not original.active:
            continue
        before = [m.id for m in engine.rank(engine.query_features(original), k, filters, None, explain=False)]
        after = [m.id for m in engine.rank(engine.query_features(profile), k, filters, None, explain=False)]
        own[profile_id] = rbo(before, after, depth=k)
    return OverlapSummary.of(over, floor), OverlapSummary.of(own, floor)


def _shadow(engine: MatchingEngine, kind: ProfileKind, pool: Sequence[Profile]) -> MatchingEngine:
    """An engine like the service's whose ``kind`` index holds ``pool`` (the other kind's is shared, read only)."""
    shadow = MatchingEngine(
        engine.taxonomy,
        engine.space,
        engine.scorer.related,
        index_type=engine.index_type,
        feature_weights=engine.features.weights,
        score_weights=engine.scorer.weights,
    )
    shadow.replace(kind, shadow.build_state(kind, pool))
    return shadow


__all__ = [
    "DEPTH",
    "PERSISTENCE",
    "CounterfactualReport",
    "OverlapSummary",
    "SideReport",
    "compare_side",
    "rbo",
]
