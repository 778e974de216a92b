"""Hard filters, a staff choice: minimum language levels, driving licences, regions, distance, and only
active jobseekers / open vacancies."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matching.profiles import ProfileKind
from matching.ranking.features import ProfileFeatures
from matching.ranking.licences import licence_mask
from matching.ranking.location import REGION_CODES, Region, distances_km
from matching.ranking.table import FeatureTable, lang_code, lang_name

Mask = npt.NDArray[np.bool_]


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


def _levels(table: FeatureTable, rows: npt.NDArray[np.int64], code: int) -> npt.NDArray[np.float32]:
    owners, codes, levels = table.ragged["languages"].gather(rows)
    have = np.zeros(rows.size, dtype=np.float32)
    mask = codes == code
    np.maximum.at(have, owners[mask], levels[mask])
    return have


def apply_filters(filters: Filters, query: ProfileFeatures, table: FeatureTable, rows: npt.NDArray[np.int64]) -> Mask:
    """Which candidate rows pass the filters.

    Args:
        filters: the conditions.
        query: the query profile (a vacancy when candidates are jobseekers, and the reverse).
        table: the candidates' table.
        rows: candidate rows.
    """
    s = table.scalars
    keep = s["alive"][rows].copy()
    if filters.active_only:
        keep &= s["active"][rows]
    candidates_are_jobseekers = query.profile.kind is ProfileKind.vacancy
    for lang, level in filters.min_languages.items():
        if candidates_are_jobseekers:
            keep &= _levels(table, rows, lang_code(lang)) >= level
        else:
            keep &= query.languages.get(lang, 0) >= level
    if filters.driving_licences:
        need = licence_mask(filters.driving_licences)
        if candidates_are_jobseekers:
            keep &= (s["licences"][rows] & need) == need
        elif (licence_mask(query.profile.driving_licences) & need) != need:
            keep[:] = False
    if filters.regions:
        codes = [REGION_CODES[Region(r)] for r in filters.regions]
        keep &= np.isin(s["region"][rows], codes)
    if filters.max_km is not None and query.place is not None:
        km = distances_km(query.place, table.places(rows))
        keep &= np.nan_to_num(km, nan=np.inf) <= filters.max_km
    if filters.requirements_met:
        keep &= _requirements_met(query, table, rows, candidates_are_jobseekers)
    return keep


def _requirements_met(
    query: ProfileFeatures, table: FeatureTable, rows: npt.NDArray[np.int64], jobseekers: bool
) -> Mask:
    s = table.scalars
    if jobseekers:
        ok = np.ones(rows.size, dtype=np.bool_)
        for lang, level in query.languages.items():
            ok &= _levels(table, rows, lang_code(lang)) >= level
        need = licence_mask(query.profile.driving_licences)
        met: Mask = ok & ((s["licences"][rows] & need) == need)
        return met
    owners, codes, levels = table.ragged["languages"].gather(rows)
    have = np.asarray([query.languages.get(lang_name(int(c)), 0) for c in codes.tolist()], dtype=np.float32)
    ok = np.ones(rows.size, dtype=np.bool_)
    np.logical_and.at(ok, owners, have >= levels)
    mine = licence_mask(query.profile.driving_licences)
    result: Mask = ok & ((s["licences"][rows] & mine) == s["licences"][rows])
    return result


__all__ = ["Filters", "apply_filters"]
