"""Belgian postcodes: region, commune (Brussels) and approximate position, for location fit and filters.

Positions are commune centres inside Brussels and province centres elsewhere: enough for a weak tie-breaker
and a distance filter measured in tens of kilometres, not for routing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Region(StrEnum):
    """Belgian regions (as the ingestion schemas name them)."""

    brussels = "brussels"
    flanders = "flanders"
    wallonia = "wallonia"


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


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance between two places, in kilometres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def location_fit(a: Place | None, b: Place | None) -> float:
    """How close two places are, in [0, 1]: a weak tie-breaker.

    Same postcode 1.0; same commune 0.9; inside Brussels from 0.85 down to 0.6 over 15 km; same region 0.5;
    elsewhere 0.3 down to 0.1 with distance; unknown 0.5.
    """
    if a is None or b is None:
        return 0.5
    if a.postcode == b.postcode:
        return 1.0
    if a.commune is not None and a.commune == b.commune:
        return 0.9
    km = distance_km(a, b)
    if a.region is Region.brussels and b.region is Region.brussels:
        return 0.85 - 0.25 * min(km, 15.0) / 15.0
    if a.region is b.region:
        return 0.5
    return max(0.1, 0.3 - 0.2 * min(km, 100.0) / 100.0)


__all__ = ["Place", "Region", "distance_km", "location_fit", "place_of"]
