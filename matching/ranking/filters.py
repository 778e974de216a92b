"""Hard filters, a staff choice: minimum language levels, driving licences, regions, distance, and only
active jobseekers / open vacancies; defined on pairs (``matching.ranking.pairs``), one query or many at once."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matching.ranking.features import ProfileFeatures
from matching.ranking.licences import licence_mask
from matching.ranking.location import REGION_CODES, Region, pair_distances_km
from matching.ranking.pairs import LANGUAGES, Mask, Pairs, Queries, Side, lookup, sides
from matching.ranking.table import FeatureTable, lang_code


@dataclass(frozen=True)
class Filters:
    """Conditions every result must meet. Empty fields filter nothing.

    Language levels and licences are the jobseeker's; regions and distance are the candidate's place.
    """

    min_languages: dict[str, int] = field(default_factory=dict)
    """Language -> minimum CEFR rank (A1 = 1 ... C2 = 6) the jobseeker holds."""
    driving_licences: tuple[str, ...] = ()
    """Categories the jobseeker must hold."""
    regions: tuple[str, ...] = ()
    """Regions the candidate must be in."""
    max_km: float | None = None
    """Largest distance between the two postcodes."""
    requirements_met: bool = False
    """Only pairs where the jobseeker meets every language level and licence the vacancy asks."""
    active_only: bool = True
    """Only active jobseekers and open vacancies."""

    @property
    def empty(self) -> bool:
        """Whether only the default active/open condition applies."""
        return not (self.min_languages or self.driving_licences or self.regions or self.max_km or self.requirements_met)


def _held_levels(js: Side, code: int) -> npt.NDArray[np.float32]:
    """Each pair's jobseeker's level in one language (0 when not held)."""
    held, levels = js.keyed("languages", LANGUAGES)
    return lookup(held, levels, js.owner * LANGUAGES + code)


def requirements_met(vac: Side, js: Side, n: int) -> Mask:
    """Whether each pair's jobseeker holds every language level and driving licence its vacancy asks for.

    Args:
        vac: the pairs' vacancies.
        js: the pairs' jobseekers.
        n: the number of pairs.
    """
    items, codes, levels = vac.per_pair("languages")
    held, held_levels = js.keyed("languages", LANGUAGES)
    have = lookup(held, held_levels, js.owner[items] * LANGUAGES + codes.astype(np.int64))
    ok = np.ones(n, dtype=np.bool_)
    np.logical_and.at(ok, items, have >= levels)
    asked = vac.scalar("licences")
    met: Mask = ok & ((asked & js.scalar("licences")) == asked)
    return met


def filter_pairs(filters: Filters, queries: Queries, table: FeatureTable, pairs: Pairs) -> Mask:
    """Which pairs pass the filters (the same conditions for every query).

    Args:
        filters: the conditions.
        queries: the pairs' query profiles.
        table: the candidates' table.
        pairs: the pairs.

    Returns:
        One flag per pair.
    """
    s = table.scalars
    keep: Mask = s["alive"][pairs.rows].copy()
    if filters.active_only:
        keep &= s["active"][pairs.rows]
    vac, js = sides(queries, table, pairs)
    for lang, level in filters.min_languages.items():
        keep &= _held_levels(js, lang_code(lang)) >= level
    if filters.driving_licences:
        need = licence_mask(filters.driving_licences)
        keep &= (js.scalar("licences") & need) == need
    if filters.regions:
        codes = [REGION_CODES[Region(r)] for r in filters.regions]
        keep &= np.isin(s["region"][pairs.rows], codes)
    if filters.max_km is not None:
        mine = queries.table.places(queries.rows[pairs.query])
        km = pair_distances_km(mine, table.places(pairs.rows))
        keep &= (mine.region == 0) | (np.nan_to_num(km, nan=np.inf) <= filters.max_km)
    if filters.requirements_met:
        keep &= requirements_met(vac, js, len(pairs))
    return keep


def apply_filters(filters: Filters, query: ProfileFeatures, table: FeatureTable, rows: npt.NDArray[np.int64]) -> Mask:
    """Which candidate rows pass the filters for one query profile (``filter_pairs`` with one query).

    Args:
        filters: the conditions.
        query: the query profile (a vacancy when candidates are jobseekers, and the reverse).
        table: the candidates' table.
        rows: candidate rows.
    """
    pairs = Pairs(np.zeros(rows.size, dtype=np.int64), rows.astype(np.int64), np.zeros(rows.size, dtype=np.float32))
    return filter_pairs(filters, Queries.of_features([query], table.space), table, pairs)


__all__ = ["Filters", "apply_filters", "filter_pairs", "requirements_met"]
