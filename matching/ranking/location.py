"""Belgian postcodes: region, commune (Brussels) and approximate position; the one location fit and distance
that scoring, filters and explanations share.

Positions are commune centres inside Brussels and province centres elsewhere: enough for a weak tie-breaker
and a distance filter measured in tens of kilometres, not for routing. The fit and the distance are computed
on columns (``PlaceColumns``, as the feature table stores them) for many candidates at once; the functions on
one pair of places are the same computation on a column of one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0


class Region(StrEnum):
    """Belgian regions (as the ingestion schemas name them)."""

    brussels = "brussels"
    flanders = "flanders"
    wallonia = "wallonia"


REGION_CODES = {Region.brussels: 1, Region.flanders: 2, Region.wallonia: 3}
"""A region as a small integer (0: unknown place)."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where a postcode is."""

    postcode: str
    region: Region
    commune: str | None
    """The commune (French name) for Brussels postcodes; None elsewhere."""
    lat: float
    lon: float


# Brussels: postcode -> (commune, lat, lon). Laeken, Neder-Over-Heembeek and Haren belong to Bruxelles-Ville.
_BRUSSELS = {
    "1000": ("Bruxelles", 50.846, 4.352),
    "1020": ("Bruxelles", 50.880, 4.350),
    "1030": ("Schaerbeek", 50.867, 4.376),
    "1040": ("Etterbeek", 50.833, 4.389),
    "1050": ("Ixelles", 50.827, 4.372),
    "1060": ("Saint-Gilles", 50.827, 4.345),
    "1070": ("Anderlecht", 50.838, 4.309),
    "1080": ("Molenbeek-Saint-Jean", 50.855, 4.322),
    "1081": ("Koekelberg", 50.862, 4.326),
    "1082": ("Berchem-Sainte-Agathe", 50.864, 4.293),
    "1083": ("Ganshoren", 50.871, 4.309),
    "1090": ("Jette", 50.878, 4.326),
    "1120": ("Bruxelles", 50.899, 4.390),
    "1130": ("Bruxelles", 50.889, 4.418),
    "1140": ("Evere", 50.871, 4.403),
    "1150": ("Woluwe-Saint-Pierre", 50.830, 4.430),
    "1160": ("Auderghem", 50.815, 4.427),
    "1170": ("Watermael-Boitsfort", 50.800, 4.410),
    "1180": ("Uccle", 50.802, 4.339),
    "1190": ("Forest", 50.810, 4.320),
    "1200": ("Woluwe-Saint-Lambert", 50.847, 4.430),
    "1210": ("Saint-Josse-ten-Noode", 50.853, 4.371),
}
COMMUNE_CODES = {name: i + 1 for i, name in enumerate(sorted({c for c, _, _ in _BRUSSELS.values()}))}
"""A Brussels commune as a small integer (0: outside Brussels or unknown)."""
# Elsewhere: (first postcode, last postcode, region, lat, lon of the province's centre).
_PROVINCES = [
    (1300, 1499, Region.wallonia, 50.67, 4.61),  # Walloon Brabant
    (1500, 1999, Region.flanders, 50.87, 4.33),  # Flemish Brabant (around Brussels)
    (2000, 2999, Region.flanders, 51.22, 4.40),  # Antwerp
    (3000, 3499, Region.flanders, 50.88, 4.70),  # Flemish Brabant (Leuven)
    (3500, 3999, Region.flanders, 50.93, 5.34),  # Limburg
    (4000, 4999, Region.wallonia, 50.63, 5.57),  # Liège
    (5000, 5999, Region.wallonia, 50.47, 4.87),  # Namur
    (6000, 6599, Region.wallonia, 50.41, 4.44),  # Hainaut (Charleroi)
    (6600, 6999, Region.wallonia, 49.95, 5.50),  # Luxembourg
    (7000, 7999, Region.wallonia, 50.45, 3.95),  # Hainaut (Mons)
    (8000, 8999, Region.flanders, 51.10, 3.10),  # West Flanders
    (9000, 9999, Region.flanders, 51.05, 3.72),  # East Flanders
]


def place_of(postcode: str | None) -> Place | None:
    """Where a Belgian postcode is.

    Args:
        postcode: four digits, or None.

    Returns:
        The place, or None when the postcode is missing or not Belgian.
    """
    if not postcode or not postcode.isdigit() or len(postcode) != 4:
        return None
    number = int(postcode)
    if 1000 <= number <= 1299:
        key = postcode if postcode in _BRUSSELS else min(_BRUSSELS, key=lambda p: abs(int(p) - number))
        commune, lat, lon = _BRUSSELS[key]
        return Place(postcode, Region.brussels, commune, lat, lon)
    for first, last, region, lat, lon in _PROVINCES:
        if first <= number <= last:
            return Place(postcode, region, None, lat, lon)
    return None


COLUMNS: dict[str, type] = {
    "postcode": np.int16,
    "region": np.int8,
    "commune": np.int8,
    "lat": np.float32,
    "lon": np.float32,
}
"""The fields of ``PlaceColumns`` and their types (the feature table's location columns)."""


def place_values(place: Place | None) -> dict[str, int | float]:
    """The column values of one place (``COLUMNS``): codes, and NaN position when unknown."""
    if place is None:
        return {"postcode": 0, "region": 0, "commune": 0, "lat": np.nan, "lon": np.nan}
    return {
        "postcode": int(place.postcode),
        "region": REGION_CODES[place.region],
        "commune": COMMUNE_CODES.get(place.commune, 0) if place.commune else 0,
        "lat": place.lat,
        "lon": place.lon,
    }


