"""Exposure audit: how much visibility rankings give to groups of jobseekers.

This module reads rankings and the access-restricted audit attributes; the ranking code never imports it,
and nothing here feeds back into matching. Exposure of a result at rank r is 1 / log2(r + 1) (the attention a
reader gives to a position).

Two views. ``exposure_by_group`` gives each group's mean exposure per member (the benchmarks' historical
line). ``exposure_audit`` compares, per group, its share of the top places of every candidate list with its
share of the lists' eligible pools (the jobseekers each list was chosen from): a ratio of 1 is parity. Whether
a ratio is further from 1 than chance gives is the permutation test of ``exposure_chance``, whose result the
report carries (``chance``) and whose alerts it lists; a fixed band (``band``) is only for the benchmarks'
targets. Where the relevance of candidates is known (benchmarks), the same is computed among candidates of equal
relevance grade, which separates a gap that relevance explains from one that it does not.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

Band = tuple[float, float]
DEFAULT_BAND: Band = (0.8, 1.25)
"""Ratios inside this band are parity enough; outside it the audit raises an alert."""
Attributes = Mapping[str, Mapping[str, str]]
"""Jobseeker id -> audit attribute (gender, age band, nationality group) -> group."""


def position_weight(rank: int) -> float:
    """The attention a reader gives to rank ``rank`` (1 is the top): 1 / log2(rank + 1)."""
    return 1.0 / math.log2(rank + 1)


def exposure_by_group(
    rankings: Mapping[str, Sequence[str]],
    attributes: Mapping[str, Mapping[str, str]],
    *,
    depth: int = 10,
) -> dict[str, dict[str, object]]:
    """Mean exposure per member of each group, for each audit attribute.

    Args:
        rankings: query id -> ranked jobseeker ids.
        attributes: jobseeker id -> attribute -> group (e.g. ``{"gender": "F"}``).
        depth: ranks that count.

    Returns:
        attribute -> {"groups": group -> mean exposure, "members": group -> count,
        "ratio": lowest group mean / highest group mean (1.0 is parity)}.
    """
    received: dict[str, float] = defaultdict(float)
    for ranked in rankings.values():
        for rank, person in enumerate(ranked[:depth], start=1):
            received[person] += position_weight(rank)
    names = sorted({name for attrs in attributes.values() for name in attrs})
    out: dict[str, dict[str, object]] = {}
    for name in names:
        totals: dict[str, float] = defaultdict(float)
        members: dict[str, int] = defaultdict(int)
        for person, attrs in attributes.items():
            group = attrs.get(name)
            if group is None:
                continue
            totals[group] += received.get(person, 0.0)
            members[group] += 1
        means = {g: totals[g] / members[g] for g in sorted(members)}
        high = max(means.values(), default=0.0)
        # The ratio of the exact means: rounded ones would say 0 for a small but real exposure.
        ratio = round(min(means.values()) / high, 4) if high > 0 else 1.0
        out[name] = {
            "groups": {g: round(v, 4) for g, v in means.items()},
            "members": dict(sorted(members.items())),
            "ratio": ratio,
        }
    return out


def quality_by_group(
    per_jobseeker: Mapping[str, float], attributes: Mapping[str, Mapping[str, str]]
) -> dict[str, dict[str, float]]:
    """Mean of a per-jobseeker quality figure (e.g. nDCG@10 of the vacancies they are shown) per group.

    Args:
        per_jobseeker: jobseeker id -> figure.
        attributes: jobseeker id -> attribute -> group.

    Returns:
        attribute -> group -> mean figure.
    """
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for person, value in per_jobseeker.items():
        for name, group in attributes.get(person, {}).items():
            sums[name][group].append(value)
    return {
        name: {group: round(sum(v) / len(v), 4) for group, v in sorted(groups.items())}
        for name, groups in sorted(sums.items())
    }


@dataclass(frozen=True)
class CandidateList:
    """One vacancy's ranked candidates and the pool they were chosen from."""

    vacancy_id: str
    ranked: Sequence[str]
    """Jobseeker ids, best first (at least the audited depth when the pool has that many)."""
    pool: Collection[str]
    """The eligible pool: active jobseekers who pass the vacancy's hard filters (lists may share one object)."""
    grades: Mapping[str, int] | None = None
    """Relevance grade of candidates where it is known (benchmarks); everyone else in the pool is grade 0."""
    pool_counts: Mapping[tuple[str, str], int] | None = None
    """(attribute, group) -> members of the pool, when already counted (then ``pool`` is only read for grades)."""


