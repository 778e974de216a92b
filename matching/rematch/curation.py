"""Consultants' pins and exclusions on the rematch lists: the hook through which staff decisions reach the batch.

Staff may pin profiles to the top of a list (a vacancy's candidates, a jobseeker's vacancies) or exclude
profiles from it. Where those decisions are stored belongs to the fairness and skill-gap work; the rematch
reads them through ``Curations`` so that its lists carry them too:

- an excluded profile never enters the list (the list fills from the next candidates, as when a hard filter
  removes one);
- pinned profiles come first, in the order pinned, scored by the same scorer (their score parts are stored and
  explained like any other match), as long as they are still matchable (alive and active): a pin is a staff
  choice, so the hard filters do not remove it; the ranked matches follow;
- an incremental run recomputes every list whose pins or exclusions changed since the base run.

Without a store of decisions the rematch uses ``NO_CURATIONS``: every list is exactly the online list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind


@dataclass(frozen=True)
class ListCuration:
    """The staff decisions on one list."""

    pinned: tuple[str, ...] = ()
    """Profiles placed first, in this order."""
    excluded: frozenset[str] = field(default_factory=frozenset)
    """Profiles that never appear in the list."""


@dataclass(frozen=True)
class CuratedList:
    """A list's decisions as a worker applies them: the pins with their exact cosine to the query."""

    pinned: tuple[tuple[str, float], ...] = ()
    excluded: frozenset[str] = field(default_factory=frozenset)


class Curations(Protocol):
    """Where the rematch reads pins and exclusions."""

    def for_lists(self, query_kind: ProfileKind, query_ids: Sequence[str]) -> dict[str, ListCuration]:
        """The decisions on the lists of some query profiles (lists without any are left out)."""
        ...

    def changed_since(self, query_kind: ProfileKind, since: datetime | None) -> set[str]:
        """Query profiles whose lists' decisions changed after ``since`` (None: any decision ever made)."""
        ...


class NoCurations:
    """No pins and no exclusions: every list is the online list."""

    def for_lists(self, query_kind: ProfileKind, query_ids: Sequence[str]) -> dict[str, ListCuration]:
        """No list has decisions."""
        return {}

    def changed_since(self, query_kind: ProfileKind, since: datetime | None) -> set[str]:
        """Nothing changed."""
        return set()


NO_CURATIONS = NoCurations()


def curated_lists(
    curations: dict[str, ListCuration],
    query_vectors: dict[str, npt.NDArray[np.float32]],
    other_vectors: dict[str, npt.NDArray[np.float32]],
) -> dict[str, CuratedList]:
    """The decisions of a chunk's lists, with each pin's cosine computed from the exact profile vectors.

    Args:
        curations: the decisions per query profile.
        query_vectors: the vectors of the query profiles.
        other_vectors: the vectors of every matchable profile of the other kind (a pin missing from them has
            left matching and is dropped).

    Returns:
        The decisions as a worker applies them.
    """
    out: dict[str, CuratedList] = {}
    for qid, curation in curations.items():
        query = query_vectors.get(qid)
        if query is None:
            continue
        pins: list[tuple[str, float]] = []
        for pid in dict.fromkeys(curation.pinned):
            vector = other_vectors.get(pid)
            if vector is not None and pid not in curation.excluded:
                pins.append((pid, float(np.dot(query, vector))))
        out[qid] = CuratedList(tuple(pins), curation.excluded)
    return out


__all__ = ["NO_CURATIONS", "CuratedList", "Curations", "ListCuration", "NoCurations", "curated_lists"]
