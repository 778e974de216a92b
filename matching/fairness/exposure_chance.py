"""Whether a group's exposure differs from what chance gives: a permutation test per group.

The engine never sees the audit attributes, so under the null hypothesis ("the ranking does not depend on the
group") the attributes could be shuffled among the audited jobseekers without changing the distribution of any
group's exposure ratio. Each permutation reassigns the attribute values at random among the audited jobseekers
of the lists' pools and recomputes every group's ratio (top places against the places its share of each list's
pool would give it) and its position-weighted variant, on the same lists. For each group the report gives the
observed ratio, the 2.5th-97.5th percentile of the permuted ratios (the chance interval), the two-sided p-value
(the share of permutations at least as far from 1 as observed, counting the observation itself) and that
p-value corrected for the number of groups tested (Holm); a group whose corrected p is below ``alpha`` raises an
alert. The band of ratios that chance alone gives grows as the population shrinks: a fixed band ([0.8, 1.25])
raises alerts at random on a small set and misses real gaps on a large one; this test does neither.

The permutations are vectorised: lists as a matrix of positions into the audited population, pools either shared
by every list (the usual case: no filter depends on the vacancy) or as a membership matrix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.fairness.exposure import Attributes, position_weight

DEFAULT_PERMUTATIONS = 1000
DEFAULT_ALPHA = 0.05
METRICS = ("ratio", "weighted_ratio")


@dataclass(frozen=True)
class GroupChance:
    """One group's exposure against chance."""

    observed: float | None
    """The ratio (top places over expected places) on the lists as ranked."""
    weighted_observed: float | None
    """The same with places weighted by position."""
    low: float
    """2.5th percentile of the ratio over the permutations."""
    high: float
    """97.5th percentile."""
    weighted_low: float
    weighted_high: float
    p: float
    """Two-sided permutation p-value of the ratio."""
    p_corrected: float
    """``p`` corrected for the number of groups tested (Holm)."""
    expected_places: float
    reliable: bool
    """Enough places expected for the test to be run (else no alert, whatever p says)."""
    alert: bool


@dataclass
class ChanceReport:
    """The permutation test of every group of every audit attribute."""

    permutations: int
    alpha: float
    seed: int
    groups: dict[str, dict[str, GroupChance]] = field(default_factory=dict)

    @property
    def alerts(self) -> list[tuple[str, str]]:
        """(attribute, group) of the groups that raise an alert."""
        return [(a, g) for a, groups in self.groups.items() for g, c in groups.items() if c.alert]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "method": "permutation test of each group's exposure ratio (attributes shuffled among the audited "
            "jobseekers); interval: 2.5th-97.5th percentile; p two-sided, Holm-corrected for the groups tested",
            "permutations": self.permutations,
            "alpha": self.alpha,
            "seed": self.seed,
            "groups": {a: {g: asdict(c) for g, c in groups.items()} for a, groups in self.groups.items()},
        }


@dataclass(frozen=True)
class AuditedLists:
    """Lists and pools as positions into the audited population, ready to be permuted.

    Attributes:
        people: the audited jobseekers' ids (the population the attributes are shuffled among).
        ranked: (lists x depth) positions into ``people`` of the top places, -1 for a place held by someone
            without an audit row (or empty).
        shared_pool: positions of the one pool every list shares, or None when each list has its own.
        pools: (lists x people) membership, when the pools differ from list to list.
    """

    people: list[str]
    ranked: npt.NDArray[np.int64]
    shared_pool: npt.NDArray[np.int64] | None
    pools: npt.NDArray[np.bool_] | None


def audited_lists(
    ranked: Sequence[Sequence[str]],
    pools: Sequence[Sequence[str]] | None,
    attributes: Attributes,
    *,
    depth: int,
    shared_pool: Sequence[str] | None = None,
) -> AuditedLists:
    """Index the lists and pools over the audited jobseekers in them.

    Args:
        ranked: each list's jobseeker ids, best first.
        pools: each list's eligible pool (None when ``shared_pool`` is given).
        attributes: the audit attributes.
        depth: the top places that count.
        shared_pool: the one pool of every list.
    """
    members: set[str] = set(shared_pool) if shared_pool is not None else set().union(*(map(set, pools or [])))
    people = sorted(p for p in members if p in attributes)
    index = {p: i for i, p in enumerate(people)}
    top = np.full((len(ranked), depth), -1, dtype=np.int64)
    for row, ids in enumerate(ranked):
        for col, person in enumerate(ids[:depth]):
            top[row, col] = index.get(person, -1)
    if shared_pool is not None:
        return AuditedLists(people, top, np.asarray([index[p] for p in people], dtype=np.int64), None)
    matrix = np.zeros((len(ranked), len(people)), dtype=bool)
    for row, pool in enumerate(pools or []):
        cols = [index[p] for p in pool if p in index]
        matrix[row, cols] = True
    return AuditedLists(people, top, None, matrix)


