"""Exposure audit: how much visibility rankings give to groups of jobseekers.

This module reads rankings and the access-restricted audit attributes; the ranking code never imports it,
and nothing here feeds back into matching. Exposure of a result at rank r is 1 / log2(r + 1) (the attention a
reader gives to a position); a group's exposure is the mean, over its members, of the exposure they receive
across all queries.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence


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
            received[person] += 1.0 / math.log2(rank + 1)
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


__all__ = ["exposure_by_group", "quality_by_group"]