@dataclass(frozen=True)
class GroupExposure:
    """One group's exposure over every list audited.

    Expected places are counted list by list: each list's top places (of the stratum: everyone, or the
    candidates of one relevance grade) shared out in proportion to the group's share of that list's pool (of
    the same stratum). A ratio is what the group got over what it would get in proportion; 1 is parity.
    """

    pool: int
    """Pool memberships: the group's members summed over the lists' pools."""
    pool_share: float
    """The group's share of all pool memberships."""
    places: int
    """Top places the group's members hold, summed over the lists."""
    place_share: float
    expected_places: float
    ratio: float | None
    """places / expected places (None when the group is in no pool)."""
    weighted_ratio: float | None
    """The same with places weighted by position (1 / log2(rank + 1))."""
    mean_rank: float | None
    """Mean rank of the group's places (None when it holds none)."""
    reliable: bool
    """Whether enough places are expected for the ratios to mean something (no alert otherwise)."""


@dataclass(frozen=True)
class Alert:
    """A ratio further from parity than chance gives (or, with a fixed band, outside it)."""

    attribute: str
    group: str
    metric: str
    """``ratio`` or ``weighted_ratio``."""
    value: float
    band: Band
    """The chance interval (2.5-97.5th percentile of the permuted ratios), or the fixed band."""
    grade: int | None = None
    """The relevance grade among whose candidates it was measured, or None for everyone."""
    p_corrected: float | None = None
    """The permutation p-value corrected for the number of groups (statistical alerts)."""


@dataclass
class ExposureReport:
    """Exposure per audit attribute and group, overall and per relevance grade, with its alerts."""

    depth: int
    lists: int
    places: int
    band: Band | None
    attributes: dict[str, dict[str, GroupExposure]] = field(default_factory=dict)
    by_grade: dict[int, dict[str, dict[str, GroupExposure]]] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    chance: dict[str, Any] | None = None
    """The permutation test of each group (``exposure_chance.ChanceReport.to_json``), when it ran."""

    def ratios(self, grade: int | None = None, metric: str = "ratio") -> dict[str, dict[str, float | None]]:
        """attribute -> group -> ratio (overall, or among the candidates of one grade)."""
        table = self.attributes if grade is None else self.by_grade.get(grade, {})
        return {a: {g: getattr(e, metric) for g, e in groups.items()} for a, groups in table.items()}

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "depth": self.depth,
            "lists": self.lists,
            "places": self.places,
            "band": list(self.band) if self.band is not None else None,
            "attributes": {a: {g: asdict(e) for g, e in groups.items()} for a, groups in self.attributes.items()},
            "by_grade": {
                str(grade): {a: {g: asdict(e) for g, e in groups.items()} for a, groups in table.items()}
                for grade, table in sorted(self.by_grade.items())
            },
            "alerts": [asdict(a) | {"band": list(a.band)} for a in self.alerts],
            "chance": self.chance,
        }


Key = tuple[str, str]


class _Tally:
    """Pool memberships, places and their expectations per (attribute, group) for one stratum."""

    def __init__(self) -> None:
        self.pool: Counter[Key] = Counter()
        self.places: Counter[Key] = Counter()
        self.weight: defaultdict[Key, float] = defaultdict(float)
        self.ranks: Counter[Key] = Counter()
        self.expected: defaultdict[Key, float] = defaultdict(float)
        self.expected_weight: defaultdict[Key, float] = defaultdict(float)

    def add_list(self, pool: Counter[Key], placed: Sequence[tuple[Mapping[str, str], int]]) -> None:
        """One list: its pool's group counts and the (attributes, rank) of each place of this stratum."""
        self.pool.update(pool)
        pool_total: Counter[str] = Counter()
        for (name, _), n in pool.items():
            pool_total[name] += n
        places: Counter[str] = Counter()
        weights: defaultdict[str, float] = defaultdict(float)
        for attrs, rank in placed:
            for name, group in attrs.items():
                key = (name, group)
                self.places[key] += 1
                self.weight[key] += position_weight(rank)
                self.ranks[key] += rank
                places[name] += 1
                weights[name] += position_weight(rank)
        for (name, group), n in pool.items():
            share = n / pool_total[name]
            self.expected[(name, group)] += share * places[name]
            self.expected_weight[(name, group)] += share * weights[name]

    def result(self, min_expected: float) -> dict[str, dict[str, GroupExposure]]:
        out: dict[str, dict[str, GroupExposure]] = {}
        keys = set(self.pool) | set(self.places)
        for name in sorted({n for n, _ in keys}):
            groups = sorted(g for n, g in keys if n == name)
            pool_total = sum(self.pool[(name, g)] for g in groups)
            place_total = sum(self.places[(name, g)] for g in groups)
            out[name] = {}
            for g in groups:
                key = (name, g)
                expected, expected_weight = self.expected[key], self.expected_weight[key]
                out[name][g] = GroupExposure(
                    pool=self.pool[key],
                    pool_share=round(self.pool[key] / pool_total, 4) if pool_total else 0.0,
                    places=self.places[key],
                    place_share=round(self.places[key] / place_total, 4) if place_total else 0.0,
                    expected_places=round(expected, 2),
                    ratio=round(self.places[key] / expected, 4) if expected > 0 else None,
                    weighted_ratio=round(self.weight[key] / expected_weight, 4) if expected_weight > 0 else None,
                    mean_rank=round(self.ranks[key] / self.places[key], 3) if self.places[key] else None,
                    reliable=expected >= min_expected,
                )
        return out