def _ratios(
    lists: AuditedLists, codes: npt.NDArray[np.int64], groups: int, weights: npt.NDArray[np.float64], orders: Any
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each group's ratio, weighted ratio and expected places, for the observed assignment of groups (row 0) and
    for each permutation of it (one row each).

    Who holds a place, and who is in each pool, never changes; only which group each audited person belongs to
    does. So the places a list gives to people with a value, and the size of each pool, are the same under every
    permutation, and every count is a lookup into the permuted codes.

    Args:
        lists: the lists and pools.
        codes: each audited person's group (-1: no value for this attribute).
        groups: how many groups.
        weights: the position weight of each rank.
        orders: (permutations x people with a value) random orders of the people with a value.
    """
    has = np.flatnonzero(codes >= 0)
    slot = {int(p): i for i, p in enumerate(has)}
    rows, cols = np.nonzero(lists.ranked >= 0)
    holders = lists.ranked[rows, cols]
    keep = codes[holders] >= 0
    rows, cols, holders = rows[keep], cols[keep], holders[keep]
    slot_of = np.asarray([slot[int(h)] for h in holders], dtype=np.int64)
    slot_weight = weights[cols]
    n_lists = lists.ranked.shape[0]
    placed = np.bincount(rows, minlength=n_lists).astype(np.float64)
    placed_weight = np.bincount(rows, weights=slot_weight, minlength=n_lists)
    assignments = np.vstack([codes[has][None, :], codes[has][orders]])  # (1 + permutations) x people with a value
    held = assignments[:, slot_of]  # group of each place, per assignment
    ratio = np.empty((assignments.shape[0], groups))
    weighted = np.empty_like(ratio)
    expected = np.empty_like(ratio)
    if lists.shared_pool is not None:
        pool_codes = codes[lists.shared_pool]
        counts = np.bincount(pool_codes[pool_codes >= 0], minlength=groups).astype(np.float64)
        share = counts / max(counts.sum(), 1.0)
    else:
        assert lists.pools is not None
        member = lists.pools[:, has].astype(np.float32).T  # people with a value x lists
        totals = member.sum(axis=0).astype(np.float64)
    for g in range(groups):
        mine = held == g
        places = mine.sum(axis=1).astype(np.float64)
        places_weight = (mine * slot_weight).sum(axis=1)
        if lists.shared_pool is not None:
            exp, exp_weight = np.full(len(places), share[g] * placed.sum()), share[g] * placed_weight.sum()
        else:
            in_pool = (assignments == g).astype(np.float32) @ member  # assignments x lists
            list_share = np.divide(in_pool, totals, out=np.zeros(in_pool.shape), where=totals > 0)
            exp, exp_weight = list_share @ placed, list_share @ placed_weight
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio[:, g] = np.where(exp > 0, places / exp, np.nan)
            weighted[:, g] = np.where(exp_weight > 0, places_weight / exp_weight, np.nan)
        expected[:, g] = exp
    return ratio, weighted, expected


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down correction of p-values for the number of tests (family-wise error rate)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    corrected = [0.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * float(p_values[i])))
        corrected[i] = running
    return corrected


def chance_test(
    lists: AuditedLists,
    attributes: Attributes,
    *,
    permutations: int = DEFAULT_PERMUTATIONS,
    alpha: float = DEFAULT_ALPHA,
    min_expected: float = 5.0,
    seed: int = 0,
) -> ChanceReport:
    """The permutation test of every group's exposure ratio (see the module's docstring).

    Args:
        lists: the lists and pools over the audited population (``audited_lists``).
        attributes: jobseeker id -> attribute -> group.
        permutations: how many random reassignments of the attributes.
        alpha: a group whose corrected p-value is below this raises an alert.
        min_expected: a group expected to hold fewer top places raises no alert (and is not counted among the
            groups tested).
        seed: the random generator's seed (a report says which).

    Returns:
        Per attribute and group: observed ratios, chance intervals, p-values raw and corrected, alerts.
    """
    rng = np.random.default_rng(seed)
    weights = np.asarray([position_weight(r) for r in range(1, lists.ranked.shape[1] + 1)], dtype=np.float64)
    names = sorted({a for person in lists.people for a in attributes.get(person, {})})
    raw: dict[tuple[str, str], dict[str, Any]] = {}
    for name in names:
        values = [attributes.get(p, {}).get(name) for p in lists.people]
        groups = sorted({v for v in values if v is not None})
        code = {g: i for i, g in enumerate(groups)}
        codes = np.asarray([code[v] if v is not None else -1 for v in values], dtype=np.int64)
        has = int(np.count_nonzero(codes >= 0))
        orders = np.argsort(rng.random((permutations, has)), axis=1)
        ratios, weighteds, expecteds = _ratios(lists, codes, len(groups), weights, orders)
        ratio, weighted, expected = ratios[0], weighteds[0], expecteds[0]
        null, null_weighted = ratios[1:], weighteds[1:]
        for j, group in enumerate(groups):
            observed, column = ratio[j], null[:, j]
            finite = column[np.isfinite(column)]
            if math.isfinite(observed) and finite.size:
                far = np.count_nonzero(np.abs(finite - 1.0) >= abs(observed - 1.0) - 1e-12)
                p = float((1 + far) / (1 + finite.size))
            else:
                p = 1.0
            wcol = null_weighted[:, j][np.isfinite(null_weighted[:, j])]
            raw[(name, group)] = {
                "observed": _round(observed),
                "weighted_observed": _round(weighted[j]),
                "low": _percentile(finite, 2.5),
                "high": _percentile(finite, 97.5),
                "weighted_low": _percentile(wcol, 2.5),
                "weighted_high": _percentile(wcol, 97.5),
                "p": p,
                "expected_places": round(float(expected[j]), 2),
                "reliable": bool(expected[j] >= min_expected),
            }
    tested = [key for key, v in raw.items() if v["reliable"]]
    corrected = dict(zip(tested, holm([raw[k]["p"] for k in tested]), strict=True))
    report = ChanceReport(permutations=permutations, alpha=alpha, seed=seed)
    for (name, group), v in raw.items():
        p_corrected = corrected.get((name, group), 1.0)
        report.groups.setdefault(name, {})[group] = GroupChance(
            **{**v, "p": round(float(v["p"]), 4)},
            p_corrected=round(float(p_corrected), 4),
            alert=bool(v["reliable"] and p_corrected < alpha),
        )
    return report


def _round(value: float) -> float | None:
    return round(float(value), 4) if math.isfinite(value) else None


def _percentile(values: npt.NDArray[np.float64], q: float) -> float:
    return round(float(np.percentile(values, q)), 4) if values.size else float("nan")


def chance_of_lists(
    ranked: Mapping[str, Sequence[str]],
    attributes: Attributes,
    *,
    depth: int,
    pools: Mapping[str, Sequence[str]] | None = None,
    shared_pool: Sequence[str] | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    alpha: float = DEFAULT_ALPHA,
    min_expected: float = 5.0,
    seed: int = 0,
) -> ChanceReport:
    """``chance_test`` over lists given by id (vacancy id -> ranked jobseeker ids) and their pools.

    Args:
        ranked: vacancy id -> ranked jobseeker ids.
        attributes: the audit attributes.
        depth: the top places that count.
        pools: vacancy id -> its eligible pool (when the pools differ).
        shared_pool: the pool every list shares.
        permutations: see ``chance_test``.
        alpha: see ``chance_test``.
        min_expected: see ``chance_test``.
        seed: see ``chance_test``.
    """
    keys = list(ranked)
    indexed = audited_lists(
        [ranked[k] for k in keys],
        [pools[k] for k in keys] if pools is not None else None,
        attributes,
        depth=depth,
        shared_pool=shared_pool,
    )
    return chance_test(
        indexed, attributes, permutations=permutations, alpha=alpha, min_expected=min_expected, seed=seed
    )


__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_PERMUTATIONS",
    "AuditedLists",
    "ChanceReport",
    "GroupChance",
    "audited_lists",
    "chance_of_lists",
    "chance_test",
    "holm",
]