@dataclass(frozen=True, slots=True)
class PlaceColumns:
    """The places of many profiles as columns; an unknown place has region 0 (and postcode 0, NaN position)."""

    postcode: npt.NDArray[np.int16]
    region: npt.NDArray[np.int8]
    commune: npt.NDArray[np.int8]
    lat: npt.NDArray[np.float32]
    lon: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return int(self.region.size)

    @classmethod
    def of(cls, places: Sequence[Place | None]) -> PlaceColumns:
        """Columns of a list of places (None: unknown)."""
        values = [place_values(p) for p in places]
        columns: dict[str, npt.NDArray[Any]] = {
            name: np.asarray([v[name] for v in values], dtype=dtype).reshape(-1) for name, dtype in COLUMNS.items()
        }
        return cls(**columns)


def _columns_of(place: Place | None, n: int) -> PlaceColumns:
    """One place repeated as ``n`` rows of columns."""
    one = PlaceColumns.of([place])
    return PlaceColumns(**{name: np.repeat(getattr(one, name), n) for name in COLUMNS})


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two positions given in degrees (NaN when either is unknown)."""
    if math.isnan(lat1) or math.isnan(lat2):
        return math.nan
    a1, o1, a2, o2 = (math.radians(v) for v in (lat1, lon1, lat2, lon2))
    h = math.sin((a2 - a1) / 2) ** 2 + math.cos(a1) * math.cos(a2) * math.sin((o2 - o1) / 2) ** 2
    return EARTH_RADIUS_KM * 2 * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


def pair_distances_km(a: PlaceColumns, b: PlaceColumns) -> npt.NDArray[np.float64]:
    """Great-circle distance of each pair of places (row i of ``a`` and row i of ``b``), in kilometres.

    Positions are taken at the precision the feature table stores (float32) on both sides, and each distinct
    pair of positions is computed once with scalar arithmetic, so a pair's distance is the same whichever side
    is the query and wherever the pair sits among others (vectorised transcendental functions may round a
    value differently by its position in an array).

    Args:
        a: one side's places.
        b: the other side's places, as many rows.

    Returns:
        One distance per pair (NaN where a place is unknown).
    """
    if len(a) == 0:
        return np.zeros(0, dtype=np.float64)
    columns = np.stack([a.lat, a.lon, b.lat, b.lon], axis=1).astype(np.float32)
    distinct, inverse = np.unique(columns.view(np.uint32), axis=0, return_inverse=True)
    values = distinct.view(np.float32).astype(np.float64).tolist()
    km = np.asarray([_haversine_km(*v) for v in values], dtype=np.float64)
    result: npt.NDArray[np.float64] = km[inverse.reshape(-1)]
    return result


def pair_location_fits(a: PlaceColumns, b: PlaceColumns) -> npt.NDArray[np.float64]:
    """How close each pair of places is, in [0, 1]: a weak tie-breaker (the one location rule).

    Same postcode 1.0; same commune 0.9; inside Brussels from 0.85 down to 0.6 over 15 km; same region 0.5;
    elsewhere 0.3 down to 0.1 over 100 km; unknown (either side) 0.5. Symmetric, and element-wise: a pair's fit
    does not depend on the other pairs.

    Args:
        a: one side's places.
        b: the other side's places, as many rows.

    Returns:
        One fit per pair.
    """
    km = pair_distances_km(a, b)
    same_region = a.region == b.region
    fit = np.where(same_region, 0.5, np.maximum(0.1, 0.3 - 0.2 * np.minimum(km, 100.0) / 100.0))
    brussels = same_region & (a.region == REGION_CODES[Region.brussels])
    fit = np.where(brussels, 0.85 - 0.25 * np.minimum(km, 15.0) / 15.0, fit)
    fit = np.where((a.commune != 0) & (a.commune == b.commune), 0.9, fit)
    fit = np.where(a.postcode == b.postcode, 1.0, fit)
    result: npt.NDArray[np.float64] = np.where((a.region == 0) | (b.region == 0), 0.5, fit)
    return result


def distances_km(place: Place, others: PlaceColumns) -> npt.NDArray[np.float64]:
    """Great-circle distance from a place to each of many places, in kilometres (NaN where unknown):
    ``pair_distances_km`` with the place on one side of every pair.

    Args:
        place: the query's place.
        others: the candidates' places.

    Returns:
        One distance per candidate.
    """
    return pair_distances_km(_columns_of(place, len(others)), others)


def location_fits(place: Place | None, others: PlaceColumns) -> npt.NDArray[np.float64]:
    """How close a place is to each of many places, in [0, 1]: ``pair_location_fits`` with the place on one
    side of every pair.

    Args:
        place: the query's place (None: unknown).
        others: the candidates' places.

    Returns:
        One fit per candidate.
    """
    return pair_location_fits(_columns_of(place, len(others)), others)


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance between two places, in kilometres (``distances_km`` on one pair)."""
    return float(distances_km(a, PlaceColumns.of([b]))[0])


def location_fit(a: Place | None, b: Place | None) -> float:
    """How close two places are, in [0, 1] (``location_fits`` on one pair)."""
    return float(location_fits(a, PlaceColumns.of([b]))[0])


__all__ = [
    "COLUMNS",
    "COMMUNE_CODES",
    "REGION_CODES",
    "Place",
    "PlaceColumns",
    "Region",
    "distance_km",
    "distances_km",
    "location_fit",
    "location_fits",
    "pair_distances_km",
    "pair_location_fits",
    "place_of",
    "place_values",
]