def _pool_counts(pool: Collection[str], attributes: Attributes) -> Counter[Key]:
    counts: Counter[Key] = Counter()
    for person in pool:
        for name, group in attributes.get(person, {}).items():
            counts[(name, group)] += 1
    return counts


def exposure_audit(
    lists: Sequence[CandidateList],
    attributes: Attributes,
    *,
    depth: int = 10,
    band: Band | None = DEFAULT_BAND,
    min_expected: float = 5.0,
) -> ExposureReport:
    """Each group's top places in the candidate lists against its share of their eligible pools.

    A jobseeker with no audit row, or no value for an attribute, counts for no group of that attribute (in the
    pools and in the places alike).

    Args:
        lists: the candidate lists (each with its pool and, in benchmarks, the relevance of its candidates).
        attributes: jobseeker id -> attribute -> group, from the restricted audit table.
        depth: the top places that count.
        band: ratios outside [low, high] raise an alert (None: no band alert; the product's alerts come from
            the permutation test, ``exposure_chance``).
        min_expected: a group expected to hold fewer places than this raises no alert.

    Returns:
        The report: per attribute and group the pool and place shares, places against expected places (the
        ratio), its position-weighted variant and the mean rank; the same per relevance grade where grades are
        known; and the alerts.
    """
    overall = _Tally()
    graded: defaultdict[int, _Tally] = defaultdict(_Tally)
    pool_cache: dict[int, Counter[Key]] = {}
    places = 0
    for item in lists:
        counts = Counter(item.pool_counts) if item.pool_counts is not None else pool_cache.get(id(item.pool))
        if counts is None:
            counts = pool_cache[id(item.pool)] = _pool_counts(item.pool, attributes)
        placed = [(attributes.get(person, {}), rank) for rank, person in enumerate(item.ranked[:depth], start=1)]
        places += len(placed)
        overall.add_list(counts, placed)
        if item.grades is None:
            continue
        members: defaultdict[int, list[str]] = defaultdict(list)
        for person, grade in item.grades.items():
            if grade and person in item.pool:
                members[grade].append(person)
        grade_of = [item.grades.get(person, 0) for person in item.ranked[:depth]]
        rest = Counter(counts)
        for grade in sorted(set(members) | set(grade_of)):
            if grade == 0:
                continue
            judged = _pool_counts(members.get(grade, []), attributes)
            rest.subtract(judged)
            graded[grade].add_list(judged, [p for p, g in zip(placed, grade_of, strict=True) if g == grade])
        graded[0].add_list(+rest, [p for p, g in zip(placed, grade_of, strict=True) if g == 0])
    report = ExposureReport(depth=depth, lists=len(lists), places=places, band=band)
    report.attributes = overall.result(min_expected)
    report.by_grade = {grade: tally.result(min_expected) for grade, tally in sorted(graded.items())}
    strata: list[tuple[int | None, dict[str, dict[str, GroupExposure]]]] = [(None, report.attributes)]
    strata += list(report.by_grade.items())
    if band is None:
        return report
    low, high = band
    for stratum, table in strata:
        for name, groups in table.items():
            for group, exposure in groups.items():
                if not exposure.reliable:
                    continue
                for metric in ("ratio", "weighted_ratio"):
                    value = getattr(exposure, metric)
                    if value is not None and not low <= value <= high:
                        report.alerts.append(Alert(name, group, metric, value, band, stratum))
    return report


__all__ = [
    "DEFAULT_BAND",
    "Alert",
    "Attributes",
    "Band",
    "CandidateList",
    "ExposureReport",
    "GroupExposure",
    "exposure_audit",
    "exposure_by_group",
    "position_weight",
    "quality_by_group",
]
